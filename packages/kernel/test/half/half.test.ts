// gegluBf16/gegluF16 against the oracle, and the argument checks of the 16-bit functions.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { formatInfo, GegluError } from '@geglu/float';
import { correctlyRoundedGeglu } from '@geglu/oracle';
import { f32ToBf16Array, gegluBf16, gegluF16, geluArray, geluBf16Array, geluF16Array } from '../../src/index.js';
import { decode, encode, type Half } from './exhaustive.js';

const GEGLU = { bf16: gegluBf16, f16: gegluF16 } as const;
const GELU = { bf16: geluBf16Array, f16: geluF16Array } as const;

/** Patterns where the kernel's geglu differs from the oracle's (NaN matches any NaN). */
function gegluMismatches(format: Half, approximate: 'none' | 'tanh', gates: number[], ups: number[]): string[] {
  const fn = approximate === 'tanh' ? 'gelu-tanh' : 'gelu';
  const got = GEGLU[format](Uint16Array.from(gates), Uint16Array.from(ups), { approximate });
  const bad: string[] = [];
  for (let i = 0; i < gates.length; i++) {
    const g = decode(gates[i]!, format);
    const u = decode(ups[i]!, format);
    const want = correctlyRoundedGeglu(fn, g, u, format);
    const r = decode(got[i]!, format);
    if (!Object.is(r, want))
      bad.push(`${fn}(${g})·${u} in ${format}: got ${Object.is(r, -0) ? '-0' : r}, want ${Object.is(want, -0) ? '-0' : want}`);
  }
  return bad;
}

describe('gegluBf16 / gegluF16 are correctly rounded (bits equal to the oracle, ±0 distinct)', () => {
  for (const format of ['bf16', 'f16'] as const) {
    it(`random pattern pairs, both forms (${format})`, () => {
      fc.assert(
        fc.property(
          fc.constantFrom('none', 'tanh' as const),
          fc.array(fc.tuple(fc.integer({ min: 0, max: 0xffff }), fc.integer({ min: 0, max: 0xffff })), { minLength: 1, maxLength: 40 }),
          (approximate, pairs) => {
            const bad = gegluMismatches(
              format,
              approximate,
              pairs.map((p) => p[0]),
              pairs.map((p) => p[1]),
            );
            expect(bad).toEqual([]);
          },
        ),
        { numRuns: 25 },
      );
    });
  }

  it('exact ties of g·u, the overflow midpoint and special operands', () => {
    const cases: [Half, number, number][] = [
      // 20·55/32 = 34.375, a bf16 midpoint whose even neighbour (34.5) is above gelu(20)·u.
      ['bf16', 20, 55 / 32],
      ['bf16', -20, 55 / 32],
      ['bf16', 20, -55 / 32],
      // 7·2^60 · 73·2^59 = (2 − 2^-8)·2^127, the midpoint above the largest finite bf16.
      ['bf16', 7 * 2 ** 60, 73 * 2 ** 59],
      ['bf16', formatInfo('bf16').maxFinite, 2],
      ['bf16', 2 ** -133, 1],
      ['bf16', -(2 ** -133), 1],
      ['bf16', -12, 2 ** 127],
      ['bf16', -40, formatInfo('bf16').maxFinite],
      // 20·411/256 = 32.109375, an f16 midpoint; 1008·65 = 65520, the f16 overflow midpoint.
      ['f16', 20, 411 / 256],
      ['f16', 1008, 65],
      ['f16', 1008, -65],
      ['f16', 1024, 64],
      ['f16', 2 ** -24, 1],
      ['f16', -(2 ** -24), -1],
      ['f16', -5, 65504],
      ['f16', 2 ** -24, 2 ** -24],
    ];
    const specials = [0, -0, Infinity, -Infinity, NaN, 1, -1];
    for (const format of ['bf16', 'f16'] as const) {
      for (const g of specials) for (const u of specials) cases.push([format, g, u]);
    }
    for (const approximate of ['none', 'tanh'] as const) {
      for (const format of ['bf16', 'f16'] as const) {
        const mine = cases.filter((c) => c[0] === format);
        const bad = gegluMismatches(
          format,
          approximate,
          mine.map((c) => encode(c[1], format)),
          mine.map((c) => encode(c[2], format)),
        );
        expect(bad).toEqual([]);
      }
    }
    expect(decode(gegluF16(Uint16Array.of(encode(1008, 'f16')), Uint16Array.of(encode(65, 'f16')))[0]!, 'f16')).toBe(65504);
  });
});

describe('16-bit arguments', () => {
  it('a Float32Array where bf16/f16 patterns are expected, and the other way round, is a GegluError naming the argument and dtype', () => {
    const f32 = new Float32Array(3);
    const u16 = new Uint16Array(3);
    expect(() => geluBf16Array(f32 as never)).toThrow(GegluError);
    expect(() => geluBf16Array(f32 as never)).toThrow(
      /^geluBf16Array: x is a Float32Array of length 3, expected a Uint16Array of bf16 bit patterns \(float32\/float64 values go to geluArray; f32ToBf16Array converts\)$/,
    );
    expect(() => gegluF16(u16, f32 as never)).toThrow(
      /^gegluF16: up is a Float32Array of length 3, expected a Uint16Array of f16 bit patterns/,
    );
    expect(() => geluF16Array(u16, { out: f32 as never })).toThrow(
      /^geluF16Array: options\.out is a Float32Array of length 3, expected a Uint16Array of f16 bit patterns/,
    );
    expect(() => geluArray(u16 as never)).toThrow(GegluError);
    expect(() => geluArray(u16 as never)).toThrow(/^geluArray: x is a Uint16Array of length 3, expected a Float32Array or Float64Array/);
  });

  it('lengths, options and overlap are checked', () => {
    const x = new Uint16Array(4);
    expect(() => geluBf16Array(x, { out: new Uint16Array(3) })).toThrow(/^geluBf16Array: options\.out has length 3, expected 4/);
    expect(() => gegluBf16(x, new Uint16Array(5))).toThrow(/^gegluBf16: up has length 5, expected gate\.length = 4$/);
    expect(() => geluF16Array(x, { approximate: 'erf' as never })).toThrow(/^geluF16Array: options\.approximate is "erf"/);
    const big = new Uint16Array(8);
    expect(() => geluF16Array(big.subarray(0, 4), { out: big.subarray(2, 6) })).toThrow(/partially overlaps x/);
  });

  it('in place, empty arrays, and results agree with the conversions from @geglu/float', () => {
    const x = f32ToBf16Array(Float32Array.of(-3, -0.5, 0, 0.5, 3));
    const copy = x.slice();
    const same = geluBf16Array(x, { out: x, approximate: 'tanh' });
    expect(same).toBe(x);
    expect(Array.from(same)).toEqual(Array.from(geluBf16Array(copy, { approximate: 'tanh' })));
    expect(geluF16Array(new Uint16Array(0)).length).toBe(0);
    const g = Uint16Array.of(encode(2, 'f16'));
    const out = gegluF16(g, Uint16Array.of(encode(3, 'f16')), { out: g });
    expect(out).toBe(g);
    expect(GELU.f16(Uint16Array.of(encode(-Infinity, 'f16')))[0]).toBe(0x8000);
  });
});
