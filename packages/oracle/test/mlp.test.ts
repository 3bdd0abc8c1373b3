// geglu and gemma2Mlp against a direct high-precision evaluation (200-digit sums of
// 60-digit gelu values), plus the Lipschitz constant the MLP error bound relies on.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Decimal, exactDecimal, geglu, gelu, gemma2Mlp } from '../src/index.js';
import { smallMlp } from './helpers.js';

const D = Decimal.clone({ precision: 200 });

/** |a − b| ≤ one unit in the last of `digits` digits of a, plus 10^-50 relative for the reference. */
function within(a: Decimal, b: Decimal, digits: number) {
  const unit = a.isZero() ? new D(0) : new D(10).pow(a.e - digits + 1);
  return new D(a)
    .minus(b)
    .abs()
    .lte(unit.plus(new D(b).abs().times('1e-50')));
}

describe('geglu', () => {
  it('equals gelu(gate + gateBias)·(up + upBias) elementwise to 20 digits, for all three variants', () => {
    const f32 = fc.float({ min: -8, max: 8, noNaN: true, noDefaultInfinity: true });
    fc.assert(
      fc.property(
        fc.array(fc.tuple(f32, f32), { minLength: 2, maxLength: 6 }),
        fc.constantFrom('none' as const, 'tanh' as const, 'sigmoid' as const),
        (pairs, approximate) => {
          const gate = pairs.map((p) => p[0]);
          const up = pairs.map((p) => p[1]);
          const gateBias = [0.25, -0.5].slice(0, gate.length % 2 === 0 ? 2 : 1);
          const out = geglu(gate, up, { approximate, digits: 20, gateBias });
          for (let i = 0; i < gate.length; i++) {
            const g = new D(exactDecimal(gate[i]!)).plus(gateBias[i % gateBias.length]!);
            const ref = new D(gelu(g, { approximate, digits: 60 })).times(exactDecimal(up[i]!));
            expect(within(out[i]!, ref, 20)).toBe(true);
          }
        },
      ),
      { numRuns: 30 },
    );
  });
  it('rejects mismatched lengths and bias lengths that do not divide the features', () => {
    expect(() => geglu([1, 2], [1], { digits: 20 })).toThrow(/geglu: up has length 1, expected 2/);
    expect(() => geglu([1, 2, 3], [1, 2, 3], { digits: 20, gateBias: [1, 2] })).toThrow(
      /gateBias has length 2, expected a divisor of gate.length = 3/,
    );
    expect(() => geglu([1, NaN], [1, 2], { digits: 20 })).toThrow(/^geglu: gate\[1\] is NaN, expected a finite number$/);
  });
});

describe('gemma2Mlp (small shapes)', () => {
  const hidden = 4;
  const intermediate = 6;
  const tokens = 2;
  const { weights, x } = smallMlp(hidden, intermediate, tokens);

  function reference(approximate: 'none' | 'tanh') {
    const out: Decimal[] = [];
    for (let t = 0; t < tokens; t++) {
      const a: Decimal[] = [];
      for (let k = 0; k < intermediate; k++) {
        let g = new D(0);
        let v = new D(0);
        for (let i = 0; i < hidden; i++) {
          g = g.plus(new D(exactDecimal(x[t * hidden + i]!)).times(exactDecimal(weights.gate[k * hidden + i]!)));
          v = v.plus(new D(exactDecimal(x[t * hidden + i]!)).times(exactDecimal(weights.up[k * hidden + i]!)));
        }
        a.push(new D(gelu(g, { approximate, digits: 80 })).times(v));
      }
      for (let j = 0; j < hidden; j++) {
        let y = new D(0);
        for (let k = 0; k < intermediate; k++) y = y.plus(a[k]!.times(exactDecimal(weights.down[j * intermediate + k]!)));
        out.push(y);
      }
    }
    return out;
  }

  for (const approximate of ['tanh', 'none'] as const) {
    it(`approximate '${approximate}': every output within one unit of its 25th digit of a direct 80-digit evaluation`, () => {
      const y = gemma2Mlp(x, weights, tokens, { approximate, digits: 25 });
      const ref = reference(approximate);
      expect(y.length).toBe(tokens * hidden);
      for (let i = 0; i < y.length; i++) expect(within(y[i]!, ref[i]!, 25)).toBe(true);
    });
  }
  it('gate pre-activations deep in the negative tail (−40 … −120) give geglu of the exact sums, to 20 digits', () => {
    // With one hidden unit the gate sum x·w and up sum x are exact, so the MLP must equal
    // geglu(x·w, x)·1. Before the tail-aware bound these threw "could not reach 20 digits".
    for (const [x, w, approximate] of [
      [10, -10, 'tanh'],
      [10, -10, 'none'],
      [1, -40, 'none'],
      [2, -60, 'none'],
      [1, -30, 'tanh'],
    ] as const) {
      const [y] = gemma2Mlp([x], { gate: [w], up: [1], down: [1], hidden: 1, intermediate: 1 }, 1, { approximate, digits: 20 });
      const [want] = geglu([x * w], [x], { approximate, digits: 20 });
      expect(y!.toString(), `${approximate} gate ${x * w}`).toBe(want!.toString());
    }
  });

  it('defaults to the tanh variant (Gemma 2)', () => {
    const a = gemma2Mlp(x, weights, tokens, { digits: 20 });
    const b = gemma2Mlp(x, weights, tokens, { digits: 20, approximate: 'tanh' });
    expect(a.map(String)).toEqual(b.map(String));
  });
  it('rejects a wrong x length with tokens × hidden spelled out, and bad weights', () => {
    expect(() => gemma2Mlp(x.slice(1), weights, tokens, { digits: 20 })).toThrow(/gemma2Mlp: x has length 7, expected 8/);
    expect(() => gemma2Mlp(x, { ...weights, down: weights.down.slice(1) }, tokens, { digits: 20 })).toThrow(
      /weights.down has length 23, expected 24/,
    );
    expect(() => gemma2Mlp(x, weights, 0, { digits: 20 })).toThrow(/^gemma2Mlp: tokens is 0, expected a positive integer$/);
  });
});

describe('Lipschitz constant used by the MLP bound', () => {
  it('|gelu′| < 1.2 for all three variants on [−8, 8] (difference quotients of 30-digit values on a 0.01 grid)', () => {
    for (const approximate of ['none', 'tanh', 'sigmoid'] as const) {
      let max = 0;
      let prev = gelu(-8, { approximate, digits: 30 });
      for (let i = 1; i <= 1600; i++) {
        const xi = new D(-8).plus(new D(i).div(100));
        const cur = gelu(xi, { approximate, digits: 30 });
        const slope = new D(cur).minus(prev).times(100).abs().toNumber();
        if (slope > max) max = slope;
        prev = cur;
      }
      expect(max).toBeLessThan(1.15);
      expect(max).toBeGreaterThan(1.05); // the maximum (≈1.13 at x ≈ 1.4 for gelu) is on the grid's range
    }
  });
});
