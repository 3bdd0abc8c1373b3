import { describe, expect, it } from 'vitest';
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, openSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { checkOutputFile } from '../../src/cli/paths.js';

// Files a hostile user can name: devices and FIFOs (stat size 0, endless or read once), duplicate
// keys, deep nesting. Spawns the built bin (`pnpm build` first) with a small heap, so a reader
// without a limit on the bytes it reads dies of memory instead of taking the machine.
const cli = fileURLToPath(new URL('../../dist/cli.js', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'geglu-hostile-'));
const geglu = (args: string[], input = '') =>
  spawnSync(process.execPath, ['--max-old-space-size=256', cli, ...args], { input, encoding: 'utf8', timeout: 60_000 });
const linux = process.platform === 'linux';
const shipped = readFileSync(fileURLToPath(new URL('../../tolerances.json', import.meta.url)), 'utf8');

describe.skipIf(!linux)('readers stop at their limit on /dev/zero (Linux only: /dev/zero)', () => {
  it.each([
    [['tolerances', '--tolerances', '/dev/zero'], /more than 4194304 bytes/],
    [['check', '--fn', 'erf', '--dtype', 'f64', '--backend', 'oracle', '--tolerances', '/dev/zero', '-'], /more than 4194304 bytes/],
    [['sweep', 'merge', '/dev/zero'], /more than 16777216 bytes/],
    [
      ['sweep', '--fn', 'gelu', '--dtype', 'f32', '--range', '0:1024', '--resume', '/dev/zero'],
      /--resume \/dev\/zero is not a regular file/,
    ],
  ])('geglu %j: exit 2 naming the limit (or refusing the device as a checkpoint)', (args, why) => {
    const r = geglu(args);
    expect(r.stderr).toMatch(why);
    expect(r.status, r.stderr).toBe(2);
  });
});

describe.skipIf(!linux)('FIFOs (Linux only: mkfifo)', () => {
  it('geglu check reads a FIFO whose writer has finished: opened once, so the one writer is read', async () => {
    const fifo = join(dir, 'lines.fifo');
    execFileSync('mkfifo', [fifo]);
    const writer = spawn('sh', ['-c', `printf '{"x":"0","y":"0"}\\n' > ${fifo}`], { stdio: 'ignore' });
    const child = spawn(process.execPath, [cli, 'check', '--fn', 'erf', '--dtype', 'f64', fifo], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    const timer = setTimeout(() => child.kill(), 20_000);
    const code = await new Promise((resolve) => child.on('close', resolve));
    clearTimeout(timer);
    writer.kill();
    expect(out).toContain('1 lines checked');
    expect(code).toBe(0);
  });

  it('geglu tolerances reads a tolerance table from a FIFO', () => {
    const fifo = join(dir, 'table.fifo');
    execFileSync('mkfifo', [fifo]);
    // the writer is a separate process: spawnSync below blocks this one's event loop
    const writer = spawn('sh', ['-c', `cat "$0" > ${fifo}`, fileURLToPath(new URL('../../tolerances.json', import.meta.url))], {
      stdio: 'ignore',
    });
    const r = geglu(['tolerances', '--tolerances', fifo]);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    writer.kill();
  });
});

describe('JSON that JSON.parse accepts but a gate must not', () => {
  it('a duplicated maxSteps in a tolerance table: exit 2 with the path of the key', () => {
    const doubled = shipped.replace(/"maxSteps": 0,/, '"maxSteps": 0, "maxSteps": 1000000,');
    expect(doubled).not.toBe(shipped);
    const f = join(dir, 'dup.json');
    writeFileSync(f, doubled);
    const r = geglu(['tolerances', '--tolerances', f]);
    expect(r.stderr).toMatch(/\$\.backends\.[\w-]+\.bounds\.[\w-]+\.f(32|64)\.\w+\.maxSteps: duplicate key/);
    expect(r.status).toBe(2);
  });

  it('100,000 nested arrays in a tolerance table: exit 2, not a stack overflow', () => {
    const f = join(dir, 'deep.json');
    writeFileSync(f, `{"version": ${'['.repeat(100_000)}${']'.repeat(100_000)}}`);
    const r = geglu(['tolerances', '--tolerances', f]);
    expect(r.stderr).toMatch(/nested deeper than/);
    expect(r.stderr).not.toMatch(/internal error/);
    expect(r.status).toBe(2);
  });

  it('geglu check: a line with "x" twice is a bad line naming the duplicate, exit 1', () => {
    const r = geglu(['check', '--fn', 'erf', '--dtype', 'f64', '-'], '{"x":"0.5","x":"1","y":"0"}\n');
    expect(r.stderr).toMatch(/line 1: \$\.x: duplicate key/);
    expect(r.status).toBe(1);
  });
});

describe.skipIf(!linux)('a full disk (Linux only: /dev/full)', () => {
  const toFull = (args: string[], input = '') =>
    spawnSync(process.execPath, [cli, ...args], {
      input,
      encoding: 'utf8',
      stdio: ['pipe', openSync('/dev/full', 'w'), 'pipe'],
      timeout: 60_000,
    });

  it.each([
    [['tolerances'], ''],
    [['eval', '--fn', 'gelu', '--dtype', 'f64', '--backend', 'kernel'], '0.5\n'],
  ])('geglu %j > /dev/full: "no space left on device", exit 2', (args, input) => {
    const r = toFull(args, input);
    expect(r.stderr).toMatch(/cannot write .*: no space left on device \(ENOSPC\)/);
    expect(r.stderr).not.toMatch(/internal error|\n\s+at /);
    expect(r.status).toBe(2);
  });

  it('--out naming a device is refused before any work (an atomic rename would replace the device node)', () => {
    expect(() => checkOutputFile('/dev/full', '--out', 'geglu sweep')).toThrow(/--out \/dev\/full is not a regular file/);
  });
});
