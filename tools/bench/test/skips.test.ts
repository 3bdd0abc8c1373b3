import { describe, expect, it } from 'vitest';
import { runBench } from '../src/bench.js';
import type { Implementation } from '../src/types.js';
import { SkipRow } from '../src/types.js';
import { defaultOptions } from '../src/workloads.js';

function fake(id: string, prepare: Implementation['prepare']): Implementation {
  return { id, label: id, group: 'peer', description: id, supports: (w) => w.kind === 'gelu', prepare };
}

describe('rows that cannot run', () => {
  it('are reported as skipped with their reason, whether prepare or a timed run throws, and the others still run', async () => {
    let calls = 0;
    const impls: Implementation[] = [
      fake('declines', async () => {
        throw new SkipRow('no such backend here');
      }),
      fake('crashes', async () => {
        throw new TypeError('boom');
      }),
      fake('fails-later', async () => ({
        precision: 'f32',
        run: () => {
          // The warm-up run succeeds; the first timed run throws.
          if (++calls > 1) throw new Error('lost device');
        },
      })),
      fake('works', async () => ({ precision: 'f32', run: () => {} })),
    ];
    const options = {
      ...defaultOptions(true),
      sizes: [16],
      sampleSize: 8,
      repeats: 2,
      warmup: 1,
      only: /^gelu-none-2\^4\//,
    };
    const report = await runBench(options, impls, 'vitest');
    const by = new Map(report.rows.map((r) => [r.implementation, r]));
    expect(by.get('declines')).toMatchObject({ status: 'skipped', reason: 'no such backend here' });
    expect(by.get('crashes')).toMatchObject({ status: 'skipped', reason: 'failed to prepare: boom' });
    expect(by.get('fails-later')).toMatchObject({ status: 'skipped', reason: 'failed while timed: lost device' });
    expect(by.get('works')!.status).toBe('ok');
    expect(by.get('works')!.runs).toBe(2);
    // With no onnxruntime row in the selection, ratios are absent rather than invented.
    expect(by.get('works')!.vsOrt1t).toBeNull();
  });
});

describe('up-front prediction of slow rows', () => {
  it('uses the row’s own work per run (the oracle runs a fixed slice, whatever the workload size)', async () => {
    const busy = (ms: number) => {
      const end = performance.now() + ms;
      while (performance.now() < end);
    };
    const impls: Implementation[] = [
      fake('fixed-slice', async () => ({ precision: 'f32', work: 1, run: () => busy(5) })),
      fake('scales', async (w) => ({ precision: 'f32', run: () => busy(w.elements / 16) })),
    ];
    // 16 then 4096 elements: a prediction from w.work would be 256× the slice's real time.
    const options = {
      ...defaultOptions(true),
      sizes: [16, 4096],
      sampleSize: 8,
      repeats: 1,
      warmup: 1,
      maxRunSeconds: 0.1,
      only: /^gelu-none-/,
    };
    const report = await runBench(options, impls, 'vitest');
    const at = (id: string, w: string) => report.rows.find((r) => r.implementation === id && r.workload === w)!;
    expect(at('fixed-slice', 'gelu-none-2^12').status).toBe('ok');
    // 4096/16 ms ≈ 0.26 s per run, predicted from 1 ms at 16 elements: over the 0.1 s limit.
    expect(at('scales', 'gelu-none-2^12')).toMatchObject({ status: 'skipped' });
    expect(at('scales', 'gelu-none-2^12').reason).toMatch(/extrapolated from gelu-none-2\^4/);
  });
});
