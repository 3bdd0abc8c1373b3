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
