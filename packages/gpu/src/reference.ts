/**
 * Float64 erf, erfc, Phi and both gelus. The host uses them for the
 * non-finite inputs it keeps away from the kernels; tests and
 * measure-error.ts use them as a reference where @geglu/oracle's
 * correctlyRounded is not available.
 *
 * ## Method
 *
 * - erf(x), |x| < 2: erf(x) = (2/√π)·e^(-x²)·Σ 2^n x^(2n+1)/(2n+1)!!
 *   (Abramowitz & Stegun 7.1.6); every term is positive, so the sum has no
 *   cancellation and is accurate to a few float64 ulps.
 * - erfc(x), x >= 2: the continued fraction A&S 7.1.14,
 *   erfc(x) = e^(-x²)/√π · 1/(x + (1/2)/(x + 1/(x + (3/2)/(x + …)))),
 *   evaluated backwards from 300 terms (converged far below 1e-15 for x >= 2).
 * - erfc(x), x < 2 is 1 - erf(x): erfc(2) ≈ 4.7e-3, so the cancellation costs
 *   at most ~2^8 float64 ulps, still 2^-44 relative, far below float32's 2^-24.
 *
 * Rounding the float64 value to float32 with Math.fround can differ from the
 * correctly rounded float32 only when the true value lies within ~1e-13
 * relative of a float32 rounding boundary, so measured errors are within
 * one step of what the oracle would report.
 */

import { stepDistance } from '@geglu/float';

const SQRT_PI = Math.sqrt(Math.PI);

export function erfF64(x: number): number {
  if (Number.isNaN(x)) return NaN;
  const a = Math.abs(x);
  if (a >= 2) return Math.sign(x) * (1 - erfcF64(a));
  let term = a;
  let sum = a;
  for (let n = 1; n < 200; n++) {
    term *= (2 * a * a) / (2 * n + 1);
    sum += term;
    if (term < sum * 1e-18) break;
  }
  const r = (2 / SQRT_PI) * Math.exp(-a * a) * sum;
  return x < 0 ? -r : r;
}

export function erfcF64(x: number): number {
  if (Number.isNaN(x)) return NaN;
  if (x < 2) return 1 - erfF64(x);
  if (x > 27.3) return 0;
  let f = x;
  for (let n = 300; n >= 1; n--) f = x + n / 2 / f;
  return Math.exp(-x * x) / SQRT_PI / f;
}

export function phiF64(x: number): number {
  return erfcF64(-x / Math.SQRT2) / 2;
}

// Below 2^-125, gelu(x) = x/2 + x²/√(2π) + O(x³) (both variants) sits just
// above x/2, which is subnormal and, for x with an odd last bit, a rounding tie; float64
// cannot hold the x² term next to x/2, so add a nudge of |x/2|·2^-40 (far
// below half a float32 step, far above float64's) that makes Math.fround round
// the tie upward, as the exact value does.
const HALF_IS_SUBNORMAL = 2 ** -125;
function subnormalGelu(x: number): number {
  const y = x / 2;
  return y + Math.abs(y) * 2 ** -40;
}

export function geluF64(x: number): number {
  if (x === Infinity) return Infinity;
  if (x === -Infinity) return -0;
  if (x !== 0 && Math.abs(x) < HALF_IS_SUBNORMAL) return subnormalGelu(x);
  return x * phiF64(x);
}

const SQRT_8_OVER_PI = Math.sqrt(8 / Math.PI);

export function geluTanhF64(x: number): number {
  if (x === Infinity) return Infinity;
  if (x === -Infinity) return -0;
  if (Number.isNaN(x)) return NaN;
  if (x !== 0 && Math.abs(x) < HALF_IS_SUBNORMAL) return subnormalGelu(x);
  const t = SQRT_8_OVER_PI * (x + 0.044715 * x * x * x);
  if (t >= 0) return x / (1 + Math.exp(-t));
  const e = Math.exp(t);
  return (x * e) / (1 + e);
}

/** Steps between two float32 values: @geglu/float's stepDistance(a, b, 'f32'), exported for this package's users. */
export function stepDistanceF32(a: number, b: number): number {
  return stepDistance(a, b, 'f32');
}
