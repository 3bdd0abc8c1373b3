import { stepDistance } from '@geglu/oracle';
import fc from 'fast-check';

const f32 = new Float32Array(1);
const i32 = new Int32Array(f32.buffer);
const dv = new DataView(new ArrayBuffer(8));

/** The float32 whose bit pattern is `bits` (every pattern: subnormals, ±∞, NaN payloads). */
export function f32FromBits(bits: number): number {
  i32[0] = bits;
  return f32[0]!;
}

/** The float32 bit pattern of a float32 value. */
export function bitsOfF32(x: number): number {
  f32[0] = x;
  return i32[0]!;
}

/** The double whose bit pattern is `bits`. */
export function f64FromBits(bits: bigint): number {
  dv.setBigUint64(0, BigInt.asUintN(64, bits));
  return dv.getFloat64(0);
}

/** Any float32, drawn uniformly over its 2^32 bit patterns. */
export const anyF32Bits = fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 }).map(f32FromBits);
/** Any double, drawn uniformly over its 2^64 bit patterns. */
export const anyF64Bits = fc.bigInt({ min: 0n, max: 2n ** 64n - 1n }).map(f64FromBits);

/**
 * float32 values in [min, max], drawn uniformly over the bit patterns in that
 * range (fast-check's float is indexed by bit pattern), so subnormals and
 * each binade get their share.
 */
export function f32In(min: number, max: number): fc.Arbitrary<number> {
  return fc.float({ min: Math.fround(min), max: Math.fround(max), noNaN: true, noDefaultInfinity: true });
}

/** Doubles in [min, max], uniform over bit patterns like {@link f32In}. */
export function f64In(min: number, max: number): fc.Arbitrary<number> {
  return fc.double({ min, max, noNaN: true, noDefaultInfinity: true });
}

/**
 * The oracle's stepDistance, except that a zero of the wrong sign counts as a
 * failure (Infinity): stepDistance(−0, +0) is 0 by design (they are the same
 * number), but the kernel promises correctly signed zeros in the underflowing
 * tails, and a region test must be able to catch a lost sign.
 */
export function stepsWithSign(computed: number, want: number, format: 'f32' | 'f64'): number {
  if (computed === 0 && want === 0 && !Object.is(computed, want)) return Infinity;
  return stepDistance(computed, want, format);
}
