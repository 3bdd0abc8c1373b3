/**
 * y = x·Wᵀ for x [T, K] and W [O, K] row-major (PyTorch nn.Linear's [out, in]
 * layout): every output is a dot product of two contiguous rows.
 *
 * ## Method — the kernel dot product (fixed order, every backend)
 *
 * For rows a, b of length K, four lane sums s₀…s₃ start at +0 and
 * s_l ← fl(s_l + fl(a[k]·b[k])) for k ≡ l (mod 4), k ascending; the result is
 * fl(fl(s₀ + s₁) + fl(s₂ + s₃)). This is exactly what one f32x4 (or f64x2 ×2)
 * SIMD accumulator computes, so the plain-JavaScript path here and the
 * WebAssembly SIMD path (../wasm/matmul-simd.ts) give bit-identical results, and the value
 * of an output never depends on the number of tokens, their order, the cache
 * blocking or the thread that computed it.
 *
 * ## Error bound
 *
 * Each lane is a recursive sum of at most m = ⌈K/4⌉ rounded products, then two
 * more additions, so (Higham, Accuracy and Stability of Numerical Algorithms,
 * 2nd ed., §3.1, eq. 3.5) with u = 2^−24 (f32) or 2^−53 (f64):
 *
 *     |ŷ − y| ≤ γ_{⌈K/4⌉+2} · Σ_k |a_k|·|b_k| + K·μ,   γ_n = n·u / (1 − n·u),
 *
 * as long as nothing overflows; μ = 2^−149 (f32) or 2^−1074 (f64), the
 * smallest subnormal, covers products that underflow (each rounds with an
 * absolute error ≤ μ/2; sums of subnormals are exact).
 */

const fround = Math.fround;

/** Rows of W per cache block: 16 rows × 2304 × 4 B ≈ 144 KiB stay in L2 while every token visits them. */
export const ROW_BLOCK = 16;

/** f32: out[t·O + o] = dot(x[t·K …], w[o·K …]) in the kernel order, f32 throughout. */
export function matmulTransposedF32(x: Float32Array, tokens: number, k: number, w: Float32Array, outputs: number, out: Float32Array): void {
  const k4 = k - (k % 4);
  for (let ob = 0; ob < outputs; ob += ROW_BLOCK) {
    const oe = Math.min(ob + ROW_BLOCK, outputs);
    for (let t = 0; t < tokens; t++) {
      const xo = t * k;
      for (let o = ob; o < oe; o++) {
        const wo = o * k;
        let s0 = 0;
        let s1 = 0;
        let s2 = 0;
        let s3 = 0;
        let i = 0;
        for (; i < k4; i += 4) {
          s0 = fround(s0 + fround(x[xo + i]! * w[wo + i]!));
          s1 = fround(s1 + fround(x[xo + i + 1]! * w[wo + i + 1]!));
          s2 = fround(s2 + fround(x[xo + i + 2]! * w[wo + i + 2]!));
          s3 = fround(s3 + fround(x[xo + i + 3]! * w[wo + i + 3]!));
        }
        if (i < k) s0 = fround(s0 + fround(x[xo + i]! * w[wo + i]!));
        if (i + 1 < k) s1 = fround(s1 + fround(x[xo + i + 1]! * w[wo + i + 1]!));
        if (i + 2 < k) s2 = fround(s2 + fround(x[xo + i + 2]! * w[wo + i + 2]!));
        out[t * outputs + o] = fround(fround(s0 + s1) + fround(s2 + s3));
      }
    }
  }
}

/** f64: the same order in float64. */
export function matmulTransposedF64(x: Float64Array, tokens: number, k: number, w: Float64Array, outputs: number, out: Float64Array): void {
  const k4 = k - (k % 4);
  for (let ob = 0; ob < outputs; ob += ROW_BLOCK) {
    const oe = Math.min(ob + ROW_BLOCK, outputs);
    for (let t = 0; t < tokens; t++) {
      const xo = t * k;
      for (let o = ob; o < oe; o++) {
        const wo = o * k;
        let s0 = 0;
        let s1 = 0;
        let s2 = 0;
        let s3 = 0;
        let i = 0;
        for (; i < k4; i += 4) {
          s0 += x[xo + i]! * w[wo + i]!;
          s1 += x[xo + i + 1]! * w[wo + i + 1]!;
          s2 += x[xo + i + 2]! * w[wo + i + 2]!;
          s3 += x[xo + i + 3]! * w[wo + i + 3]!;
        }
        if (i < k) s0 += x[xo + i]! * w[wo + i]!;
        if (i + 1 < k) s1 += x[xo + i + 1]! * w[wo + i + 1]!;
        if (i + 2 < k) s2 += x[xo + i + 2]! * w[wo + i + 2]!;
        out[t * outputs + o] = s0 + s1 + (s2 + s3);
      }
    }
  }
}

/** The plain matmul for a lane width (4: float32, 8: float64), typed for the caller's array type. */
export function matmulTransposedFor<A extends Float32Array | Float64Array>(
  bytes: 4 | 8,
): (x: A, tokens: number, k: number, w: A, outputs: number, out: A) => void {
  return (bytes === 4 ? matmulTransposedF32 : matmulTransposedF64) as (
    x: A,
    tokens: number,
    k: number,
    w: A,
    outputs: number,
    out: A,
  ) => void;
}
