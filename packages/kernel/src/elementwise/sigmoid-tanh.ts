/**
 * The tanh form's table-free float64 evaluation, one element at a time in
 * the order of IEEE double operations that the WebAssembly sigmoid kernel
 * (../wasm/gelu-simd.ts sigmoidTanhBody) performs on each lane: the kernel
 * emits its code from the constants here, and the tests compare the two
 * bit for bit and measure this one's error against the double-double gelu.
 *
 * ## Method
 *
 * gelu(x) = x·sigmoid(2u) = x / (1 + e^a), a = −2u = −2√(2/π)(x + 0.044715x³),
 * evaluated in base 2 with one division for the exponential and the sigmoid
 * together:
 *
 * 1. v = max(x, −16) (gelu is −0 in float32 from −10.78 down; the clamped
 *    result, |y| < 2^-450, still rounds to −0);
 * 2. b = max(v·(B3·v² + B1), −1010), b = a·log2(e) (B1, B3: constants.ts);
 * 3. k = nearest integer to b (b + 1.5·2^52 − 1.5·2^52) and f = b − k, exact
 *    (Sterbenz, or k = 0), |f| ≤ 1/2;
 * 4. 2^f = (w + f)/(w − f) with w = W0 + z·(Q1 + z(Q2 + z(Q3 + z·Q4))), z = f²:
 *    fdlibm's rational form of exp (e_exp.c: e^r = (R + r)/(R − r),
 *    R = r·coth(r/2)) at r = f·ln 2, divided by ln 2; the coefficients are
 *    its Bernoulli series economized on z ∈ [0, 1/4] by
 *    scripts/generate-constants.mjs;
 * 5. y = v·D / (2^k·N + D), N = w + f, D = w − f; 2^k is exact (k ∈ [−1010,
 *    459]) and so is 2^k·N.
 *
 * ## Error bound (u = 2^-53)
 *
 * - b: v² is exact (v is a float32), B1 and B3 are within u relative of the
 *   reals, and the product, the same-sign sum and the product by v add u
 *   each, so |Δb| ≤ 4.0001u·|b| and e^a = 2^b is off by ≤ 4.0001u·|a|
 *   relative: < 2^-44.26 for x ≥ −10.78 (|a| ≤ 106.6), where float32 results
 *   are not −0, and < 2^-42.68 down to −16 (|a| ≤ 317.8). The dominant term.
 * - 2^f: the economized polynomial's bound, EXP2_RATIONAL_ERROR < 2^-49.30
 *   (its series tail, economization and coefficient rounding); the roundings
 *   of z, h, z·h and + W0 (and W0's own) move w by ≤ 5.9u absolute, which
 *   moves ln((w + f)/(w − f)) by ≤ 5.9u·2|f|/(w² − f²) < 0.74u; N and D: u
 *   each.
 * - y: v·D, the sum and the division: u each; a relative error δ of e^a moves
 *   y by ≤ δ·e^a/(1 + e^a) ≤ δ.
 *
 * In all |y − gelu(x)| ≤ (2^-44.26 + 2^-49.30 + 5.74u)·|y| < 2^-44.19·|y| for
 * x ∈ [−10.78, 4.995] and < 2^-42.6·|y| down to −16: 2^3.2 and 2^1.6 below
 * the rounding test's band FAST_BAND = 2^-41 (./fast.ts), so an accepted result
 * is the correctly rounded float32. From x = 4.995 up the float32 result is x
 * and the same terms are damped by e^a/(1 + e^a) < 2^-24.
 *
 * With relaxed SIMD the kernel computes v²·B3 + B1, each step of w and
 * N·2^k + D with `f64x2.relaxed_madd`, fused (one rounding) or not (two) as
 * the engine chooses per instruction. The bound above gives every such step
 * its two roundings, each ≤ u; a fused step is the same expression with the
 * product's rounding error zero, so each term only shrinks and the bound
 * holds for every mixture of fused and unfused steps (N·2^k is exact, so
 * that step rounds the same either way).
 *
 * ## Special cases
 *
 * - NaN stays NaN (max returns its first operand when the comparison is
 *   false), and the rounding test flags it.
 * - +∞: b = −∞ is clamped to −1010, y = ∞·D/(2^-1010·N + D) = +∞.
 * - −∞ and x < −16: clamped to −16, a tiny negative y: −0 in float32.
 * - ±0: y = ±0.
 */
import { EXP2_RATIONAL_Q, EXP2_RATIONAL_W0, TANH_EXP2_B1, TANH_EXP2_B3 } from './constants.js';
import { ROUND_MAGIC } from './fast.js';

/** The clamp of x below (step 1). */
export const SIGMOID_X_MIN = -16;
/** The clamp of b below (step 2): keeps 2^k normal up to x = +∞. */
export const SIGMOID_B_MIN = -1010;

const [Q1, Q2, Q3, Q4] = EXP2_RATIONAL_Q;

/**
 * y ≈ gelu_tanh(x) in float64 before its float32 rounding, as the kernel
 * computes it (relative error < 2^-44.19 for x ∈ [−10.78, 4.995]; see above).
 */
export function sigmoidTanhGelu(x: number): number {
  // pmax(a, b) in WebAssembly is b if a < b, else a (so NaN passes through).
  const v = x < SIGMOID_X_MIN ? SIGMOID_X_MIN : x;
  const b0 = v * (v * v * TANH_EXP2_B3 + TANH_EXP2_B1);
  const b = b0 < SIGMOID_B_MIN ? SIGMOID_B_MIN : b0;
  const k = b + ROUND_MAGIC - ROUND_MAGIC;
  const f = b - k;
  const z = f * f;
  const w = (((z * Q4 + Q3) * z + Q2) * z + Q1) * z + EXP2_RATIONAL_W0;
  const n = w + f;
  const d = w - f;
  return (v * d) / (n * 2 ** k + d);
}
