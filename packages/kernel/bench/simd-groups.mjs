// Compares the SIMD kernels' loop unrolling (vectors per iteration) on one
// thread, without the chunk copies: the raw kernels over 8192-element chunks
// already in WebAssembly memory, inputs 6·sin(0.618·i) as in bench/gelu.mjs.
// Rows: the table kernel (`gelu`, the exact form's table) and the table-free
// tanh kernel (`geluTanhSigmoid`). Usage (after a build): node bench/simd-groups.mjs
import { geluSimdModuleBytes, SIMD_STRIDE as STRIDE } from '../dist/wasm/gelu-simd.js';
import { FAST_BAND, EXACT_TABLE } from '../dist/elementwise/fast.js';
import { framedTable, TABLES_END } from '../dist/elementwise/simd.js';

const CHUNK = 8192;
const IN = TABLES_END, OUT = IN + CHUNK * 4, FLAGS = OUT + CHUNK * 4;
function rate(run, pairs) {
  for (let i = 0; i < 200; i++) run();
  const reps = 2000;
  const t0 = performance.now();
  for (let i = 0; i < reps; i++) run();
  return ((2 * pairs * reps) / ((performance.now() - t0) * 1e3)).toFixed(1);
}
for (const group of [1, 2, 4, 6, 8]) {
  const memory = new WebAssembly.Memory({ initial: 16, maximum: 16, shared: true });
  const inst = new WebAssembly.Instance(new WebAssembly.Module(geluSimdModuleBytes(FAST_BAND, group, group)), { env: { memory } });
  const f64 = new Float64Array(memory.buffer);
  const t = EXACT_TABLE;
  f64.set(framedTable(t)); // as src/elementwise/simd.ts lays it out
  const f32 = new Float32Array(memory.buffer);
  for (let i = 0; i < CHUNK; i++) f32[IN / 4 + i] = Math.sin(i * 0.618) * 6;
  const pairs = Math.floor(CHUNK / 2 / group) * group;
  const table = rate(() => inst.exports.gelu(IN, 0, OUT, pairs, 0, FLAGS, t.x0 - 1.5 / 256, t.coeffs.length / STRIDE + 2), pairs);
  const sigmoid = rate(() => inst.exports.geluTanhSigmoid(IN, OUT, pairs, FLAGS), pairs);
  console.log(`group ${group}: table kernel ${table}, sigmoid tanh kernel ${sigmoid} Melem/s (kernel only, 1 thread)`);
}
