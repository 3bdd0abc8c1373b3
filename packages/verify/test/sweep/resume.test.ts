import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadImpl } from '../../src/sweep/impl.js';

// Spawns the built bin (`pnpm build` first), as a user's interrupted sweep would run.
const cli = fileURLToPath(new URL('../../dist/cli.js', import.meta.url));
const kernel = await loadImpl('kernel-f32', 'gelu-tanh');
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
    expect(r.stderr).toMatch(
      /sweep gelu-tanh: 100\.0% \(32\.8k of 32\.8k\), [\d.]+[kMG]? inputs\/s, ETA [\d.]+s, \d+ escalated, \d+ mismatches/,
    );
    expect(r.stdout).toMatch(/^sweep kernel-f32 gelu-tanh f32 \[0xbfffc000, 0xc0004000\): 32768 inputs checked/);
    expect(r.stdout).toMatch(/\n {2}normal: 32768 inputs, 0 not correctly rounded, max 0 steps\n/);
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
    for (const k of [
      'intervals',
      'checked',
      'nan',
      'escalated',
      'undecided',
      'mismatches',
      'histogram',
      'worst',
      'fn',
      'backend',
      'zeroSign',
      'regions',
    ])
      expect(a[k], k).toEqual(b[k]);
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
    expect(other.stderr).toMatch(/is a checkpoint of kernel-f32 gelu-tanh over/);
    for (const [args, re] of [
      [['--range', '5:5'], /START must be below END/],
      [['--range', '0x1:0x100000001'], /END must be an integer in \[0, 0x100000000\]/],
      [['--shard', '3/2'], /--shard must be i\/n/],
      [['--shard', '0/2'], /--shard must be i\/n/],
      [['--workers', '0'], /--workers must be between 1 and 256/],
      [['--backend', 'gpu-gl'], /--backend/],
      [
        ['--fn', 'erf', '--backend', 'kernel-f32'],
        /--backend kernel-f32 has no float32 erf \(it has gelu, gelu-tanh, gelu-grad, gelu-tanh-grad\)/,
      ],
    ] as [string[], RegExp][]) {
      const r = geglu(['sweep', '--dtype', 'f32', ...(args.includes('--fn') ? [] : ['--fn', 'gelu']), ...args]);
      expect(r.status, args.join(' ')).toBe(2);
      expect(r.stderr).toMatch(re);
    }
  });
});

describe.skipIf(!existsSync(cli))('geglu sweep on a gpu.js backend (gpu-cpu: always available)', () => {
  it('reports per region the largest steps and the input reaching it, and its shards merge to the same result', async () => {
    // 2^14 inputs straddling x = -4 (0xc0800000): tail and normal both present, in 8 chunks
    const args = [
      'sweep',
      '--backend',
      'gpu-cpu',
      '--fn',
      'erfc',
      '--dtype',
      'f32',
      '--range',
      '0xc07fe000:0xc0802000',
      '--chunk-size',
      '2048',
      '--workers',
      '1',
    ];
    const whole = join(dir, 'gpu-whole.json');
    const r = geglu([...args, '--out', whole]);
    expect([0, 1]).toContain(r.status);
    const w = JSON.parse(readFileSync(whole, 'utf8'));
    expect(w).toMatchObject({ backend: 'gpu-cpu', fn: 'erfc', complete: true, checked: 2 ** 14 });
    expect(w.device).toMatch(/JavaScript/);
    // erfc's tail is x > 4: every input here is normal
    expect(w.regions.tail.checked + w.regions.subnormal.checked).toBe(0);
    expect(w.regions.normal.checked).toBe(2 ** 14);
    if (w.regions.normal.worst)
      expect(r.stdout).toContain(
        `normal: 16384 inputs, ${w.regions.normal.mismatches} not correctly rounded, max ${w.regions.normal.maxSteps} steps at x=${w.regions.normal.worst.x}`,
      );
    const shards = [1, 2].map((i) => join(dir, `gpu-s${i}.json`));
    shards.forEach((f, i) => expect([0, 1]).toContain(geglu([...args, '--shard', `${i + 1}/2`, '--out', f]).status));
    const merged = join(dir, 'gpu-merged.json');
    geglu(['sweep', 'merge', '--partial', '--out', merged, ...shards]);
    const a = comparable(merged);
    const b = comparable(whole);
    for (const k of ['intervals', 'checked', 'mismatches', 'histogram', 'worst', 'regions', 'backend', 'device'])
      expect(a[k], k).toEqual(b[k]);
  }, 120_000);
  it('--table judges each region by the tolerance table: gelu-tanh around -4.2174 on gpu-webasm is not correctly rounded, but within the bound', () => {
    // 256 inputs around x = -4.217402935028076 (0xc086f4f7), the tail maximum of gpu-webasm's gelu-tanh sweep
    const args = [
      'sweep',
      '--backend',
      'gpu-webasm',
      '--fn',
      'gelu-tanh',
      '--dtype',
      'f32',
      '--range',
      '0xc086f400:0xc086f500',
      '--workers',
      '1',
    ];
    const plain = geglu(args);
    expect(plain.status, plain.stderr).toBe(1);
    expect(plain.stdout).toMatch(/FAIL: \d+ inputs not correctly rounded/);
    expect(plain.stdout).toContain(
      'max 3 steps at x=-4.217402935028076 (0xc086f4f7): got -0.000023859913198975846, correctly rounded -0.000023859907742007636',
    );
    const judged = geglu([...args, '--table']);
    expect(judged.status, judged.stdout).toBe(0);
    expect(judged.stdout).toMatch(/\nPASS\n$/);
  }, 60_000);
});
