// Identities as fast-check properties (seeded globally by vitest.setup.ts).
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { correctlyRounded, Decimal, evaluate, exactDecimal, roundDecimal, type OracleFunction } from '../src/index.js';

const D = Decimal.clone({ precision: 200 });

/** Doubles in [lo, hi] (no NaN), reaching both ends and subnormal-size values when lo < 0 < hi. */
const double = (lo: number, hi: number) => fc.double({ min: lo, max: hi, noNaN: true });

/** True when the two enclosures overlap: |v1 − v2| ≤ e1 + e2. */
function overlap(a: { value: Decimal; error: Decimal }, b: { value: Decimal; error: Decimal }, shiftB: Decimal.Value = 0) {
  return new D(a.value).minus(new D(b.value).plus(shiftB)).abs().lte(new D(a.error).plus(b.error));
}

describe('identities on enclosures (30 digits)', () => {
  it('erf is odd on [−12, 12]: erf(−x) encloses −erf(x)', () => {
    fc.assert(
      fc.property(double(-12, 12), (x) => {
        const a = evaluate('erf', x, { digits: 30 });
        const b = evaluate('erf', -x, { digits: 30 });
        expect(overlap(a, { value: b.value.neg(), error: b.error })).toBe(true);
      }),
    );
  });
  it('erf(x) + erfc(x) = 1 on [−12, 30] (series, continued fraction and both complements meet)', () => {
    fc.assert(
      fc.property(double(-12, 30), (x) => {
        const a = evaluate('erf', x, { digits: 30 });
        const b = evaluate('erfc', x, { digits: 30 });
        const sum = new D(a.value).plus(b.value);
        expect(sum.minus(1).abs().lte(new D(a.error).plus(b.error))).toBe(true);
      }),
    );
  });
  it('Φ(x) + Φ(−x) = 1 on [−40, 40] (series against the continued fraction across x = ±3)', () => {
    fc.assert(
      fc.property(double(-40, 40), (x) => {
        const a = evaluate('phi', x, { digits: 30 });
        const b = evaluate('phi', -x, { digits: 30 });
        expect(new D(a.value).plus(b.value).minus(1).abs().lte(new D(a.error).plus(b.error))).toBe(true);
      }),
    );
  });
  for (const fn of ['gelu', 'gelu-tanh', 'gelu-sigmoid'] as const) {
    it(`${fn}(x) − ${fn}(−x) = x on [−60, 60]`, () => {
      fc.assert(
        fc.property(double(-60, 60), (x) => {
          const a = evaluate(fn, x, { digits: 30 });
          const b = evaluate(fn, -x, { digits: 30 });
          const diff = new D(a.value).minus(b.value);
          expect(
            diff
              .minus(new D(exactDecimal(x)))
              .abs()
              .lte(new D(a.error).plus(b.error)),
          ).toBe(true);
        }),
      );
    });
  }
  it('tanh(x) = 2σ(2x) − 1 on [−20, 20]', () => {
    fc.assert(
      fc.property(double(-20, 20), (x) => {
        const t = evaluate('tanh', x, { digits: 30 });
        const s = evaluate('sigmoid', 2 * x, { digits: 40 });
        const rhs = new D(s.value).times(2).minus(1);
        expect(
          new D(t.value)
            .minus(rhs)
            .abs()
            .lte(new D(t.error).plus(new D(s.error).times(2))),
        ).toBe(true);
      }),
    );
  });
  it('exp(x)·exp(−x) = 1 on [−700, 700]', () => {
    fc.assert(
      fc.property(double(-700, 700), (x) => {
        const a = evaluate('exp', x, { digits: 30 });
        const b = evaluate('exp', -x, { digits: 30 });
        const prod = new D(a.value).times(b.value);
        const bound = new D(a.error).times(b.value).plus(new D(b.error).times(a.value)).plus(new D(a.error).times(b.error));
        expect(prod.minus(1).abs().lte(bound)).toBe(true);
      }),
    );
  });
});

describe('more digits never change a result', () => {
  const fns: OracleFunction[] = ['gelu', 'gelu-tanh', 'gelu-sigmoid', 'erf', 'erfc', 'phi', 'exp', 'tanh', 'sigmoid'];
  it('enclosures at 20, 45 and 90 digits overlap for every function on [−45, 45]', () => {
    fc.assert(
      fc.property(fc.constantFrom(...fns), double(-45, 45), (fn, x) => {
        const a = evaluate(fn, x, { digits: 20 });
        const b = evaluate(fn, x, { digits: 45 });
        const c = evaluate(fn, x, { digits: 90 });
        expect(overlap(a, b) && overlap(b, c) && overlap(a, c)).toBe(true);
      }),
    );
  });
  it('correctlyRounded (f64 and f32) equals rounding both ends of a 60-digit enclosure, whenever those agree', () => {
    fc.assert(
      fc.property(fc.constantFrom(...fns), double(-45, 45), fc.constantFrom('f64' as const, 'f32' as const), (fn, x0, format) => {
        const x = format === 'f32' ? Math.fround(x0) : x0;
        const e = evaluate(fn, x, { digits: 60 });
        const lo = roundDecimal(new D(e.value).minus(e.error), format);
        const hi = roundDecimal(new D(e.value).plus(e.error), format);
        if (Object.is(lo, hi)) expect(Object.is(correctlyRounded(fn, x, format), lo)).toBe(true);
      }),
    );
  });
  it('correctlyRounded of a random f64 bit pattern agrees with the 80-digit enclosure, for every function', () => {
    const anyDouble = fc.bigInt({ min: 0n, max: (1n << 64n) - 1n }).map((b) => new Float64Array(new BigUint64Array([b]).buffer)[0]!);
    fc.assert(
      fc.property(fc.constantFrom(...fns), anyDouble, (fn, x) => {
        fc.pre(Number.isFinite(x));
        fc.pre(!(fn === 'exp' && x > 2e16)); // beyond decimal.js's range evaluate throws by design
        const r = correctlyRounded(fn, x, 'f64');
        const e = evaluate(fn, x, { digits: 80 });
        const lo = roundDecimal(new D(e.value).minus(e.error), 'f64');
        const hi = roundDecimal(new D(e.value).plus(e.error), 'f64');
        if (Object.is(lo, hi)) expect(Object.is(r, lo)).toBe(true);
      }),
    );
  });
});

describe('monotonicity survives rounding', () => {
  // Rounding to nearest is monotone, so a monotone function must give monotone results.
  const increasing: OracleFunction[] = ['erf', 'phi', 'exp', 'tanh', 'sigmoid'];
  for (const format of ['f64', 'f32'] as const) {
    it(`erf, Φ, exp, tanh, σ are non-decreasing and erfc non-increasing in ${format} on [−50, 50]; gelu non-decreasing on [−0.75, 50]`, () => {
      fc.assert(
        fc.property(double(-50, 50), double(-50, 50), (a0, b0) => {
          const [a, b] = [Math.fround(a0), Math.fround(b0)].sort((p, q) => p - q) as [number, number];
          for (const fn of increasing) expect(correctlyRounded(fn, a, format)).toBeLessThanOrEqual(correctlyRounded(fn, b, format));
          expect(correctlyRounded('erfc', a, format)).toBeGreaterThanOrEqual(correctlyRounded('erfc', b, format));
          if (a >= -0.75) expect(correctlyRounded('gelu', a, format)).toBeLessThanOrEqual(correctlyRounded('gelu', b, format));
        }),
        { numRuns: 50 },
      );
    });
  }
});
