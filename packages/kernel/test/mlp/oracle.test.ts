/** The MLP against the high-precision oracle (./oracle-reference.ts) on tiny shapes. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { gemma2Mlp } from '../../src/index.js';
import { oracleMlp } from './oracle-reference.js';

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
