/**
 * The error bound of `gemma2MlpBackward` (./mlp.ts), per output, so a verifier can
 * check |computed − exact| ≤ bound against any reference it trusts (the oracle's
 * gemma2MlpBackward on small shapes; on large ones the float64 kernel, whose own bound
 * is added).
 *
 * ## Derivation
 *
 * Notation as ../mlp/gemma2.ts: u = 2^−24 (f32) / 2^−53 (f64), γ′_n = γ_{⌈n/4⌉+2} for a
 * kernel dot product of length n (../mlp/matmul.ts), μ the smallest subnormal,
 * ρ = 2^−22 / 2^−51 and η = 2^−148 / 2^−1073 for one activation rounding (forward's
 * values), L = 1.13 ≥ sup|gelu′| and L₂ = 0.8 ≥ sup|gelu″| (0.7979 = 2φ(0) at x = 0
 * for both forms; the tests check it on a grid). Exact quantities are G, U, A, dA, dG,
 * dU as in ./mlp.ts; hats are computed ones. Elementwise, for finite inputs without
 * overflow:
 *
 * 1. Products (kernel dot products):
 *      E_G = γ′_d·|x|·|W_gate|ᵀ + dμ,  E_U likewise,  E_dA = γ′_d·|dy|·|W_down| + dμ.
 * 2. The forward activation Â = fl(gelu(Ĝ)·Û): E_A as in ../mlp/gemma2.ts.
 * 3. dĜ = gegluBackward's dgate of (Ĝ, Û, dÂ) (./geglu.ts): fl(fl(dÂ·Û)·ĝ′) with
 *    |ĝ′ − gelu′(Ĝ)| ≤ 2^−50 absolute (geluGrad within one float64 step, ≤ 1.5·2^−52·1.13,
 *    and the plain float64 formula's absolute error, both below it), the float64
 *    roundings ≤ 2·2^−53·1.13·|dÂ·Û|, then the final rounding (f32: ≤ 2^−24 relative,
 *    taken as ρ_g = 2^−23; f64: ρ_g = 2^−52) and η_g = 2^−149 / 2^−1073. With
 *    a = |dA|, b = |U|, c = |gelu′(G)| and their perturbations e_a = E_dA, e_b = E_U,
 *    e_c = L₂·E_G (mean value theorem on gelu′):
 *      B_g  = e_a(b + e_b)(c + e_c) + a·e_b(c + e_c) + a·b·e_c   (≥ |dÂÛgelu′(Ĝ) − dA·U·gelu′(G)|)
 *      E_dG = B_g + 2^−49·(a + e_a)(b + e_b) + ρ_g·(a·b·c + B_g + 2^−49(a + e_a)(b + e_b)) + η_g.
 * 4. dÛ = fl(gelu(Ĝ)·dÂ) (geglu: ≤ 1 step): with h = |gelu(G)|,
 *      B_u = e_a(h + L·E_G) + a·L·E_G,   E_dU = B_u + ρ(a·h + B_u) + η.
 * 5. The gradients, each one kernel dot product of the rounded values above, whose
 *    magnitudes are at most the exact ones plus their bounds (M_dG = a·b·c + E_dG,
 *    M_dU = a·h + E_dU, M_A = |A| + E_A):
 *      dx[t,k]      ≤ γ′_{2f}·Σ_j (M_dG|W_gate[j,k]| + M_dU|W_up[j,k]|) + Σ_j (E_dG|W_gate[j,k]| + E_dU|W_up[j,k]|) + 2f·μ
 *      dW_gate[j,k] ≤ γ′_T·Σ_t M_dG[t,j]|x[t,k]| + Σ_t E_dG[t,j]|x[t,k]| + T·μ   (dW_up with dU)
 *      dW_down[i,j] ≤ γ′_T·Σ_t |dy[t,i]|M_A[t,j] + Σ_t |dy[t,i]|E_A[t,j] + T·μ.
 *
 * The ingredients (G, U, dA, their absolute sums, gelu, gelu′) are evaluated here in
 * float64. Their own errors are added where they enter: |G| etc. get (n + 1)·2^−53·Σ|·|
 * (the float64 dot product's bound), gelu and gelu′ of the float64 G get L and L₂
 * times that, and the result is multiplied by (1 + 2^−20) for the float64 evaluation of
 * the bound itself.
 */
import { gelu } from '../elementwise/scalar.js';
import { geluGrad } from '../elementwise/gelu-grad.js';
import { GELU_LIPSCHITZ } from '../mlp/bound.js';
import { checkMlpCall, type Gemma2MlpWeights } from '../mlp/call.js';
import { checkArrayType, checkLength } from '../validation.js';

/** sup|gelu″| over ℝ is 2φ(0) = 0.79788 for both forms (at x = 0); 0.8 bounds it. */
export const GELU_GRAD_LIPSCHITZ = 0.8;

const gammaOf = (n: number, u: number) => (n * u) / (1 - n * u);

export interface Gemma2MlpGradientBounds {
  readonly dx: Float64Array;
  readonly dGate: Float64Array;
  readonly dUp: Float64Array;
  readonly dDown: Float64Array;
}

/**
 * Per-output bounds on |computed − exact| for `gemma2MlpBackward(x, dy, tokens, weights,
 * options)` (same arguments; the format is that of x). O(T·d·f) in float64.
 */
export function gemma2MlpBackwardErrorBound<A extends Float32Array | Float64Array>(
  x: A,
  dy: A,
  tokens: number,
  weights: Gemma2MlpWeights<A>,
  options?: { readonly approximate?: 'none' | 'tanh' },
): Gemma2MlpGradientBounds {
  const fn = 'gemma2MlpBackwardErrorBound';
  const c = checkMlpCall<A>(fn, x, tokens, weights, options === undefined ? undefined : { approximate: options.approximate });
  const { hidden: d, intermediate: f, tokens: T, gate, up, down } = c;
  const dya = checkArrayType(fn, 'dy', dy, c.x.constructor as { new (n: number): A; name: string });
  checkLength(fn, 'dy', dya, T * d, `tokens × hidden = ${T} × ${d}`);
  const f32 = c.x instanceof Float32Array;
  const u = f32 ? 2 ** -24 : 2 ** -53;
  const rho = f32 ? 2 ** -22 : 2 ** -51;
  const eta = f32 ? 2 ** -148 : 2 ** -1073;
  const rhoG = f32 ? 2 ** -23 : 2 ** -52;
  const etaG = f32 ? 2 ** -149 : 2 ** -1073;
  const mu = f32 ? 2 ** -149 : 2 ** -1074;
  const gd = gammaOf(Math.ceil(d / 4) + 2, u);
  const g2f = gammaOf(Math.ceil((2 * f) / 4) + 2, u);
  const gT = gammaOf(Math.ceil(T / 4) + 2, u);
  const ref = (d + 1) * 2 ** -53 * 1.01; // float64 dot product of length d, relative to its absolute sum
  const L = GELU_LIPSCHITZ;
  const L2 = GELU_GRAD_LIPSCHITZ;
  const opts = { approximate: c.approximate };
  const MdG = new Float64Array(T * f);
  const EdG = new Float64Array(T * f);
  const MdU = new Float64Array(T * f);
  const EdU = new Float64Array(T * f);
  const MA = new Float64Array(T * f);
  const EA = new Float64Array(T * f);
  for (let t = 0; t < T; t++) {
    for (let j = 0; j < f; j++) {
      let g = 0;
      let v = 0;
      let da = 0;
      let ag = 0;
      let au = 0;
      let ada = 0;
      for (let k = 0; k < d; k++) {
        const xv = c.x[t * d + k]!;
        g += xv * gate[j * d + k]!;
        v += xv * up[j * d + k]!;
        ag += Math.abs(xv * gate[j * d + k]!);
        au += Math.abs(xv * up[j * d + k]!);
        const p = dya[t * d + k]! * down[k * f + j]!;
        da += p;
        ada += Math.abs(p);
      }
      const eg = gd * ag + d * mu;
      const eu = gd * au + d * mu;
      const ea = gd * ada + d * mu;
      const a = Math.abs(da) + ref * ada;
      const b = Math.abs(v) + ref * au;
      // float64 gelu: ≤ 1 step (relative 2^-51 with the rounding, 2^-1074 below the normal range)
      const h = Math.abs(gelu(g, opts)) * (1 + 2 ** -51) + 2 ** -1074 + L * ref * ag;
      const cc = Math.abs(geluGrad(g, opts)) + L2 * ref * ag + 2 ** -50;
      const ec = L2 * eg;
      // forward activation (../mlp/gemma2.ts)
      const P = L * eg * (b + eu) + h * eu;
      const i = t * f + j;
      EA[i] = P + rho * (h * b + P) + eta;
      MA[i] = h * b + EA[i]!;
      const bg = ea * (b + eu) * (cc + ec) + a * eu * (cc + ec) + a * b * ec;
      const roundG = 2 ** -49 * (a + ea) * (b + eu);
      EdG[i] = bg + roundG + rhoG * (a * b * cc + bg + roundG) + etaG;
      MdG[i] = a * b * cc + EdG[i]!;
      const bu = ea * (h + L * eg) + a * L * eg;
      EdU[i] = bu + rho * (a * h + bu) + eta;
      MdU[i] = a * h + EdU[i]!;
    }
  }
  const slack = 1 + 2 ** -20;
  const dx = new Float64Array(T * d);
  for (let t = 0; t < T; t++) {
    for (let k = 0; k < d; k++) {
      let m = 0;
      let e = 0;
      for (let j = 0; j < f; j++) {
        const wg = Math.abs(gate[j * d + k]!);
        const wu = Math.abs(up[j * d + k]!);
        m += MdG[t * f + j]! * wg + MdU[t * f + j]! * wu;
        e += EdG[t * f + j]! * wg + EdU[t * f + j]! * wu;
      }
      dx[t * d + k] = (g2f * m + e + 2 * f * mu) * slack;
    }
  }
  const dGate = new Float64Array(f * d);
  const dUp = new Float64Array(f * d);
  for (let j = 0; j < f; j++) {
    for (let k = 0; k < d; k++) {
      let mg = 0;
      let eg = 0;
      let mu2 = 0;
      let eu = 0;
      for (let t = 0; t < T; t++) {
        const xa = Math.abs(c.x[t * d + k]!);
        mg += MdG[t * f + j]! * xa;
        eg += EdG[t * f + j]! * xa;
        mu2 += MdU[t * f + j]! * xa;
        eu += EdU[t * f + j]! * xa;
      }
      dGate[j * d + k] = (gT * mg + eg + T * mu) * slack;
      dUp[j * d + k] = (gT * mu2 + eu + T * mu) * slack;
    }
  }
  const dDown = new Float64Array(d * f);
  for (let i = 0; i < d; i++) {
    for (let j = 0; j < f; j++) {
      let m = 0;
      let e = 0;
      for (let t = 0; t < T; t++) {
        const ya = Math.abs(dya[t * d + i]!);
        m += ya * MA[t * f + j]!;
        e += ya * EA[t * f + j]!;
      }
      dDown[i * f + j] = (gT * m + e + T * mu) * slack;
    }
  }
  return { dx, dGate, dUp, dDown };
}
