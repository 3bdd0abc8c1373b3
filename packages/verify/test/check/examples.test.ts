import { spawnSync } from 'node:child_process';
import { createReadStream } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { compareResult } from '@geglu/float';
import { runCli } from '../../src/cli/main.js';
import { loadOracle } from '../../src/backends/modules.js';
import { jsonlBatches, npyBatches, safetensorsBatches, type CheckBatch } from '../../src/io/check-inputs.js';
import { fakeIO } from '../cli/fake-io.js';
import { Dir } from './writers.js';

// examples/dump_torch.py run as a user would, with a Python that has torch and numpy (Debian's
// python3-torch and python3-numpy; GEGLU_PYTHON picks another). Skipped, and says so, where none has.
const script = fileURLToPath(new URL('../../../../examples/dump_torch.py', import.meta.url));
const candidates = [process.env.GEGLU_PYTHON, '/usr/bin/python3', 'python3'].filter((p): p is string => !!p);
const python = candidates.find((p) => spawnSync(p, ['-c', 'import torch, numpy'], { stdio: 'ignore' }).status === 0);
if (!python) console.log(`examples.test.ts: skipped, no Python with torch and numpy among ${candidates.join(', ')}`);
const oracle = await loadOracle();
const O = oracle as Exclude<typeof oracle, string>;
const dir = new Dir();
afterAll(() => dir.remove());

function dump(dtype: string, approximate: string): string {
  const out = join(dir.path, `${dtype}-${approximate}`);
  const r = spawnSync(python!, [script, '--dtype', dtype, '--approximate', approximate, '-n', '600', '--out', out], { encoding: 'utf8' });
  expect(r.status, r.stderr).toBe(0);
  return out;
}

async function rows(batches: AsyncGenerator<CheckBatch>): Promise<[number, number][]> {
  const out: [number, number][] = [];
  for await (const b of batches) for (let i = 0; i < b.count; i++) out.push([b.columns[0]![i]!, b.columns[1]![i]!]);
  return out;
}

describe.skipIf(!python || typeof oracle === 'string')('examples/dump_torch.py dumps judged by geglu check', () => {
  it("f32: safetensors, .npy and JSONL give the same counts, and they are the oracle's", { timeout: 120_000 }, async () => {
    for (const approximate of ['none', 'tanh']) {
      const fn = approximate === 'none' ? 'gelu' : 'gelu-tanh';
      const out = dump('f32', approximate);
      const summaries = [];
      for (const input of [
        [join(out, 'gelu.safetensors')],
        ['--x', join(out, 'x.npy'), '--y', join(out, 'y.npy')],
        [join(out, 'gelu.jsonl')],
      ]) {
        const io = fakeIO('');
        const code = await runCli(['check', '--fn', fn, '--dtype', 'f32', '--json', ...input], io.io);
        expect(code).toBe(io.stdout.includes('"passed":true') ? 0 : 1);
        summaries.push(JSON.parse(io.stdout));
      }
      const pick = (s: Record<string, unknown>) => ({
        checked: s.checked,
        mismatches: s.mismatches,
        zeroSign: s.zeroSign,
        histogram: s.histogram,
        byRegion: s.byRegion,
      });
      expect(pick(summaries[1])).toEqual(pick(summaries[0]));
      expect(pick(summaries[2])).toEqual(pick(summaries[0]));
      // the count again, from the oracle alone (check takes the sweep's reference for f32 gelu)
      const st = await safetensorsBatches(join(out, 'gelu.safetensors'), ['x', 'y'], 'f32');
      const pairs = await rows(st.batches);
      await st.close();
      const cmp = pairs.map(([x, y]) => compareResult(y, O.correctlyRounded(fn, x, 'f32'), 'f32'));
      expect(summaries[0]).toMatchObject({
        checked: 600,
        mismatches: cmp.filter((c) => !c.matches).length,
        zeroSign: cmp.filter((c) => c.zeroSign).length,
      });
    }
    const g = dump('f32', 'tanh');
    const io = fakeIO('');
    await runCli(['check', '--fn', 'geglu', '--approximate', 'tanh', '--dtype', 'f32', '--json', join(g, 'geglu.safetensors')], io.io);
    expect(JSON.parse(io.stdout)).toMatchObject({ fn: 'geglu', checked: 600 });
  });

  it('bf16 safetensors and f16 .npy: the three readers agree bit for bit, and the oracle judges them', { timeout: 120_000 }, async () => {
    for (const fmt of ['bf16', 'f16'] as const) {
      const out = dump(fmt, 'tanh');
      const st = await safetensorsBatches(join(out, 'gelu.safetensors'), ['x', 'y'], fmt);
      const a = await rows(st.batches);
      await st.close();
      const np = await npyBatches([join(out, 'x.npy'), join(out, 'y.npy')], fmt);
      const b = await rows(np.batches);
      await np.close();
      // JSONL holds the same values as decimal float64s (exact for bf16 and f16); read as f64
      const c = await rows(
        jsonlBatches(
          createReadStream(join(out, 'gelu.jsonl')),
          ['x', 'y'],
          'f64',
          (no, why) => expect.fail(`line ${no}: ${why}`),
          () => {},
        ),
      );
      expect(a).toHaveLength(600);
      const same = (p: [number, number][], q: [number, number][]) =>
        p.every(
          ([x, y], i) =>
            (Object.is(x, q[i]![0]) || (x !== x && q[i]![0] !== q[i]![0])) &&
            (Object.is(y, q[i]![1]) || (y !== y && q[i]![1] !== q[i]![1])),
        );
      expect(same(a, b)).toBe(true);
      expect(same(a, c)).toBe(true);
      const cmp = a.map(([x, y]) => compareResult(y, O.correctlyRounded('gelu-tanh', x, fmt), fmt));
      console.log(
        `examples: torch ${fmt} gelu tanh, 600 values: ${cmp.filter((r) => !r.matches).length} not correctly rounded (${cmp.filter((r) => r.zeroSign).length} zero sign), max ${Math.max(...cmp.map((r) => r.steps))} steps`,
      );
    }
  });

  it('examples/dump_jax_numpy.py --impl numpy (f32, tanh form): geglu check counts what the oracle counts', {
    timeout: 60_000,
  }, async () => {
    const out = join(dir.path, 'numpy');
    const r = spawnSync(
      python!,
      [script.replace('dump_torch.py', 'dump_jax_numpy.py'), '--impl', 'numpy', '--dtype', 'f32', '-n', '600', '--out', out],
      { encoding: 'utf8' },
    );
    expect(r.status, r.stderr).toBe(0);
    const io = fakeIO('');
    await runCli(['check', '--fn', 'gelu-tanh', '--dtype', 'f32', '--json', '--x', join(out, 'x.npy'), '--y', join(out, 'y.npy')], io.io);
    const np = await npyBatches([join(out, 'x.npy'), join(out, 'y.npy')], 'f32');
    const cmp = (await rows(np.batches)).map(([x, y]) => compareResult(y, O.correctlyRounded('gelu-tanh', x, 'f32'), 'f32'));
    await np.close();
    expect(JSON.parse(io.stdout)).toMatchObject({
      checked: 600,
      mismatches: cmp.filter((c) => !c.matches).length,
      zeroSign: cmp.filter((c) => c.zeroSign).length,
    });
  });
});
