import { describe, expect, it } from 'vitest';
import { spawnSync, spawn } from 'node:child_process';
import { existsSync, openSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { fileURLToPath } from 'node:url';
import { COMMANDS } from '../../src/cli/main.js';

// These spawn the built bin (`pnpm build` first), the way users and CI run it.
const cli = fileURLToPath(new URL('../../dist/cli.js', import.meta.url));
// vitest sets NODE_PATH to pnpm's hoisted modules, which would resolve what a user's install cannot
const { NODE_PATH: _hoisted, ...userEnv } = process.env;
const geglu = (args: string[], input = '') => spawnSync(process.execPath, [cli, ...args], { input, encoding: 'utf8', env: userEnv });

describe('geglu command line (dist/cli.js)', () => {
  it('the bin is built (turbo runs build before test)', () => {
    expect(existsSync(cli), `${cli} missing: run pnpm build`).toBe(true);
  });
  it("the summaries in geglu --help are each command module's own", async () => {
    for (const entry of COMMANDS) expect((await entry.load()).summary, entry.name).toBe(entry.summary);
  });
  it('--help lists every command and exits 0; no arguments prints it on stderr and exits 2', () => {
    const r = geglu(['--help']);
    expect(r.status).toBe(0);
    for (const c of ['verify', 'eval', 'check', 'sweep', 'tolerances', 'constants']) expect(r.stdout).toContain(`  ${c}`);
    const none = geglu([]);
    expect(none.status).toBe(2);
    expect(none.stderr).toContain('Usage: geglu');
  });
  it('without a Vulkan driver, geglu eval --backend gpu says in one line of its own which backends were passed over and why (no Dawn output)', () => {
    const r = spawnSync(process.execPath, [cli, 'eval', '--fn', 'gelu', '--dtype', 'f32', '--backend', 'gpu'], {
      input: '0.5\n',
      encoding: 'utf8',
      env: { ...userEnv, VK_ICD_FILENAMES: '/nonexistent/geglu-no-driver.json', XDG_RUNTIME_DIR: userEnv.XDG_RUNTIME_DIR ?? '/tmp' },
    });
    expect(r.status).toBe(0);
    expect(r.stdout).toBe('{"x":"0.5","y":"0.3457312285900116"}\n');
    const lines = r.stderr.split('\n').filter(Boolean);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(
      /^geglu eval: backend gpu-(webasm|cpu|headlessgl), fn gelu, dtype f32 \(not available: gpu-webgpu: (no WebGPU adapter|the 'webgpu' npm package)/,
    );
  });
  it('geglu eval with a folder on stdin: one line naming the problem, exit 2', () => {
    const r = spawnSync(process.execPath, [cli, 'eval', '--fn', 'gelu', '--dtype', 'f64', '--backend', 'oracle'], {
      stdio: [openSync(tmpdir(), 'r'), 'pipe', 'pipe'],
      encoding: 'utf8',
    });
    expect(r.status).toBe(2);
    expect(r.stderr.trim()).toBe('geglu eval: stdin is a folder, expected numbers one per line');
  });
  // spawnSync's input reaches the child through a pipe, as `echo 0.5 | geglu eval` does
  it.each([['oracle'], ['kernel'], ['gpu --gpu-backend cpu'], ['gpu --gpu-backend webasm']])(
    'geglu eval --backend %s reads numbers from a pipe',
    (backend) => {
      const r = geglu(['eval', '--fn', 'gelu', '--dtype', 'f32', '--backend', ...backend.split(' ')], '-0\n');
      expect(r.status, r.stderr).toBe(0);
      expect(JSON.parse(r.stdout.trim())).toEqual({ x: '-0', y: '-0' });
    },
  );
  it('an unknown command, an unknown flag, a missing value: one line on stderr, exit 2, no stack trace', () => {
    for (const args of [['frobnicate'], ['eval', '--nope'], ['eval', '--fn'], ['eval', '--fn', 'gelu', '--fn', 'erf']]) {
      const r = geglu(args);
      expect(r.status, args.join(' ')).toBe(2);
      expect(r.stderr.trim().split('\n'), args.join(' ')).toHaveLength(1);
      expect(r.stderr).not.toMatch(/\n\s+at /);
      expect(r.stdout).toBe('');
    }
  });
});

describe('geglu eval into a closed pipe', () => {
  it('`geglu eval … | head -1` ends quietly: no EPIPE trace, exit 0', async () => {
    const child = spawn(process.execPath, [cli, 'eval', '--fn', 'gelu', '--dtype', 'f64', '--backend', 'kernel'], {
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let err = '';
    child.stderr.on('data', (d) => (err += d));
    child.stdout.once('data', () => child.stdout.destroy());
    child.stdin.on('error', () => {});
    const line = '0.5\n'.repeat(10000);
    for (let i = 0; i < 200 && child.stdin.writable; i++) child.stdin.write(line);
    child.stdin.end();
    const code = await new Promise((resolve) => child.on('close', resolve));
    expect(err).not.toMatch(/EPIPE|\n\s+at /);
    expect(code).toBe(0);
  });
});

describe('geglu <command> --help', () => {
  it.each([
    ['eval', ['--fn', '--dtype', '--backend', '--gpu-backend', 'CRLF']],
    ['check', ['--fn', '--dtype', '--max-steps', 'FILE.jsonl']],
    ['sweep', ['--shard', '--workers', '--resume', '--range', 'merge']],
    ['tolerances', ['--tolerances', '--markdown']],
  ])('geglu %s --help prints its usage and options on stdout, exit 0', (name, words) => {
    const r = geglu([name, '--help']);
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(new RegExp(`^Usage: geglu ${name}`));
    for (const w of words) expect(r.stdout).toContain(w);
    expect(r.stderr).toBe('');
  });
});
