// Compares the SIMD kernels' loop unrolling (vectors per iteration) on one
// thread, without the chunk copies: the raw kernels over 8192-element chunks
// already in WebAssembly memory, inputs 6·sin(0.618·i) as in bench/gelu.mjs.
// Rows: the table kernel (`gelu`, tanh table) and the table-free tanh kernel
// (`geluTanhSigmoid`). Usage (after a build): node bench/simd-groups.mjs
import { geluSimdModuleBytes } from '../dist/wasm/gelu-simd.js';
import { FAST_BAND, TANH_TABLE } from '../dist/elementwise/fast.js';

const STRIDE = 9;
const CHUNK = 8192;
const IN = 196608, OUT = IN + CHUNK * 4, FLAGS = OUT + CHUNK * 4;
function rate(run, pairs) {
  for (let i = 0; i < 200; i++) run();
  const reps = 2000;
  const t0 = performance.now();
  for (let i = 0; i < reps; i++) run();
  return ((2 * pairs * reps) / ((performance.now() - t0) * 1e3)).toFixed(1);
}
for (const group of [1, 2, 4, 6, 8]) {
  const memory = new WebAssembly.Memory({ initial: 8, maximum: 8, shared: true });
  const inst = new WebAssembly.Instance(new WebAssembly.Module(geluSimdModuleBytes(FAST_BAND, group, group)), { env: { memory } });
  const f64 = new Float64Array(memory.buffer);
  const t = TANH_TABLE;
  // Framed as src/elementwise/simd.ts does: NaN interval, table, constant 1.
  f64[0] = NaN;
  f64.set(t.coeffs, STRIDE);
  f64[STRIDE + t.coeffs.length] = 1;
  const f32 = new Float32Array(memory.buffer);
  for (let i = 0; i < CHUNK; i++) f32[IN / 4 + i] = Math.sin(i * 0.618) * 6;
  const pairs = Math.floor(CHUNK / 2 / group) * group;
  const table = rate(() => inst.exports.gelu(IN, 0, OUT, pairs, 0, FLAGS, t.x0 - 1 / 64, t.coeffs.length / STRIDE + 1.5), pairs);
  const sigmoid = rate(() => inst.exports.geluTanhSigmoid(IN, OUT, pairs, FLAGS), pairs);
  console.log(`group ${group}: table kernel ${table}, sigmoid tanh kernel ${sigmoid} Melem/s (kernel only, 1 thread)`);
}
