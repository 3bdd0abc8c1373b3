// Dense correctness check of the float32 gelu (not a unit test: minutes of CPU).
// For every `stride`-th float32 bit pattern over all 2^32 (default 1024 → 4.2M
// inputs per form, every binade, subnormals, ±∞, NaNs) plus every float32 in
// the subnormal-result tails [zero threshold, −13] (exact) and [−10.77, −9.6]
// (tanh) at stride 16:
//  1. geluArray (SIMD fast path + fallback) must equal geluF32 (double-double);
//  2. where the double-double value lies within 2^-60 (relative) of a float32
//     rounding boundary, for every 64th subnormal result and every 4096th
//     input, the oracle must agree.
// Usage (from packages/kernel, after building kernel and oracle):
//   node bench/dense-check.mjs [stride]
import { geluArray, geluF32 } from '../dist/index.js';
import { geluDD, ch, cl, ck } from '../dist/elementwise/cores.js';
import { ldexp } from '../dist/elementwise/dd.js';

let oracle = null;
try {
  oracle = await import('@geglu/oracle');
} catch {
  try {
    oracle = await import(new URL('../../oracle/dist/index.js', import.meta.url).href);
  } catch {
    console.log('oracle not available: step 2 skipped');
  }
}
const stride = Number(process.argv[2] ?? 1024);
const f32 = new Float32Array(1);
const u32 = new Uint32Array(f32.buffer);
function patterns(from, to, step) {
  // inclusive uint32 bit-pattern range
  const n = Math.floor((to - from) / step) + 1;
  const x = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    u32[0] = from + i * step;
    x[i] = f32[0];
  }
  return x;
}
const bits = (v) => {
  f32[0] = v;
  return u32[0];
};
void cl;

for (const [approximate, fn, tail] of [
  ['none', 'gelu', [-14.36, -13]],
  ['tanh', 'gelu-tanh', [-10.78, -9.6]],
]) {
  const sets = [patterns(0, 0xffffffff - (0xffffffff % stride), stride), patterns(bits(tail[1]), bits(tail[0]), 16)];
  let total = 0,
    mismatches = 0,
    oracleChecks = 0,
    oracleFails = 0;
  const t0 = performance.now();
  for (const x of sets) {
    const fast = geluArray(x, { approximate });
    for (let i = 0; i < x.length; i++) {
      const v = x[i];
      const ref = geluF32(v, { approximate });
      total++;
      if (!Object.is(fast[i], ref)) {
        mismatches++;
        if (mismatches <= 5) console.log(`MISMATCH ${fn}(${v}): fast ${fast[i]}, double-double ${ref}`);
      }
      if (!oracle || !Number.isFinite(v) || v === 0) continue;
      geluDD(v, approximate === 'tanh');
      const y = ldexp(ch, ck);
      const subnormal = Math.abs(y) < 2 ** -126;
      const near = Math.fround(y * (1 + 2 ** -60)) !== Math.fround(y * (1 - 2 ** -60));
      if (near || (subnormal && i % 64 === 0) || i % 4096 === 0) {
        oracleChecks++;
        const want = oracle.correctlyRounded(fn, v, 'f32');
        if (!Object.is(want, ref)) {
          oracleFails++;
          if (oracleFails <= 5) console.log(`ORACLE DISAGREES ${fn}(${v}): kernel ${ref}, oracle ${want}`);
        }
      }
    }
  }
  console.log(
    `${fn}: ${total} float32 inputs, fast ≠ double-double: ${mismatches}; oracle checks ${oracleChecks} (near-boundary, every 64th subnormal, every 4096th), disagreements: ${oracleFails}; ${((performance.now() - t0) / 1000).toFixed(1)} s`,
  );
}
