/**
 * The forward error bound of `gemma2Mlp` / `createGemma2Mlp` (stated in
 * ./gemma2.ts), evaluated per output so a verifier can check
 * |ŷ − y| ≤ bound against any reference y it trusts (e.g. the oracle).
 *
 * The bound's ingredients (|x|·|W|ᵀ, |U|, |gelu(G)|, |A|) are evaluated here
 * in float64 from float64 dot products and float64 gelu. Their own error is
 * relative ≤ n·2^−52 of the same magnitudes, far below the float32 terms
 * (≥ 2^−24 of them), and far below the float64 ones for n < 2^20; the result
 * is multiplied by (1 + 2^−20) to cover it.
 */
import { gelu } from '../elementwise/index.js';
import { checkMlpCall, type Gemma2MlpWeights } from './call.js';

/** sup |gelu′| over ℝ is 1.12899 (tanh form, x ≈ 1.418) / 1.12888 (exact form, x = √2). */
export const GELU_LIPSCHITZ = 1.13;

const gammaOf = (n: number, u: number) => (n * u) / (1 - n * u);

/**
 * Per-output bound on |ŷ − y| for `gemma2Mlp(x, tokens, weights, options)`,
 * with y the exact real MLP of the (exact) input values. Same arguments as
 * gemma2Mlp; the format (f32 or f64) is that of x. O(T·d·f) in float64.
 */
export function gemma2MlpErrorBound<A extends Float32Array | Float64Array>(
  x: A,
  tokens: number,
  weights: Gemma2MlpWeights<A>,
  options?: { readonly approximate?: 'none' | 'tanh' },
): Float64Array {
  const c = checkMlpCall<A>(
    'gemma2MlpErrorBound',
    x,
    tokens,
    weights,
    options === undefined ? undefined : { approximate: options.approximate },
  );
  const { hidden: d, intermediate: f, gate, up, down } = c;
  const f32 = c.x instanceof Float32Array;
  const u = f32 ? 2 ** -24 : 2 ** -53;
  const rho = f32 ? 2 ** -22 : 2 ** -51;
  const eta = f32 ? 2 ** -148 : 2 ** -1073;
  const mu = f32 ? 2 ** -149 : 2 ** -1074;
  const gd = gammaOf(Math.ceil(d / 4) + 2, u);
  const gf = gammaOf(Math.ceil(f / 4) + 2, u);
  const L = GELU_LIPSCHITZ;
  const bound = new Float64Array(c.tokens * d);
  const G = new Float64Array(f);
  const U = new Float64Array(f);
  const AG = new Float64Array(f);
  const AU = new Float64Array(f);
  const gl = new Float64Array(f);
  const geluOptions = { approximate: c.approximate };
  const Amag = new Float64Array(f);
  const EA = new Float64Array(f);
  for (let t = 0; t < c.tokens; t++) {
    for (let j = 0; j < f; j++) {
      let g = 0,
        uu = 0,
        ag = 0,
        au = 0;
      for (let k = 0; k < d; k++) {
        const xv = c.x[t * d + k]!;
        const wg = gate[j * d + k]!;
        const wu = up[j * d + k]!;
        g += xv * wg;
        uu += xv * wu;
        ag += Math.abs(xv * wg);
        au += Math.abs(xv * wu);
      }
      G[j] = g;
      U[j] = uu;
      AG[j] = ag;
      AU[j] = au;
    }
    for (let j = 0; j < f; j++) gl[j] = gelu(G[j]!, geluOptions);
    for (let j = 0; j < f; j++) {
      const eg = gd * AG[j]! + d * mu;
      const eu = gd * AU[j]! + d * mu;
      const absGelu = Math.abs(gl[j]!);
      const a = Math.abs(gl[j]! * U[j]!);
      const P = L * eg * (Math.abs(U[j]!) + eu) + absGelu * eu;
      Amag[j] = a;
      EA[j] = P + rho * (a + P) + eta;
    }
    for (let i = 0; i < d; i++) {
      let b = 0;
      for (let j = 0; j < f; j++) b += (gf * (Amag[j]! + EA[j]!) + EA[j]!) * Math.abs(down[i * f + j]!);
      bound[t * d + i] = (b + f * mu) * (1 + 2 ** -20);
    }
  }
  return bound;
}
