/**
 * Gemma 2 MLP forward: y = (gelu(x·W_gateᵀ) ⊙ (x·W_upᵀ))·W_downᵀ, no biases.
 *
 * Shapes (PyTorch nn.Linear [out, in], row-major, as checkpoints store them):
 * x [T, d], gate [f, d], up [f, d], down [d, f], y [T, d]; d = hidden,
 * f = intermediate. Gemma 2 uses gelu_pytorch_tanh, hence the default
 * `approximate: 'tanh'`.
 *
 * ## Method
 *
 * 1. Ĝ = x·W_gateᵀ and Û = x·W_upᵀ with the kernel dot product (./matmul.ts),
 *    K = d, in the format of x (f32 or f64, no wider accumulator).
 * 2. Â = fl(gelu(Ĝ)·Û) elementwise: the fused `geglu` of ../elementwise
 *    (correctly rounded in f32, ≤ 1 step in f64).
 * 3. ŷ = Â·W_downᵀ, K = f.
 *
 * ## Error bound (what a verifier may test against)
 *
 * u = 2^−24 (f32) or 2^−53 (f64), γ_n = n·u/(1 − n·u), L = 1.13 ≥ sup|gelu′|
 * (the supremum is 1.1289 at x = √2 for the exact form; the tanh form's is
 * within 1e−3 of it), ρ = 2^−22 (f32) / 2^−51 (f64) for the activation
 * (≤ 1 step from the correctly rounded product, relative) and
 * η = 2^−148 (f32) / 2^−1073 (f64), two subnormal steps, for tiny activations, μ = 2^−149
 * (f32) / 2^−1074 (f64) for underflowing products. With exact
 * G = x·W_gateᵀ, U = x·W_upᵀ, A = gelu(G)⊙U, y = A·W_downᵀ, elementwise:
 *
 *     E_G = γ_{⌈d/4⌉+2}·|x|·|W_gate|ᵀ + d·μ,   E_U = γ_{⌈d/4⌉+2}·|x|·|W_up|ᵀ + d·μ
 *     P   = L·E_G·(|U| + E_U) + |gelu(G)|·E_U
 *     E_A = P + ρ·(|A| + P) + η
 *     |ŷ − y| ≤ γ_{⌈f/4⌉+2}·(|A| + E_A)·|W_down|ᵀ + E_A·|W_down|ᵀ + f·μ
 *
 * for finite inputs where nothing overflows. Test helpers in
 * test/mlp/reference.ts evaluate this bound in f64.
 *
 * ## Notes
 *
 * - Deterministic: every output is computed by the same sequence of roundings
 *   whatever T, the token order, the blocking or the threads, so running a
 *   batch or its rows one at a time gives bit-identical results, and
 *   permuting the tokens permutes the outputs exactly — on one multiply-add
 *   path: where relaxed SIMD is active and its multiply-add fuses, the SIMD
 *   tiles (large calls) and the plain loop (small calls) round differently,
 *   both within the bound above.
 * - NaN or ±Inf in x or the weights propagate through IEEE arithmetic (no
 *   check is made per call; the safetensors loader rejects non-finite weights).
 * - `out` may not overlap x or any weight (step 3 writes y while x is no
 *   longer needed, but W_down is read throughout, and partial overlaps are never safe).
 */
import { MATMUL_LANES, matmulSimdAvailable, type MatmulLaneType } from '../wasm/matmul-simd.js';
import { checkMlpCall, type Gemma2MlpOptions, type Gemma2MlpWeights } from './call.js';
import { CHUNK, createJsEngine, createSimdEngine, simdEngineFits, type LaneArray, type MlpEngine } from './engine.js';
import { mayShareUnseen } from '../validation.js';
import { relaxedSimdActive } from '../wasm/features.js';

/**
 * From this many multiply-adds (T·d·f) on, calls run on the WebAssembly SIMD
 * tiles (one thread; f32x4 for float32, f64x2 for float64). The weights are
 * copied per call into one WebAssembly memory per lane type, kept for the
 * last shape (`releaseGemma2MlpScratch` frees them), which costs far less
 * than the ~30× slower plain loop. Results are identical to the plain loop's
 * unless the tiles use relaxed SIMD and its multiply-add fuses.
 */
export const WASM_THRESHOLD = 2 ** 22;

/**
 * The SIMD engines `gemma2Mlp` reuses for large calls, one per lane type, sized for the last
 * (hidden, intermediate) it saw, so repeated calls copy the weights into committed pages (about
 * 28 ms of CPU for gemma-2-2b float32 on the development VM) instead of faulting in fresh ones
 * (about 165 ms).
 */
const scratch: Partial<Record<MatmulLaneType, MlpEngine>> = {};

function scratchEngine(type: MatmulLaneType, d: number, f: number): MlpEngine {
  const kept = scratch[type];
  // Keyed on the multiply-add path too: setRelaxedSimd applies to modules built after it.
  if (kept !== undefined && kept.hidden === d && kept.intermediate === f && kept.relaxedSimd === relaxedSimdActive()) return kept;
  kept?.dispose();
  scratch[type] = undefined;
  const made = createSimdEngine(MATMUL_LANES[type], d, f, 1);
  scratch[type] = made;
  return made;
}

/** Frees the WebAssembly memory `gemma2Mlp` keeps between large calls (float32 and float64). */
export function releaseGemma2MlpScratch(): void {
  for (const type of ['f32', 'f64'] as const) {
    scratch[type]?.dispose();
    scratch[type] = undefined;
  }
}

/**
 * Gemma 2 MLP forward for x [tokens, hidden]. Small calls run in plain
 * TypeScript, large ones on WebAssembly SIMD (bit-identical, except where
 * relaxed SIMD's multiply-add fuses: within the same bound); for repeated
 * calls with the same weights, and for threads, use `createGemma2Mlp`, which
 * copies the weights once.
 */
export function gemma2Mlp<A extends Float32Array | Float64Array>(
  x: A,
  tokens: number,
  weights: Gemma2MlpWeights<A>,
  options?: Gemma2MlpOptions<A>,
): A {
  const c = checkMlpCall<A>('gemma2Mlp', x, tokens, weights, options);
  const { hidden: d, intermediate: f } = c;
  const lanes = MATMUL_LANES[c.x instanceof Float32Array ? 'f32' : 'f64'];
  const out = c.out ?? new (c.x.constructor as { new (n: number): A })(c.tokens * d);
  const engine: MlpEngine<LaneArray> =
    c.tokens * d * f >= WASM_THRESHOLD && matmulSimdAvailable() && simdEngineFits(lanes, d, f)
      ? scratchEngine(lanes.type, d, f)
      : createJsEngine(lanes, d, f, Math.max(1, Math.min(CHUNK, c.tokens)));
  // The scratch engine's copy is refreshed every call: never stale weights.
  engine.load(c.gate, c.up, c.down);
  // out on another SharedArrayBuffer object than x or a weight may still be their memory
  if (mayShareUnseen(out, [c.x, c.gate, c.up, c.down])) {
    out.set(engine.forward(c.x, c.tokens, c.approximate, new (c.x.constructor as { new (n: number): A })(c.tokens * d)));
    return out;
  }
  return engine.forward(c.x, c.tokens, c.approximate, out) as A;
}
