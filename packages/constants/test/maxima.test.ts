import { describe, expect, it } from 'vitest';
import { tanhVsErfMaximum } from '../src/index.js';

// Reference values printed by tools/constants/crosscheck/mpmath_values.py (mpmath 1.3.0, 60
// digits), an implementation independent of decimal.js and of this package's Phi series.
const MPMATH = {
  geluArgmax: '2.69894138637727030047803986577153094733727578992913103447324',
  geluMax: '0.000473235520687284877113982295495405301061540604270789189504142',
  phiArgmax: '2.5921448833792920490637142401904285418892710028860942950672',
  phiMax: '0.000178932583772303323605513991170871643146261041830429345064919',
};

describe('tanhVsErfMaximum (a = 0.044715 exactly)', () => {
  const r = tanhVsErfMaximum({ digits: 25 });

  it('max |gelu_tanh − gelu| over all reals agrees with mpmath to 25 significant digits, at x ≈ ±2.70', () => {
    const m = r.gelu.maximum;
    expect(m.argmax.minus(MPMATH.geluArgmax).abs().lt('1e-25')).toBe(true);
    expect(m.max.minus(MPMATH.geluMax).abs().lt('1e-28')).toBe(true);
    // DESIGN.md: "max |gelu_tanh − gelu| ≈ 4.73e−4 near x ≈ ±2.70".
    expect(m.max.toSignificantDigits(3).toString()).toBe('0.000473');
    expect(m.argmax.toDecimalPlaces(2).toString()).toBe('2.7');
    expect(m.maxDigits).toBeGreaterThanOrEqual(25);
  });

  it('max |tanh CDF − Phi| over all reals agrees with mpmath to 25 significant digits, at x ≈ ±2.59', () => {
    const m = r.phi.maximum;
    expect(m.argmax.minus(MPMATH.phiArgmax).abs().lt('1e-25')).toBe(true);
    expect(m.max.minus(MPMATH.phiMax).abs().lt('1e-28')).toBe(true);
    expect(m.max.toSignificantDigits(3).toString()).toBe('0.000179');
  });

  it('the Phi error has exactly two significant extrema on x > 0, of opposite sign (near-equioscillation)', () => {
    const ex = r.phi.extrema;
    expect(ex.length).toBe(2);
    expect(ex[0]!.sign).toBe(-1);
    expect(ex[1]!.sign).toBe(1);
    // Less than 0.03 % apart at a = 0.044715 (1.78895e−4 vs 1.78933e−4 per mpmath).
    expect(ex[1]!.max.minus(ex[0]!.max).div(ex[1]!.max).abs().lt('3e-4')).toBe(true);
  });

  it('the tail bound beyond |x| = 12 is negligible against both maxima', () => {
    expect(r.gelu.tail.lt('1e-20')).toBe(true);
    expect(r.phi.tail.lt('1e-20')).toBe(true);
  });
});
