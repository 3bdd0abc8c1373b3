import { correctlyRounded } from '@geglu/oracle';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { erf, erfc, gelu, geluF32 } from '../../src/index.js';
import { anyF32Bits, anyF64Bits, f32In, f64In, stepsWithSign } from './helpers.js';

const SUBNORMAL_MAX = 2 ** -1022;

/** Steps from the oracle's correctly rounded value; prints the input on failure. */
function expectSteps(
  computed: number,
  fn: 'gelu' | 'gelu-tanh' | 'erf' | 'erfc',
  x: number,
  format: 'f32' | 'f64',
  maxSteps: number,
): void {
  const want = correctlyRounded(fn, x, format);
  if (Number.isNaN(want)) {
    expect(computed).toBeNaN();
    return;
  }
  const steps = stepsWithSign(computed, want, format);
  expect({ x, computed, want, steps: steps <= maxSteps ? 'ok' : steps }).toEqual({
    x,
    computed,
    want,
    steps: 'ok',
  });
}

// Regions follow the method's intervals (docs in src/elementwise/scalar.ts):
// the underflowing tail (subnormal results), the far tail, the series/continued
// fraction split at |x/√2| = 2.5, the central region, the positive side up to
// the identity, and tiny |x| including subnormal inputs.
const EXACT_REGIONS: ReadonlyArray<[number, number]> = [
  [-38.7, -37.5], // results subnormal or −0 (underflow near −38.58)
  [-37.5, -8],
  [-8, -3.5356],
  [-3.5356, -0.5],
  [-0.5, 0.5],
  [0.5, 3.5356],
  [3.5356, 9],
  [9, 41],
  [-(2 ** -60), 2 ** -60],
  [-SUBNORMAL_MAX, SUBNORMAL_MAX],
];
const TANH_REGIONS: ReadonlyArray<[number, number]> = [
  [-21.7, -20.5], // results subnormal or −0 (underflow near −21.55)
  [-20.5, -6],
  [-6, -1],
  [-1, 1],
  [1, 4],
  [4, 11],
  [-(2 ** -60), 2 ** -60],
  [-SUBNORMAL_MAX, SUBNORMAL_MAX],
];

describe('gelu (kernel f64) against the oracle', () => {
  for (const [a, b] of EXACT_REGIONS) {
    it(`gelu (kernel f64) is correctly rounded (0 steps) on [${a}, ${b}]`, () => {
      fc.assert(fc.property(f64In(a, b), (x) => expectSteps(gelu(x), 'gelu', x, 'f64', 0)));
    });
  }
  for (const [a, b] of TANH_REGIONS) {
    it(`gelu tanh (kernel f64) is correctly rounded (0 steps) on [${a}, ${b}]`, () => {
      fc.assert(fc.property(f64In(a, b), (x) => expectSteps(gelu(x, { approximate: 'tanh' }), 'gelu-tanh', x, 'f64', 0)));
    });
  }
  it('gelu both forms (kernel f64) are within 1 step for any double bit pattern', () => {
    fc.assert(
      fc.property(anyF64Bits, (x) => {
        expectSteps(gelu(x), 'gelu', x, 'f64', 1);
        expectSteps(gelu(x, { approximate: 'tanh' }), 'gelu-tanh', x, 'f64', 1);
      }),
    );
  });
});

describe('erf and erfc (kernel f64) against the oracle', () => {
  for (const [a, b] of [
    [-6.5, -2.5],
    [-2.5, 2.5],
    [2.5, 6.5],
    [-(2 ** -500), 2 ** -500],
  ] as const) {
    it(`erf (kernel f64) is correctly rounded (0 steps) on [${a}, ${b}]`, () => {
      fc.assert(fc.property(f64In(a, b), (x) => expectSteps(erf(x), 'erf', x, 'f64', 0)));
    });
  }
  for (const [a, b] of [
    [-6.5, -1],
    [-1, 2.5],
    [2.5, 10],
    [10, 26.5],
    [26.5, 28.5], // subnormal results; underflow near 27.23
  ] as const) {
    it(`erfc (kernel f64) is correctly rounded (0 steps) on [${a}, ${b}]`, () => {
      fc.assert(fc.property(f64In(a, b), (x) => expectSteps(erfc(x), 'erfc', x, 'f64', 0)));
    });
  }
});

describe('geluF32 (kernel f32 scalar) against the oracle', () => {
  for (const [a, b] of [
    [-14.5, -13], // subnormal float32 results and the underflow near −14.36
    [-13, -3],
    [-3, 3],
    [3, 6],
    [-(2 ** -126), 2 ** -126],
  ] as const) {
    it(`gelu (kernel f32 scalar) is correctly rounded on [${a}, ${b}]`, () => {
      fc.assert(fc.property(f32In(a, b), (x) => expectSteps(geluF32(x), 'gelu', x, 'f32', 0)));
    });
  }
  for (const [a, b] of [
    [-11, -9.5], // subnormal float32 results and the underflow near −10.77
    [-9.5, -2],
    [-2, 2],
    [2, 6],
  ] as const) {
    it(`gelu tanh (kernel f32 scalar) is correctly rounded on [${a}, ${b}]`, () => {
      fc.assert(fc.property(f32In(a, b), (x) => expectSteps(geluF32(x, { approximate: 'tanh' }), 'gelu-tanh', x, 'f32', 0)));
    });
  }
  it('gelu both forms (kernel f32 scalar) are correctly rounded for any float32 bit pattern', () => {
    fc.assert(
      fc.property(anyF32Bits, (x) => {
        expectSteps(geluF32(x), 'gelu', x, 'f32', 0);
        expectSteps(geluF32(x, { approximate: 'tanh' }), 'gelu-tanh', x, 'f32', 0);
      }),
    );
  });
});

describe('special values (DESIGN.md: Accuracy semantics)', () => {
  for (const approximate of ['none', 'tanh'] as const) {
    for (const [name, g] of [
      ['gelu', (x: number) => gelu(x, { approximate })],
      ['geluF32', (x: number) => geluF32(x, { approximate })],
    ] as const) {
      it(`${name} ${approximate}: NaN → NaN, +∞ → +∞, −∞ → −0, ±0 → ±0`, () => {
        expect(g(NaN)).toBeNaN();
        expect(Object.is(g(Infinity), Infinity)).toBe(true);
        expect(Object.is(g(-Infinity), -0)).toBe(true);
        expect(Object.is(g(0), 0)).toBe(true);
        expect(Object.is(g(-0), -0)).toBe(true);
      });
    }
  }
  it('gelu (f64) of the smallest subnormals: +2^-1074 → 2^-1074, −2^-1074 → −0 (x/2 + x²/√(2π) breaks the tie)', () => {
    expect(gelu(5e-324)).toBe(5e-324);
    expect(Object.is(gelu(-5e-324), -0)).toBe(true);
    expect(gelu(3 * 5e-324)).toBe(2 * 5e-324);
    expect(gelu(-3 * 5e-324)).toBe(-5e-324);
  });
  it('gelu far tails: −∞ < x ≤ −38.6 (exact) and ≤ −21.6 (tanh) give −0; x ≥ 41 gives x', () => {
    for (const x of [-38.6, -50, -1e300]) expect(Object.is(gelu(x), -0)).toBe(true);
    for (const x of [-21.6, -30, -1e300]) expect(Object.is(gelu(x, { approximate: 'tanh' }), -0)).toBe(true);
    for (const x of [41, 1e300]) expect(gelu(x)).toBe(x);
  });
  it('erf/erfc special values: erf(±∞) = ±1, erf(±0) = ±0, erfc(+∞) = +0, erfc(−∞) = 2, NaN → NaN', () => {
    expect(erf(Infinity)).toBe(1);
    expect(erf(-Infinity)).toBe(-1);
    expect(Object.is(erf(-0), -0)).toBe(true);
    expect(Object.is(erf(0), 0)).toBe(true);
    expect(Object.is(erfc(Infinity), 0)).toBe(true);
    expect(erfc(-Infinity)).toBe(2);
    expect(erf(NaN)).toBeNaN();
    expect(erfc(NaN)).toBeNaN();
  });
});

describe('scalar argument validation', () => {
  it('rejects a non-number x and a bad approximate, naming argument, expected and actual', () => {
    expect(() => gelu('1' as unknown as number)).toThrow(/gelu: x is "1", expected a number/);
    expect(() => erf(1n as unknown as number)).toThrow(/erf: x is 1n, expected a number/);
    expect(() => gelu(1, { approximate: 'fast' as 'tanh' })).toThrow(/gelu: options.approximate is "fast", expected 'none' or 'tanh'/);
    expect(() => geluF32(1, 3 as never)).toThrow(/geluF32: options is 3, expected an object or undefined/);
  });
});
