// Public evaluation API: evaluate (an enclosure at any number of digits),
// correctlyRounded (Ziv's strategy to f64, f32, bf16, f16), gelu (a Decimal at `digits` digits).
import { Decimal } from 'decimal.js';
import { context, MAX_WORKING_DIGITS, type Context } from './context.js';
import { Wide, X } from './decimal.js';
import { assertRepresentable, describe, GegluError, roundToFormat, stepDistance } from '@geglu/float';
import { decideMagnitude, exactInternal, formatInfo, roundDecimalWithInterval, type FloatFormat } from './float.js';
import {
  erfApprox,
  erfcApprox,
  expPublic,
  geluApprox,
  geluGradApprox,
  geluSigmoidApprox,
  geluTanhGradApprox,
  geluTanhApprox,
  phiApprox,
  sigmoidPublic,
  tanhApprox,
  type Approx,
} from './functions.js';

/** Functions the oracle evaluates. 'phi' is Φ, the standard normal distribution function. */
export type OracleFunction =
  | 'erf'
  | 'erfc'
  | 'phi'
  | 'exp'
  | 'tanh'
  | 'sigmoid'
  | 'gelu'
  | 'gelu-tanh'
  | 'gelu-sigmoid'
  | 'gelu-grad'
  | 'gelu-tanh-grad';

/** An interval [value − error, value + error] that contains the exact result. */
export interface Enclosure {
  value: Decimal;
  error: Decimal;
}

export const ORACLE_FUNCTIONS: readonly OracleFunction[] = [
  'erf',
  'erfc',
  'phi',
  'exp',
  'tanh',
  'sigmoid',
  'gelu',
  'gelu-tanh',
  'gelu-sigmoid',
  'gelu-grad',
  'gelu-tanh-grad',
];

const KERNELS: Record<OracleFunction, (ctx: Context, x: Decimal) => Approx> = {
  erf: erfApprox,
  erfc: erfcApprox,
  phi: phiApprox,
  exp: expPublic,
  tanh: tanhApprox,
  sigmoid: sigmoidPublic,
  gelu: geluApprox,
  'gelu-tanh': geluTanhApprox,
  'gelu-sigmoid': geluSigmoidApprox,
  'gelu-grad': geluGradApprox,
  'gelu-tanh-grad': geluTanhGradApprox,
};

/** Fewest significant digits evaluate accepts (fewer cannot even tell f32 values apart). */
export const MIN_DIGITS = 4;
/** Most significant digits evaluate accepts (guard digits and cancellation need the constants' 2400). */
export const MAX_DIGITS = 1000;

function checkFunction(fn: unknown, where: string): OracleFunction {
  if (typeof fn !== 'string' || !(fn in KERNELS)) {
    throw new GegluError(`${where}: fn is ${describe(fn)}, expected one of ${ORACLE_FUNCTIONS.join(', ')}`);
  }
  return fn as OracleFunction;
}

function checkDigits(options: unknown, where: string): number {
  if (typeof options !== 'object' || options === null) {
    throw new GegluError(`${where}: options is ${describe(options)}, expected an object with digits`);
  }
  const digits = (options as { digits?: unknown }).digits;
  if (typeof digits !== 'number' || !Number.isInteger(digits) || digits < MIN_DIGITS || digits > MAX_DIGITS) {
    throw new GegluError(`${where}: options.digits is ${describe(digits)}, expected an integer in [${MIN_DIGITS}, ${MAX_DIGITS}]`);
  }
  return digits;
}

/**
 * The exact Decimal an input denotes: a number is its exact binary value (0.1 is
 * 0.1000000000000000055511151231257827…), a string or Decimal its exact decimal value.
 */
export function toExactDecimal(x: unknown, where: string): Decimal {
  let d: Decimal;
  if (typeof x === 'number') {
    d = exactInternal(x);
  } else if (typeof x === 'string') {
    try {
      d = new X(x);
    } catch {
      throw new GegluError(`${where}: x is ${describe(x)}, expected a number, numeric string or Decimal`);
    }
  } else if (Decimal.isDecimal(x)) {
    d = new X(x as Decimal);
  } else {
    throw new GegluError(`${where}: x is ${describe(x)}, expected a number, numeric string or Decimal`);
  }
  if (!d.isFinite()) {
    throw new GegluError(`${where}: x is ${describe(x)}, expected a finite number`);
  }
  return d;
}

/** Outward rounding for enclosure ends (exact unless the ends span > 2000 digits). */
const Floor = Decimal.clone({ defaults: true, precision: 2000, rounding: Decimal.ROUND_FLOOR, minE: -9e15, maxE: 9e15 });
const Ceil = Decimal.clone({ defaults: true, precision: 2000, rounding: Decimal.ROUND_CEIL, minE: -9e15, maxE: 9e15 });

const ErrorDecimal = Decimal.clone({ defaults: true, precision: 12, rounding: Decimal.ROUND_UP, minE: -9e15, maxE: 9e15 });

/** Absolute bound |f(x) − v| ≤ 1.01·c·u·|v| + abs, rounded upwards. */
function absoluteError(a: Approx, ctx: Context): Decimal {
  // A relative bound says nothing about a computed 0 (total cancellation): unknown error,
  // so the caller retries with more digits. Exact zeros come with c = 0.
  if (a.v.isZero() && a.c > 0 && a.abs === undefined) return new ErrorDecimal(Infinity);
  let e = new ErrorDecimal(a.v)
    .abs()
    .times(a.c * 1.01 * 1.000001)
    .times(ctx.u);
  if (a.abs !== undefined) e = e.plus(a.abs);
  return e;
}

/**
 * Evaluates fn at x with `digits` significant digits and returns an enclosure:
 * |fn(x) − value| ≤ error, where value has at most `digits` significant digits and
 * error ≤ one unit in its last digit (except when the true result is below
 * 10^(−8.98·10^15), where value is a signed 0 and error that bound; see README).
 *
 * Method: run the kernel at w = digits + guard working digits; it returns v and a
 * rigorous bound from its truncation and rounding analysis (functions.ts). Round v to
 * `digits`, add the rounding to the bound, and retry with more guard digits if the
 * total exceeds one unit in the last place.
 */
export function evaluate(fn: OracleFunction, x: Decimal.Value, options: { digits: number }): Enclosure {
  const f = checkFunction(fn, 'evaluate');
  const digits = checkDigits(options, 'evaluate');
  const xd = toExactDecimal(x, 'evaluate');
  let w = digits + 6;
  for (;;) {
    const ctx = context(Math.min(w, MAX_WORKING_DIGITS));
    const a = KERNELS[f](ctx, xd);
    const err = absoluteError(a, ctx);
    const value = new X(a.v).toSignificantDigits(digits, Decimal.ROUND_HALF_EVEN);
    const total = err.plus(new ErrorDecimal(a.v).minus(value).abs());
    if (value.isZero()) {
      // An exact zero (f(±0) = ±0) or a result below decimal.js's range (bounded by abs).
      if (total.isZero() || (a.abs !== undefined && a.v.isZero())) return { value: new Wide(value), error: new Wide(total) };
    } else {
      const unit = new X(10).pow(value.e - digits + 1);
      if (total.lte(unit)) return { value: new Wide(value), error: new Wide(total) };
    }
    if (w >= MAX_WORKING_DIGITS) {
      throw new Error(`evaluate: could not reach ${digits} digits for ${f}(${xd.toString()}) within ${MAX_WORKING_DIGITS} working digits`);
    }
    w = Math.min(MAX_WORKING_DIGITS, w + Math.max(10, Math.ceil(w / 2)));
  }
}

/** gelu at `digits` significant digits (error ≤ one unit in the last digit, see evaluate). */
export function gelu(x: Decimal.Value, options: { approximate?: 'none' | 'tanh' | 'sigmoid'; digits: number }): Decimal {
  if (typeof options !== 'object' || options === null) {
    throw new GegluError(`gelu: options is ${describe(options)}, expected an object with digits`);
  }
  const approximate = options.approximate ?? 'none';
  const fn: OracleFunction | undefined =
    approximate === 'none' ? 'gelu' : approximate === 'tanh' ? 'gelu-tanh' : approximate === 'sigmoid' ? 'gelu-sigmoid' : undefined;
  if (fn === undefined) {
    throw new GegluError(`gelu: options.approximate is ${describe(approximate)}, expected 'none', 'tanh' or 'sigmoid'`);
  }
  return evaluate(fn, x, { digits: options.digits }).value;
}

const TWO_M60 = 2 ** -60;

/**
 * The derivative of gelu (approximate 'none', the default) or of gelu tanh at `digits`
 * significant digits (error ≤ one unit in the last digit, see evaluate).
 */
export function geluGrad(x: Decimal.Value, options: { approximate?: 'none' | 'tanh'; digits: number }): Decimal {
  if (typeof options !== 'object' || options === null) {
    throw new GegluError(`geluGrad: options is ${describe(options)}, expected an object with digits`);
  }
  const approximate = options.approximate ?? 'none';
  if (approximate !== 'none' && approximate !== 'tanh') {
    throw new GegluError(`geluGrad: options.approximate is ${describe(approximate)}, expected 'none' or 'tanh'`);
  }
  return evaluate(approximate === 'tanh' ? 'gelu-tanh-grad' : 'gelu-grad', x, { digits: options.digits }).value;
}

/**
 * Results decided without evaluation. Every threshold is argued in the README table
 * "Results decided analytically"; the short form:
 * - gelu variants, 0 < |x| < 2^-60: f(x) = x/2 + δ with 0 < δ ≤ 0.43x²(1 + x²), and
 *   δ/|x/2| < 2^-60 is far below the half spacing 2^-55 relative, so the result is x/2
 *   when representable; otherwise x/2 is a midpoint (x = m·2^etiny, m odd) and δ > 0
 *   breaks the tie upwards: the result is ⌈m/2⌉·2^etiny (which is −0 for m = −1).
 * - gelu, gelu tanh for x ≥ 10 and gelu sigmoid for x ≥ 50: x − f(x) < x·2^-120, far
 *   below the half spacing below x (≥ x·2^-55 in f64, x·2^-26 in f32): result x.
 * - gelu, gelu tanh for x ≤ −40, gelu sigmoid for x ≤ −1000: |f(x)| < 10^-347 < 2^-1075
 *   (half the smallest f64 subnormal; those of f32, bf16 and f16 are larger): result −0.
 * Every threshold holds a fortiori in bf16 and f16: their spacings and smallest
 * subnormals are wider than f32's, and their ranges no larger.
 */
function decided(fn: OracleFunction, x: number, format: FloatFormat): number | undefined {
  if (Number.isNaN(x)) return NaN;
  switch (fn) {
    case 'gelu':
    case 'gelu-tanh':
    case 'gelu-sigmoid': {
      if (x === 0) return x;
      if (x === Infinity) return Infinity;
      if (x === -Infinity) return -0;
      if (Math.abs(x) < TWO_M60) {
        const etiny = formatInfo(format).etiny;
        // 2^1074 overflows a double: scale in two exact steps by integer powers of two.
        const a = Math.floor(-etiny / 2);
        const b = -etiny - a;
        const m = x * 2 ** a * 2 ** b;
        return Math.ceil(m / 2) * 2 ** -a * 2 ** -b;
      }
      const hi = fn === 'gelu-sigmoid' ? 50 : 10;
      const lo = fn === 'gelu-sigmoid' ? -1000 : -40;
      if (x >= hi) return x;
      if (x <= lo) return -0;
      return undefined;
    }
    case 'gelu-grad':
    case 'gelu-tanh-grad':
      // f′(x) = ½ + 2x/√(2π) + O(x³) for both forms (their slopes at 0 agree), so for
      // 0 < |x| < 2^-60 the result is within 0.8·2^-60 of ½, below the half spacings around ½
      // (2^-54 above, 2^-55 below, in f64 and a fortiori the narrower formats): ½.
      // x ≥ 40 (exact) or 10 (tanh): f′(x) − 1 is positive (exact: xφ − Q(x) > φ(x)(x − 1/x);
      // tanh: (1 − s)(x·s·c − 1) with x·s·c > 1) and below 10^-30 < 2^-54: 1.
      // x ≤ −40: |f′(x)| ≤ |x|φ(x) (exact) or e^(2v)(1 + 3|2v|) (tanh, 2v < −4600), both
      // < 10^-340 < 2^-1075, and f′ < 0 there: −0.
      if (x === 0 || Math.abs(x) < TWO_M60) return 0.5;
      if (x === Infinity) return 1;
      if (x === -Infinity) return -0;
      if (x >= (fn === 'gelu-grad' ? 40 : 10)) return 1;
      if (x <= -40) return -0;
      return undefined;
    case 'erf':
      // erfc(10) < 2.1·10^-45 < 2^-54 (half the spacing below 1 in f64).
      if (x === 0) return x;
      if (x >= 10) return 1;
      if (x <= -10) return -1;
      return undefined;
    case 'erfc':
      // erfc(30) < e^-900 < 2^-1075; erfc(−10) = 2 − erfc(10) with erfc(10) < 2^-53.
      if (x === 0) return 1;
      if (x >= 30) return 0;
      if (x <= -10) return 2;
      return undefined;
    case 'phi':
      // 1 − Φ(15) < 3.7·10^-51 < 2^-54;  Φ(−40) < φ(40)/40 < 10^-349 < 2^-1075.
      if (x === 0) return 0.5;
      if (x >= 15) return 1;
      if (x <= -40) return 0;
      return undefined;
    case 'exp':
      // e^1000 > 2^1024 overflows both formats; e^-1000 < 2^-1075 underflows both.
      if (x === 0) return 1;
      if (x >= 1000) return Infinity;
      if (x <= -1000) return 0;
      return undefined;
    case 'tanh':
      // 1 − tanh(40) < 2e^-80 < 2^-54.
      if (x === 0) return x;
      if (x >= 40) return 1;
      if (x <= -40) return -1;
      return undefined;
    case 'sigmoid':
      // 1 − σ(1000) < e^-1000 < 2^-54;  σ(−1000) < e^-1000 < 2^-1075.
      if (x === 0) return 0.5;
      if (x >= 1000) return 1;
      if (x <= -1000) return 0;
      return undefined;
  }
}

/** Working digits of the first attempt: 17 digits identify an f64, 9 an f32, 5 an f16, 4 a bf16, plus guard. */
const FIRST_DIGITS: Record<FloatFormat, number> = { f64: 28, f32: 18, bf16: 14, f16: 14 };

/**
 * fn(x) correctly rounded (nearest, ties to even) to the format, x being the exact
 * value of a float of that format.
 *
 * Method (Ziv): evaluate an enclosure [v − E, v + E] at w digits; if every point of it
 * rounds to the same float (same sign, inside one rounding interval), that float is
 * the answer, because the exact value is inside. Otherwise double w and retry. The
 * exact value can only sit on a rounding boundary if fn(x) were a dyadic rational or
 * a midpoint, which happens only at the special values handled beforehand, so the loop
 * ends; a cap at MAX_WORKING_DIGITS turns a surprise into an Error instead of a hang.
 *
 * ## Special Cases
 * - NaN → NaN for every function.
 * - gelu, gelu-tanh, gelu-sigmoid: ±0 → ±0, +∞ → +∞, −∞ → −0; results below half the
 *   smallest subnormal → −0 (negative x) with the sign of the true value.
 * - erf: ±0 → ±0, ±∞ → ±1. erfc: ±0 → 1, +∞ → +0, −∞ → 2. phi: ±0 → ½, +∞ → 1, −∞ → +0.
 * - exp: ±0 → 1, +∞ → +∞, −∞ → +0. tanh: ±0 → ±0, ±∞ → ±1. sigmoid: ±0 → ½, +∞ → 1, −∞ → +0.
 * - gelu-grad, gelu-tanh-grad (the derivatives): ±0 → ½, +∞ → 1, −∞ → −0 (they approach 0
 *   from below); results below half the smallest subnormal → −0.
 * - Inputs far out in the tails are decided analytically (see `decided` and the README).
 */
export function correctlyRounded(fn: OracleFunction, x: number, format: FloatFormat): number {
  const f = checkFunction(fn, 'correctlyRounded');
  const info = formatInfo(format, 'correctlyRounded');
  assertRepresentable(x, format, 'correctlyRounded', 'x');
  const known = decided(f, x, format);
  if (known !== undefined) return known;
  const xd = exactInternal(x);
  let w = FIRST_DIGITS[format];
  for (;;) {
    const ctx = context(w);
    const a = KERNELS[f](ctx, xd);
    const err = absoluteError(a, ctx);
    const lo = new Floor(a.v).minus(err);
    const hi = new Ceil(a.v).plus(err);
    if (lo.isNeg() === hi.isNeg() && !lo.isZero() && !hi.isZero()) {
      const neg = lo.isNeg();
      const fast = decideMagnitude(neg ? hi.neg() : lo, neg ? lo.neg() : hi, format);
      if (fast !== undefined) return neg ? -fast : fast;
      const r = roundDecimalWithInterval(new X(a.v), info);
      const magLo = lo.abs().lt(hi.abs()) ? lo.abs() : hi.abs();
      const magHi = lo.abs().lt(hi.abs()) ? hi.abs() : lo.abs();
      const loOk = r.inclusive ? magLo.gte(r.lo) : magLo.gt(r.lo);
      const hiOk = r.hi === null || (r.inclusive ? magHi.lte(r.hi) : magHi.lt(r.hi));
      if (loOk && hiOk) return r.result;
    }
    if (w >= MAX_WORKING_DIGITS) {
      throw new Error(`correctlyRounded: ${f}(${x}) in ${format} was not decided at ${w} digits`);
    }
    w = Math.min(MAX_WORKING_DIGITS, w * 2);
  }
}

/** The gelu variants, as oracle functions, that geglu gates with. */
export type GeluFunction = 'gelu' | 'gelu-tanh' | 'gelu-sigmoid';

/** Exact products of a ≤1000-digit value and a float (≤ 767 digits), rounded outwards. */
const ProductFloor = Decimal.clone({ defaults: true, precision: 1800, rounding: Decimal.ROUND_FLOOR, minE: -9e15, maxE: 9e15 });
const ProductCeil = Decimal.clone({ defaults: true, precision: 1800, rounding: Decimal.ROUND_CEIL, minE: -9e15, maxE: 9e15 });
/** Exact products of two floats (at most 767 + 767 significant digits). */
const ProductExact = Decimal.clone({ defaults: true, precision: 1800, rounding: Decimal.ROUND_HALF_EVEN, minE: -9e15, maxE: 9e15 });

/**
 * fn(g)·u correctly rounded (nearest, ties to even) to the format, g and u being the
 * exact values of two doubles (for float32 results too: a kernel that adds biases in
 * double passes the sums). fn is a gelu variant: this is one element of GeGLU.
 *
 * Method: Ziv's loop on the enclosure of fn(g) times the exact u. One case never
 * settles by digits: g·u itself a rounding boundary (a float tie) while fn(g) lies
 * within 10^-1000 of g, as for every g ≥ 10 (g − fn(g) < 2^-120·g; at g = 30 the gap
 * is below 10^-300). It is decided analytically: fn(g) − g has the sign of −g for all
 * three variants (−g·Φ(−g), ½g(tanh(a) − 1), g(σ(1.702g) − 1)), never zero for finite
 * g ≠ 0, so fn(g)·u lies on the side −sign(g)·sign(u) of g·u, and the float on that
 * side is the answer.
 *
 * ## Special Cases
 * IEEE product rules with fn(±0) = ±0, fn(+∞) = +∞, fn(−∞) = −0: NaN in → NaN,
 * 0·∞ → NaN, other zeros and infinities with the sign of sign(g)·sign(u) (fn keeps
 * the sign of g). A result that rounds to zero has that sign too.
 */
export function correctlyRoundedGeglu(fn: GeluFunction, g: number, u: number, format: FloatFormat): number {
  const where = 'correctlyRoundedGeglu';
  if (fn !== 'gelu' && fn !== 'gelu-tanh' && fn !== 'gelu-sigmoid') {
    throw new GegluError(`${where}: fn is ${describe(fn)}, expected 'gelu', 'gelu-tanh' or 'gelu-sigmoid'`);
  }
  const info = formatInfo(format, where);
  if (typeof g !== 'number') throw new GegluError(`${where}: g is ${describe(g)}, expected a number`);
  if (typeof u !== 'number') throw new GegluError(`${where}: u is ${describe(u)}, expected a number`);
  const signOf = (v: number) => (v < 0 || Object.is(v, -0) ? -1 : 1);
  const sign = signOf(g) * signOf(u);
  if (Number.isNaN(g) || Number.isNaN(u)) return NaN;
  if (g === 0 || !Number.isFinite(g) || u === 0 || !Number.isFinite(u)) {
    const fg = g === -Infinity ? -0 : g; // fn(±0) = ±0, fn(+∞) = +∞
    const p = (fg === 0 || !Number.isFinite(fg) ? fg : Math.sign(fg)) * u;
    return roundToFormat(p, format);
  }
  const gd = exactInternal(g);
  const ud = exactInternal(u);
  const withSign = (r: number) => (r === 0 ? sign * 0 : r);
  let w = FIRST_DIGITS[format];
  for (;;) {
    const e = evaluate(fn, gd, { digits: Math.min(w, 1000) });
    const spread = new ProductCeil(e.error).times(ud.abs());
    const lo = new ProductFloor(e.value).times(ud).minus(spread);
    const hi = new ProductCeil(e.value).times(ud).plus(spread);
    const rLo = roundDecimalWithInterval(new X(lo), info).result;
    const rHi = roundDecimalWithInterval(new X(hi), info).result;
    // Rounding is monotone: equal ends round everything between them alike.
    if (Object.is(rLo, rHi) || (rLo === 0 && rHi === 0)) return withSign(rLo);
    if (stepDistance(rLo, rHi, format) === 1) {
      // One rounding boundary lies in [lo, hi]. If it is g·u, the side decides.
      const gu = new ProductExact(gd).times(ud);
      const at = roundDecimalWithInterval(new X(gu), info);
      const mag = gu.abs();
      const isBoundary = mag.eq(at.lo) || (at.hi !== null && mag.eq(at.hi));
      const side = -sign; // fn(g)·u − g·u has the sign of −sign(g)·sign(u)
      if (isBoundary && lo.lte(gu) && hi.gte(gu)) return withSign(side < 0 ? Math.min(rLo, rHi) : Math.max(rLo, rHi));
    }
    if (w >= 1000) throw new Error(`${where}: ${fn}(${g})·${u} in ${format} was not decided at ${w} digits`);
    w = Math.min(1000, w * 2);
  }
}
