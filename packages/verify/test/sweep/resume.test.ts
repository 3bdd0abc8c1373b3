import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { kernelImpl } from '../../src/sweep/impl.js';

// Spawns the built bin (`pnpm build` first), as a user's interrupted sweep would run.
const cli = fileURLToPath(new URL('../../dist/cli.js', import.meta.url));
const kernel = await kernelImpl('gelu-tanh');
const dir = mkdtempSync(join(tmpdir(), 'geglu-resume-'));

// 2^15 inputs around −2 (0xc0000000 = −2.0) in chunks of 1024: 32 chunks, small enough for a unit test.
const RANGE = '0xbfffc000:0xc0004000';
const base = ['sweep', '--fn', 'gelu-tanh', '--dtype', 'f32', '--range', RANGE, '--chunk-size', '1024', '--workers', '2'];
const geglu = (args: string[]) => spawnSync(process.execPath, [cli, ...args], { encoding: 'utf8' });

/** Fields that must not depend on how the run was interrupted (elapsed time does). */
const comparable = (file: string) => {
  const r = JSON.parse(readFileSync(file, 'utf8'));
  delete r.elapsedSeconds;
  return r;
};

describe.skipIf(!existsSync(cli) || typeof kernel === 'string')('geglu sweep: kill, resume, shards, merge (needs @geglu/kernel)', () => {
  it('a sweep killed at a random moment after its first checkpoint, then resumed, equals an uninterrupted run', async () => {
    const whole = join(dir, 'whole.json');
    const r = geglu([...base, '--out', whole]);
    expect(r.status, r.stderr).toBe(0);
    // the progress line (rate and ETA) and the final summary with the histogram
    expect(r.stderr).toMatch(/sweep gelu-tanh: 100\.0% \(32\.8k of 32\.8k\), [\d.]+[kMG]? inputs\/s, ETA [\d.]+s, \d+ escalated, \d+ mismatches/);
    expect(r.stdout).toMatch(/^sweep gelu-tanh f32 \[0xbfffc000, 0xc0004000\): 32768 inputs checked/);
    expect(r.stdout).toMatch(/steps histogram: 0: \d+/);
    // the moment of the kill, from the global fast-check seed (replayable with GEGLU_SEED)
    const [extraMs] = fc.sample(fc.integer({ min: 0, max: 300 }), 1);
    const ck = join(dir, 'ck.json');
    const child = spawn(process.execPath, [cli, ...base, '--resume', ck], { stdio: 'ignore' });
    const exited = new Promise((resolve) => child.on('exit', resolve));
    // wait for the first checkpoint so the kill lands mid-run, then a random extra delay
    const t0 = Date.now();
    while (!existsSync(ck) && Date.now() - t0 < 30_000) await new Promise((res) => setTimeout(res, 5));
    await new Promise((res) => setTimeout(res, extraMs));
    child.kill('SIGKILL');
    await exited;
    const partial = JSON.parse(readFileSync(ck, 'utf8'));
    const resumed = geglu([...base, '--resume', ck, '--out', join(dir, 'resumed.json')]);
    expect(resumed.status, resumed.stderr).toBe(0);
    if (!partial.complete) expect(resumed.stderr).toMatch(/resuming with \d+ done/);
    expect(comparable(join(dir, 'resumed.json'))).toEqual(comparable(whole));
    const w = comparable(whole);
    expect(w.checked + w.undecided).toBe(2 ** 15);
  }, 120_000);
  it('shards 1/2 and 2/2 merge to the unsharded result; overlapping shards and gaps are refused', () => {
    const whole = join(dir, 'whole.json');
    if (!existsSync(whole)) expect(geglu([...base, '--out', whole]).status).toBe(0);
    for (const i of [1, 2]) expect(geglu([...base, '--shard', `${i}/2`, '--out', join(dir, `s${i}.json`)]).status).toBe(0);
    const merged = join(dir, 'merged.json');
    const m = geglu(['sweep', 'merge', '--partial', '--out', merged, join(dir, 's1.json'), join(dir, 's2.json')]);
    expect(m.status, m.stdout + m.stderr).toBe(0);
    const a = comparable(merged);
    const b = comparable(whole);
    for (const k of ['intervals', 'checked', 'nan', 'escalated', 'undecided', 'mismatches', 'histogram', 'worst', 'fn']) expect(a[k], k).toEqual(b[k]);
    const gap = geglu(['sweep', 'merge', join(dir, 's1.json')]);
    expect(gap.status).toBe(1);
    expect(gap.stdout).toMatch(/FAIL: covers 16384 of 4294967296 inputs/);
    const twice = geglu(['sweep', 'merge', join(dir, 's1.json'), join(dir, 's1.json')]);
    expect(twice.status).toBe(2);
    expect(twice.stderr).toMatch(/covered twice/);
    expect(twice.stderr.trim().split('\n')).toHaveLength(1);
  }, 120_000);
  it('a checkpoint from another range or function is refused, and bad --range/--shard are usage errors', () => {
    const ck = join(dir, 'ck.json');
    const other = geglu(['sweep', '--fn', 'gelu', '--dtype', 'f32', '--range', RANGE, '--chunk-size', '1024', '--resume', ck]);
    expect(other.status).toBe(2);
    expect(other.stderr).toMatch(/is a checkpoint of gelu-tanh over/);
    for (const [args, re] of [
      [['--range', '5:5'], /START must be below END/],
      [['--range', '0x1:0x100000001'], /END must be an integer in \[0, 0x100000000\]/],
      [['--shard', '3/2'], /--shard must be i\/n/],
      [['--shard', '0/2'], /--shard must be i\/n/],
      [['--workers', '0'], /--workers must be between 1 and 256/],
    ] as [string[], RegExp][]) {
      const r = geglu(['sweep', '--fn', 'gelu', '--dtype', 'f32', ...args]);
      expect(r.status, args.join(' ')).toBe(2);
      expect(r.stderr).toMatch(re);
    }
  });
});
