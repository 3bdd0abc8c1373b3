// Working-precision contexts: one private decimal.js clone per precision, so no
// caller ever sees (or changes) a global Decimal configuration, plus the constants
// rounded to that precision.
//
// Error accounting convention used by every algorithm in this package:
//   * w is the working precision in significant decimal digits, and every basic
//     operation (+, −, ×, ÷ of decimal.js, which are correctly rounded to w digits
//     with ROUND_HALF_EVEN) returns fl(a∘b) = (a∘b)(1 + δ), |δ| ≤ u = ½·10^(1−w).
//   * A relative error bound is carried as a plain number c meaning "at most c·u".
//     Composition of k roundings gives (1+u)^k − 1 ≤ k·u/(1 − k·u) = γ_k; we keep
//     k·u ≤ 10^-3, where γ_k ≤ 1.001·k·u, and inflate c by 1.01 when turning it into
//     an absolute Decimal bound, which covers that and the double rounding of c itself.
import { Decimal } from 'decimal.js';
import { GegluError } from '@geglu/float';
import { X } from './decimal.js';
import { CONSTANT_DIGITS, INV_SQRT_2PI, INV_SQRT_PI, LN10, TWO_OVER_SQRT_PI, TWO_SQRT_2_OVER_PI } from './constants.generated.js';

/** Largest precision any context may have: the stored constants keep 20 digits beyond it. */
export const CONTEXT_LIMIT = CONSTANT_DIGITS - 20;
/**
 * Largest working precision of a kernel; helpers run a little wider (w + 12 for series
 * coefficients, w + 3 + digits for arguments) and stay below CONTEXT_LIMIT.
 */
export const MAX_WORKING_DIGITS = CONSTANT_DIGITS - 100;

export interface Context {
  /** Working precision w in significant digits. */
  readonly w: number;
  /** decimal.js clone: precision w, ROUND_HALF_EVEN. */
  readonly D: Decimal.Constructor;
  /** u = ½·10^(1−w), as a Decimal. */
  readonly u: Decimal;
  /** Constants correctly rounded to w digits: relative error ≤ u + 10^(−CONSTANT_DIGITS) ≤ 1.01u. */
  readonly ln10: Decimal;
  readonly invSqrt2Pi: Decimal;
  readonly invSqrtPi: Decimal;
  readonly twoOverSqrtPi: Decimal;
  readonly twoSqrt2OverPi: Decimal;
  readonly zero: Decimal;
  readonly one: Decimal;
  readonly two: Decimal;
  readonly half: Decimal;
}

const contexts = new Map<number, Context>();

/** The context for w working digits (cached: constants are rounded once per precision). */
export function context(w: number): Context {
  let c = contexts.get(w);
  if (c !== undefined) return c;
  if (!Number.isInteger(w) || w < 2 || w > CONTEXT_LIMIT) {
    throw new GegluError(`context: working precision is ${w}, expected an integer in [2, ${CONTEXT_LIMIT}]`);
  }
  const D = Decimal.clone({
    defaults: true,
    precision: w,
    rounding: Decimal.ROUND_HALF_EVEN,
    toExpNeg: -7,
    toExpPos: 21,
    minE: -9e15,
    maxE: 9e15,
  });
  const round = (s: string) => new D(s).toSignificantDigits(w, Decimal.ROUND_HALF_EVEN);
  c = {
    w,
    D,
    u: new D(5).times(new D(10).pow(-w)),
    ln10: round(LN10),
    invSqrt2Pi: round(INV_SQRT_2PI),
    invSqrtPi: round(INV_SQRT_PI),
    twoOverSqrtPi: round(TWO_OVER_SQRT_PI),
    twoSqrt2OverPi: round(TWO_SQRT_2_OVER_PI),
    zero: new D(0),
    one: new D(1),
    two: new D(2),
    half: new D(0.5),
  };
  contexts.set(w, c);
  return c;
}

/** Exact arithmetic for small exact steps (x², x³, 2x²): precision grows with the operands. */
const exactClones = new Map<number, Decimal.Constructor>();
export function exactContext(digits: number): Decimal.Constructor {
  const p = Math.max(32, Math.ceil(digits / 32) * 32);
  let D = exactClones.get(p);
  if (D === undefined) {
    D = Decimal.clone({ defaults: true, precision: p, rounding: Decimal.ROUND_HALF_EVEN, minE: -9e15, maxE: 9e15 });
    exactClones.set(p, D);
  }
  return D;
}

/** Number of significant digits of a finite Decimal. */
export function sigDigits(x: Decimal): number {
  return x.isZero() ? 1 : x.sd();
}

/** x·y computed exactly (decimal products are finite). */
export function exactTimes(x: Decimal, y: Decimal.Value): Decimal {
  const yy = new X(y);
  const D = exactContext(sigDigits(x) + sigDigits(yy) + 2);
  return new D(x).times(yy);
}
