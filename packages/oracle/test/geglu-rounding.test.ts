// correctlyRoundedGeglu: one GeGLU element rounded to f32/f64, checked against a direct
// evaluation at 300 digits where that settles the rounding, and against the analytic
// rule (fn(g) − g has the sign of −g) where no number of digits can.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { correctlyRoundedGeglu, Decimal, evaluate, exactDecimal, roundDecimal, type FloatFormat, type GeluFunction } from '../src/index.js';

const FNS: readonly GeluFunction[] = ['gelu', 'gelu-tanh', 'gelu-sigmoid'];
const P = Decimal.clone({ precision: 2000 });

/** roundDecimal(fn(g)·u) from a 300-digit enclosure, or undefined when its ends round apart. */
function direct(fn: GeluFunction, g: number, u: number, format: FloatFormat): number | undefined {
  const e = evaluate(fn, exactDecimal(g), { digits: 300 });
  const ud = exactDecimal(u);
  const lo = roundDecimal(new P(e.value).minus(e.error).times(ud), format);
  const hi = roundDecimal(new P(e.value).plus(e.error).times(ud), format);
  return Object.is(lo, hi) ? lo : undefined;
}

/**
 * (g, u) with g·u exactly halfway between two floats of the format: u = mu·2^-k with mu
 * the first odd integer that makes g's odd mantissa times mu p + 1 bits long.
 */
function tieFor(g: number, format: FloatFormat): number {
  const p = format === 'f32' ? 24 : 53;
  let a = g;
  while (!Number.isInteger(a)) a *= 2;
  let mg = BigInt(a);
  while ((mg & 1n) === 0n) mg >>= 1n;
  let mu = ((1n << BigInt(p)) + mg - 1n) / mg;
  if ((mu & 1n) === 0n) mu += 1n;
  if ((mg * mu).toString(2).length !== p + 1 || mu >= 1n << BigInt(p)) throw new Error(`no tie partner for ${g} in ${format}`);
  return Number(mu) / 2 ** (mu.toString(2).length - 1); // in [1, 2)
}

describe('correctlyRoundedGeglu', () => {
  it('equals the rounding of a 300-digit enclosure of fn(g)·u wherever that settles it (f32 and f64, all three variants)', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...FNS),
        fc.constantFrom<FloatFormat>('f32', 'f64'),
        fc.double({ min: -30, max: 30, noNaN: true }),
        fc.double({ min: -1e30, max: 1e30, noNaN: true }),
        (fn, format, g0, u0) => {
          const g = format === 'f32' ? Math.fround(g0) : g0;
          const u = format === 'f32' ? Math.fround(u0) : u0;
          const want = direct(fn, g, u, format);
          if (want === undefined) return; // a tie the enclosure straddles: the next test
          const got = correctlyRoundedGeglu(fn, g, u, format);
          // A zero result carries the sign of fn(g)·u, which is sign(g)·sign(u).
          const signed = want === 0 ? ((g < 0 || Object.is(g, -0)) !== (u < 0 || Object.is(u, -0)) ? -0 : 0) : want;
          expect({ fn, g, u, got }).toEqual({ fn, g, u, got: signed });
        },
      ),
      { numRuns: 150 },
    );
  });

  it('breaks exact ties of g·u the way fn(g)·u lies: where 300 digits resolve fn(g) − g (g ≤ 9.5) it agrees with them', () => {
    for (const format of ['f32', 'f64'] as const) {
      for (const g of [1.5, 3, 5.25, 7.5, 9.5]) {
        const u = tieFor(g, format);
        for (const fn of FNS) {
          for (const s of [1, -1]) {
            const want = direct(fn, g, s * u, format);
            expect(want, `${fn}(${g})·${s * u} settled at 300 digits`).not.toBeUndefined();
            expect(correctlyRoundedGeglu(fn, g, s * u, format)).toBe(want);
          }
        }
      }
    }
  });

  it('breaks exact ties of g·u toward zero where fn(g) is within 2^-120 of g (gelu, tanh: g ≥ 10; sigmoid: g ≥ 50; the analytic rule)', () => {
    for (const format of ['f32', 'f64'] as const) {
      for (const g of [10, 12.5, 40, 64.5, 100, 1000.5]) {
        const u = tieFor(g, format);
        const tie = new P(exactDecimal(g)).times(exactDecimal(u));
        // The two floats around the tie: round the tie nudged by ±10^-1000 relative.
        const below = roundDecimal(tie.times(new P(1).minus('1e-1000')), format);
        const above = roundDecimal(tie.times(new P(1).plus('1e-1000')), format);
        expect(below).not.toBe(above);
        for (const fn of FNS) {
          if (fn === 'gelu-sigmoid' && g < 50) continue; // g − g·σ(1.702g) is still ~10^-7·g at g = 10
          // gelu(g) < g for g > 0, so |fn(g)·u| < |g·u|: the float nearer zero, either sign of u.
          expect(correctlyRoundedGeglu(fn, g, u, format)).toBe(below);
          expect(correctlyRoundedGeglu(fn, g, -u, format)).toBe(-below);
        }
      }
    }
  });

  it('follows IEEE products for special values and gives underflowing results the sign of g·u', () => {
    expect(correctlyRoundedGeglu('gelu', NaN, 1, 'f64')).toBeNaN();
    expect(correctlyRoundedGeglu('gelu', 1, NaN, 'f32')).toBeNaN();
    expect(correctlyRoundedGeglu('gelu', Infinity, 0, 'f64')).toBeNaN();
    expect(correctlyRoundedGeglu('gelu', 0, Infinity, 'f64')).toBeNaN();
    expect(correctlyRoundedGeglu('gelu-tanh', -Infinity, -2, 'f64')).toBe(0);
    expect(Object.is(correctlyRoundedGeglu('gelu-tanh', -Infinity, 2, 'f64'), -0)).toBe(true);
    expect(correctlyRoundedGeglu('gelu', 3, -Infinity, 'f32')).toBe(-Infinity);
    expect(Object.is(correctlyRoundedGeglu('gelu', -0, 5, 'f32'), -0)).toBe(true);
    expect(Object.is(correctlyRoundedGeglu('gelu', 2, -0, 'f64'), -0)).toBe(true);
    // gelu(−100) ≈ −10^-2175: the product underflows to a zero with the sign of g·u.
    expect(Object.is(correctlyRoundedGeglu('gelu', -100, 3, 'f64'), -0)).toBe(true);
    expect(Object.is(correctlyRoundedGeglu('gelu', -100, -3, 'f32'), 0)).toBe(true);
  });

  it('rejects an unknown function, format or non-number operand by name', () => {
    expect(() => correctlyRoundedGeglu('erf' as GeluFunction, 1, 1, 'f64')).toThrow(
      /^correctlyRoundedGeglu: fn is "erf", expected 'gelu', 'gelu-tanh' or 'gelu-sigmoid'$/,
    );
    expect(() => correctlyRoundedGeglu('gelu', 1, 1, 'f8' as FloatFormat)).toThrow(/correctlyRoundedGeglu/);
    expect(() => correctlyRoundedGeglu('gelu', '1' as unknown as number, 1, 'f64')).toThrow(
      /^correctlyRoundedGeglu: g is "1", expected a number$/,
    );
  });
});
