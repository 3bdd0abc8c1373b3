import { describe, expect, it } from 'vitest';
import { Decimal } from 'decimal.js';
import {
  deriveSqrt2OverPi,
  deriveTaylorCoefficient,
  leastSquaresParameter,
  minimaxParameter,
  sigmoidFamily,
  tanhFamily,
} from '../src/index.js';

// Reference values printed by tools/constants/crosscheck/mpmath_values.py (mpmath 1.3.0), an
// implementation independent of decimal.js, of this package's Phi series and of its optimisers.
const MPMATH = {
  sqrt2OverPi: '0.797884560802865355879892119868763736951717262329869315331852',
  taylorA: '0.0455399241225271143585116844966858160459461943206085983302231',
  minimaxA: '0.0447149112276324949562981868505291226868215201743970727152071',
  minimaxK: '1.70174492533800331231316952348317577979235586269738892155794',
  lsAllReals: '0.04484646382609469205343086737127620746324',
  lsMinus3To3: '0.04485898239550451859984850548203675262416',
};

const close = (x: Decimal, ref: string, relTol: string) => x.minus(ref).abs().lte(new Decimal(ref).abs().times(relTol));

describe('√(2/π) from the slope at 0', () => {
  const s = deriveSqrt2OverPi(30);
  it('√(2/π) agrees with mpmath to 30 digits and T′(0) equals Phi′(0) to within rounding at 42 digits', () => {
    expect(close(s.sqrt2OverPi, MPMATH.sqrt2OverPi, '1e-29')).toBe(true);
    expect(s.difference.abs().lt('1e-40')).toBe(true);
  });
  it('the central difference of the approximation at 0 matches Phi′(0) to 1e−26 (h = 1e−14, 42 working digits)', () => {
    expect(s.centralDifferenceCheck.abs().lt('1e-26')).toBe(true);
  });
});

describe('Taylor coefficient 2/(3π) − 1/6', () => {
  const t = deriveTaylorCoefficient(20);
  it('agrees with mpmath to 20 digits', () => {
    expect(close(t.taylorA, MPMATH.taylorA, '1e-19')).toBe(true);
  });
  it('makes the error O(x⁵) (ratio e/x⁵ settles to 4 digits), while 0.044715 leaves an x³ term of the predicted size', () => {
    const r5 = t.ratioX5AtTaylor.map((q) => q.ratio);
    expect(r5[2]!.minus(r5[1]!).abs().div(r5[2]!).lt('1e-3')).toBe(true);
    const r3 = t.ratioX3AtStandard.map((q) => q.ratio);
    expect(r3[2]!.minus(t.predictedX3Coefficient).abs().div(t.predictedX3Coefficient.abs()).lt('1e-5')).toBe(true);
  });
  it('is not the minimax choice: its max error over all reals exceeds 3e−4 (the minimax a reaches 1.79e−4)', () => {
    expect(t.maxErrorAtTaylor.maximum.max.gt('3e-4')).toBe(true);
  });
});

describe('minimax coefficients (12 digits)', () => {
  it('tanh, Phi criterion: a agrees with mpmath to 12 digits, rounds to 0.044715 and equioscillates', () => {
    const m = minimaxParameter(tanhFamily, 'phi', ['0.035', '0.055'], 12);
    expect(close(m.value, MPMATH.minimaxA, '1e-11')).toBe(true);
    expect(m.value.toSignificantDigits(5).toString()).toBe('0.044715');
    expect(m.roundsToStandard).toBe(true);
    const [e1, e2] = m.equioscillating;
    expect(e1.sign).toBe(-e2.sign);
    expect(e1.max.minus(e2.max).abs().div(e1.max).lt('1e-11')).toBe(true);
    expect(m.atOptimum.maximum.max.minus(e1.max).abs().div(e1.max).lt('1e-10')).toBe(true);
  });

  it('tanh, GELU criterion: the minimax a does not round to 0.044715 (differs by > 3e−4)', () => {
    const m = minimaxParameter(tanhFamily, 'gelu', ['0.035', '0.055'], 10);
    expect(m.roundsToStandard).toBe(false);
    expect(m.value.minus('0.044715').abs().gt('3e-4')).toBe(true);
    expect(m.equioscillating[0].max.minus(m.equioscillating[1].max).abs().div(m.equioscillating[0].max).lt('1e-9')).toBe(true);
  });

  it('sigmoid, Phi criterion: k agrees with mpmath to 12 digits and rounds to 1.702; the GELU criterion does not', () => {
    const phi = minimaxParameter(sigmoidFamily, 'phi', ['1.55', '1.9'], 12);
    expect(close(phi.value, MPMATH.minimaxK, '1e-11')).toBe(true);
    expect(phi.value.toSignificantDigits(4).toString()).toBe('1.702');
    const gelu = minimaxParameter(sigmoidFamily, 'gelu', ['1.55', '1.9'], 8);
    expect(gelu.value.toSignificantDigits(4).toString()).not.toBe('1.702');
    expect(gelu.value.minus('1.702').abs().gt('0.01')).toBe(true);
  });
});

describe('minimax bracket handling', () => {
  it('refuses a bracket [0.046, 0.05] that excludes the optimum instead of returning its end point', () => {
    expect(() => minimaxParameter(tanhFamily, 'phi', ['0.046', '0.05'], 8)).toThrow(/must change sign|fewer than two extrema/);
  });
});

describe('least-squares coefficients (12 digits)', () => {
  it('over all reals and over [−3, 3] agree with mpmath quad to 12 digits and do not round to 0.044715', () => {
    const all = leastSquaresParameter(tanhFamily, 'phi', 'all', ['0.035', '0.055'], 12);
    expect(close(all.value, MPMATH.lsAllReals, '1e-11')).toBe(true);
    expect(all.roundsToStandard).toBe(false);
    expect(all.valueDigits).toBeGreaterThanOrEqual(12);
    const l3 = leastSquaresParameter(tanhFamily, 'phi', 3, ['0.035', '0.055'], 12);
    expect(close(l3.value, MPMATH.lsMinus3To3, '1e-11')).toBe(true);
    expect(l3.roundsToStandard).toBe(false);
  });
});
