// Measures the fast float32 kernel's relative error (before rounding to float32)
// against the double-double gelu at 33 points per table interval (width
// 1/perUnit of each table), both forms; prints the largest and where it occurs,
// then how often the rounding test fails (those inputs take the double-double path).
// Usage (from packages/kernel, after a build): node bench/fast-error.mjs
import { EXACT_TABLE, TANH_TABLE, fastGelu } from '../dist/elementwise/fast.js';
import { gelu64 } from '../dist/elementwise/cores.js';
for (const T of [EXACT_TABLE, TANH_TABLE]) {
  let max = 0,
    at = 0;
  const n = Math.round((T.end - T.x0) * T.perUnit);
  for (let i = 0; i < n; i++)
    for (let k = 0; k <= 32; k++) {
      const x = Math.fround(T.x0 + (i + k / 32) / T.perUnit);
      if (x >= T.end || x === 0) continue;
      const y = fastGelu(T, x),
        r = gelu64(x, T.tanh);
      if (r === 0) continue;
      const e = Math.abs((y - r) / r);
      if (e > max) {
        max = e;
        at = x;
      }
    }
  console.log(T.tanh ? 'tanh' : 'exact', 'max rel err 2^', Math.log2(max), 'at', at);
}

// The Horner rounding bound of fast.ts for any mixture of fused and unfused
// steps (relaxed SIMD's madd): γ_2n·max_i Σ|c_k| / min_t |P_i(t)|, with
// min_t |P_i(t)| ≥ |c_0| − Σ_{k≥1}|c_k| on t ∈ [−1, 1], plus the final x·p.
{
  const T = EXACT_TABLE;
  const u = 2 ** -53;
  let worst = 0;
  let at = 0;
  for (let b = 0; b < T.coeffs.length; b += T.stride) {
    let sum = 0;
    for (let k = 0; k < T.stride; k++) sum += Math.abs(T.coeffs[b + k]);
    const min = 2 * Math.abs(T.coeffs[b]) - sum;
    if (!(min > 0)) throw new Error(`interval ${b / T.stride}: |c_0| does not dominate, the bound needs another form`);
    if (sum / min > worst) {
      worst = sum / min;
      at = b / T.stride;
    }
  }
  const n2 = 2 * (T.stride - 1);
  const gamma = (n2 * u) / (1 - n2 * u);
  console.log(
    `exact Horner: max Σ|c_k|/min|P| = ${worst.toFixed(4)} (interval ${at}, x ≈ ${(T.x0 + at / T.perUnit).toFixed(3)}); ` +
      `rounding bound with x·p 2^${Math.log2(gamma * worst * (1 + u) + u).toFixed(2)} relative, fused or not`,
  );
}

// How often the rounding test sends an input to the double-double path: 2^20
// float32 inputs uniform on [zero threshold, identity threshold) per form.
import { FAST_BAND } from '../dist/elementwise/fast.js';
let seed = 12345;
for (const T of [EXACT_TABLE, TANH_TABLE]) {
  let failed = 0;
  const n = 2 ** 20;
  for (let i = 0; i < n; i++) {
    seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0;
    const x = Math.fround(T.zero + (T.identity - T.zero) * (seed / 2 ** 32));
    const y = fastGelu(T, x);
    if (Math.fround(y * (1 + FAST_BAND)) !== Math.fround(y * (1 - FAST_BAND))) failed++;
  }
  console.log(
    T.tanh ? 'tanh' : 'exact',
    `rounding test (band 2^${Math.log2(FAST_BAND)}) fails for ${failed} of 2^20 inputs uniform on [${T.zero}, ${T.identity}) (1 in ${(n / Math.max(failed, 1)).toFixed(0)})`,
  );
}
