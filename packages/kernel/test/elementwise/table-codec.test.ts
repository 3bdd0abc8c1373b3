import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeTable, encodeTable } from '../../src/elementwise/table-codec.js';
import { EXACT_COEFFS, EXACT_COUNT, EXACT_DEGREE, TANH_COEFFS, TANH_COUNT, TANH_DEGREE } from '../../src/elementwise/tables.generated.js';

const bitsOf = (a: Float64Array) => Array.from(new BigUint64Array(a.buffer, a.byteOffset, a.length));

describe('table codec', () => {
  it('gives back every float64 bit of any finite table (±0, subnormals, extremes, no smoothness)', () => {
    const finite = fc.double({ noNaN: true, noDefaultInfinity: true });
    fc.assert(
      fc.property(
        fc
          .integer({ min: 1, max: 9 })
          .chain((stride) =>
            fc.tuple(fc.constant(stride), fc.array(fc.array(finite, { minLength: stride, maxLength: stride }), { maxLength: 40 })),
          ),
        ([stride, rows]) => {
          const table = Float64Array.from(rows.flat());
          const back = decodeTable(encodeTable(table, stride), rows.length, stride);
          expect(bitsOf(back)).toEqual(bitsOf(table));
        },
      ),
    );
  });

  it('gives back the kernel tables themselves', () => {
    for (const [coeffs, count, degree] of [
      [EXACT_COEFFS, EXACT_COUNT, EXACT_DEGREE],
      [TANH_COEFFS, TANH_COUNT, TANH_DEGREE],
    ] as const) {
      expect(coeffs.length).toBe(count * (degree + 1));
      expect(bitsOf(decodeTable(encodeTable(coeffs, degree + 1), count, degree + 1))).toEqual(bitsOf(coeffs));
    }
  });

  it('refuses what it cannot store and text of the wrong length', () => {
    expect(() => encodeTable([1, Number.NaN], 2)).toThrow(/coefficient 1 is NaN, expected a finite number/);
    expect(() => encodeTable([1, 2, 3], 2)).toThrow(/3 coefficients is not a multiple of the stride 2/);
    expect(() => decodeTable(encodeTable([1, 2], 2), 2, 2)).toThrow(/16 bytes, expected 32 for 2 × 2 coefficients/);
  });
});
