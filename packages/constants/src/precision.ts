import { Decimal } from 'decimal.js';

/** A decimal.js constructor configured for one working precision (from `Decimal.clone`). */
export type DecimalCtor = typeof Decimal;

const contexts = new Map<number, DecimalCtor>();

/**
 * A decimal.js constructor with `precision` significant digits, round-half-even.
 *
 * Every computation in the constants derivation takes its constructor as an argument instead of
 * touching the global `Decimal.set`, so two derivations (or the oracle) running in the same
 * process at different precisions cannot change each other's rounding.
 */
export function decimalContext(precision: number): DecimalCtor {
  if (!Number.isInteger(precision) || precision < 5 || precision > 1000) {
    throw new RangeError(`decimalContext: precision must be an integer in [5, 1000], got ${precision}`);
  }
  let D = contexts.get(precision);
  if (D === undefined) {
    // toExpNeg/toExpPos: keep toString() free of exponents for the magnitudes printed in reports.
    D = Decimal.clone({ precision, rounding: Decimal.ROUND_HALF_EVEN, toExpNeg: -40, toExpPos: 40 });
    contexts.set(precision, D);
  }
  return D;
}

interface ConstantSet {
  pi: Decimal;
  /** √(2/π): the tanh approximation's inner scale. */
  sqrt2OverPi: Decimal;
  /** 1/√(2π) = Phi'(0) = phi(0). */
  invSqrt2Pi: Decimal;
  sqrt2: Decimal;
}

const constantCache = new Map<number, ConstantSet>();

/** π, √(2/π), 1/√(2π) and √2 correctly computed at the constructor's precision (cached). */
export function constantsAt(D: DecimalCtor): ConstantSet {
  let c = constantCache.get(D.precision);
  if (c === undefined) {
    // decimal.js stores π to 1025 digits, so acos(−1) is exact to the working precision.
    const pi = D.acos(-1);
    c = {
      pi,
      sqrt2OverPi: new D(2).div(pi).sqrt(),
      invSqrt2Pi: new D(1).div(pi.times(2).sqrt()),
      sqrt2: new D(2).sqrt(),
    };
    constantCache.set(D.precision, c);
  }
  return c;
}

/** 10^−n in the given context. */
export function tenTo(D: DecimalCtor, n: number): Decimal {
  return new D(10).pow(n);
}
