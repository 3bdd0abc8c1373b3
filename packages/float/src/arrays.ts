/**
 * Array conversions between the 16-bit formats (as Uint16Array bit patterns;
 * Node 20 has no Float16Array) and Float32Array.
 *
 * Widening is exact: every bf16 and f16 value is an f32. Narrowing rounds each
 * f32 once to nearest, ties to even. A NaN keeps its sign and the top bits of
 * its payload, with the quiet bit set so it stays a NaN.
 */
import { describe } from './describe.js';
import { GegluError } from './errors.js';
import { bitsToF16, f16ToBits } from './bits.js';

function checkPair<I extends { length: number }, O extends { length: number }>(
  fn: string,
  src: unknown,
  srcType: { new (n: number): I; name: string },
  out: unknown,
  outType: { new (n: number): O; name: string },
): { src: I; out: O } {
  if (!(src instanceof srcType)) throw new GegluError(`${fn}: src is ${describe(src)}, expected a ${srcType.name}`);
  if (out === undefined) return { src, out: new outType(src.length) };
  if (!(out instanceof outType)) throw new GegluError(`${fn}: out is ${describe(out)}, expected a ${outType.name} or undefined`);
  if (out.length !== src.length) {
    throw new GegluError(`${fn}: out has length ${out.length}, expected src.length = ${src.length}`);
  }
  return { src, out };
}

/** bf16 patterns → f32 values, exact (a bf16 is the top half of an f32's bits). */
export function bf16ToF32Array(src: Uint16Array, out?: Float32Array): Float32Array {
  const a = checkPair('bf16ToF32Array', src, Uint16Array, out, Float32Array);
  const bits = new Uint32Array(a.out.buffer, a.out.byteOffset, a.out.length);
  for (let i = 0; i < a.src.length; i++) bits[i] = a.src[i]! << 16;
  return a.out;
}

/**
 * Narrows each f32 of `src` into `out` with `round` (the value's bits → a 16-bit pattern);
 * a NaN becomes `quietNaN(bits)`.
 */
function narrow(
  src: Float32Array,
  out: Uint16Array,
  round: (bits: number, x: number) => number,
  quietNaN: (bits: number) => number,
): Uint16Array {
  const bits = new Uint32Array(src.buffer, src.byteOffset, src.length);
  for (let i = 0; i < bits.length; i++) {
    const u = bits[i]!;
    out[i] = (u & 0x7fffffff) > 0x7f800000 ? quietNaN(u) : round(u, src[i]!);
  }
  return out;
}

/** f32 values → bf16 patterns, each rounded once to nearest, ties to even. */
export function f32ToBf16Array(src: Float32Array, out?: Uint16Array): Uint16Array {
  const a = checkPair('f32ToBf16Array', src, Float32Array, out, Uint16Array);
  return narrow(
    a.src,
    a.out,
    // Adding 0x7fff plus the lowest kept bit moves the halfway case up only when that bit is odd.
    (u) => (u + 0x7fff + ((u >>> 16) & 1)) >>> 16,
    (u) => (u >>> 16) | 0x0040,
  );
}

/** f32 bit patterns of the 65,536 f16 patterns, built on first use (NaNs keep sign and payload). */
let f16Table: Uint32Array | undefined;

/** f16 patterns → f32 values, exact. */
export function f16ToF32Array(src: Uint16Array, out?: Float32Array): Float32Array {
  const a = checkPair('f16ToF32Array', src, Uint16Array, out, Float32Array);
  if (f16Table === undefined) {
    f16Table = new Uint32Array(65536);
    const value = new Float32Array(f16Table.buffer);
    for (let h = 0; h < 65536; h++) {
      if ((h & 0x7fff) > 0x7c00) f16Table[h] = ((h & 0x8000) << 16) | 0x7f800000 | ((h & 0x3ff) << 13);
      else value[h] = bitsToF16(h);
    }
  }
  const t = f16Table;
  const bits = new Uint32Array(a.out.buffer, a.out.byteOffset, a.out.length);
  for (let i = 0; i < a.src.length; i++) bits[i] = t[a.src[i]!]!;
  return a.out;
}

/** f32 values → f16 patterns, each rounded once to nearest, ties to even (65520 and up become ∞). */
export function f32ToF16Array(src: Float32Array, out?: Uint16Array): Uint16Array {
  const a = checkPair('f32ToF16Array', src, Float32Array, out, Uint16Array);
  return narrow(
    a.src,
    a.out,
    (_u, x) => f16ToBits(x),
    (u) => ((u >>> 16) & 0x8000) | 0x7e00 | ((u >>> 13) & 0x3ff),
  );
}
