import type { Decimal } from 'decimal.js';
import { constantsAt, type DecimalCtor } from './precision.js';

/**
 * Standard normal CDF Phi(x) at the constructor's precision, with a small ABSOLUTE error.
 *
 * The derivation only ever looks at differences such as T(x) − Phi(x) of size ~1e−4 and at
 * their derivatives, so absolute accuracy is what it needs; the relative accuracy of the far
 * negative tail (which the oracle provides) is not needed here.
 *
 * ## Method
 *
 * With z = |x|/√2, erf(z) = (2/√π)·e^(−z²)·Σ_{n≥0} 2ⁿ·z^(2n+1) / (1·3·5···(2n+1))
 * (Abramowitz & Stegun 7.1.6). Every term is positive, so the sum has no cancellation; the
 * ratio of consecutive terms is 2z²/(2n+3), so once it is below ½ the remainder is below the
 * last term, which is where the loop stops (term < sum·10^−(p+2)).
 * Phi(x) = ½(1 + sign(x)·erf(z)).
 * Error: each of the ~(z² + p·ln 10) terms carries a relative rounding error of a few units in
 * 10^(1−p), so |computed − Phi(x)| ≤ (terms + 10)·10^(1−p); callers run with ≥ 10 guard digits.
 *
 * ## Special Cases
 *
 * - z² > p·ln 10 + 10: Phi is 0 or 1 to within e^(−z²) < 10^(−p) and is returned as such.
 *
 * ## Notes
 *
 * The derivation takes Phi from `@geglu/oracle` (see cachedPhi in approximations.ts); this
 * independent series is kept to cross-check the oracle in test/constants/extrema.test.ts
 * (agreement to 1.8e−41 at 42 digits on [−6, 6]).
 */
export function normalCdf(x: Decimal, D: DecimalCtor): Decimal {
  if (x.isNaN()) throw new RangeError('normalCdf: x must not be NaN');
  if (x.isZero()) return new D(0.5);
  const { pi, sqrt2 } = constantsAt(D);
  const z = x.abs().div(sqrt2);
  const z2 = z.times(z);
  if (z2.gt(D.precision * Math.LN10 + 10)) return x.isNeg() ? new D(0) : new D(1);
  const twoZ2 = z2.times(2);
  let term = z;
  let sum = z;
  const stop = new D(10).pow(-(D.precision + 2));
  for (let n = 0; n < 100_000; n++) {
    term = term.times(twoZ2).div(2 * n + 3);
    sum = sum.plus(term);
    // Past the ratio-below-½ point the remainder is below the last term.
    if (term.lt(sum.times(stop)) && twoZ2.times(2).lt(2 * n + 5)) break;
  }
  const erf = sum.times(z2.neg().exp()).times(2).div(pi.sqrt());
  const half = new D(0.5);
  return x.isNeg() ? half.minus(erf.times(half)) : half.plus(erf.times(half));
}

/** Standard normal density phi(x) = e^(−x²/2)/√(2π) = Phi'(x), correct to the working precision. */
export function normalPdf(x: Decimal, D: DecimalCtor): Decimal {
  const { invSqrt2Pi } = constantsAt(D);
  return x.times(x).div(-2).exp().times(invSqrt2Pi);
}

/** Logistic sigmoid 1/(1 + e^(−t)), evaluated without overflow for either sign of t. */
export function sigmoid(t: Decimal, D: DecimalCtor): Decimal {
  if (t.isNeg()) {
    const e = t.exp();
    return e.div(e.plus(1));
  }
  return new D(1).div(t.neg().exp().plus(1));
}
