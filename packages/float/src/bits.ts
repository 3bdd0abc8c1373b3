/**
 * Bit casts between numbers and the encodings of f64, f32, bf16 and f16.
 *
 * The number → bits direction rounds the float64 value once, to nearest with
 * ties to even, subnormals and overflow to ±∞ included (Math.fround for f32,
 * the same rule written out for the 16-bit formats). Rounding a float64 to f32
 * first and then to bf16/f16 would round twice, which can differ.
 *
 * A NaN becomes the format's canonical quiet NaN (JavaScript does not promise
 * to keep NaN payloads in numbers); the 16-bit patterns are numbers in
 * [0, 0xffff], f32 patterns numbers in [0, 0xffffffff], f64 patterns bigints.
 */
import { describe } from './describe.js';
import { GegluError } from './errors.js';
import { formatInfo, type FloatFormat } from './format.js';

const f64 = new Float64Array(1);
const u64 = new BigUint64Array(f64.buffer);
const f64Words = new Uint32Array(f64.buffer);
/** Index of the word holding a float64's sign and exponent (the platform's byte order). */
const HIGH = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1 ? 1 : 0;
const f32 = new Float32Array(1);
const u32 = new Uint32Array(f32.buffer);

/** The binary64 bit pattern of `x`. */
export function f64ToBits(x: number): bigint {
  f64[0] = x;
  return u64[0]!;
}

/** The number whose binary64 bit pattern is the low 64 bits of `bits`. */
export function bitsToF64(bits: bigint): number {
  u64[0] = BigInt.asUintN(64, bits);
  return f64[0]!;
}

/** The binary32 bit pattern of `x` rounded to f32 (Math.fround, one rounding). */
export function f32ToBits(x: number): number {
  f32[0] = x;
  return u32[0]!;
}

/** The f32 value whose bit pattern is the low 32 bits of `bits`. */
export function bitsToF32(bits: number): number {
  u32[0] = bits;
  return f32[0]!;
}

/** Unbiased exponent ⌊log2 a⌋ of a normal float64 a > 0, from its bits (exact, unlike Math.log2). */
function exponentOf(a: number): number {
  f64[0] = a;
  return (f64Words[HIGH]! >>> 20) - 1023;
}

const SMALLEST_NORMAL_F64 = 2 ** -1022;

/**
 * The 16-bit pattern of x rounded once to a format of precision p, smallest
 * normal exponent emin and +∞ pattern `inf` (sign bit 0x8000).
 *
 * With e = max(⌊log2|x|⌋, emin), n = |x|·2^(p−1−e) is exact (a power-of-two
 * scaling) and < 2^p; rounding it to an integer r, ties to even, gives the
 * result r·2^(e−p+1), whose pattern is (e − emin)·2^(p−1) + r: r = 2^p carries
 * into the exponent field, r < 2^(p−1) at e = emin is a subnormal, and any
 * pattern ≥ inf is an overflow (the midpoint above the largest finite has an
 * odd r, so a tie there rounds to ∞, as IEEE 754 specifies).
 */
function toNarrowBits(x: number, p: number, emin: number, inf: number, quietNaN: number): number {
  if (x !== x) return quietNaN;
  const sign = x < 0 || Object.is(x, -0) ? 0x8000 : 0;
  const a = Math.abs(x);
  if (a === Infinity) return sign | inf;
  // Below 2^-1022 is far below half the smallest subnormal of f16 (2^-25) and bf16 (2^-134).
  if (a < SMALLEST_NORMAL_F64) return sign;
  const e = Math.max(exponentOf(a), emin);
  const n = a * 2 ** (p - 1 - e);
  let r = Math.floor(n);
  const rest = n - r;
  if (rest > 0.5 || (rest === 0.5 && r % 2 === 1)) r += 1;
  const bits = (e - emin) * 2 ** (p - 1) + r;
  return sign | Math.min(bits, inf);
}

/** The bf16 bit pattern of `x` rounded once to bf16 (nearest, ties to even). */
export function bf16ToBits(x: number): number {
  return toNarrowBits(x, 8, -126, 0x7f80, 0x7fc0);
}

/** The bf16 value of a 16-bit pattern (exact: every bf16 is an f32). */
export function bitsToBf16(bits: number): number {
  u32[0] = (bits & 0xffff) << 16;
  return f32[0]!;
}

/** The f16 (IEEE binary16) bit pattern of `x` rounded once to f16 (nearest, ties to even). */
export function f16ToBits(x: number): number {
  return toNarrowBits(x, 11, -14, 0x7c00, 0x7e00);
}

/** The f16 value of a 16-bit pattern, exact (subnormals, ±0, ±∞, NaN). */
export function bitsToF16(bits: number): number {
  const sign = bits & 0x8000 ? -1 : 1;
  const e = (bits >> 10) & 0x1f;
  const m = bits & 0x3ff;
  if (e === 0) return sign * m * 2 ** -24;
  if (e === 0x1f) return m === 0 ? sign * Infinity : NaN;
  return sign * (0x400 + m) * 2 ** (e - 25);
}

/** `x` rounded once to the nearest value of `format` (ties to even; the sign of zero kept). */
export function roundToFormat(x: number, format: FloatFormat): number {
  switch (formatInfo(format, 'roundToFormat').name) {
    case 'f64':
      return checkNumber('roundToFormat', x);
    case 'f32':
      return Math.fround(checkNumber('roundToFormat', x));
    case 'bf16':
      return bitsToBf16(bf16ToBits(checkNumber('roundToFormat', x)));
    case 'f16':
      return bitsToF16(f16ToBits(checkNumber('roundToFormat', x)));
  }
}

function checkNumber(fn: string, x: unknown): number {
  if (typeof x !== 'number') throw new GegluError(`${fn}: x is ${describe(x)}, expected a number`);
  return x;
}

/** True when `x` is a number that `format` holds exactly (NaN and ±∞ included; −0 is not +0). */
export function isRepresentable(x: unknown, format: FloatFormat): boolean {
  const name = formatInfo(format, 'isRepresentable').name;
  if (typeof x !== 'number') return false;
  if (name === 'f64' || x !== x) return true;
  if (name === 'f32') return Object.is(Math.fround(x), x);
  return Object.is(name === 'bf16' ? bitsToBf16(bf16ToBits(x)) : bitsToF16(f16ToBits(x)), x);
}

/** Throws a GegluError `${fn}: ${name} is …, expected a number exactly representable in …` unless it is one. */
export function assertRepresentable(x: unknown, format: FloatFormat, fn: string, name: string): asserts x is number {
  if (typeof x !== 'number') {
    throw new GegluError(`${fn}: ${name} is ${describe(x)}, expected a number`);
  }
  if (!isRepresentable(x, format)) {
    throw new GegluError(
      `${fn}: ${name} is ${describe(x)}, expected a number exactly representable in ${format} ` +
        `(the nearest is ${describe(roundToFormat(x, format))})`,
    );
  }
}
