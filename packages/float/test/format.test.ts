import { describe as group, expect, it } from 'vitest';
import {
  argumentError,
  bitsToBf16,
  bitsToF16,
  bitsToF32,
  bitsToF64,
  describe,
  FLOAT_FORMATS,
  formatFloat,
  formatInfo,
  GegluError,
  isFloatFormat,
} from '../src/index.js';

group('formatInfo', () => {
  it('limits agree with the largest, smallest-normal and smallest-subnormal bit patterns', () => {
    const cases = [
      ['f64', bitsToF64(0x7fefffffffffffffn), bitsToF64(0x0010000000000000n), bitsToF64(1n), 64, 53],
      ['f32', bitsToF32(0x7f7fffff), bitsToF32(0x00800000), bitsToF32(1), 32, 24],
      ['bf16', bitsToBf16(0x7f7f), bitsToBf16(0x0080), bitsToBf16(1), 16, 8],
      ['f16', bitsToF16(0x7bff), bitsToF16(0x0400), bitsToF16(1), 16, 11],
    ] as const;
    for (const [name, max, minNormal, minSub, bits, p] of cases) {
      const info = formatInfo(name);
      expect(info.maxFinite).toBe(max);
      expect(info.minNormal).toBe(minNormal);
      expect(info.minSubnormal).toBe(minSub);
      expect(info.minSubnormal).toBe(2 ** info.etiny);
      expect([info.bits, info.precision]).toEqual([bits, p]);
    }
    expect(formatInfo('bf16').etiny).toBe(-133);
    expect(formatInfo('f16').maxFinite).toBe(65504);
    expect(formatInfo('f16').infinityBits).toBe(0x7c00n);
    expect(formatInfo('f64').infinityBits).toBe(0x7ff0000000000000n);
    expect(FLOAT_FORMATS.every(isFloatFormat)).toBe(true);
    expect(isFloatFormat('toString')).toBe(false);
  });
});

group('describe and formatFloat', () => {
  it('spells −0 out and keeps other numbers as JavaScript prints them', () => {
    expect(formatFloat(-0)).toBe('-0');
    expect(formatFloat(0)).toBe('0');
    expect(formatFloat(-1.5e-45)).toBe('-1.5e-45');
    expect(formatFloat(NaN)).toBe('NaN');
  });

  it('describes any value briefly', () => {
    expect(describe(-0)).toBe('-0');
    expect(describe('x'.repeat(50))).toBe(`"${'x'.repeat(40)}…"`);
    expect(describe(3n)).toBe('3n');
    expect(describe([1, 2])).toBe('an Array of length 2');
    expect(describe(new Float32Array(3))).toBe('a Float32Array of length 3');
    expect(describe({})).toBe('an object (Object)');
    expect(describe(new (class Decimal {})())).toBe('an object (Decimal)');
    expect(
      describe(
        new (class Decimal {
          toString() {
            return '0.1';
          }
        })(),
      ),
    ).toBe('Decimal(0.1)');
    expect(describe(new Map())).toBe('an object (Map)');
    expect(describe(null)).toBe('null');
    expect(describe(undefined)).toBe('undefined');
    expect(describe(() => 1)).toBe('a function');
  });

  it('argumentError builds the one message shape', () => {
    const e = argumentError('gelu', 'x', 'a', 'a number');
    expect(e).toBeInstanceOf(GegluError);
    expect(e.name).toBe('GegluError');
    expect(e.message).toBe('gelu: x is "a", expected a number');
  });
});
