// The backward oracle against the forward oracle: central finite differences of gelu
// (at 80 digits, step 10^-25, truncation ≈ 10^-50) for gelu′, and of the MLP's scalar
// loss Σ dy⊙y (float steps, checked to 1e-8 relative) for the MLP's four gradients.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  correctlyRoundedGegluBackward,
  correctlyRoundedGeglu,
  Decimal,
  exactDecimal,
  gelu,
  gemma2Mlp,
  gemma2MlpBackward,
  roundDecimal,
} from '../src/index.js';
import { smallMlp } from './helpers.js';

const D = Decimal.clone({ precision: 120 });
const H = new D('1e-25');

/** gelu′(x) by a central difference of the forward oracle: error ≈ H²·|gelu‴|/6 < 10^-49. */
function finiteDifference(x: number, approximate: 'none' | 'tanh'): Decimal {
  const e = new D(exactDecimal(x));
  const hi = new D(gelu(e.plus(H), { approximate, digits: 80 }));
  const lo = new D(gelu(e.minus(H), { approximate, digits: 80 }));
  return hi.minus(lo).div(H.times(2));
}

describe('correctlyRoundedGegluBackward', () => {
  it('dgate with dy = up = 1 is gelu′ correctly rounded to f64: equals the rounded finite difference', () => {
    // Includes points crowding each root (−0.7518 exact, −0.7525 tanh) and the tails.
    const xs = [-0.7518, -0.75179, -0.7525, -0.75246, -3, -10.5, -30, 0.3, 1.4142, 5, 1e-8, -1e-8];
    fc.assert(
      fc.property(
        fc.oneof(fc.constantFrom(...xs), fc.double({ min: -12, max: 12, noNaN: true })),
        fc.constantFrom('none' as const, 'tanh' as const),
        (x, approximate) => {
          if (x === 0) return;
          const { dgate } = correctlyRoundedGegluBackward(approximate, x, 1, 1, 'f64');
          expect(dgate).toBe(roundDecimal(finiteDifference(x, approximate), 'f64'));
        },
      ),
      { numRuns: 40 },
    );
  });

  it('dgate = dy·up·gelu′(g) rounded once, and dup is correctlyRoundedGeglu(g, dy)', () => {
    fc.assert(
      fc.property(
        fc.float({ min: -6, max: 6, noNaN: true }),
        fc.float({ min: -100, max: 100, noNaN: true }),
        fc.float({ min: -100, max: 100, noNaN: true }),
        (g, u, dy) => {
          if (g === 0) return;
          const r = correctlyRoundedGegluBackward('tanh', g, u, dy, 'f32');
          const ref = finiteDifference(g, 'tanh').times(exactDecimal(u)).times(exactDecimal(dy));
          // === : a zero product's sign is checked with the special values below
          expect(r.dgate === roundDecimal(ref, 'f32')).toBe(true);
          expect(Object.is(r.dup, correctlyRoundedGeglu('gelu-tanh', g, dy, 'f32'))).toBe(true);
        },
      ),
      { numRuns: 40 },
    );
  });

  it('special values follow the IEEE product with gelu′(±∞) = 1 / −0, gelu′(±0) = ½', () => {
    const r = (g: number, u: number, dy: number) => correctlyRoundedGegluBackward('none', g, u, dy, 'f64').dgate;
    expect(r(Infinity, 2, 3)).toBe(6);
    expect(Object.is(r(-Infinity, 2, 3), -0)).toBe(true);
    expect(r(0, 2, 3)).toBe(3);
    expect(r(-0, 2, 3)).toBe(3);
    expect(r(NaN, 2, 3)).toBeNaN();
    expect(r(1, Infinity, 0)).toBeNaN();
    expect(Object.is(r(-3, 0, 1), -0)).toBe(true); // gelu′(−3) < 0
    expect(Object.is(r(-0.5, 0, 1), 0)).toBe(true); // gelu′(−0.5) > 0
    expect(r(-3, Infinity, 1)).toBe(-Infinity);
    // the tail: gelu′(−40) ≈ −40·φ(40) ≈ −7e−347 underflows f64 to −0
    expect(Object.is(r(-40, 1, 1), -0)).toBe(true);
    // but not when dy·u is large: 1e300·gelu′(−38)
    const big = correctlyRoundedGegluBackward('none', -38, 1e300, 1, 'f64').dgate;
    expect(big).toBe(roundDecimal(finiteDifference(-38, 'none').times(exactDecimal(1e300)), 'f64'));
    expect(() => correctlyRoundedGegluBackward('sigmoid' as 'none', 1, 1, 1, 'f64')).toThrow(
      /^correctlyRoundedGegluBackward: approximate is "sigmoid", expected 'none' or 'tanh'$/,
    );
  });
});

describe('correctlyRoundedGegluBackward far in the negative tail', () => {
  // From about g = −2·10^8 (exact form) and −6.7·10^5 (tanh form) gelu′(g) is below decimal.js's range
  // (10^-9e15), yet its sign is known (negative below the root) and |dy·up| < 2^2048 cannot
  // lift it to a float: dgate is a zero of the sign of −dy·up, in every format.
  const sign = (v: number) => (Object.is(v, -0) ? '-0' : Object.is(v, 0) ? '+0' : String(v));
  for (const approximate of ['none', 'tanh'] as const) {
    it(`dgate is −sign(dy·up)·0 for g = −1e10, −3e38, −1e300 (${approximate})`, () => {
      const cases: [number, number, number, 'f64' | 'f32' | 'bf16' | 'f16', string][] = [
        [-1e10, 1, 1, 'f64', '-0'],
        [-1e10, 2, -3, 'f64', '+0'],
        [-1e300, 1e300, 1e300, 'f64', '-0'],
        [-1e300, -1e300, 1e300, 'f64', '+0'],
        [-3e38, 2, 3, 'f32', '-0'],
        [-3e38, 2, 3, 'bf16', '-0'],
        [-1e10, 2, 3, 'f16', '-0'],
        [-1e10, 0, 3, 'f64', '-0'],
        [-1e10, -0, 3, 'f64', '+0'],
      ];
      for (const [g, u, dy, format, want] of cases) {
        expect(`${g},${u},${dy},${format}: ${sign(correctlyRoundedGegluBackward(approximate, g, u, dy, format).dgate)}`).toBe(
          `${g},${u},${dy},${format}: ${want}`,
        );
      }
    });
  }
});

describe('gemma2MlpBackward (small shapes)', () => {
  const hidden = 3;
  const intermediate = 4;
  const tokens = 2;
  const { weights, x, dy } = smallMlp(hidden, intermediate, tokens);

  /** ∂(Σ dy⊙y)/∂p by a central difference with step h·max(1, |p|) (float steps), to ~1e-10 relative. */
  function lossGradient(approximate: 'none' | 'tanh', change: (xs: number[], w: typeof weights, step: number) => void): number {
    const loss = (step: number) => {
      const xs = [...x];
      const w = { ...weights, gate: [...weights.gate], up: [...weights.up], down: [...weights.down] };
      change(xs, w, step);
      const y = gemma2Mlp(xs, w, tokens, { approximate, digits: 40 });
      return y.reduce((s, v, i) => s.plus(new D(v).times(exactDecimal(dy[i]!))), new D(0));
    };
    const h = 2 ** -20;
    return loss(h)
      .minus(loss(-h))
      .div(2 * h)
      .toNumber();
  }

  for (const approximate of ['tanh', 'none'] as const) {
    it(`every gradient matches a finite difference of the forward oracle (${approximate})`, () => {
      const g = gemma2MlpBackward(x, dy, weights, tokens, { approximate, digits: 25 });
      expect([g.dx.length, g.dGate.length, g.dUp.length, g.dDown.length]).toEqual([tokens * hidden, 12, 12, 12]);
      const check = (value: Decimal, fd: number) =>
        expect(Math.abs(value.toNumber() - fd)).toBeLessThanOrEqual(1e-8 * Math.max(1, Math.abs(fd)));
      for (let i = 0; i < tokens * hidden; i++)
        check(
          g.dx[i]!,
          lossGradient(approximate, (xs, _w, s) => (xs[i] = xs[i]! + s)),
        );
      for (let i = 0; i < 12; i++) {
        check(
          g.dGate[i]!,
          lossGradient(approximate, (_x, w, s) => (w.gate[i] = w.gate[i]! + s)),
        );
        check(
          g.dUp[i]!,
          lossGradient(approximate, (_x, w, s) => (w.up[i] = w.up[i]! + s)),
        );
        check(
          g.dDown[i]!,
          lossGradient(approximate, (_x, w, s) => (w.down[i] = w.down[i]! + s)),
        );
      }
    });
  }

  it('rejects a dy of the wrong length and non-finite values, naming the argument', () => {
    expect(() => gemma2MlpBackward(x, dy.slice(1), weights, tokens, { digits: 20 })).toThrow(
      /^gemma2MlpBackward: dy has length 5, expected 6$/,
    );
    expect(() => gemma2MlpBackward(x, [...dy.slice(1), NaN], weights, tokens, { digits: 20 })).toThrow(
      /^gemma2MlpBackward: dy\[5\] is NaN, expected a finite number$/,
    );
    expect(() => gemma2MlpBackward(x, dy, { ...weights, down: [...weights.down.slice(1), Infinity] }, tokens, { digits: 20 })).toThrow(
      /^gemma2MlpBackward: weights.down\[11\] is Infinity, expected a finite number$/,
    );
  });
});
