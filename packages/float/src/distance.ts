/**
 * Distance between floats in steps, and the bit-exact comparison of a result
 * with the correctly rounded one.
 *
 * The ordinal of a float is its position on the number line of the format's
 * representable values: consecutive floats have consecutive ordinals, both
 * zeros are the point 0, the smallest subnormal is ±1 and ±∞ is one beyond the
 * largest finite (IEEE 754's nextUp). A step distance therefore cannot see the
 * sign of zero; {@link compareResult} does.
 */
import { describe } from './describe.js';
import { GegluError } from './errors.js';
import { assertRepresentable, f16ToBits, bf16ToBits, f32ToBits, f64ToBits, bitsToBf16, bitsToF16, bitsToF32, bitsToF64 } from './bits.js';
import { formatInfo, type FloatFormat } from './format.js';

/** Signed ordinal of a non-NaN value of a 16- or 32-bit format (exact as a number). */
function narrowOrdinal(x: number, format: 'f32' | 'bf16' | 'f16'): number {
  const bits = format === 'f32' ? f32ToBits(x) : format === 'bf16' ? bf16ToBits(x) : f16ToBits(x);
  const signBit = format === 'f32' ? 0x80000000 : 0x8000;
  const magnitude = format === 'f32' ? bits & 0x7fffffff : bits & 0x7fff;
  return bits >= signBit ? -magnitude : magnitude;
}

function f64Ordinal(x: number): bigint {
  const bits = f64ToBits(x);
  const magnitude = bits & 0x7fffffffffffffffn;
  return bits >> 63n === 1n ? -magnitude : magnitude;
}

/**
 * The ordinal of `x` in `format` (see the module comment): +0 and −0 ↦ 0,
 * −x ↦ −ordinal(x). `x` must be representable in the format and not NaN.
 */
export function ordinal(x: number, format: FloatFormat): bigint {
  const name = formatInfo(format, 'ordinal').name;
  assertRepresentable(x, name, 'ordinal', 'x');
  if (x !== x) throw new GegluError(`ordinal: x is NaN, expected a number on the number line (NaN has no ordinal)`);
  return name === 'f64' ? f64Ordinal(x) : BigInt(narrowOrdinal(x, name));
}

/** The float with the given ordinal (0 gives +0); the inverse of {@link ordinal}. */
export function fromOrdinal(o: bigint, format: FloatFormat): number {
  const info = formatInfo(format, 'fromOrdinal');
  if (typeof o !== 'bigint') throw new GegluError(`fromOrdinal: o is ${describe(o)}, expected a bigint`);
  const magnitude = o < 0n ? -o : o;
  if (magnitude > info.infinityBits) {
    throw new GegluError(`fromOrdinal: o is ${o}n, expected |o| ≤ ${info.infinityBits}n (the ordinal of ∞ in ${info.name})`);
  }
  const v =
    info.name === 'f64'
      ? bitsToF64(magnitude)
      : info.name === 'f32'
        ? bitsToF32(Number(magnitude))
        : info.name === 'bf16'
          ? bitsToBf16(Number(magnitude))
          : bitsToF16(Number(magnitude));
  return o < 0n ? -v : v;
}

/**
 * Steps between two values of `format`: 0 for the same point (so −0 and +0
 * are 0 apart), 1 for neighbours. Two NaNs are 0 apart; a NaN and a number are
 * Infinity apart. Exact up to 2^53 steps, the nearest double beyond.
 */
export function stepDistance(a: number, b: number, format: FloatFormat): number {
  const name = formatInfo(format, 'stepDistance').name;
  assertRepresentable(a, name, 'stepDistance', 'a');
  assertRepresentable(b, name, 'stepDistance', 'b');
  if (a !== a || b !== b) return a !== a && b !== b ? 0 : Infinity;
  if (name === 'f64') {
    const d = f64Ordinal(a) - f64Ordinal(b);
    return Number(d < 0n ? -d : d);
  }
  return Math.abs(narrowOrdinal(a, name) - narrowOrdinal(b, name));
}

/** How a result compares with the correctly rounded value. */
export interface ResultComparison {
  /**
   * The result's bits equal the correctly rounded value's bits (any NaN
   * matches any NaN): only then is it correctly rounded. A zero of the wrong
   * sign does not match.
   */
  matches: boolean;
  /** {@link stepDistance} between the two: 0 for a match and for a zero-sign mismatch. */
  steps: number;
  /** Both are zeros of different sign: a mismatch at 0 steps, reported apart. */
  zeroSign: boolean;
}

/**
 * Compares `got` with the correctly rounded `correct` bit for bit, as
 * CORE-MATH checks a correctly rounded function: ±0 are different results,
 * any NaN equals any NaN.
 */
export function compareResult(got: number, correct: number, format: FloatFormat): ResultComparison {
  const steps = stepDistance(got, correct, format);
  // Object.is is bit equality for representable numbers, with NaN equal to NaN.
  const matches = Object.is(got, correct);
  return { matches, steps, zeroSign: !matches && got === 0 && correct === 0 };
}
