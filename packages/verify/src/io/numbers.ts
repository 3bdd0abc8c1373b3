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
 * - f32, bf16, f16: rounding `Number(s)` again would round twice. Proof that it is right except
 *   in one case: every midpoint m of these formats (half-way between adjacent values, including
 *   2^128 − 2^103 at f32's overflow edge, 65520 at f16's, and half the smallest subnormal at the
 *   bottom) is exactly an f64 value, and rounding to f64 is
 *   monotone, so x < m ⇒ d = f64(x) ≤ m and x > m ⇒ d ≥ m. Hence when d ≠ m the side of every
 *   midpoint is kept and rounding d gives the correctly rounded value. When d = m exactly, the
 *   decimal itself is compared with m in exact BigInt arithmetic to pick the side (and
 *   ties-to-even only if it equals m). Example: 1.00000005960464477539062500001 is just above
 *   the midpoint 1 + 2^−24, so it is 1 + 2^−23 in f32, while fround(Number(s)) gives 1.
 *   One implementation serves the three formats (@geglu/float's roundToFormat rounds d once).
 */

import { formatInfo, roundToFormat } from '@geglu/float';
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
  return format === 'f64' ? d : decimalToNarrow(t, d, format);
}

/** Shortest round-trip string of a float, keeping `-0` (String(-0) is "0"): @geglu/float's formatFloat. */
export { formatFloat as formatNumber } from '@geglu/float';

function trimBlanks(s: string): string {
  return s.replace(/^[ \t]+|[ \t]+$/g, '');
}

/**
 * The decimal t (whose f64 rounding is d, neither equal to a value of the format nor NaN) rounded
 * once to a format narrower than f64. f = round(d) is right unless d is exactly a midpoint of the
 * format (see the header); then g = 2|d| − |f| is the other neighbour, and it is computed exactly:
 * |f| is within a gap of the format of |d| and has at most 24 significant bits, so the difference
 * fits in f64's 53. When d is not a midpoint, g lies strictly between the two format values around
 * d (|d − f| is less than half their gap), so it is not a value of the format.
 */
function decimalToNarrow(t: string, d: number, format: Exclude<FloatFormat, 'f64'>): number {
  const f = roundToFormat(d, format);
  if (f === d || Number.isNaN(d) || !Number.isFinite(d)) return f;
  const a = Math.abs(d);
  const fa = Math.abs(f);
  let near: number; // the candidate nearer zero
  let far: number; // the candidate farther from zero (∞ past the top)
  if (fa === Infinity) {
    const info = formatInfo(format);
    // the midpoint between the largest finite and 2^(emax+1), exact in f64
    if (a !== (info.maxFinite + 2 ** (info.emax + 1)) / 2) return f;
    [near, far] = [info.maxFinite, Infinity];
  } else {
    const g = 2 * a - fa;
    if (g === fa || roundToFormat(g, format) !== g) return f;
    [near, far] = fa < g ? [fa, g] : [g, fa];
  }
  const c = compareDecimalWithDouble(t, a);
  if (c === 0) return f; // an exact tie: the rounding of d already went to even
  const r = c > 0 ? far : near;
  return d < 0 ? -r : r;
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
