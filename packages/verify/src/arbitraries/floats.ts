/**
 * Float arbitraries over raw bit patterns.
 *
 * Drawing the bit pattern (not the value) reaches every class of float with
 * useful probability: subnormals, ±0, ±∞ and NaNs with arbitrary payloads are
 * each a fixed slice of the integer range, whereas value-uniform generators
 * almost never produce them. Ranges use an ordinal (index) space over the
 * ordered floats, the convention of fast-check's own `fc.float`
 * (lib/arbitrary/_internals/helpers/FloatHelpers.js, floatToIndex: −0 ↦ −1,
 * +0 ↦ 0); ours extends it to binary64 with BigInt ordinals.
 */
import { bitsToF32, f32ToBits, formatInfo } from '@geglu/float';
import fc from 'fast-check';

export type FloatFormat = 'f32' | 'f64';

// Bit casts are @geglu/float's; these names keep this module's signed-int32 view of f32 patterns.
export { bitsToF64 as float64FromBits, f64ToBits as float64Bits } from '@geglu/float';
import { bitsToF64 as float64FromBits, f64ToBits as float64Bits } from '@geglu/float';

/** The float32 whose bit pattern is the low 32 bits of `bits`. */
export function float32FromBits(bits: number): number {
  return bitsToF32(bits >>> 0);
}

/** The bit pattern of `Math.fround(x)` as a signed 32-bit integer. */
export function float32Bits(x: number): number {
  return f32ToBits(x) | 0;
}

const F32_MAG = 0x7fffffff;
const F64_MAG = (1n << 63n) - 1n;

/**
 * Position of a float in the total order of its format, with −0 one below +0
 * (−0 ↦ −1, +0 ↦ 0, smallest positive subnormal ↦ 1, …). Neighbouring
 * ordinals are neighbouring floats, so sampling an ordinal range uniformly
 * samples every binade of a value range equally often. NaN has no ordinal.
 */
export function floatToOrdinal(x: number, format: 'f32'): number;
export function floatToOrdinal(x: number, format: 'f64'): bigint;
export function floatToOrdinal(x: number, format: FloatFormat): number | bigint;
export function floatToOrdinal(x: number, format: FloatFormat): number | bigint {
  if (Number.isNaN(x)) throw new RangeError(`floatToOrdinal: x is NaN, expected an ordered float`);
  if (format === 'f32') {
    const b = float32Bits(x);
    return b >= 0 ? b : -1 - (b & F32_MAG);
  }
  const b = float64Bits(x);
  return b >> 63n === 0n ? b : -1n - (b & F64_MAG);
}

/** Inverse of {@link floatToOrdinal}. */
export function ordinalToFloat(ord: number | bigint, format: FloatFormat): number {
  if (format === 'f32') {
    const o = Number(ord);
    return o >= 0 ? float32FromBits(o) : float32FromBits((-1 - o) | 0x80000000);
  }
  const o = BigInt(ord);
  return o >= 0n ? float64FromBits(o) : float64FromBits((-1n - o) | (1n << 63n));
}

/** Every float32 (as a JS number), NaN payloads and both zeros included. */
export function float32(): fc.Arbitrary<number> {
  return fc.integer({ min: -0x80000000, max: 0x7fffffff }).map(float32FromBits);
}

/** Every float64, NaN payloads and both zeros included. */
export function float64(): fc.Arbitrary<number> {
  return fc.bigInt({ min: 0n, max: (1n << 64n) - 1n }).map(float64FromBits);
}

/** Every float of `format` from its raw bits. */
export function anyFloat(format: FloatFormat): fc.Arbitrary<number> {
  return format === 'f32' ? float32() : float64();
}

/** Limits of a format, from @geglu/float's formatInfo. */
export function formatLimits(format: FloatFormat): {
  minSubnormal: number;
  maxSubnormal: number;
  minNormal: number;
  max: number;
  epsilon: number;
} {
  const info = formatInfo(format);
  return {
    minSubnormal: info.minSubnormal,
    maxSubnormal: info.minNormal - info.minSubnormal,
    minNormal: info.minNormal,
    max: info.maxFinite,
    epsilon: 2 ** (1 - info.precision),
  };
}

/** ±0, ±∞, NaN, the subnormal and normal limits and ±1 of a format. */
export function specialValues(format: FloatFormat): number[] {
  const l = formatLimits(format);
  const pos = [0, l.minSubnormal, l.maxSubnormal, l.minNormal, 1, l.max, Infinity];
  return [...pos, ...pos.map((v) => -v), NaN];
}

/** One of {@link specialValues}. */
export function specialFloat(format: FloatFormat): fc.Arbitrary<number> {
  return fc.constantFrom(...specialValues(format));
}

/**
 * The floats of `format` in [lo, hi] (both must be exactly representable),
 * uniform over ordinals: every binade in the range is equally likely, so
 * ranges that straddle zero reach the subnormals.
 */
export function floatInRange(lo: number, hi: number, format: FloatFormat): fc.Arbitrary<number> {
  if (!(lo <= hi)) throw new RangeError(`floatInRange: expected lo ≤ hi, got lo = ${lo}, hi = ${hi}`);
  if (format === 'f32') {
    if (Math.fround(lo) !== lo || Math.fround(hi) !== hi) {
      throw new RangeError(`floatInRange: bounds must be float32 values, got lo = ${lo}, hi = ${hi}`);
    }
    return fc.integer({ min: floatToOrdinal(lo, 'f32'), max: floatToOrdinal(hi, 'f32') }).map((o) => ordinalToFloat(o, 'f32'));
  }
  return fc.bigInt({ min: floatToOrdinal(lo, 'f64'), max: floatToOrdinal(hi, 'f64') }).map((o) => ordinalToFloat(o, 'f64'));
}

/**
 * Floats within `radius` representable steps of `centre` (clamped to the
 * finite floats), for sampling the neighbourhood of a threshold.
 */
export function floatNear(centre: number, radius: number, format: FloatFormat): fc.Arbitrary<number> {
  const limits = formatLimits(format);
  const c = format === 'f32' ? Math.fround(centre) : centre;
  if (format === 'f32') {
    const o = floatToOrdinal(c, 'f32');
    const lo = Math.max(o - radius, floatToOrdinal(-limits.max, 'f32'));
    const hi = Math.min(o + radius, floatToOrdinal(limits.max, 'f32'));
    return fc.integer({ min: lo, max: hi }).map((v) => ordinalToFloat(v, 'f32'));
  }
  const o = floatToOrdinal(c, 'f64');
  const r = BigInt(radius);
  const minO = floatToOrdinal(-limits.max, 'f64');
  const maxO = floatToOrdinal(limits.max, 'f64');
  const lo = o - r < minO ? minO : o - r;
  const hi = o + r > maxO ? maxO : o + r;
  return fc.bigInt({ min: lo, max: hi }).map((v) => ordinalToFloat(v, 'f64'));
}

/** Moves `x` by `n` representable steps (negative: downwards). */
export function stepFloat(x: number, n: number, format: FloatFormat): number {
  if (format === 'f32') return ordinalToFloat(floatToOrdinal(x, 'f32') + n, 'f32');
  return ordinalToFloat(floatToOrdinal(x, 'f64') + BigInt(n), 'f64');
}

/**
 * Finite, non-NaN floats of `format` with extra weight on special values:
 * the default input for properties that need a number but not ∞/NaN.
 */
export function finiteFloat(format: FloatFormat): fc.Arbitrary<number> {
  const l = formatLimits(format);
  return fc.oneof(
    { arbitrary: floatInRange(-l.max, l.max, format), weight: 8 },
    { arbitrary: fc.constantFrom(...specialValues(format).filter(Number.isFinite)), weight: 1 },
  );
}
