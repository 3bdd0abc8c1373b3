// bf16 and f16 in the oracle: correctlyRounded, correctlyRoundedGeglu and roundDecimal
// against an independent rounding written here (exact BigInt rationals, no Decimal
// midpoints), on seeded random bit patterns, every special value and the boundaries.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { bitsToBf16, bitsToF16, formatInfo, roundToFormat } from '@geglu/float';
import {
  correctlyRounded,
  correctlyRoundedGeglu,
  Decimal,
  evaluate,
  exactDecimal,
  roundDecimal,
  ulpError,
  type OracleFunction,
} from '../src/index.js';

type Half = 'bf16' | 'f16';
const HALVES: readonly Half[] = ['bf16', 'f16'];
const decode = (bits: number, format: Half) => (format === 'bf16' ? bitsToBf16(bits) : bitsToF16(bits));
const P = Decimal.clone({ precision: 2000 });

/** An exact rational N/D (D > 0) for a finite Decimal. */
function rational(d: Decimal): { n: bigint; d: bigint } {
  const [mantissa, exp] = new P(d).toExponential().split('e') as [string, string];
  const [int, frac = ''] = mantissa.replace('-', '').split('.') as [string, string?];
  const digits = BigInt(int + frac);
  const k = Number(exp) - frac.length;
  const sign = d.isNeg() ? -1n : 1n;
  return k >= 0 ? { n: sign * digits * 10n ** BigInt(k), d: 1n } : { n: sign * digits, d: 10n ** BigInt(-k) };
}

/**
 * The rational n/d rounded to nearest-even in the format, from its definition: with
 * e = max(⌊log2|v|⌋, emin) and q = e − p + 1, the result is round(|v|·2^−q)·2^q, and
 * anything above the largest finite after that rounding is ∞. A zero keeps v's sign.
 */
function roundRational(n: bigint, d: bigint, format: Half, negativeZero: boolean): number {
  const info = formatInfo(format);
  const negative = n < 0n || (n === 0n && negativeZero);
  const a = n < 0n ? -n : n;
  if (a === 0n) return negative ? -0 : 0;
  // ⌊log2(a/d)⌋ from bit lengths, corrected by one exact comparison.
  let e = a.toString(2).length - d.toString(2).length;
  const atLeast = (k: number) => (k >= 0 ? a >= d << BigInt(k) : a << BigInt(-k) >= d);
  if (!atLeast(e)) e -= 1;
  e = Math.max(e, info.emin);
  const q = e - info.precision + 1;
  const num = q <= 0 ? a << BigInt(-q) : a;
  const den = q <= 0 ? d : d << BigInt(q);
  let m = num / den;
  const twice = 2n * (num % den);
  if (twice > den || (twice === den && m % 2n === 1n)) m += 1n;
  let v = Number(m) * 2 ** q;
  if (v > info.maxFinite) v = Infinity;
  return negative ? -v : v;
}

/** An enclosure's ends rounded by roundRational, or undefined if they differ. */
function roundEnclosure(value: Decimal, error: Decimal, format: Half): number | undefined {
  // Far below half the smallest subnormal (2^-134, 2^-25) only the sign is left.
  if (new P(value).abs().plus(error).lt(new P(2).pow(-300))) return value.isNeg() ? -0 : 0;
  const lo = rational(new P(value).minus(error));
  const hi = rational(new P(value).plus(error));
  const a = roundRational(lo.n, lo.d, format, value.isNeg());
  const b = roundRational(hi.n, hi.d, format, value.isNeg());
  return Object.is(a, b) ? a : undefined;
}

/** fn(x) rounded to the format from evaluate's enclosures at growing digits. */
function reference(fn: OracleFunction, x: number, format: Half): number {
  for (const digits of [30, 90, 300]) {
    const e = evaluate(fn, exactDecimal(x), { digits });
    const r = roundEnclosure(e.value, e.error, format);
    if (r !== undefined) return r;
  }
  throw new Error(`reference: ${fn}(${x}) in ${format} not decided at 300 digits`);
}

/** Special values, as DESIGN.md and the oracle's README state them. */
const SPECIAL: Record<'gelu' | 'gelu-tanh' | 'erf' | 'erfc', [number, number][]> = {
  gelu: [
    [NaN, NaN],
    [Infinity, Infinity],
    [-Infinity, -0],
    [0, 0],
    [-0, -0],
  ],
  'gelu-tanh': [
    [NaN, NaN],
    [Infinity, Infinity],
    [-Infinity, -0],
    [0, 0],
    [-0, -0],
  ],
  erf: [
    [NaN, NaN],
    [Infinity, 1],
    [-Infinity, -1],
    [0, 0],
    [-0, -0],
  ],
  erfc: [
    [NaN, NaN],
    [Infinity, 0],
    [-Infinity, 2],
    [0, 1],
    [-0, 1],
  ],
};
const FNS = Object.keys(SPECIAL) as (keyof typeof SPECIAL)[];

/** Finite boundary inputs of each format: smallest subnormal, largest subnormal, smallest normal, largest finite, ±. */
function boundaries(format: Half): number[] {
  const i = formatInfo(format);
  const xs = [i.minSubnormal, i.minNormal - i.minSubnormal, i.minNormal, i.maxFinite, 1, 0.5, 3, 10];
  return [...xs, ...xs.map((x) => -x)];
}

describe('correctlyRounded in bf16 and f16', () => {
  for (const format of HALVES) {
    for (const fn of FNS) {
      it(`${fn} (${format}) equals the exact-rational rounding of the enclosure on random bit patterns`, () => {
        fc.assert(
          fc.property(fc.integer({ min: 0, max: 0xffff }), (bits) => {
            const x = decode(bits, format);
            if (!Number.isFinite(x)) return;
            expect({ x, got: correctlyRounded(fn, x, format) }).toEqual({ x, got: reference(fn, x, format) });
          }),
          { numRuns: 300 },
        );
      });
    }
    it(`every special value and boundary input (${format}): gelu, gelu-tanh, erf, erfc, signed zeros bit-exact`, () => {
      for (const fn of FNS) {
        for (const [x, want] of SPECIAL[fn]) expect({ fn, x, got: correctlyRounded(fn, x, format) }).toEqual({ fn, x, got: want });
        for (const x of boundaries(format)) {
          expect({ fn, x, got: correctlyRounded(fn, x, format) }).toEqual({ fn, x, got: reference(fn, x, format) });
        }
      }
    });
  }

  it('underflow: gelu of the smallest subnormal is a tie x/2 broken upwards by the x² term; negative tails give −0', () => {
    // gelu(x) = x/2 + x²/√(2π) + …: x/2 lies halfway between 0 and x, the positive term rounds it to x.
    expect(correctlyRounded('gelu', 2 ** -133, 'bf16')).toBe(2 ** -133);
    expect(correctlyRounded('gelu', 2 ** -24, 'f16')).toBe(2 ** -24);
    // −x/2 + x²/√(2π) lies just above −x/2, toward zero: the tie goes to −0.
    expect(Object.is(correctlyRounded('gelu', -(2 ** -133), 'bf16'), -0)).toBe(true);
    expect(Object.is(correctlyRounded('gelu-tanh', -(2 ** -24), 'f16'), -0)).toBe(true);
    // |gelu(−10)| ≈ 7.6e-23 (DESIGN.md): below half the smallest f16 subnormal, a normal bf16.
    expect(Object.is(correctlyRounded('gelu', -10, 'f16'), -0)).toBe(true);
    expect(correctlyRounded('gelu', -10, 'bf16')).toBe(reference('gelu', -10, 'bf16'));
    expect(correctlyRounded('gelu', -10, 'bf16')).toBeLessThan(0);
    // |gelu(−20)| ≈ 5.5e-88 is below half the smallest bf16 subnormal (2^-134 ≈ 4.6e-41) too.
    expect(Object.is(correctlyRounded('gelu', -20, 'bf16'), -0)).toBe(true);
  });
});

describe('correctlyRoundedGeglu in bf16 and f16', () => {
  for (const format of HALVES) {
    it(`gelu(g)·u (${format}, both forms) equals the exact-rational rounding of the enclosure times u`, () => {
      fc.assert(
        fc.property(
          fc.constantFrom('gelu', 'gelu-tanh' as const),
          fc.integer({ min: 0, max: 0xffff }),
          fc.integer({ min: 0, max: 0xffff }),
          (fn, gb, ub) => {
            const g = decode(gb, format);
            const u = decode(ub, format);
            if (!Number.isFinite(g) || !Number.isFinite(u) || g === 0 || u === 0) return;
            // g ≥ 10: gelu(g)·u lies within 2^-120 relative of g·u, which may be a tie; the next test.
            if (g >= 10) return;
            const ud = exactDecimal(u);
            let want: number | undefined;
            for (const digits of [30, 90, 300]) {
              const e = evaluate(fn, exactDecimal(g), { digits });
              want = roundEnclosure(new P(e.value).times(ud), new P(e.error).times(ud.abs()), format);
              if (want !== undefined) break;
            }
            if (want === 0) want = g < 0 !== u < 0 ? -0 : 0;
            expect({ fn, g, u, got: correctlyRoundedGeglu(fn, g, u, format) }).toEqual({ fn, g, u, got: want });
          },
        ),
        { numRuns: 300 },
      );
    });
  }

  it('ties of g·u and the overflow midpoint go the way gelu(g) < g says', () => {
    // gelu(g) < g for g > 0, so gelu(g)·u lies just below g·u in magnitude (toward zero).
    // f16: 1008·65 = 65520, the midpoint between 65504 and 2^16: just below it stays finite.
    expect(correctlyRoundedGeglu('gelu', 1008, 65, 'f16')).toBe(65504);
    expect(correctlyRoundedGeglu('gelu-tanh', 1008, -65, 'f16')).toBe(-65504);
    // bf16: 7·2^60 · 73·2^59 = 511·2^119 = (2 − 2^-8)·2^127, the midpoint above the largest finite.
    expect(correctlyRoundedGeglu('gelu', 7 * 2 ** 60, 73 * 2 ** 59, 'bf16')).toBe(formatInfo('bf16').maxFinite);
    // bf16: 20·(55/32) = 34.375 = 275·2^-3 lies halfway between 34.25 and 34.5 (spacing 2^-2);
    // ties-to-even would give 34.5 (odd 275 → 138), but gelu(20)·u is below the tie: 34.25.
    expect(roundToFormat(20 * (55 / 32), 'bf16')).toBe(34.5);
    expect(correctlyRoundedGeglu('gelu', 20, 55 / 32, 'bf16')).toBe(34.25);
    expect(correctlyRoundedGeglu('gelu-tanh', 20, -55 / 32, 'bf16')).toBe(-34.25);
    // f16: 20·(411/256) = 32.109375 = 2055·2^-6, halfway between 32.09375 and 32.125 (spacing 2^-5).
    expect(roundToFormat(20 * (411 / 256), 'f16')).toBe(32.125);
    expect(correctlyRoundedGeglu('gelu', 20, 411 / 256, 'f16')).toBe(32.09375);
    expect(correctlyRoundedGeglu('gelu-tanh', -20, 411 / 256, 'f16')).toBe(-0); // gelu(−20) ≈ −5.5e-88
    // Zero and infinite operands follow IEEE product rules in the format.
    expect(Object.is(correctlyRoundedGeglu('gelu', -0, 3, 'bf16'), -0)).toBe(true);
    expect(correctlyRoundedGeglu('gelu', 2, Infinity, 'f16')).toBe(Infinity);
    expect(correctlyRoundedGeglu('gelu', Infinity, 0, 'f16')).toBeNaN();
  });
});

describe('roundDecimal to bf16 and f16', () => {
  const D = (s: string) => new P(s);
  it('overflow, ties to even, subnormals and signed zero at the boundaries', () => {
    expect(roundDecimal(D('65519.999999999'), 'f16')).toBe(65504);
    expect(roundDecimal(D('65520'), 'f16')).toBe(Infinity);
    expect(roundDecimal(D('-65520'), 'f16')).toBe(-Infinity);
    expect(roundDecimal(D('65504.0000001'), 'f16')).toBe(65504);
    // 2^-25 is half the smallest f16 subnormal: a tie to even (0); a hair above rounds up.
    expect(roundDecimal(exactDecimal(2 ** -25), 'f16')).toBe(0);
    expect(roundDecimal(new P(exactDecimal(2 ** -25)).plus('1e-40'), 'f16')).toBe(2 ** -24);
    expect(roundDecimal(exactDecimal(3 * 2 ** -25), 'f16')).toBe(2 ** -23);
    expect(Object.is(roundDecimal(D('-1e-30'), 'f16'), -0)).toBe(true);
    expect(Object.is(roundDecimal(exactDecimal(-(2 ** -134)), 'bf16'), -0)).toBe(true);
    expect(roundDecimal(exactDecimal(3 * 2 ** -134), 'bf16')).toBe(2 ** -132);
    expect(roundDecimal(exactDecimal(1 + 2 ** -8), 'bf16')).toBe(1);
    expect(roundDecimal(exactDecimal(1 + 3 * 2 ** -8), 'bf16')).toBe(1 + 2 ** -6);
    expect(roundDecimal(exactDecimal(511 * 2 ** 119), 'bf16')).toBe(Infinity);
    expect(roundDecimal(new P(exactDecimal(511 * 2 ** 119)).minus(1), 'bf16')).toBe(formatInfo('bf16').maxFinite);
    expect(roundDecimal(new P(NaN), 'bf16')).toBeNaN();
    expect(roundDecimal(new P(-Infinity), 'f16')).toBe(-Infinity);
  });

  it('agrees with the exact-rational rounding and with @geglu/float for random doubles and decimals', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...HALVES),
        fc.oneof(
          fc.double({ noNaN: true, noDefaultInfinity: true }),
          fc.double({ min: -7e4, max: 7e4, noNaN: true }),
          fc.double({ min: -1e-6, max: 1e-6, noNaN: true }),
        ),
        (format, x) => {
          const d = exactDecimal(x);
          const r = rational(d);
          const want = roundRational(r.n, r.d, format, Object.is(x, -0) || x < 0);
          expect({ x, got: roundDecimal(d, format) }).toEqual({ x, got: want });
          expect({ x, got: roundToFormat(x, format) }).toEqual({ x, got: want });
        },
      ),
      { numRuns: 2000 },
    );
  });

  it('ulpError measures in the format: half a step at a midpoint', () => {
    expect(ulpError(1, exactDecimal(1 + 2 ** -8), 'bf16')).toBe(0.5);
    expect(ulpError(65504, D('65520'), 'f16')).toBe(0.5);
  });
});
