import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GegluGpu } from '../src/index.js';
import { geluF64, geluTanhF64 } from '../src/reference.js';
import { BACKENDS } from './helpers.js';

/** Deterministic float32 values in [-s, s) (an LCG; the data only needs to be irregular). */
function data(n: number, seed: number, s: number): Float32Array {
  const out = new Float32Array(n);
  let st = seed >>> 0;
  for (let i = 0; i < n; i++) {
    st = (Math.imul(st, 1664525) + 1013904223) >>> 0;
    out[i] = Math.fround((st / 2 ** 32 - 0.5) * 2 * s);
  }
  return out;
}

const U = 2 ** -24;
const gamma = (n: number): number => (n * U) / (1 - n * U);

/**
 * Float64 MLP and, per output, a first-order float32 error bound
 * (Higham, Accuracy and Stability of Numerical Algorithms, §3.1: a length-n
 * dot product is off by at most γ_n·Σ|a_k b_k|): gate/up sums γ_d·A_j,
 * γ_d·B_j; the activation adds |gelu'| <= 1.13 times the gate error plus 16u
 * relative (its measured worst is 5 steps <= 10u); the product one u; the
 * down sum γ_f·Σ|h_j w_ij| plus the propagated errors. Second-order terms
 * are covered by the 1.01 factor.
 */
function reference(
  x: Float32Array,
  T: number,
  d: number,
  f: number,
  gate: Float32Array,
  up: Float32Array,
  down: Float32Array,
  tanh: boolean,
): { y: Float64Array; bound: Float64Array } {
  const act = tanh ? geluTanhF64 : geluF64;
  const y = new Float64Array(T * d);
  const bound = new Float64Array(T * d);
  for (let t = 0; t < T; t++) {
    const h = new Float64Array(f);
    const dh = new Float64Array(f);
    for (let j = 0; j < f; j++) {
      let g = 0,
        u = 0,
        A = 0,
        B = 0;
      for (let k = 0; k < d; k++) {
        const xv = x[t * d + k]!;
        g += xv * gate[j * d + k]!;
        u += xv * up[j * d + k]!;
        A += Math.abs(xv * gate[j * d + k]!);
        B += Math.abs(xv * up[j * d + k]!);
      }
      const a = act(g);
      h[j] = a * u;
      dh[j] =
        (1.13 * gamma(d) * A + 16 * U * Math.abs(a)) * Math.abs(u) +
        (Math.abs(a) + 1.13 * gamma(d) * A) * gamma(d) * B +
        U * Math.abs(h[j]!);
    }
    for (let i = 0; i < d; i++) {
      let s = 0,
        S = 0,
        P = 0;
      for (let j = 0; j < f; j++) {
        s += h[j]! * down[i * f + j]!;
        S += Math.abs(h[j]! * down[i * f + j]!);
        P += dh[j]! * Math.abs(down[i * f + j]!);
      }
      y[t * d + i] = s;
      bound[t * d + i] = 1.01 * (gamma(f) * S + P + U * Math.abs(s));
    }
  }
  return { y, bound };
}

const SHAPES = [
  { T: 3, d: 16, f: 24 },
  { T: 5, d: 64, f: 160 },
];

for (const { backend, skip, label } of BACKENDS) {
  describe.skipIf(skip)(`gemma2Mlp on ${label}`, () => {
    let g: GegluGpu;
    beforeAll(async () => {
      g = await GegluGpu.create({ backend });
    });
    afterAll(async () => {
      await g?.dispose();
    });

    for (const { T, d, f } of SHAPES) {
      for (const approximate of ['tanh', 'none'] as const) {
        it(`[${T}, ${d}] x [${f}, ${d}] (${approximate}, ${backend}) is within the float32 dot-product error bound of the float64 MLP`, async () => {
          const x = data(T * d, 1 + d, 2);
          const gate = data(f * d, 2 + f, 0.5);
          const up = data(f * d, 3 + f, 0.5);
          const down = data(d * f, 4 + d, 0.5);
          const out = await g.gemma2Mlp(x, T, { gate, up, down, hidden: d, intermediate: f }, { approximate });
          expect(out).toBeInstanceOf(Float32Array);
          expect(out.length).toBe(T * d);
          const { y, bound } = reference(x, T, d, f, gate, up, down, approximate === 'tanh');
          for (let i = 0; i < T * d; i++) {
            const err = Math.abs(out[i]! - y[i]!);
            if (!(err <= bound[i]!)) {
              throw new Error(`output ${i}: ${out[i]} vs ${y[i]}, error ${err} > bound ${bound[i]}`);
            }
          }
        });
      }
    }

    it(`defaults to the tanh activation (Gemma 2's gelu_pytorch_tanh) on ${backend}`, async () => {
      const [T, d, f] = [2, 8, 12];
      const w = { gate: data(f * d, 7, 1), up: data(f * d, 8, 1), down: data(d * f, 9, 1), hidden: d, intermediate: f };
      const x = data(T * d, 10, 2);
      const dflt = await g.gemma2Mlp(x, T, w);
      const tanh = await g.gemma2Mlp(x, T, w, { approximate: 'tanh' });
      const none = await g.gemma2Mlp(x, T, w, { approximate: 'none' });
      expect(Array.from(dflt)).toEqual(Array.from(tanh));
      expect(Array.from(dflt)).not.toEqual(Array.from(none));
    });
  });
}
