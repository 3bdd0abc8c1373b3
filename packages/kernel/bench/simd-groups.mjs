// Compares the SIMD kernels' loop unrolling (vectors per iteration) on one
// thread, without the chunk copies: the raw kernels over 8184-element chunks
// (a multiple of every group below) already in WebAssembly memory, inputs
// 6·sin(0.618·i) as in bench/gelu.mjs, or uniform on [-10, 10] with --uniform
// (as `pnpm bench` draws them). The variants run interleaved, 15 rounds, and
// each row is the best round, so a slow minute on a shared machine hits every
// variant alike. Rows: the table kernel (`gelu`, the exact form's table), the
// table-free tanh kernel (`geluTanhSigmoid`) and GeGLU backward's tanh dgate
// (`dgateTanhSigmoid`, up and dy uniform on [-4, 4] and [-1, 1]); the results
// of every group are checked equal to group 1's.
// Usage (after a build): node bench/simd-groups.mjs [--uniform]
import { geluSimdModuleBytes, SIMD_STRIDE as STRIDE } from '../dist/wasm/gelu-simd.js';
import { FAST_BAND, EXACT_TABLE } from '../dist/elementwise/fast.js';
import { framedTable, TABLES_END } from '../dist/elementwise/simd.js';

const uniform = process.argv.includes('--uniform');
const GROUPS = [1, 2, 4, 6, 8];
const CHUNK = 8184; // 2·4092, and 4092 = 2^2·3·11·31 is a multiple of 1, 2, 4 and 6; 8 gets 4088 pairs
const IN = TABLES_END,
  OUT = IN + 8192 * 4,
  FLAGS = OUT + 8192 * 4,
  UP = FLAGS + 8192 * 2,
  DY = UP + 8192 * 4;
const memory = new WebAssembly.Memory({ initial: 16, maximum: 16, shared: true });
const t = EXACT_TABLE;
new Float64Array(memory.buffer).set(framedTable(t)); // as src/elementwise/simd.ts lays it out
const f32 = new Float32Array(memory.buffer);
let lcg = 12345;
for (let i = 0; i < CHUNK; i++) {
  lcg = (Math.imul(lcg, 1664525) + 1013904223) >>> 0;
  f32[IN / 4 + i] = uniform ? -10 + lcg * (20 / 2 ** 32) : Math.sin(i * 0.618) * 6;
  f32[UP / 4 + i] = -4 + ((i * 0.754877666) % 1) * 8;
  f32[DY / 4 + i] = -1 + ((i * 0.569840291) % 1) * 2;
}
const KERNELS = ['table', 'sigmoid', 'dgate'];
const variants = [];
for (const group of GROUPS) {
  const bytes = geluSimdModuleBytes(FAST_BAND, group, group, { dgateGroup: group });
  const e = new WebAssembly.Instance(new WebAssembly.Module(bytes), { env: { memory } }).exports;
  const pairs = Math.floor(CHUNK / 2 / group) * group;
  variants.push({
    group,
    pairs,
    table: () => e.gelu(IN, 0, OUT, pairs, 0, FLAGS, t.x0 - 1.5 / 256, t.coeffs.length / STRIDE + 2),
    sigmoid: () => e.geluTanhSigmoid(IN, OUT, pairs, FLAGS),
    dgate: () => e.dgateTanhSigmoid(IN, UP, DY, OUT, pairs, FLAGS),
  });
}
const outputs = (kernel) =>
  variants.map((v) => {
    v[kernel]();
    return f32.slice(OUT / 4, OUT / 4 + 2 * v.pairs);
  });
for (const kernel of KERNELS) {
  const [first, ...rest] = outputs(kernel);
  for (const [k, o] of rest.entries()) {
    if (!o.every((y, i) => Object.is(y, first[i]))) throw new Error(`${kernel} kernel: group ${GROUPS[k + 1]} differs from group 1`);
  }
}
const best = variants.map(() => ({ table: 0, sigmoid: 0, dgate: 0 }));
for (const v of variants) {
  for (let i = 0; i < 300; i++) {
    for (const kernel of KERNELS) v[kernel]();
  }
}
for (let round = 0; round < 15; round++) {
  variants.forEach((v, k) => {
    for (const kernel of KERNELS) {
      const reps = 200;
      const t0 = performance.now();
      for (let i = 0; i < reps; i++) v[kernel]();
      best[k][kernel] = Math.max(best[k][kernel], (2 * v.pairs * reps) / ((performance.now() - t0) * 1e3));
    }
  });
}
console.log(`inputs ${uniform ? 'uniform on [-10, 10]' : '6·sin(0.618·i)'}; best of 15 interleaved rounds, kernel only, 1 thread`);
variants.forEach((v, k) => {
  console.log(
    `group ${v.group}: table kernel ${best[k].table.toFixed(1)}, sigmoid tanh kernel ${best[k].sigmoid.toFixed(1)}, tanh dgate kernel ${best[k].dgate.toFixed(1)} Melem/s`,
  );
});
