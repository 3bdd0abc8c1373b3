import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  float32,
  float32Bits,
  float64,
  float64Bits,
  floatInRange,
  floatNear,
  floatToOrdinal,
  formatLimits,
  ordinalToFloat,
  specialValues,
  stepFloat,
} from '../../src/arbitraries/index.js';

describe('float ordinals', () => {
  it('f32: ordinal → float → ordinal is the identity on every ordered float32 (excluding NaN)', () => {
    fc.assert(
      fc.property(
        float32().filter((x) => !Number.isNaN(x)),
        (x) => {
          expect(Object.is(ordinalToFloat(floatToOrdinal(x, 'f32'), 'f32'), x)).toBe(true);
        },
      ),
    );
  });

  it('f64: ordinal → float → ordinal is the identity on every ordered float64 (excluding NaN)', () => {
    fc.assert(
      fc.property(
        float64().filter((x) => !Number.isNaN(x)),
        (x) => {
          expect(Object.is(ordinalToFloat(floatToOrdinal(x, 'f64'), 'f64'), x)).toBe(true);
        },
      ),
    );
  });

  it('ordinals are monotone: x < y ⇒ ord(x) < ord(y), and −0 sits one below +0', () => {
    expect(floatToOrdinal(-0, 'f32')).toBe(-1);
    expect(floatToOrdinal(0, 'f32')).toBe(0);
    expect(floatToOrdinal(-0, 'f64')).toBe(-1n);
    fc.assert(
      fc.property(float32(), float32(), (a, b) => {
        fc.pre(!Number.isNaN(a) && !Number.isNaN(b) && a < b);
        expect(floatToOrdinal(a, 'f32')).toBeLessThan(floatToOrdinal(b, 'f32'));
      }),
    );
  });

  it('stepFloat moves by representable neighbours: 1 + 2^−23 (f32) and 1 + 2^−52 (f64), smallest subnormals next to ±0', () => {
    // 2^-23 and 2^-52 are the binary32/binary64 epsilons (IEEE 754-2019, Table 3.5: p = 24, 53).
    expect(stepFloat(1, 1, 'f32')).toBe(1 + 2 ** -23);
    expect(stepFloat(1, 1, 'f64')).toBe(1 + Number.EPSILON);
    expect(stepFloat(0, 1, 'f32')).toBe(2 ** -149);
    expect(Object.is(stepFloat(0, -1, 'f64'), -0)).toBe(true);
    expect(stepFloat(-0, -1, 'f64')).toBe(-(2 ** -1074));
  });

  it('format limits come out of the bit patterns as IEEE 754 binary32/binary64 define them', () => {
    const f32 = formatLimits('f32');
    expect([f32.minSubnormal, f32.minNormal, f32.epsilon]).toEqual([2 ** -149, 2 ** -126, 2 ** -23]);
    expect(f32.max).toBe((2 - 2 ** -23) * 2 ** 127);
    const f64 = formatLimits('f64');
    expect([f64.minSubnormal, f64.minNormal, f64.max]).toEqual([Number.MIN_VALUE, 2 ** -1022, Number.MAX_VALUE]);
  });
});

describe('raw-bit float arbitraries', () => {
  it('float32() yields only float32 values and reaches subnormals, ±0, ±∞ and NaN in 20 000 draws', () => {
    const seen = { sub: 0, zero: 0, inf: 0, nan: 0 };
    // fc.sample uses the globally configured seed, so this is reproducible with GEGLU_SEED.
    for (const x of fc.sample(fc.oneof(float32(), fc.constantFrom(...specialValues('f32'))), 20_000)) {
      expect(Number.isNaN(x) || Math.fround(x) === x).toBe(true);
      if (x !== 0 && Math.abs(x) < 2 ** -126) seen.sub++;
      if (x === 0) seen.zero++;
      if (!Number.isFinite(x) && !Number.isNaN(x)) seen.inf++;
      if (Number.isNaN(x)) seen.nan++;
    }
    expect(Object.values(seen).every((n) => n > 0)).toBe(true);
  });

  it('float32() alone hits subnormals and NaN payloads at their bit-space share (≈ 0.4 % each) in 20 000 draws', () => {
    let sub = 0;
    let nan = 0;
    for (const x of fc.sample(float32(), 20_000)) {
      if (x !== 0 && Math.abs(x) < 2 ** -126) sub++;
      if (Number.isNaN(x)) nan++;
    }
    // 2·2^23/2^32 ≈ 0.39 % of patterns are subnormal and ≈ 0.39 % NaN: expect ~78 each; 10 is a 6-sigma floor.
    expect(sub).toBeGreaterThan(10);
    expect(nan).toBeGreaterThan(10);
  });

  it('float32Bits/float64Bits invert the raw-bit mappings', () => {
    fc.assert(
      fc.property(fc.integer({ min: -0x80000000, max: 0x7fffffff }), (b) => {
        const x = new Float32Array(new Int32Array([b]).buffer)[0]!;
        fc.pre(!Number.isNaN(x));
        expect(float32Bits(x)).toBe(b);
      }),
    );
    expect(float64Bits(-0)).toBe(1n << 63n);
  });

  it('floatInRange stays inside [lo, hi] and yields values of the format', () => {
    fc.assert(
      fc.property(floatInRange(-13.25, -4, 'f32'), (x) => {
        expect(x >= -13.25 && x <= -4 && Math.fround(x) === x).toBe(true);
      }),
    );
    fc.assert(
      fc.property(floatInRange(-(2 ** -1022), 2 ** -1022, 'f64'), (x) => {
        expect(Math.abs(x) <= 2 ** -1022).toBe(true);
      }),
    );
  });

  it('floatNear stays within the given number of representable steps of the centre', () => {
    fc.assert(
      fc.property(floatNear(-14.25, 100, 'f32'), (x) => {
        const d = Math.abs(floatToOrdinal(x, 'f32') - floatToOrdinal(-14.25, 'f32'));
        expect(d).toBeLessThanOrEqual(100);
      }),
    );
  });
});
