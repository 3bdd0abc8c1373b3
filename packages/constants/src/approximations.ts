import type { Decimal } from 'decimal.js';
import { evaluate } from '@geglu/oracle';
import { normalPdf, sigmoid } from './normal.js';
import { constantsAt, type DecimalCtor } from './precision.js';
import type { RealFunction } from './extrema.js';

/**
 * A one-parameter family A(x; p) ≈ Phi(x), with the derivatives the derivation needs.
 * Both families below satisfy A(−x) = 1 − A(x), like Phi, so A − Phi is odd and
 * x·(A − Phi) is even: every extremum at x > 0 has a mirror at −x.
 */
export interface CdfApproximation {
  /** 'tanh' or 'sigmoid'. */
  name: string;
  /** The free parameter's name: 'a' or 'k'. */
  parameter: string;
  /** Formula in words, for reports. */
  formula: string;
  /** The constant the literature and PyTorch use. */
  standard: string;
  /** Both families are sigmoid(t(x)); t is what the tail bound needs (1 − A = sigmoid(−t) ≤ e^(−t)). */
  argument(x: Decimal, p: Decimal, D: DecimalCtor): Decimal;
  value(x: Decimal, p: Decimal, D: DecimalCtor): Decimal;
  /** ∂A/∂x. */
  dx(x: Decimal, p: Decimal, D: DecimalCtor): Decimal;
  /** ∂A/∂p. */
  dp(x: Decimal, p: Decimal, D: DecimalCtor): Decimal;
  /** [A, ∂A/∂p] sharing one sigmoid evaluation (the quadrature's inner loop). */
  valueAndDp(x: Decimal, p: Decimal, D: DecimalCtor): [Decimal, Decimal];
}

/** ½(1 + tanh(√(2/π)(x + a·x³))), written as sigmoid(2u) so neither tail cancels. */
export const tanhFamily: CdfApproximation = {
  name: 'tanh',
  parameter: 'a',
  formula: '½(1 + tanh(√(2/π)·(x + a·x³)))',
  standard: '0.044715',
  argument(x, a, D) {
    return constantsAt(D)
      .sqrt2OverPi.times(x.plus(a.times(x.pow(3))))
      .times(2);
  },
  value(x, a, D) {
    const c = constantsAt(D).sqrt2OverPi;
    return sigmoid(c.times(x.plus(a.times(x.pow(3)))).times(2), D);
  },
  dx(x, a, D) {
    // d/dx sigmoid(2u) = 2·s(1 − s)·u′, u′ = c(1 + 3a·x²)
    const c = constantsAt(D).sqrt2OverPi;
    const s = sigmoid(c.times(x.plus(a.times(x.pow(3)))).times(2), D);
    return s
      .times(new D(1).minus(s))
      .times(2)
      .times(c)
      .times(a.times(x.times(x)).times(3).plus(1));
  },
  dp(x, a, D) {
    const c = constantsAt(D).sqrt2OverPi;
    const s = sigmoid(c.times(x.plus(a.times(x.pow(3)))).times(2), D);
    return s.times(new D(1).minus(s)).times(2).times(c).times(x.pow(3));
  },
  valueAndDp(x, a, D) {
    const c = constantsAt(D).sqrt2OverPi;
    const x3 = x.times(x).times(x);
    const s = sigmoid(c.times(x.plus(a.times(x3))).times(2), D);
    return [s, s.times(new D(1).minus(s)).times(2).times(c).times(x3)];
  },
};

/** sigmoid(k·x): the CDF behind x·sigmoid(1.702x). */
export const sigmoidFamily: CdfApproximation = {
  name: 'sigmoid',
  parameter: 'k',
  formula: 'sigmoid(k·x)',
  standard: '1.702',
  argument(x, k) {
    return k.times(x);
  },
  value(x, k, D) {
    return sigmoid(k.times(x), D);
  },
  dx(x, k, D) {
    const s = sigmoid(k.times(x), D);
    return s.times(new D(1).minus(s)).times(k);
  },
  dp(x, k, D) {
    const s = sigmoid(k.times(x), D);
    return s.times(new D(1).minus(s)).times(x);
  },
  valueAndDp(x, k, D) {
    const s = sigmoid(k.times(x), D);
    return [s, s.times(new D(1).minus(s)).times(x)];
  },
};

// Phi does not depend on the parameter being optimised, and the scans revisit the same grid
// points for every trial parameter, so cache it per (precision, x).
const phiCache = new Map<string, Decimal>();

/**
 * Phi(x) from the oracle (`evaluate('phi', x, { digits: p })`, p = the context's precision:
 * correctly rounded to p significant digits, so its absolute error is below 10^(−p) since
 * Phi < 1), memoised per precision, returned as an instance of D so arithmetic on it keeps
 * D's precision (the oracle hands back decimal.js's default constructor).
 */
export function cachedPhi(x: Decimal, D: DecimalCtor): Decimal {
  const key = `${D.precision}:${x.toString()}`;
  let v = phiCache.get(key);
  if (v === undefined) {
    if (phiCache.size > 200_000) phiCache.clear();
    v = new D(evaluate('phi', x, { digits: D.precision }).value);
    phiCache.set(key, v);
  }
  return v;
}

/** What is being approximated: the CDF Phi itself, or GELU = x·Phi (whose error is x times the CDF's). */
export type Criterion = 'phi' | 'gelu';

/** The signed error E(x) and E′(x) for one family at one parameter value. */
export function errorFunctions(family: CdfApproximation, p: Decimal.Value, criterion: Criterion): { E: RealFunction; dE: RealFunction } {
  const e: RealFunction = (x, D) => family.value(x, new D(p), D).minus(cachedPhi(x, D));
  const de: RealFunction = (x, D) => family.dx(x, new D(p), D).minus(normalPdf(x, D));
  if (criterion === 'phi') return { E: e, dE: de };
  return {
    E: (x, D) => x.times(e(x, D)),
    dE: (x, D) => e(x, D).plus(x.times(de(x, D))),
  };
}
