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
 *   permuting the tokens permutes the outputs exactly.
 * - NaN or ±Inf in x or the weights propagate through IEEE arithmetic (no
 *   check is made per call; the safetensors loader rejects non-finite weights).
 * - `out` may not overlap x or any weight (step 3 writes y while x is no
 *   longer needed, but W_down is read throughout, and partial overlaps are never safe).
 */
import { gegluActivation } from './activation.js';
import { forwardWithScratch } from './fast.js';
import { f64PlanFits, gemma2MlpWasm64 } from './fast64.js';
import { wasmSimdAvailable } from './wasm.js';
import { matmulTransposedF32, matmulTransposedF64 } from './matmul.js';
import {
  checkApproximate,
  checkArrayType,
  checkDimension,
  checkFloatArray,
  checkLength,
  checkNoAlias,
  checkOptions,
  checkedProduct,
  describe,
  fail,
} from '../validation.js';

export interface Gemma2MlpWeights<A extends Float32Array | Float64Array = Float32Array | Float64Array> {
  /** d: the model width (hidden_size). */
  readonly hidden: number;
  /** f: the MLP width (intermediate_size). */
  readonly intermediate: number;
  /** W_gate [f, d] row-major. */
  readonly gate: A;
  /** W_up [f, d] row-major. */
  readonly up: A;
  /** W_down [d, f] row-major. */
  readonly down: A;
}

export interface Gemma2MlpOptions<A extends Float32Array | Float64Array = Float32Array | Float64Array> {
  /** Activation: 'tanh' (Gemma 2's gelu_pytorch_tanh, the default) or 'none' (exact erf form). */
  readonly approximate?: 'none' | 'tanh';
  /** Output [T, d]; same type as x; allocated when absent. */
  readonly out?: A;
}

/**
 * From this many multiply-adds (T·d·f) on, calls run on the WebAssembly
 * SIMD tiles (one thread; f32x4 for float32, f64x2 for float64 via ./fast64.ts). The weights are copied per call into
 * one WebAssembly memory kept for the last shape (`releaseGemma2MlpScratch`
 * frees it), which costs far less than the ~30× slower plain loop. Results
 * are identical.
 */
export const WASM_THRESHOLD = 2 ** 22;

/** Tokens processed together; bounds the scratch to 2·TOKEN_CHUNK·f elements. */
const TOKEN_CHUNK = 256;

export interface CheckedMlpCall<A extends Float32Array | Float64Array> {
  x: A;
  tokens: number;
  hidden: number;
  intermediate: number;
  gate: A;
  up: A;
  down: A;
  approximate: 'none' | 'tanh';
  out: A | undefined;
}

/** Validates every argument of gemma2Mlp before any work; shared with the fast path. */
export function checkMlpCall<A extends Float32Array | Float64Array>(
  fn: string,
  x: unknown,
  tokens: unknown,
  weights: unknown,
  options: unknown,
): CheckedMlpCall<A> {
  const xa = checkFloatArray(fn, 'x', x) as A;
  const t = checkDimension(fn, 'tokens', tokens, 0);
  if (weights === null || typeof weights !== 'object') {
    fail(fn, `weights is ${describe(weights)}, expected { hidden, intermediate, gate, up, down }`);
  }
  const w = weights as Partial<Gemma2MlpWeights>;
  const d = checkDimension(fn, 'weights.hidden', w.hidden, 1);
  const f = checkDimension(fn, 'weights.intermediate', w.intermediate, 1);
  const type = xa.constructor as { new (n: number): A; name: string };
  const gate = checkArrayType(fn, 'weights.gate', w.gate, type);
  const up = checkArrayType(fn, 'weights.up', w.up, type);
  const down = checkArrayType(fn, 'weights.down', w.down, type);
  const fd = checkedProduct(fn, ['intermediate', 'hidden'], [f, d]);
  const td = checkedProduct(fn, ['tokens', 'hidden'], [t, d]);
  checkedProduct(fn, ['tokens', 'intermediate'], [t, f], Number.MAX_SAFE_INTEGER);
  checkLength(fn, 'x', xa, td, `tokens × hidden = ${t} × ${d}`);
  checkLength(fn, 'weights.gate', gate, fd, `intermediate × hidden = ${f} × ${d}`);
  checkLength(fn, 'weights.up', up, fd, `intermediate × hidden = ${f} × ${d}`);
  checkLength(fn, 'weights.down', down, fd, `hidden × intermediate = ${d} × ${f}`);
  const opts = checkOptions<Gemma2MlpOptions<A>>(fn, options);
  const approximate = checkApproximate(fn, opts.approximate, 'tanh');
  let out: A | undefined;
  if (opts.out !== undefined) {
    out = checkArrayType(fn, 'options.out', opts.out, type);
    checkLength(fn, 'options.out', out, td, `tokens × hidden = ${t} × ${d}`);
    checkNoAlias(fn, 'options.out', out, {
      x: xa,
      'weights.gate': gate,
      'weights.up': up,
      'weights.down': down,
    });
  }
  return { x: xa, tokens: t, hidden: d, intermediate: f, gate, up, down, approximate, out };
}

/**
 * Gemma 2 MLP forward for x [tokens, hidden]. Small or float64 calls run in
 * plain TypeScript, large float32 ones on WebAssembly SIMD (bit-identical);
 * for repeated calls with the same weights, and for threads, use
 * `createGemma2Mlp`, which copies the weights once.
 */
export function gemma2Mlp<A extends Float32Array | Float64Array>(
  x: A,
  tokens: number,
  weights: Gemma2MlpWeights<A>,
  options?: Gemma2MlpOptions<A>,
): A {
  const c = checkMlpCall<A>('gemma2Mlp', x, tokens, weights, options);
  const { hidden: d, intermediate: f } = c;
  if (c.x instanceof Float32Array && c.tokens * d * f >= WASM_THRESHOLD && wasmSimdAvailable()) {
    const w = c as unknown as Gemma2MlpWeights<Float32Array>;
    const out = c.out as Float32Array | undefined;
    return forwardWithScratch(w, c.x, c.tokens, { approximate: c.approximate, ...(out ? { out } : {}) }) as A;
  }
  const type = c.x.constructor as { new (n: number): A };
  if (c.x instanceof Float64Array && c.tokens * d * f >= WASM_THRESHOLD && wasmSimdAvailable() && f64PlanFits(d, f)) {
    const out64 = (c.out as Float64Array | undefined) ?? new Float64Array(c.tokens * d);
    return gemma2MlpWasm64(c.x, c.tokens, d, f, c.gate as Float64Array, c.up as Float64Array, c.down as Float64Array, c.approximate, out64) as A;
  }
  const out = c.out ?? new type(c.tokens * d);
  const chunk = Math.max(1, Math.min(TOKEN_CHUNK, c.tokens));
  const g = new type(chunk * f);
  const u = new type(chunk * f);
  for (let t0 = 0; t0 < c.tokens; t0 += chunk) {
    const n = Math.min(chunk, c.tokens - t0);
    const xs = c.x.subarray(t0 * d, (t0 + n) * d) as A;
    const gs = g.subarray(0, n * f) as A;
    const us = u.subarray(0, n * f) as A;
    const ys = out.subarray(t0 * d, (t0 + n) * d) as A;
    if (xs instanceof Float32Array) {
      matmulTransposedF32(xs, n, d, c.gate as Float32Array, f, gs as Float32Array);
      matmulTransposedF32(xs, n, d, c.up as Float32Array, f, us as Float32Array);
      gegluActivation(gs, us, c.approximate, gs);
      matmulTransposedF32(gs as Float32Array, n, f, c.down as Float32Array, d, ys as Float32Array);
    } else {
      matmulTransposedF64(xs as Float64Array, n, d, c.gate as Float64Array, f, gs as Float64Array);
      matmulTransposedF64(xs as Float64Array, n, d, c.up as Float64Array, f, us as Float64Array);
      gegluActivation(gs, us, c.approximate, gs);
      matmulTransposedF64(gs as Float64Array, n, f, c.down as Float64Array, d, ys as Float64Array);
    }
  }
  return out;
}
