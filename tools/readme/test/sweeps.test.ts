import { describe, expect, it } from 'vitest';
import { renderSweeps, type SweepSummary } from '../src/sweeps.js';

const region = (maxSteps: number, worst: SweepSummary['regions']['tail']['worst'] = null) => ({
  checked: 1,
  mismatches: maxSteps > 0 ? 1 : 0,
  maxSteps,
  worst,
});
const sweep: SweepSummary = {
  fn: 'gelu',
  dtype: 'f32',
  backend: 'gpu-webasm',
  device: 'WebAssembly SIMD',
  commit: 'abc1234',
  complete: true,
  checked: 4294967296,
  mismatches: 12,
  zeroSign: 2,
  elapsedSeconds: 125,
  regions: { tail: region(5, { x: '-6.08', got: '-3.665e-9', expected: '-3.666e-9', steps: 5 }), subnormal: region(0), normal: region(3) },
};

describe('the README table of exhaustive sweeps', () => {
  it('shows counts, zero-sign mismatches apart, the worst input per region, the time and the commit', () => {
    const text = renderSweeps([sweep], 'packages/verify/sweeps');
    expect(text).toContain(
      '| gpu-webasm | gelu | f32 | 4,294,967,296 | 12 | 2 | 5 (x = -6.08: -3.665e-9, correct -3.666e-9) | 0 | 3 | 2 min 05 s | abc1234 |',
    );
  });
  it("names the kernel's relaxed SIMD path in its row and says how to reproduce it", () => {
    const text = renderSweeps([sweep, { ...sweep, backend: 'kernel-f32', relaxedSimd: true }], 'sweeps');
    expect(text).toContain('| kernel-f32 (relaxed SIMD madd) | gelu | f32 |');
    expect(text).toContain('| gpu-webasm | gelu | f32 |');
    expect(text).toContain('`--relaxed-simd on`');
    expect(renderSweeps([sweep], 'sweeps')).not.toContain('--relaxed-simd');
  });
  it('lists the expected sweeps that have no result yet', () => {
    const text = renderSweeps([sweep], 'sweeps', ['gpu-webasm gelu f32', 'gpu-cpu erf f32']);
    expect(text).toContain('Not swept yet: gpu-cpu erf f32;');
    expect(text).not.toContain('Not swept yet: gpu-webasm');
  });
  it('says so when there are no results', () => {
    expect(renderSweeps([], 'sweeps')).toMatch(/No sweep results/);
  });
});
