// Compares the SIMD kernel's loop unrolling (pairs per iteration) on one
// thread, without the chunk copies: the raw kernel over 8192-element chunks
// already in WebAssembly memory. Usage (after a build): node bench/simd-groups.mjs
import { geluSimdModuleBytes } from '../dist/wasm/gelu-simd.js';
import { FAST_BAND, TANH_TABLE } from '../dist/elementwise/fast.js';

const STRIDE = 9;
const CHUNK = 8192;
for (const group of [1, 2, 4, 8]) {
  const inst = new WebAssembly.Instance(new WebAssembly.Module(geluSimdModuleBytes(FAST_BAND, group)), {});
  const mem = inst.exports.memory;
  const f64 = new Float64Array(mem.buffer);
  const t = TANH_TABLE;
  // Framed as src/elementwise/simd.ts does: zero interval, table, constant 1.
  f64.set(t.coeffs, STRIDE);
  f64[STRIDE + t.coeffs.length] = 1;
  const f32 = new Float32Array(mem.buffer);
  const IN = 196608, OUT = IN + CHUNK * 4, FLAGS = OUT + CHUNK * 4;
  for (let i = 0; i < CHUNK; i++) f32[IN / 4 + i] = Math.sin(i * 0.618) * 6;
  const run = () => inst.exports.gelu(IN, OUT, CHUNK / 2, 0, FLAGS, t.x0 - 1 / 64, 0, 0, t.coeffs.length / STRIDE + 1.5);
  for (let i = 0; i < 200; i++) run();
  const reps = 2000;
  const t0 = performance.now();
  for (let i = 0; i < reps; i++) run();
  const ms = performance.now() - t0;
  console.log(`group ${group}: ${((CHUNK * reps) / (ms * 1e3)).toFixed(1)} Melem/s (kernel only, 1 thread)`);
}
