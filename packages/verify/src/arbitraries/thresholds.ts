/**
 * Thresholds of GELU's floating-point behaviour, located with the oracle.
 *
 * None of these numbers is typed in: each is the boundary, found by bisection
 * over the ordered floats, between two behaviours of the correctly rounded
 * result. Bisection is valid because each predicate is monotone on its
 * bracket: for x < −1, |gelu(x)| = |x|·Phi(x) decreases as x → −∞ (the
 * minimum of gelu is near −0.75), so the rounded magnitude is non-increasing;
 * for x > 1 the deficit x − gelu(x) = x·Phi(−x) decreases while ulp(x) does
 * not, so once gelu(x) rounds to x it stays there. Both variants of GELU have
 * these shapes.
 */
import type { OracleApi } from '../suites/oracle.js';
import { floatToOrdinal, formatLimits, ordinalToFloat, type FloatFormat } from './floats.js';

export type GeluFunction = 'gelu' | 'gelu-tanh';

export interface GeluThresholds {
  fn: GeluFunction;
  format: FloatFormat;
  /** The largest x < 0 whose correctly rounded gelu is −0; every x at or below it also gives −0. */
  underflowToZero: number;
  /** The most negative x whose correctly rounded |gelu| is ≥ the smallest normal; between {@link underflowToZero} and it the result is subnormal. */
  normalFrom: number;
  /** The smallest x > 0 from which on the correctly rounded gelu(x) is x itself. */
  identityFrom: number;
}

/**
 * The last float in [lo, hi] (lo < hi in value) where `pred` holds, given that
 * `pred(lo)` holds, `pred(hi)` does not, and `pred` is monotone (true then false).
 */
export function bisectFloats(lo: number, hi: number, format: FloatFormat, pred: (x: number) => boolean): number {
  if (!pred(lo)) throw new Error(`bisectFloats: predicate false at lo = ${lo}, expected true`);
  if (pred(hi)) throw new Error(`bisectFloats: predicate true at hi = ${hi}, expected false`);
  if (format === 'f32') {
    let a = floatToOrdinal(lo, 'f32');
    let b = floatToOrdinal(hi, 'f32');
    while (b - a > 1) {
      const m = a + Math.floor((b - a) / 2);
      if (pred(ordinalToFloat(m, 'f32'))) a = m;
      else b = m;
    }
    return ordinalToFloat(a, 'f32');
  }
  let a = floatToOrdinal(lo, 'f64');
  let b = floatToOrdinal(hi, 'f64');
  while (b - a > 1n) {
    const m = a + (b - a) / 2n;
    if (pred(ordinalToFloat(m, 'f64'))) a = m;
    else b = m;
  }
  return ordinalToFloat(a, 'f64');
}

/**
 * The thresholds of one GELU variant in one format. Brackets: −1000 is far
 * below every underflow point (|gelu(−1000)| < e^−10^5) and −1 far above
 * (|gelu(−1)| ≈ 0.16); 1 is below the identity point (gelu(1) ≈ 0.84) and
 * 1000 above it.
 */
export function findThresholds(oracle: OracleApi, fn: GeluFunction, format: FloatFormat): GeluThresholds {
  const cr = (x: number) => oracle.correctlyRounded(fn, x, format);
  const { minNormal } = formatLimits(format);
  const underflowToZero = bisectFloats(-1000, -1, format, (x) => Object.is(cr(x), -0));
  const lastNormalInTail = bisectFloats(-1000, -1, format, (x) => Math.abs(cr(x)) < minNormal);
  // bisectFloats returns the last float where the predicate holds; for the
  // normal boundary we want the first normal one, one step up.
  const firstNormal = ordinalStep(lastNormalInTail, 1, format);
  const lastNotIdentity = bisectFloats(1, 1000, format, (x) => cr(x) !== x);
  return {
    fn,
    format,
    underflowToZero,
    normalFrom: firstNormal,
    identityFrom: ordinalStep(lastNotIdentity, 1, format),
  };
}

function ordinalStep(x: number, n: number, format: FloatFormat): number {
  return format === 'f32'
    ? ordinalToFloat(floatToOrdinal(x, 'f32') + n, 'f32')
    : ordinalToFloat(floatToOrdinal(x, 'f64') + BigInt(n), 'f64');
}
