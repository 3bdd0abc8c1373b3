import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  bf16ToBits,
  bf16ToF32Array,
  bitsToBf16,
  bitsToF16,
  bitsToF32,
  f16ToBits,
  f16ToF32Array,
  f32ToBf16Array,
  f32ToF16Array,
  GegluError,
} from '../src/index.js';

const ALL16 = Uint16Array.from({ length: 65536 }, (_, b) => b);
const isNaN16 = (b: number, inf: number) => (b & 0x7fff) > inf;

describe('array conversions', () => {
  it('widening all 65,536 bf16 and f16 patterns gives the scalar values, exactly', () => {
    const bf = bf16ToF32Array(ALL16);
    const h = f16ToF32Array(ALL16);
    for (let b = 0; b < 65536; b++) {
      expect(Object.is(bf[b], bitsToBf16(b)) || (Number.isNaN(bf[b]) && isNaN16(b, 0x7f80))).toBe(true);
      expect(Object.is(h[b], bitsToF16(b)) || (Number.isNaN(h[b]) && isNaN16(b, 0x7c00))).toBe(true);
    }
  });

  it('all 65,536 patterns survive widening and narrowing (NaNs stay NaNs with their sign)', () => {
    const bf = f32ToBf16Array(bf16ToF32Array(ALL16));
    const h = f32ToF16Array(f16ToF32Array(ALL16));
    for (let b = 0; b < 65536; b++) {
      if (isNaN16(b, 0x7f80)) expect(isNaN16(bf[b]!, 0x7f80) && (bf[b]! & 0x8000) === (b & 0x8000)).toBe(true);
      else expect(bf[b]).toBe(b);
      if (isNaN16(b, 0x7c00)) expect(isNaN16(h[b]!, 0x7c00) && (h[b]! & 0x8000) === (b & 0x8000)).toBe(true);
      else expect(h[b]).toBe(b);
    }
  });

  it('narrowing f32 arrays rounds each element as the scalar casts do (bf16: an independent bit trick)', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 0xffffffff }), { maxLength: 64 }), (patterns) => {
        const src = new Float32Array(Uint32Array.from(patterns).buffer);
        const bf = f32ToBf16Array(src);
        const h = f32ToF16Array(src);
        for (let i = 0; i < src.length; i++) {
          if (Number.isNaN(src[i])) continue;
          expect(bf[i]).toBe(bf16ToBits(src[i]!));
          expect(h[i]).toBe(f16ToBits(src[i]!));
        }
      }),
    );
    // f32 ties: 1 + 2^-8 is halfway between bf16 1 and 1 + 2^-7 (goes to even 1); 1 + 3·2^-8 goes up to 1 + 2^-6.
    expect(Array.from(f32ToBf16Array(Float32Array.of(1 + 2 ** -8, 1 + 3 * 2 ** -8)))).toEqual([0x3f80, 0x3f82]);
    expect(bitsToF32(0x3f800000)).toBe(1);
  });

  it('works on views with an offset and writes into a given output', () => {
    const buf = new Uint16Array([0, 0x3c00, 0xc000]).subarray(1);
    const out = new Float32Array(2);
    expect(f16ToF32Array(buf, out)).toBe(out);
    expect(Array.from(out)).toEqual([1, -2]);
  });

  it('refuses wrong types and lengths in the one message shape', () => {
    expect(() => bf16ToF32Array(new Float32Array(2) as never)).toThrow(GegluError);
    expect(() => bf16ToF32Array(new Float32Array(2) as never)).toThrow(
      /^bf16ToF32Array: src is a Float32Array of length 2, expected a Uint16Array$/,
    );
    expect(() => f32ToF16Array(new Float32Array(2), new Uint16Array(3))).toThrow(
      /^f32ToF16Array: out has length 3, expected src.length = 2$/,
    );
  });
});
