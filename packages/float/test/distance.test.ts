import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  bitsToBf16,
  bitsToF16,
  bitsToF32,
  bitsToF64,
  compareResult,
  fromOrdinal,
  GegluError,
  ordinal,
  stepDistance,
  type FloatFormat,
} from '../src/index.js';

const decoders: Record<Exclude<FloatFormat, 'f64'>, (b: number) => number> = { f32: bitsToF32, bf16: bitsToBf16, f16: bitsToF16 };

describe('stepDistance', () => {
  it.each(['f64', 'f32', 'bf16', 'f16'] as const)(
    '%s: −0 and +0 are one point; the smallest subnormals are 1 step from it, 2 apart',
    (format) => {
      const tiny = fromOrdinal(1n, format);
      expect(stepDistance(-0, 0, format)).toBe(0);
      expect(stepDistance(tiny, -0, format)).toBe(1);
      expect(stepDistance(tiny, -tiny, format)).toBe(2);
      expect(stepDistance(Infinity, fromOrdinal(ordinal(Infinity, format) - 1n, format), format)).toBe(1);
      expect(stepDistance(NaN, NaN, format)).toBe(0);
      expect(stepDistance(NaN, 0, format)).toBe(Infinity);
      expect(stepDistance(1, NaN, format)).toBe(Infinity);
    },
  );

  it('16-bit formats: the distance between two patterns of one sign is the difference of the patterns (all pairs with 0)', () => {
    for (const [format, inf] of [
      ['bf16', 0x7f80],
      ['f16', 0x7c00],
    ] as const) {
      for (let b = 0; b <= inf; b++) {
        const x = decoders[format](b);
        expect(stepDistance(x, 0, format)).toBe(b);
        expect(stepDistance(-x, x, format)).toBe(2 * b);
      }
    }
  });

  it('f32 and f64: steps equal the difference of the bit patterns for values of one sign', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 0x7f800000 }), fc.integer({ min: 0, max: 0x7f800000 }), (a, b) => {
        expect(stepDistance(bitsToF32(a), bitsToF32(b), 'f32')).toBe(Math.abs(a - b));
        expect(stepDistance(-bitsToF32(a), -bitsToF32(b), 'f32')).toBe(Math.abs(a - b));
      }),
    );
    fc.assert(
      fc.property(fc.bigInt({ min: 0n, max: 0x7ff0000000000000n }), fc.bigInt({ min: 0n, max: 0x7ff0000000000000n }), (a, b) => {
        expect(stepDistance(bitsToF64(a), bitsToF64(b), 'f64')).toBe(Number(a > b ? a - b : b - a));
      }),
    );
  });

  it('ordinal and fromOrdinal are inverses across zero', () => {
    expect(ordinal(-0, 'f32')).toBe(0n);
    expect(Object.is(fromOrdinal(0n, 'f16'), 0)).toBe(true);
    expect(fromOrdinal(-1n, 'f16')).toBe(-(2 ** -24));
    expect(ordinal(65504, 'f16')).toBe(0x7bffn);
    expect(() => fromOrdinal(0x7c01n, 'f16')).toThrow(/fromOrdinal: o is 31745n, expected \|o\| ≤ 31744n/);
    expect(() => ordinal(NaN, 'f32')).toThrow(GegluError);
  });

  it('refuses values the format does not hold, naming the argument', () => {
    expect(() => stepDistance(0.1, 0, 'f32')).toThrow(
      /^stepDistance: a is 0.1, expected a number exactly representable in f32 \(the nearest is 0.10000000149011612\)$/,
    );
    expect(() => stepDistance(0, 65505, 'f16')).toThrow(/^stepDistance: b is 65505, expected a number exactly representable in f16/);
    expect(() => stepDistance(0, 0, 'f128' as never)).toThrow(/^stepDistance: format is "f128", expected one of/);
  });
});

describe('compareResult (bit-exact, as CORE-MATH compares)', () => {
  it('a zero of the wrong sign is a mismatch at 0 steps, flagged zeroSign', () => {
    expect(compareResult(0, -0, 'f32')).toEqual({ matches: false, steps: 0, zeroSign: true });
    expect(compareResult(-0, 0, 'f64')).toEqual({ matches: false, steps: 0, zeroSign: true });
    expect(compareResult(-0, -0, 'f16')).toEqual({ matches: true, steps: 0, zeroSign: false });
  });

  it('any NaN matches any NaN; a NaN against a number is Infinity steps', () => {
    expect(compareResult(NaN, NaN, 'bf16')).toEqual({ matches: true, steps: 0, zeroSign: false });
    expect(compareResult(NaN, -0, 'f32')).toEqual({ matches: false, steps: Infinity, zeroSign: false });
  });

  it('a nonzero difference is a mismatch with its steps and no zero-sign flag', () => {
    const tiny = 2 ** -149;
    expect(compareResult(tiny, -0, 'f32')).toEqual({ matches: false, steps: 1, zeroSign: false });
    expect(compareResult(1, 1, 'f32')).toEqual({ matches: true, steps: 0, zeroSign: false });
  });

  it('matches exactly when the f32 bit patterns are equal (NaN patterns aside)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 0xffffffff }), fc.integer({ min: 0, max: 0xffffffff }), fc.boolean(), (a, b, same) => {
        const bb = same ? a : b;
        const x = bitsToF32(a);
        const y = bitsToF32(bb);
        const r = compareResult(x, y, 'f32');
        const bothNaN = Number.isNaN(x) && Number.isNaN(y);
        expect(r.matches).toBe(bothNaN || a === bb);
        expect(r.zeroSign).toBe((a | bb) === 0x80000000 && a !== bb);
      }),
    );
  });
});
