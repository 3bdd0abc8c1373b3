// What needs decimal.js: exact conversion between floats and decimals, round-to-nearest-even
// of a Decimal, and the ulp error. Formats, bit casts and step distance live in @geglu/float.
//
// Everything here is exact: a float is converted to the decimal string of its exact
// binary value (m·2^E = m·5^(−E)·10^E), and rounding decisions compare a Decimal
// against exact midpoints between adjacent floats, so no step depends on how
// JavaScript parses or prints numbers.
import { Decimal } from 'decimal.js';
import {
  assertRepresentable,
  describe,
  f64ToBits,
  formatInfo as floatFormatInfo,
  fromOrdinal,
  GegluError,
  ordinal,
  roundToFormat,
  type FloatFormat,
  type FormatInfo,
} from '@geglu/float';
import { Wide, X } from './decimal.js';

/** The formats the oracle rounds to: all of @geglu/float's (f64, f32, bf16, f16). */
export type { FloatFormat };

/** The format's parameters from @geglu/float; a GegluError naming `fnName` for an unknown format. */
export function formatInfo(format: unknown, fnName = 'format'): FormatInfo {
  return floatFormatInfo(format, fnName);
}

/**
 * Decomposes a finite |x| into an integer significand and a power of two,
 * |x| = m·2^e, exactly (m = 0 for ±0).
 */
function decompose(x: number): { m: bigint; e: number } {
  const bits = f64ToBits(x) & 0x7fffffffffffffffn;
  const biased = Number(bits >> 52n);
  const frac = bits & 0xfffffffffffffn;
  if (biased === 0) return { m: frac, e: -1074 };
  return { m: frac | 0x10000000000000n, e: biased - 1075 };
}

const pow5Cache: bigint[] = [1n];
function pow5(k: number): bigint {
  for (let i = pow5Cache.length; i <= k; i++) pow5Cache.push(pow5Cache[i - 1]! * 5n);
  return pow5Cache[k]!;
}

/** The exact decimal string of m·2^e (m ≥ 0). */
function dyadicString(m: bigint, e: number): string {
  if (m === 0n) return '0';
  if (e >= 0) return (m << BigInt(e)).toString();
  // m·2^e = m·5^(−e)·10^e: an integer times a power of ten, exact.
  return `${(m * pow5(-e)).toString()}e${e}`;
}

/**
 * The exact value of a float as a Decimal (not the shortest round-trip string that
 * `new Decimal(number)` would use: 0.1 becomes 0.1000000000000000055511151231257827…).
 * ±0, ±Infinity and NaN map to their Decimal counterparts.
 */
export function exactDecimal(x: number): Decimal {
  return new Wide(exactInternal(x));
}

/** exactDecimal as an instance of the package's own constructor (immune to global settings). */
export function exactInternal(x: number): Decimal {
  if (!Number.isFinite(x) || x === 0) return new X(x);
  const { m, e } = decompose(x);
  const s = dyadicString(m, e);
  return new X(x < 0 ? `-${s}` : s);
}

/**
 * Ordinal of a non-negative float of the format: consecutive representable
 * magnitudes have consecutive ordinals, 0 ↦ 0, +Infinity ↦ infinityBits.
 */
function magnitudeOrdinal(x: number, info: FormatInfo): bigint {
  return ordinal(Math.abs(x), info.name);
}

/** The non-negative float (or +Infinity) with the given magnitude ordinal. */
function fromMagnitudeOrdinal(o: bigint, info: FormatInfo): number {
  return fromOrdinal(o, info.name);
}

/** Significand and exponent of the magnitude with ordinal o, treating infinityBits as 2^(emax+1). */
function ordinalDyadic(o: bigint, info: FormatInfo): { m: bigint; e: number } {
  if (o === info.infinityBits) return { m: 1n, e: info.emax + 1 };
  return decompose(fromMagnitudeOrdinal(o, info));
}

/** Exact midpoint between the magnitudes with ordinals o and o + 1, as a Decimal. */
function midpointAbove(o: bigint, info: FormatInfo): Decimal {
  const a = ordinalDyadic(o, info);
  const b = ordinalDyadic(o + 1n, info);
  const e = Math.min(a.e, b.e);
  const sum = (a.m << BigInt(a.e - e)) + (b.m << BigInt(b.e - e));
  return new X(dyadicString(sum, e - 1));
}

/**
 * Rounds a Decimal to the nearest float of the format, ties to even, with gradual
 * underflow (subnormals), overflow to ±Infinity (a magnitude at or above the midpoint
 * between the largest finite and 2^(emax+1) overflows, as IEEE 754 specifies), and
 * the sign kept on zero (a negative value that rounds to zero gives −0).
 *
 * Method: take the double nearest to the Decimal as a first guess (rounded on to the
 * format), then compare the Decimal exactly against the midpoints to the neighbours
 * and step until it lies between them; a tie goes to the even significand.
 *
 * Every format of @geglu/float is accepted: bf16 and f16 results are rounded once
 * from the Decimal (rounding to f32 first would round twice).
 */
export function roundDecimal(value: Decimal, format: FloatFormat): number {
  const info = floatFormatInfo(format, 'roundDecimal');
  if (!Decimal.isDecimal(value)) {
    throw new GegluError(`roundDecimal: value is ${describe(value)}, expected a Decimal`);
  }
  return roundDecimalWithInterval(new X(value), info).result;
}

/**
 * Rounds like roundDecimal and also returns the interval of magnitudes that round to
 * the same float: every magnitude m with lo < m < hi does, and m = lo or m = hi does
 * when `inclusive` (ties to even). hi is null above the largest finite (everything
 * rounds to Infinity there). Used by the Ziv loop to accept an enclosure at once.
 */
export function roundDecimalWithInterval(
  value: Decimal,
  info: FormatInfo,
): { result: number; lo: Decimal; hi: Decimal | null; inclusive: boolean } {
  const zero = new X(0);
  if (value.isNaN()) return { result: NaN, lo: zero, hi: null, inclusive: false };
  const negative = value.isNegative();
  const sign = (r: number) => (negative ? -r : r);
  if (!value.isFinite()) return { result: sign(Infinity), lo: zero, hi: null, inclusive: false };
  const mag = value.abs();
  let o: bigint;
  if (mag.isZero() || mag.e < info.etiny * 0.30103 - 2) {
    // Below 10^(etiny·log10 2 − 2) < 2^(etiny−1): rounds to zero.
    o = 0n;
  } else if (mag.e > (info.emax + 1) * 0.30103 + 1) {
    o = info.infinityBits;
  } else {
    const guess = roundToFormat(Number(mag.toString()), info.name);
    o = magnitudeOrdinal(guess, info);
    if (o > info.infinityBits) o = info.infinityBits;
  }
  // Walk to the float whose rounding interval contains mag (usually no step at all).
  let hi: Decimal | null = null;
  let lo: Decimal = zero;
  for (;;) {
    hi = o < info.infinityBits ? midpointAbove(o, info) : null;
    if (hi !== null) {
      const c = mag.cmp(hi);
      if (c > 0 || (c === 0 && (o & 1n) === 1n)) {
        o += 1n;
        continue;
      }
    }
    lo = o > 0n ? midpointAbove(o - 1n, info) : zero;
    if (o > 0n) {
      const c = mag.cmp(lo);
      if (c < 0 || (c === 0 && (o & 1n) === 1n)) {
        o -= 1n;
        continue;
      }
    }
    break;
  }
  return { result: sign(fromMagnitudeOrdinal(o, info)), lo, hi, inclusive: (o & 1n) === 0n };
}

const scaleCache = new Map<number, Decimal>();
/** 2^k exactly (k ≥ −1100 or so), cached: the scale factors of the fast rounding test. */
function pow2Cached(k: number): Decimal {
  let v = scaleCache.get(k);
  if (v === undefined) {
    v = new X(dyadicString(1n, k));
    scaleCache.set(k, v);
  }
  return v;
}

const ScaleFloor = Decimal.clone({ defaults: true, precision: 80, rounding: Decimal.ROUND_FLOOR, minE: -9e15, maxE: 9e15 });
const ScaleCeil = Decimal.clone({ defaults: true, precision: 80, rounding: Decimal.ROUND_CEIL, minE: -9e15, maxE: 9e15 });

/**
 * The float that every real in [lo, hi] rounds to, or undefined when the interval
 * straddles a rounding boundary, zero, or a binade edge (the caller then refines, or
 * falls back to roundDecimalWithInterval). Requires 0 < lo ≤ hi as magnitudes and
 * hi below 2^(emax) so no overflow question arises.
 *
 * Method: with q = max(⌊log2 hi⌋, emin) − p + 1 (the spacing of floats at hi is 2^q),
 * A = lo·2^(−q) rounded down and B = hi·2^(−q) rounded up (80 digits, so [A, B] ⊇ the
 * scaled interval); the answer is n·2^q when A and B round to the same integer n and
 * neither is a half-integer, and lo is in the same binade (A ≥ 2^(p−1)) or below 2^emin.
 * Only exact operations and directed roundings are involved.
 */
export function decideMagnitude(lo: Decimal, hi: Decimal, format: FloatFormat): number | undefined {
  const info = formatInfo(format);
  const approx = hi.toNumber();
  if (!(approx > 0) || approx >= 2 ** info.emax) return undefined;
  let e = Math.max(Math.floor(Math.log2(approx)), info.emin);
  for (let attempt = 0; attempt < 2; attempt++) {
    const q = e - info.precision + 1;
    const scale = pow2Cached(-q);
    const B = new ScaleCeil(hi).times(scale);
    const top = 2 ** info.precision;
    if (e > info.emin && B.lt(top / 2)) {
      e -= 1; // log2 guess one too high (hi just below a power of two)
      continue;
    }
    if (B.gte(top)) {
      e += 1;
      continue;
    }
    const A = new ScaleFloor(lo).times(scale);
    if (e > info.emin && A.lt(top / 2)) return undefined; // lo in a lower binade
    const nA = A.toDecimalPlaces(0, Decimal.ROUND_HALF_EVEN);
    const nB = B.toDecimalPlaces(0, Decimal.ROUND_HALF_EVEN);
    if (!nA.eq(nB)) return undefined;
    const half = nA.minus(0.5);
    if (A.eq(half) || B.eq(nA.plus(0.5)) || A.lt(half)) return undefined;
    return nA.toNumber() * 2 ** q;
  }
  return undefined;
}

const pow2Cache = new Map<number, Decimal>();
/** 2^k exactly, as a Decimal. */
export function pow2(k: number): Decimal {
  let v = pow2Cache.get(k);
  if (v === undefined) {
    v = new X(dyadicString(1n, k));
    if (pow2Cache.size < 4096) pow2Cache.set(k, v);
  }
  return v;
}

/** floor(log2 |v|) for a finite non-zero Decimal, exactly. */
export function floorLog2(v: Decimal): number {
  const mag = new X(v).abs();
  // A first guess from the decimal exponent and leading digits, then exact correction.
  const lead = Number(mag.toSignificantDigits(15, Decimal.ROUND_DOWN).times(new X(10).pow(-mag.e)).toString());
  let k = Math.floor(mag.e * Math.log2(10) + Math.log2(lead));
  while (mag.lt(pow2(k))) k--;
  while (mag.gte(pow2(k + 1))) k++;
  return k;
}

const ErrorDecimal = Decimal.clone({ defaults: true, precision: 20, rounding: Decimal.ROUND_HALF_EVEN });

/**
 * Error of a computed float against the exact value, in units in the last place of
 * the exact value: |computed − exact| / ulp(exact), where ulp(y) = 2^(max(⌊log2|y|⌋, emin) − p + 1)
 * (the spacing of floats at y; the smallest subnormal for y = 0 and below 2^emin).
 * A correctly rounded result has ulpError ≤ 0.5. Returns Infinity when exactly one of
 * the two is non-finite or they are different infinities, 0 for equal infinities or
 * NaN against NaN. Evaluated to 20 significant digits, then rounded to a double.
 */
export function ulpError(computed: number, exact: Decimal, format: FloatFormat): number {
  const info = formatInfo(format, 'ulpError');
  assertRepresentable(computed, format, 'ulpError', 'computed');
  if (!Decimal.isDecimal(exact)) {
    throw new GegluError(`ulpError: exact is ${describe(exact)}, expected a Decimal`);
  }
  if (exact.isNaN() || Number.isNaN(computed)) return exact.isNaN() && Number.isNaN(computed) ? 0 : Infinity;
  if (!exact.isFinite() || !Number.isFinite(computed)) {
    return !exact.isFinite() && exact.toNumber() === computed ? 0 : Infinity;
  }
  let e = info.emin;
  if (!exact.isZero() && exact.abs().gte(pow2(info.emin))) e = floorLog2(exact);
  const ulp = pow2(e - info.precision + 1);
  const diff = new ErrorDecimal(exactInternal(computed)).minus(exact).abs();
  return diff.div(ulp).toNumber();
}
