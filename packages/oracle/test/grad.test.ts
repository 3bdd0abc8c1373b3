// The derivatives gelu-grad and gelu-tanh-grad: against a central difference of the oracle's own
// gelu at high precision (an independent route: no Φ + xφ formula), f′(x) + f′(−x) = 1 held
// exactly within the enclosures, the root, the special values and the decided ranges.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { correctlyRounded, Decimal, evaluate, exactDecimal, geluGrad } from '../src/index.js';

const D = Decimal.clone({ precision: 200 });
const FORMS = [
  ['gelu-grad', 'gelu', 'none'],
  ['gelu-tanh-grad', 'gelu-tanh', 'tanh'],
] as const;

describe.each(FORMS)('%s', (fn, forward, approximate) => {
  it('equals the central difference (gelu(x + h) − gelu(x − h))/2h, h = 10^-25, to 40 digits (fast-check)', () => {
    // The difference's truncation error is f‴·h²/6 < 10^-49 for |x| ≤ 12 (|f‴| < 10), the 90-digit
    // values contribute 10^-90/h = 10^-65: far below the 10^-40 compared.
    const h = new D('1e-25');
    fc.assert(
      fc.property(fc.double({ min: -12, max: 12, noNaN: true }), (x) => {
        const xd = new D(exactDecimal(x)); // the double's exact value, as evaluate(fn, x) takes it
        const up = new D(evaluate(forward, xd.plus(h), { digits: 90 }).value);
        const down = new D(evaluate(forward, xd.minus(h), { digits: 90 }).value);
        const diff = up.minus(down).div(h.times(2));
        const e = evaluate(fn, x, { digits: 40 });
        const tol = new D(e.error).plus(new D('1e-45')).plus(diff.abs().times('1e-40'));
        expect(new D(e.value).minus(diff).abs().lte(tol), `${fn}(${x}) = ${e.value}, difference ${diff.toSignificantDigits(45)}`).toBe(
          true,
        );
      }),
      { numRuns: 30 },
    );
  });

  it('f′(x) + f′(−x) − 1 lies within the two enclosures, for every x (fast-check)', () => {
    fc.assert(
      fc.property(fc.double({ min: -50, max: 50, noNaN: true }), (x) => {
        const a = evaluate(fn, x, { digits: 50 });
        const b = evaluate(fn, -x, { digits: 50 });
        const residual = new D(a.value).plus(b.value).minus(1).abs();
        expect(residual.lte(new D(a.error).plus(b.error)), `x = ${x}: residual ${residual}`).toBe(true);
      }),
      { numRuns: 60 },
    );
  });

  it('changes sign once, at the root, and geluGrad gives the digits asked for there', () => {
    const root =
      approximate === 'none'
        ? '-0.75179152469356445745790494677952403966447115342345'
        : '-0.75246142207101625848795444328891609060539217803763';
    const r = new D(root);
    const step = new D('1e-45');
    expect(geluGrad(r.minus(step), { approximate, digits: 20 }).isNeg()).toBe(true);
    expect(geluGrad(r.plus(step), { approximate, digits: 20 }).isPos()).toBe(true);
    // at the 50-digit root the value is below the slope (≈ 0.43) times 10^-50
    expect(geluGrad(r, { approximate, digits: 20 }).abs().lt('1e-50')).toBe(true);
  });

  it('special values and decided ranges in every format', () => {
    for (const format of ['f64', 'f32', 'bf16', 'f16'] as const) {
      expect(Number.isNaN(correctlyRounded(fn, NaN, format))).toBe(true);
      expect(correctlyRounded(fn, Infinity, format)).toBe(1);
      expect(Object.is(correctlyRounded(fn, -Infinity, format), -0)).toBe(true);
      expect(correctlyRounded(fn, 0, format)).toBe(0.5);
      expect(correctlyRounded(fn, -0, format)).toBe(0.5);
      expect(Object.is(correctlyRounded(fn, -64, format), -0)).toBe(true);
      expect(correctlyRounded(fn, 64, format)).toBe(1);
    }
    expect(correctlyRounded(fn, 2 ** -70, 'f64')).toBe(0.5);
    expect(correctlyRounded(fn, -(2 ** -1074), 'f64')).toBe(0.5);
  });

  it('the decided ranges agree with evaluation just inside them', () => {
    // just inside the thresholds the evaluated result is already the decided one
    const one = approximate === 'none' ? 39.99 : 9.99;
    expect(correctlyRounded(fn, one, 'f64')).toBe(1);
    expect(Object.is(correctlyRounded(fn, -39.99, 'f64'), -0)).toBe(true);
    const tiny = 2 ** -59;
    expect(correctlyRounded(fn, tiny, 'f64')).toBe(0.5);
  });
});

it('geluGrad names a bad option', () => {
  expect(() => geluGrad(1, { approximate: 'sigmoid' as 'none', digits: 20 })).toThrow(/geluGrad: options.approximate/);
  expect(() => geluGrad(1, null as unknown as { digits: number })).toThrow(/geluGrad: options is/);
});
