/**
 * y = x·Wᵀ for x [T, K] and W [O, K] row-major (PyTorch nn.Linear's [out, in]
 * layout): every output is a dot product of two contiguous rows.
 *
 * ## Method — the kernel dot product (fixed order, every backend)
 *
 * For rows a, b of length K, lane l (0…3) takes the k ≡ l (mod 4), ascending,
 * in blocks of LANE_BLOCK: a block sum b_l starts at +0 and
 * b_l ← fl(b_l + fl(a[k]·b[k])) over the block, then the lane total
 * t_l ← fl(t_l + b_l) (t_l starts at +0). The last K mod 4 elements are added
 * to t₀…t₂ as t_l ← fl(t_l + fl(a[k]·b[k])); the result is
 * fl(fl(t₀ + t₁) + fl(t₂ + t₃)). This is exactly what one f32x4 (or f64x2 ×2)
 * SIMD accumulator computes, so the plain-JavaScript path here and the
 * WebAssembly SIMD path (../wasm/matmul-simd.ts) give bit-identical results, and the value
 * of an output never depends on the number of tokens, their order, the cache
 * blocking or the thread that computed it.
 *
 * The blocks are for accuracy: a recursive sum's error grows with its length,
 * and a lane of the down projection is f/4 = 2,304 terms long at gemma-2-2b
 * shapes. Blocks of 16 cut the mean float32 error of the MLP's outputs by
 * about 40% and its worst case several-fold (measured against a float64
 * reference: tools/bench's `mlp-small` accuracy column and
 * test/mlp/accuracy.test.ts) for one vector add per output every 16 steps.
 *
 * With relaxed SIMD (../wasm/features.ts) the WebAssembly tiles compute
 * b_l ← a[k]·b[k] + b_l with `relaxed_madd`, fused or not as the engine chooses;
 * unfused it is this order bit for bit, fused it skips the product's rounding.
 *
 * ## Error bound
 *
 * A lane has m ≤ ⌈K/4⌉ terms, n = ⌊K/4⌋ of them in ⌈n/B⌉ blocks (B = LANE_BLOCK).
 * A term's product is rounded once (not at all where the multiply-add fuses),
 * then takes part in at most min(n, B) − 1 additions in its block, ⌈n/B⌉ − 1
 * joins of block sums and one tail addition: in all at most m roundings, since
 * ⌈n/B⌉ − 1 ≤ n − B when n > B. The joining two additions make m + 2, the
 * count of a plain recursive sum of the lane, so (Higham, Accuracy and
 * Stability of Numerical Algorithms, 2nd ed., §3.1, eq. 3.5) with u = 2^−24
 * (f32) or 2^−53 (f64):
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

/** k-steps (of 4 elements) per block sum of the kernel dot product. */
export const LANE_BLOCK = 16;

/** f32: out[t·O + o] = dot(x[t·K …], w[o·K …]) in the kernel order, f32 throughout. */
export function matmulTransposedF32(x: Float32Array, tokens: number, k: number, w: Float32Array, outputs: number, out: Float32Array): void {
  const k4 = k - (k % 4);
  for (let ob = 0; ob < outputs; ob += ROW_BLOCK) {
    const oe = Math.min(ob + ROW_BLOCK, outputs);
    for (let t = 0; t < tokens; t++) {
      const xo = t * k;
      for (let o = ob; o < oe; o++) {
        const wo = o * k;
        let t0 = 0;
        let t1 = 0;
        let t2 = 0;
        let t3 = 0;
        let i = 0;
        while (i < k4) {
          const e = Math.min(i + 4 * LANE_BLOCK, k4);
          let s0 = 0;
          let s1 = 0;
          let s2 = 0;
          let s3 = 0;
          for (; i < e; i += 4) {
            s0 = fround(s0 + fround(x[xo + i]! * w[wo + i]!));
            s1 = fround(s1 + fround(x[xo + i + 1]! * w[wo + i + 1]!));
            s2 = fround(s2 + fround(x[xo + i + 2]! * w[wo + i + 2]!));
            s3 = fround(s3 + fround(x[xo + i + 3]! * w[wo + i + 3]!));
          }
          t0 = fround(t0 + s0);
          t1 = fround(t1 + s1);
          t2 = fround(t2 + s2);
          t3 = fround(t3 + s3);
        }
        if (i < k) t0 = fround(t0 + fround(x[xo + i]! * w[wo + i]!));
        if (i + 1 < k) t1 = fround(t1 + fround(x[xo + i + 1]! * w[wo + i + 1]!));
        if (i + 2 < k) t2 = fround(t2 + fround(x[xo + i + 2]! * w[wo + i + 2]!));
        out[t * outputs + o] = fround(fround(t0 + t1) + fround(t2 + t3));
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
        let t0 = 0;
        let t1 = 0;
        let t2 = 0;
        let t3 = 0;
        let i = 0;
        while (i < k4) {
          const e = Math.min(i + 4 * LANE_BLOCK, k4);
          let s0 = 0;
          let s1 = 0;
          let s2 = 0;
          let s3 = 0;
          for (; i < e; i += 4) {
            s0 += x[xo + i]! * w[wo + i]!;
            s1 += x[xo + i + 1]! * w[wo + i + 1]!;
            s2 += x[xo + i + 2]! * w[wo + i + 2]!;
            s3 += x[xo + i + 3]! * w[wo + i + 3]!;
          }
          t0 += s0;
          t1 += s1;
          t2 += s2;
          t3 += s3;
        }
        if (i < k) t0 += x[xo + i]! * w[wo + i]!;
        if (i + 1 < k) t1 += x[xo + i + 1]! * w[wo + i + 1]!;
        if (i + 2 < k) t2 += x[xo + i + 2]! * w[wo + i + 2]!;
        out[t * outputs + o] = t0 + t1 + (t2 + t3);
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
