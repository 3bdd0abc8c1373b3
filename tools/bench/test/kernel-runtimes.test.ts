import { beforeAll, describe, expect, it } from 'vitest';
import { runBench } from '../src/bench.js';
import { NODE22_ENV } from '../src/impl/kernel-runtimes.js';
import { allImplementations } from '../src/registry.js';
import type { BenchOptions, BenchReport } from '../src/types.js';
import { defaultOptions } from '../src/workloads.js';

/** One tiny MLP workload, the 2-thread kernel row and its variants: structure, never speed. */
function options(): BenchOptions {
  return {
    ...defaultOptions(true),
    only: /mlp-tiny\/kernel-f32-2t/,
    repeats: 2,
    warmup: 1,
    sampleSize: 16,
    mlpShapes: [{ name: 'tiny', shape: { tokens: 2, hidden: 8, intermediate: 16 } }],
  };
}

const major = Number(process.versions.node.split('.')[0]);
let withoutNode22: BenchReport;
let withNode22: BenchReport;

beforeAll(async () => {
  const saved = process.env[NODE22_ENV];
  try {
    delete process.env[NODE22_ENV];
    withoutNode22 = await runBench(options(), allImplementations(options()), 'vitest kernel-runtimes.test.ts');
    // This very Node stands in for Node 22 where the test runs on 22; on 20 the row must refuse it.
    process.env[NODE22_ENV] = process.execPath;
    withNode22 = await runBench(options(), allImplementations(options()), 'vitest kernel-runtimes.test.ts');
  } finally {
    if (saved === undefined) delete process.env[NODE22_ENV];
    else process.env[NODE22_ENV] = saved;
  }
}, 120_000);

const row = (r: BenchReport, id: string) => r.rows.find((x) => x.implementation === id)!;

describe('kernel rows beside themselves on the relaxed-SIMD paths', () => {
  it('the row opted in is followed by @relaxed, @node22 and @node22-off, each run in a child and timed there', () => {
    expect(withoutNode22.rows.map((r) => r.implementation)).toEqual([
      'kernel-f32-2t',
      'kernel-f32-2t@relaxed',
      'kernel-f32-2t@node22',
      'kernel-f32-2t@node22-off',
      'ort-node-1t',
    ]);
    const relaxed = row(withoutNode22, 'kernel-f32-2t@relaxed');
    expect(relaxed.status).toBe('ok');
    expect(relaxed.runs).toBe(2);
    expect(relaxed.timesMs!.every((t) => t > 0)).toBe(true);
    expect(relaxed.device).toMatch(/^Node v\d+\.\d+\.\d+, relaxed SIMD on \(relaxed_madd (fuses|does not fuse)\)$/);
    // The accuracy sample went through the child too (the oracle MLP measures this shape).
    expect(relaxed.accuracy?.maxSteps).toBeTypeOf('number');
  });

  it('the row itself says which path it ran in this process', () => {
    const base = row(withoutNode22, 'kernel-f32-2t');
    expect(base.status).toBe('ok');
    expect(base.device).toMatch(major >= 22 ? /relaxed SIMD on/ : /relaxed SIMD off \(not available\)/);
  });

  it(`without ${NODE22_ENV} the Node 22 variants are skipped, naming it; with a binary that is not Node 22 too`, () => {
    for (const id of ['kernel-f32-2t@node22', 'kernel-f32-2t@node22-off']) {
      expect(row(withoutNode22, id)).toMatchObject({ status: 'skipped', reason: expect.stringMatching(/GEGLU_NODE22 is not set/) });
      const r = row(withNode22, id);
      if (major === 22) {
        expect(r.status).toBe('ok');
        expect(r.device).toMatch(id.endsWith('-off') ? /relaxed SIMD off \(set off\)/ : /relaxed SIMD on/);
      } else {
        expect(r).toMatchObject({ status: 'skipped', reason: expect.stringMatching(/runs Node v\d+.*expected 22\.x/) });
      }
    }
  });
});
