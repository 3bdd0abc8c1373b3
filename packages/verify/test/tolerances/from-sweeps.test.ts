import { describe, expect, it } from 'vitest';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { tolerancesFromSweeps } from '../../src/tolerances/from-sweeps.js';
import { gatedSteps, loadTolerances, ToleranceError, toleranceFor } from '../../src/tolerances/index.js';

const worst = { bits: 0xbfaaf0b9, x: '-1.3354767560958862', got: '-0.12134161591529846', expected: '-0.12134166061878204', steps: 6 };
/** A complete gpu-webasm gelu sweep with one input 6 steps off (normal region). */
const complete = () => ({
  kind: 'geglu-sweep',
  version: 2,
  fn: 'gelu',
  dtype: 'f32',
  backend: 'gpu-webasm',
  impl: 'test',
  device: 'test device',
  intervals: [[0, 2 ** 32]],
  complete: true,
  elapsedSeconds: 600,
  checked: 2 ** 32,
  nan: 0,
  escalated: 0,
  undecided: 0,
  mismatches: 1,
  zeroSign: 0,
  histogram: { 0: 2 ** 32 - 1, 6: 1 },
  worst: [{ ...worst }],
  regions: {
    tail: { checked: 1, mismatches: 0, maxSteps: 0, worst: null },
    subnormal: { checked: 1, mismatches: 0, maxSteps: 0, worst: null },
    normal: { checked: 1, mismatches: 1, maxSteps: 6, worst: { ...worst } },
  },
});

const folderWith = (result: unknown): string => {
  const dir = mkdtempSync(join(tmpdir(), 'geglu-from-sweeps-'));
  writeFileSync(join(dir, 'gpu-webasm-gelu.json'), JSON.stringify(result));
  return dir;
};

describe('geglu tolerances --from-sweeps: entries set from complete sweep results', () => {
  it('sets each region to the exhaustive maximum, gated, with one source naming the command and the file', () => {
    const dir = folderWith(complete());
    const { table, applied } = tolerancesFromSweeps(loadTolerances(), dir);
    expect(applied).toEqual(['gpu-webasm gelu f32']);
    const e = (g: 'tail' | 'subnormal' | 'normal') => toleranceFor(table, 'gpu-webasm', 'gelu', 'f32', g)!;
    expect([e('tail'), e('subnormal'), e('normal')].map(gatedSteps)).toEqual([0, 0, 6]);
    expect(e('normal').basis).toBe('exhaustive');
    expect(new Set([e('tail').source, e('subnormal').source, e('normal').source]).size).toBe(1);
    expect(e('normal').source).toContain('geglu sweep --backend gpu-webasm --fn gelu --dtype f32');
    expect(e('normal').source).toContain(join(dir, 'gpu-webasm-gelu.json'));
  });

  it('bounds an entry by every file of it (the kernel with and without relaxed SIMD): the larger steps, both files named', () => {
    const dir = mkdtempSync(join(tmpdir(), 'geglu-from-sweeps-'));
    const plain = { ...complete(), backend: 'kernel-f32', relaxedSimd: false };
    const relaxed = {
      ...plain,
      relaxedSimd: true,
      regions: { ...plain.regions, tail: { checked: 1, mismatches: 1, maxSteps: 2, worst: { ...worst, steps: 2 } } },
    };
    writeFileSync(join(dir, 'kernel-f32-gelu.json'), JSON.stringify(plain));
    writeFileSync(join(dir, 'kernel-f32-relaxed-simd-gelu.json'), JSON.stringify(relaxed));
    const { table, applied } = tolerancesFromSweeps(loadTolerances(), dir);
    expect(applied).toEqual(['kernel-f32 gelu f32 --relaxed-simd off', 'kernel-f32 gelu f32 --relaxed-simd on']);
    const e = (g: 'tail' | 'subnormal' | 'normal') => toleranceFor(table, 'kernel-f32', 'gelu', 'f32', g)!;
    expect([e('tail'), e('subnormal'), e('normal')].map(gatedSteps)).toEqual([2, 0, 6]);
    for (const g of ['tail', 'normal'] as const) {
      expect(e(g).source).toContain('--relaxed-simd off');
      expect(e(g).source).toContain('--relaxed-simd on');
      expect(e(g).source).toContain(join(dir, 'kernel-f32-relaxed-simd-gelu.json'));
    }
  });

  it('refuses a partial sweep: it bounds nothing', () => {
    const r = { ...complete(), intervals: [[2 ** 31, 2 ** 32]], complete: false, checked: 2 ** 31, histogram: { 0: 2 ** 31 - 1, 6: 1 } };
    expect(() => tolerancesFromSweeps(loadTolerances(), folderWith(r))).toThrow(ToleranceError);
    expect(() => tolerancesFromSweeps(loadTolerances(), folderWith(r))).toThrow(/not complete/);
  });
});
