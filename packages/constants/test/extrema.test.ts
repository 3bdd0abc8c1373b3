import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { Decimal } from 'decimal.js';
import { evaluate } from '@geglu/oracle';
import { decimalContext, maximize, normalCdf, refineMaximum, scanForMaxima } from '../src/index.js';

// π/2 to 40 digits: the argmax of sin on [0, 3] (π from decimal.js's stored 1025-digit constant).
const HALF_PI = decimalContext(60).acos(-1).div(2);

describe('maximiser (src/extrema.ts)', () => {
  it('finds argmax sin = π/2 on [0, 3] to 30 digits through the root of the derivative', () => {
    const m = maximize((x) => x.sin(), { from: 0, to: 3, points: 31 }, { digits: 30, derivative: (x) => x.cos() });
    expect(m.method).toBe('root of derivative');
    expect(m.argmax.minus(HALF_PI).abs().lt('1e-31')).toBe(true);
    expect(m.argmaxError.lt('1e-31')).toBe(true);
    expect(m.max.minus(1).abs().lt('1e-40')).toBe(true);
  });

  it('finds argmax sin = π/2 on [0, 3] to 20 digits by golden section when no derivative is given', () => {
    const m = maximize((x) => x.sin(), { from: 0, to: 3, points: 31 }, { digits: 20 });
    expect(m.method).toBe('golden section');
    expect(m.argmax.minus(HALF_PI).abs().lt('1e-21')).toBe(true);
    // The stated bracket really contains π/2.
    expect(m.bracket[0].lte(HALF_PI) && m.bracket[1].gte(HALF_PI)).toBe(true);
  });

  it('reports every local maximum of cos(x) on [0, 13] (at 2π and 4π) and the endpoint 0', () => {
    const found = scanForMaxima((x) => x.cos(), { from: 0, to: 13, points: 131 });
    expect(found.length).toBe(3);
    expect(found[0]!.endpoint).toBe(true);
  });

  it('stated argmax bracket contains the argmax of a random parabola −(x − c)² + 1 on [−5, 5] (c in [−4, 4])', () => {
    fc.assert(
      fc.property(fc.double({ min: -4, max: 4, noNaN: true }), (cNum) => {
        const c = new Decimal(cNum);
        const m = refineMaximum((x, D) => new D(1).minus(x.minus(c).pow(2)), [-5, 5], {
          digits: 25,
          derivative: (x) => x.minus(c).times(-2),
        });
        return m.bracket[0].lte(c) && m.bracket[1].gte(c) && m.argmax.minus(c).abs().lte(m.argmaxError.times(1.0001).plus('1e-40'));
      }),
      { numRuns: 30 },
    );
  });

  it('rejects a bracket across which the derivative does not change sign', () => {
    expect(() => refineMaximum((x) => x, [0, 1], { digits: 10, derivative: () => new Decimal(1) })).toThrow(/f′ must go from/);
  });
});

describe('normalCdf (src/normal.ts)', () => {
  const D = decimalContext(50);
  // Reference values printed by tools/constants/crosscheck/mpmath_values.py (mpmath 1.3.0, 60 digits).
  it('matches mpmath Phi(1) and Phi(−3) to 45 digits at 50 working digits', () => {
    expect(normalCdf(new D(1), D).minus('0.841344746068542948585232545632037922477912966726604390987394').abs().lt('1e-45')).toBe(true);
    expect(normalCdf(new D(-3), D).minus('0.00134989803163009452665181476759497737782936815838064936422199').abs().lt('1e-45')).toBe(true);
  });

  it("agrees with the oracle's Phi to 1e−45 absolute for x in [−12, 12] (two independent implementations)", () => {
    fc.assert(
      fc.property(fc.double({ min: -12, max: 12, noNaN: true }), (x) => {
        const o = evaluate('phi', new D(x), { digits: 50 });
        return normalCdf(new D(x), D).minus(o.value).abs().lt(o.error.plus('1e-45'));
      }),
      { numRuns: 40 },
    );
  });

  it('Phi(x) + Phi(−x) = 1 to 45 digits for x in [−12, 12]', () => {
    fc.assert(
      fc.property(fc.double({ min: -12, max: 12, noNaN: true }), (x) => {
        const s = normalCdf(new D(x), D).plus(normalCdf(new D(-x), D));
        return s.minus(1).abs().lt('1e-45');
      }),
      { numRuns: 40 },
    );
  });
});
