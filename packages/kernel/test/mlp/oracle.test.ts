/**
 * The MLP against the high-precision oracle on tiny shapes. `@geglu/oracle`
 * does not export its own gemma2Mlp yet (its index has it commented out), so
 * the reference is composed here from the oracle's `gelu` (40 digits) and
 * decimal.js dot products at 60 digits: exact to far below the f32 bound.
 */
import { Decimal, gelu as oracleGelu } from '@geglu/oracle';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { gemma2Mlp } from '../../src/index.js';
import { gamma } from './reference.js';

const D = Decimal.clone({ precision: 60 });

function oracleMlp(
  x: Float32Array,
  t: number,
  d: number,
  f: number,
  gate: Float32Array,
  up: Float32Array,
  down: Float32Array,
  approximate: 'none' | 'tanh',
) {
  const y: Decimal[] = [];
  const bound: number[] = [];
  const u = 2 ** -24;
  const L = 1.13;
  const gd = gamma(Math.ceil(d / 4) + 2, u);
  const gf = gamma(Math.ceil(f / 4) + 2, u);
  for (let r = 0; r < t; r++) {
    const A: Decimal[] = [];
    const EA: number[] = [];
    for (let j = 0; j < f; j++) {
      let g = new D(0);
      let uu = new D(0);
      let ag = 0;
      let au = 0;
      for (let k = 0; k < d; k++) {
        g = g.plus(new D(x[r * d + k]!).times(gate[j * d + k]!));
        uu = uu.plus(new D(x[r * d + k]!).times(up[j * d + k]!));
        ag += Math.abs(x[r * d + k]! * gate[j * d + k]!);
        au += Math.abs(x[r * d + k]! * up[j * d + k]!);
      }
      const gg = new D(oracleGelu(g, { approximate, digits: 40 }));
      A.push(gg.times(uu));
      const eg = gd * ag + d * 2 ** -149;
      const eu = gd * au + d * 2 ** -149;
      const P = L * eg * (Math.abs(uu.toNumber()) + eu) + Math.abs(gg.toNumber()) * eu;
      EA.push(P + 2 ** -22 * (Math.abs(A[j]!.toNumber()) + P) + 2 ** -148);
    }
    for (let i = 0; i < d; i++) {
      let s = new D(0);
      let b = 0;
      for (let j = 0; j < f; j++) {
        s = s.plus(A[j]!.times(down[i * f + j]!));
        b += (gf * (Math.abs(A[j]!.toNumber()) + EA[j]!) + EA[j]!) * Math.abs(down[i * f + j]!);
      }
      y.push(s);
      // toNumber() of the magnitudes rounds by ≤ 2^−53 relative: covered by 1 + 2^−40.
      bound.push((b + f * 2 ** -149) * (1 + 2 ** -40));
    }
  }
  return { y, bound };
}

describe('gemma2Mlp against the oracle (decimal, 60 digits)', () => {
  for (const approximate of ['tanh', 'none'] as const) {
    it(`f32, approximate '${approximate}', T ≤ 2, d ≤ 5, f ≤ 6, |x| ≤ 8, |w| ≤ 1: |ŷ − y| ≤ the stated γ-bound`, () => {
      fc.assert(
        fc.property(
          fc
            .record({ t: fc.integer({ min: 1, max: 2 }), d: fc.integer({ min: 1, max: 5 }), f: fc.integer({ min: 1, max: 6 }) })
            .chain(({ t, d, f }) => {
              const v = (n: number, scale: number) =>
                fc
                  .array(
                    fc.float({ min: -1, max: 1, noNaN: true }).map((a) => Math.fround(a * scale)),
                    { minLength: n, maxLength: n },
                  )
                  .map((a) => new Float32Array(a));
              return fc.record({
                t: fc.constant(t),
                d: fc.constant(d),
                f: fc.constant(f),
                x: v(t * d, 8),
                gate: v(f * d, 1),
                up: v(f * d, 1),
                down: v(d * f, 1),
              });
            }),
          (c) => {
            const y = gemma2Mlp(c.x, c.t, { hidden: c.d, intermediate: c.f, gate: c.gate, up: c.up, down: c.down }, { approximate });
            const ref = oracleMlp(c.x, c.t, c.d, c.f, c.gate, c.up, c.down, approximate);
            for (let i = 0; i < y.length; i++) {
              const err = ref.y[i]!.minus(y[i]!).abs().toNumber();
              if (!(err <= ref.bound[i]!)) throw new Error(`output ${i}: ${y[i]} vs ${ref.y[i]}: error ${err} > bound ${ref.bound[i]}`);
            }
          },
        ),
        { numRuns: 30 },
      );
    });
  }

  it('the bound discriminates: the exact-form result is outside the tanh-form bound at G ≈ 2.7 (|gelu − gelu_tanh| ≈ 4.7e−4 there)', () => {
    const w = { hidden: 1, intermediate: 1, gate: new Float32Array([1]), up: new Float32Array([1]), down: new Float32Array([1]) };
    const x = new Float32Array([-2.75]);
    const exact = gemma2Mlp(x, 1, w, { approximate: 'none' });
    const ref = oracleMlp(x, 1, 1, 1, w.gate, w.up, w.down, 'tanh');
    expect(ref.y[0]!.minus(exact[0]!).abs().toNumber()).toBeGreaterThan(100 * ref.bound[0]!);
    const tanh = gemma2Mlp(x, 1, w);
    expect(ref.y[0]!.minus(tanh[0]!).abs().toNumber()).toBeLessThanOrEqual(ref.bound[0]!);
  });
});
