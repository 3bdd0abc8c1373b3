/**
 * Parsing numbers from text and printing them back, exactly.
 *
 * ## Accepted input (one number per line)
 *
 * - Decimal: `[+-]digits[.digits][e[+-]digits]` or `[+-].digits[…]` (`1`, `-0`, `2.5e-3`, `.5`, `7.`).
 * - Specials, case-insensitive: `NaN`, `Infinity`, `inf` with an optional sign (`-Infinity`,
 *   `+inf`, `-inf`; Python and PyTorch print `inf` and `nan`). A sign on NaN is accepted and
 *   ignored: NaN's sign is not part of any result we compare.
 * - Spaces and tabs around the number are ignored. Anything else (hex, `1_000`, `0x1p3`, an
 *   empty line, two numbers) is rejected: `Number()` would silently read `''` as 0 and `0x10`
 *   as 16, so the grammar is checked first.
 *
 * ## Rounding to the dtype
 *
 * The decimal denotes an exact real; it is rounded once, to nearest-even, into the dtype.
 * - f64: V8's `Number(string)` rounds correctly (it falls back to big-number arithmetic).
 * - f32: `Math.fround(Number(s))` would round twice. Proof that it is right except in one case:
 *   every f32 midpoint m (half-way between adjacent f32 values, including 2^128 − 2^103 at
 *   the overflow edge and 2^−150 at the bottom) is exactly an f64 value, and rounding to f64 is
 *   monotone, so x < m ⇒ d = f64(x) ≤ m and x > m ⇒ d ≥ m. Hence when d ≠ m the side of every
 *   midpoint is kept and fround(d) is the correctly rounded f32. When d = m exactly, the
 *   decimal itself is compared with m in exact BigInt arithmetic to pick the side (and
 *   ties-to-even only if it equals m). Example: 1.00000005960464477539062500001 is just above
 *   the midpoint 1 + 2^−24, so it is 1 + 2^−23 in f32, while fround(Number(s)) gives 1.
 */

import type { FloatFormat } from '../backends/types.js';

const DECIMAL = /^([+-]?)(?:(\d+)(?:\.(\d*))?|\.(\d+))(?:[eE]([+-]?\d+))?$/;
const SPECIAL = /^([+-]?)(?:(nan)|(inf|infinity))$/i;

/** Why a line is not a number; `null` when it is one. */
export function numberSyntaxError(text: string): string | null {
  const t = trimBlanks(text);
  if (t === '') return 'empty line, expected a number';
  if (DECIMAL.test(t) || SPECIAL.test(t)) return null;
  return 'not a number';
}

/**
 * Parses one number (grammar above) and rounds it correctly to `format`.
 * @throws {RangeError} naming the text when it is not a number.
 */
export function parseNumber(text: string, format: FloatFormat): number {
  const t = trimBlanks(text);
  const special = SPECIAL.exec(t);
  if (special) {
    if (special[2] !== undefined) return NaN;
    return special[1] === '-' ? -Infinity : Infinity;
  }
  if (!DECIMAL.test(t)) {
    throw new RangeError(`parseNumber: ${JSON.stringify(t.length > 60 ? `${t.slice(0, 57)}...` : t)} is not a number`);
  }
  const d = Number(t);
  return format === 'f64' ? d : decimalToF32(t, d);
}

/** Shortest round-trip string of a float, keeping `-0` (String(-0) is "0"): @geglu/float's formatFloat. */
export { formatFloat as formatNumber } from '@geglu/float';

function trimBlanks(s: string): string {
  return s.replace(/^[ \t]+|[ \t]+$/g, '');
}

const F32_MAX = 3.4028234663852886e38; // (2^24 − 1)·2^104
const F32_OVERFLOW_MIDPOINT = 3.4028235677973366e38; // 2^128 − 2^103, exact in f64
const f32 = new Float32Array(1);
const u32 = new Uint32Array(f32.buffer);

/** The f32 next to f (an f32 value) one step further from zero. */
function nextAwayF32(f: number, negative: boolean): number {
  if (f === 0) return negative ? -1.401298464324817e-45 : 1.401298464324817e-45;
  f32[0] = f;
  u32[0] = u32[0]! + 1;
  return f32[0]!;
}

function decimalToF32(t: string, d: number): number {
  const f = Math.fround(d);
  if (f === d || Number.isNaN(d) || !Number.isFinite(d)) return f;
  const negative = d < 0;
  let lower: number; // the f32 neighbour of d nearer zero
  let upper: number; // the f32 neighbour of d farther from zero (±Infinity past the top)
  let mid: number;
  if (!Number.isFinite(f)) {
    lower = negative ? -F32_MAX : F32_MAX;
    upper = f;
    mid = negative ? -F32_OVERFLOW_MIDPOINT : F32_OVERFLOW_MIDPOINT;
  } else {
    if (Math.abs(f) < Math.abs(d)) {
      lower = f;
      upper = nextAwayF32(f, negative);
    } else {
      upper = f;
      lower = f === 0 ? f : nextTowardZeroF32(f);
    }
    mid = (lower + upper) / 2; // exact: both have ≤ 24 significant bits and close exponents
  }
  if (d !== mid) return f;
  const c = compareDecimalWithDouble(t, Math.abs(d));
  if (c === 0) return f; // an exact tie: fround already rounded it to even
  return c > 0 ? upper : lower;
}

function nextTowardZeroF32(f: number): number {
  f32[0] = f;
  u32[0] = u32[0]! - 1;
  return f32[0]!;
}

/**
 * Sign of |decimal t| − m for a finite positive double m, exactly (BigInt).
 * Only called when t's value lies within the f32 range, and lines are length-capped, so the
 * powers stay small; a guard keeps a pathological exponent from allocating without bound.
 */
export function compareDecimalWithDouble(t: string, m: number): number {
  const g = DECIMAL.exec(t)!;
  const intPart = g[2] ?? '';
  const fracPart = g[3] ?? g[4] ?? '';
  let digits = (intPart + fracPart).replace(/^0+/, '');
  let exp10 = Number(g[5] ?? '0') - fracPart.length;
  if (digits === '') return m === 0 ? 0 : -1;
  const trailing = /0+$/.exec(digits);
  if (trailing) {
    exp10 += trailing[0].length;
    digits = digits.slice(0, -trailing[0].length);
  }
  if (!Number.isSafeInteger(exp10) || Math.abs(exp10) > 20000) {
    throw new RangeError(`compareDecimalWithDouble: exponent ${exp10} out of the supported range`);
  }
  // m = mant · 2^exp2 exactly
  const { mant, exp2 } = decompose(m);
  let left = BigInt(digits);
  let right = mant;
  if (exp10 >= 0) left *= 10n ** BigInt(exp10);
  else right *= 10n ** BigInt(-exp10);
  if (exp2 >= 0) right <<= BigInt(exp2);
  else left <<= BigInt(-exp2);
  return left === right ? 0 : left > right ? 1 : -1;
}

function decompose(m: number): { mant: bigint; exp2: number } {
  const view = new DataView(new ArrayBuffer(8));
  view.setFloat64(0, m);
  const hi = view.getUint32(0);
  const lo = view.getUint32(4);
  const biased = (hi >>> 20) & 0x7ff;
  let mant = (BigInt(hi & 0xfffff) << 32n) | BigInt(lo);
  if (biased !== 0) mant |= 1n << 52n;
  return { mant, exp2: (biased === 0 ? 1 : biased) - 1075 };
}
