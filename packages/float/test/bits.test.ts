import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  bf16ToBits,
  bitsToBf16,
  bitsToF16,
  bitsToF32,
  bitsToF64,
  f16ToBits,
  f32ToBits,
  f64ToBits,
  GegluError,
  isRepresentable,
  roundToFormat,
} from '../src/index.js';
import { referenceBits } from './reference.js';

const ALL16 = Array.from({ length: 65536 }, (_, b) => b);
const isNaNPattern = (b: number, inf: number) => (b & 0x7fff) > inf;

/** A double drawn from its raw bits: subnormals, ±0, ±∞ and NaN payloads all have weight. */
const anyDouble = fc.bigInt({ min: 0n, max: (1n << 64n) - 1n }).map(bitsToF64);

/** Doubles at and next to the midpoints between neighbouring 16-bit values, where rounding decides. */
function nearMidpoints(decode: (b: number) => number, inf: number): fc.Arbitrary<number> {
  return fc.tuple(fc.integer({ min: 0, max: inf - 1 }), fc.boolean(), fc.constantFrom(-1, 0, 1)).map(([b, negative, nudge]) => {
    const lo = decode(b);
    // (lo + next)/2 is exact in float64: both are dyadic with at most 11 significant bits
    const m = b + 1 === inf ? lo + (lo - decode(b - 1)) / 2 : (lo + decode(b + 1)) / 2;
    const v = nudge === 0 ? m : bitsToF64(f64ToBits(m) + BigInt(nudge));
    return negative ? -v : v;
  });
}

describe('bit casts of f64 and f32', () => {
  it('f64 bits round-trip and match DataView on raw patterns', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: 0n, max: (1n << 64n) - 1n }), (bits) => {
        const x = bitsToF64(bits);
        const view = new DataView(new ArrayBuffer(8));
        view.setBigUint64(0, bits);
        expect(Object.is(x, view.getFloat64(0))).toBe(true);
        if (!Number.isNaN(x)) expect(f64ToBits(x)).toBe(bits);
      }),
    );
  });

  it('f32 bits round-trip on raw patterns and round like Math.fround', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 0xffffffff }), anyDouble, (bits, d) => {
        const x = bitsToF32(bits);
        if (!Number.isNaN(x)) expect(f32ToBits(x)).toBe(bits);
        expect(Object.is(bitsToF32(f32ToBits(d)), Math.fround(d))).toBe(true);
      }),
    );
  });
});

describe.each([
  { format: 'bf16' as const, toBits: bf16ToBits, fromBits: bitsToBf16, inf: 0x7f80, qnan: 0x7fc0 },
  { format: 'f16' as const, toBits: f16ToBits, fromBits: bitsToF16, inf: 0x7c00, qnan: 0x7e00 },
])('$format bit casts', ({ format, toBits, fromBits, inf, qnan }) => {
  it('every one of the 65,536 patterns round-trips (NaNs to the canonical quiet NaN)', () => {
    let nans = 0;
    for (const b of ALL16) {
      const x = fromBits(b);
      if (isNaNPattern(b, inf)) {
        expect(Number.isNaN(x)).toBe(true);
        expect(toBits(x)).toBe(qnan);
        nans++;
      } else {
        expect(toBits(x), `pattern 0x${b.toString(16)}`).toBe(b);
        expect(isRepresentable(x, format)).toBe(true);
      }
    }
    // 2 signs × (2^mantissa − 1) NaN patterns
    expect(nans).toBe(2 * (0x10000 - inf - 0x8000 - 1));
  });

  it('decoded values increase with the pattern (0 to +∞) and mirror under the sign bit', () => {
    for (let b = 1; b <= inf; b++) expect(fromBits(b) > fromBits(b - 1)).toBe(true);
    for (let b = 0; b <= inf; b++) expect(Object.is(fromBits(b | 0x8000), -fromBits(b))).toBe(true);
  });

  it('rounds any double once to nearest-even, as the exact BigInt reference does', () => {
    fc.assert(
      fc.property(fc.oneof(anyDouble, nearMidpoints(fromBits, inf)), (x) => {
        if (Number.isNaN(x)) expect(toBits(x)).toBe(qnan);
        else expect(toBits(x)).toBe(referenceBits(x, format));
      }),
      { numRuns: 20_000 },
    );
  });

  it('every exact midpoint (ties) and its two neighbours round as the reference does', () => {
    for (let b = 0; b < inf; b++) {
      const lo = fromBits(b);
      const m = b + 1 === inf ? lo + (lo - fromBits(b - 1)) / 2 : (lo + fromBits(b + 1)) / 2;
      for (const v of [m, bitsToF64(f64ToBits(m) - 1n), bitsToF64(f64ToBits(m) + 1n)]) {
        expect(toBits(v)).toBe(referenceBits(v, format));
        expect(toBits(-v)).toBe(referenceBits(-v, format));
      }
    }
  });

  it('roundToFormat keeps the sign of zero and of underflow', () => {
    expect(Object.is(roundToFormat(-0, format), -0)).toBe(true);
    expect(Object.is(roundToFormat(-(2 ** -300), format), -0)).toBe(true);
    expect(Object.is(roundToFormat(2 ** -300, format), 0)).toBe(true);
  });

  it('isRepresentable refuses a value between two neighbours and non-numbers', () => {
    expect(isRepresentable(1 + 2 ** -20, format)).toBe(false);
    expect(isRepresentable('1', format)).toBe(false);
  });
});

describe('f16 and bf16 limits by their IEEE 754 / bfloat16 definitions', () => {
  it('f16: 65504 is the largest finite, 65520 (the midpoint to 2^16) rounds to ∞, 2^-24 the smallest subnormal', () => {
    expect(bitsToF16(0x7bff)).toBe(65504);
    expect(f16ToBits(65519.99)).toBe(0x7bff);
    expect(f16ToBits(65520)).toBe(0x7c00);
    expect(f16ToBits(-65520)).toBe(0xfc00);
    expect(bitsToF16(0x0001)).toBe(2 ** -24);
    expect(f16ToBits(2 ** -25)).toBe(0); // a tie between 0 and 2^-24 goes to the even 0
    expect(f16ToBits(2 ** -25 * 1.0000001)).toBe(1);
  });

  it('bf16: f32 exponent range, 2^-133 the smallest subnormal, (2 − 2^-7)·2^127 the largest finite', () => {
    expect(bitsToBf16(0x0001)).toBe(2 ** -133);
    expect(bitsToBf16(0x7f7f)).toBe((2 - 2 ** -7) * 2 ** 127);
    expect(bf16ToBits((2 - 2 ** -8) * 2 ** 127)).toBe(0x7f80); // the tie above the largest finite overflows
    expect(bitsToBf16(0x3f80)).toBe(1);
  });

  it('rounding a double to bf16 once differs from rounding it to f32 first', () => {
    // 1 + 2^-8 + 2^-30 is just above the bf16 midpoint 1 + 2^-8, but f32 rounds it onto the midpoint,
    // which then ties to even (1): double rounding. One rounding gives 1 + 2^-7.
    const x = 1 + 2 ** -8 + 2 ** -30;
    expect(bf16ToBits(x)).toBe(0x3f81);
    expect(bf16ToBits(Math.fround(x))).toBe(0x3f80);
  });

  it('a bad format or value is a GegluError in the one message shape', () => {
    expect(() => roundToFormat(1, 'f8' as never)).toThrow(GegluError);
    expect(() => roundToFormat(1, 'f8' as never)).toThrow(/^roundToFormat: format is "f8", expected one of 'f64', 'f32', 'bf16', 'f16'$/);
    expect(() => roundToFormat('1' as never, 'f16')).toThrow(/^roundToFormat: x is "1", expected a number$/);
  });
});
