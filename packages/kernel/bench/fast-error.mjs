// Measures the fast float32 kernel's relative error (before rounding to float32)
// against the double-double gelu at 33 points per table interval (width
// 1/perUnit of each table), both forms; prints the largest and where it occurs.
// Usage (from packages/kernel, after a build): node bench/fast-error.mjs
import { EXACT_TABLE, TANH_TABLE, fastGelu } from '../dist/elementwise/fast.js';
import { gelu64 } from '../dist/elementwise/cores.js';
for (const T of [EXACT_TABLE, TANH_TABLE]) {
  let max = 0, at = 0;
  const n = Math.round((T.end - T.x0) * T.perUnit);
  for (let i = 0; i < n; i++) for (let k = 0; k <= 32; k++) {
    const x = Math.fround(T.x0 + (i + k / 32) / T.perUnit); if (x >= T.end || x === 0) continue;
    const y = fastGelu(T, x), r = gelu64(x, T.tanh);
    if (r === 0) continue;
    const e = Math.abs((y - r) / r); if (e > max) { max = e; at = x; }
  }
  console.log(T.tanh ? 'tanh' : 'exact', 'max rel err 2^', Math.log2(max), 'at', at);
}
