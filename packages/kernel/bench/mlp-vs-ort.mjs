// gemma-2-2b MLP forward (T 64, float32, preallocated output) on 1 and 2 threads, on the
// relaxed-SIMD and the plain SIMD path, next to onnxruntime-node with 2 threads, in one process:
// the rows run in turn, round by round (the order rotates every round), so a busy machine slows
// them alike. Prints per row the median GFLOP/s with its spread, and per kernel row the median of
// its per-round ratio to onnxruntime-node (same round) with that ratio's spread; then GFLOP per
// CPU-second (all threads) and its ratio to onnxruntime-node's. Outputs of the rows of one path
// are checked bit-identical first (1 and 2 threads, and the base build's).
//
// Usage (from packages/kernel, after pnpm build at the repository root):
//   nice -n 10 node bench/mlp-vs-ort.mjs [rounds=9] [base build's dist/index.js, timed beside]
// A base build of another commit, inside this package so that its imports resolve, e.g.:
//   git stash && npx tsc -p tsconfig.build.json --outDir bench/dist/base && git stash pop
// On Node 20 the relaxed rows need V8's flag, which enableRelaxedSimdFlag() sets here.
// FLOPs counted: 3 projections × 2·T·d·f; the activation is not counted.
// Also prints the bound the tiles work under: one thread running only independent
// f32x4.relaxed_madd (tools/bench's ceiling module: 12 chains, no loads), in GFLOP per CPU-second.
import { createRequire } from 'node:module';
import { availableParallelism, loadavg } from 'node:os';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import * as kernel from '../dist/index.js';
import { gemma2MlpModel } from '../../../tools/bench/dist/onnx.js';
import { CEILING_CHAINS, ceilingModuleBytes } from '../../../tools/bench/dist/impl/ceiling.js';

const [roundsArg = '9', basePath] = process.argv.slice(2);
const rounds = Number(roundsArg);
if (!Number.isInteger(rounds) || rounds < 1) throw new Error(`rounds is ${roundsArg}, expected a positive integer`);
const base = basePath === undefined ? undefined : await import(pathToFileURL(resolve(basePath)).href);
const ort = createRequire(new URL('../../../tools/bench/package.json', import.meta.url))('onnxruntime-node');

const { hidden: d, intermediate: f } = kernel.GEMMA2_PRESETS['gemma-2-2b'];
const T = 64;
const flop = 3 * 2 * T * d * f;
// Seeded uniform weights of Gemma-like scale (|w| ≤ 1/√fan-in), x uniform on [−1, 1].
let seed = 2024;
const uniform = (n, scale) => {
  const a = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0;
    a[i] = (seed / 2 ** 31 - 1) * scale;
  }
  return a;
};
const weights = {
  hidden: d,
  intermediate: f,
  gate: uniform(f * d, d ** -0.5),
  up: uniform(f * d, d ** -0.5),
  down: uniform(d * f, f ** -0.5),
};
const x = uniform(T * d, 1);

if (!kernel.enableRelaxedSimdFlag()) throw new Error('relaxed SIMD does not validate on this engine even with the flag');
const plans = [];
for (const build of base === undefined
  ? [['', kernel]]
  : [
      ['', kernel],
      ['base ', base],
    ]) {
  const [tag, k] = build;
  for (const mode of ['auto', 'off']) {
    k.enableRelaxedSimdFlag();
    k.setRelaxedSimd(mode);
    for (const threads of [1, 2]) {
      if (tag !== '' && threads === 1) continue;
      const mlp = k.createGemma2Mlp(weights, { threads });
      const path = mlp.relaxedSimd ? 'relaxed' : 'plain';
      plans.push({ name: `${tag}kernel ${path}, ${threads} thread${threads > 1 ? 's' : ''}`, path, mlp, threads });
    }
  }
  k.setRelaxedSimd('auto');
}
// Workers import the activation asynchronously: wait (≤ 5 s) so 2-thread plans run it on both threads.
for (let i = 0; i < 100 && plans.some((p) => p.mlp.activationThreads < p.threads); i++) await new Promise((r) => setTimeout(r, 50));

const session = await ort.InferenceSession.create(gemma2MlpModel(weights), {
  intraOpNumThreads: 2,
  interOpNumThreads: 1,
  executionMode: 'sequential',
  graphOptimizationLevel: 'all',
  extra: { session: { intra_op: { allow_spinning: '0' } } },
});
const ortOut = new Float32Array(T * d);
const feeds = { x: new ort.Tensor('float32', x, [T, d]) };
const fetches = { y: new ort.Tensor('float32', ortOut, [T, d]) };

/**
 * GFLOP per CPU-second of the bench's WebAssembly ceiling on the relaxed path (tools/bench
 * src/impl/ceiling.ts: CEILING_CHAINS independent f32x4.relaxed_madd chains, no loads).
 */
function maddPeak() {
  const run = new WebAssembly.Instance(new WebAssembly.Module(ceilingModuleBytes(true))).exports.run;
  const steps = 1e8;
  run(steps / 10);
  const c0 = process.cpuUsage();
  run(steps);
  const c = process.cpuUsage(c0);
  return (steps * CEILING_CHAINS * 8) / ((c.user + c.system) / 1e6) / 1e9;
}
const peaks = [maddPeak(), maddPeak(), maddPeak()];

const rows = [
  ...plans.map((p) => {
    const out = new Float32Array(T * d);
    return { name: p.name, path: p.path, out, run: async () => void p.mlp.forward(x, T, { out }) };
  }),
  { name: 'onnxruntime-node, 2 threads', out: ortOut, run: () => session.run(feeds, fetches) },
];
for (const r of rows) {
  await r.run(); // warm-up (and the tiers of V8's compilers)
  await r.run();
}
for (const path of ['relaxed', 'plain']) {
  const same = rows.filter((r) => r.path === path);
  for (const r of same.slice(1)) {
    for (let i = 0; i < r.out.length; i++) {
      if (!Object.is(r.out[i], same[0].out[i])) throw new Error(`${r.name} differs from ${same[0].name} at output ${i}`);
    }
  }
}
const gflops = rows.map(() => []);
const perCpu = rows.map(() => []);
for (let round = 0; round < rounds; round++) {
  for (let j = 0; j < rows.length; j++) {
    const i = (j + round) % rows.length;
    const c0 = process.cpuUsage();
    const t0 = performance.now();
    await rows[i].run();
    gflops[i].push(flop / (performance.now() - t0) / 1e6);
    const c = process.cpuUsage(c0);
    perCpu[i].push(flop / (c.user + c.system) / 1e3);
  }
}
const median = (a) => {
  const s = [...a].sort((p, q) => p - q);
  return s.length % 2 === 1 ? s[s.length >> 1] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
const ortRuns = gflops[rows.length - 1];
const path = kernel.relaxedSimdPath();
console.log(
  `gemma-2-2b MLP (T ${T}, d ${d}, f ${f}), float32; ${availableParallelism()} CPUs, load average ${loadavg()
    .map((l) => l.toFixed(2))
    .join(' ')}; node ${process.version}; relaxed_madd fuses: ${path.fuses}; ${rounds} rounds`,
);
console.log(
  `relaxed_madd bound: ${Math.max(...peaks).toFixed(1)} GFLOP per CPU-second per thread (best of ${peaks.map((p) => p.toFixed(1)).join(', ')}: ${CEILING_CHAINS} independent f32x4.relaxed_madd chains, no loads)`,
);
// Per CPU-second (process user + system time, all threads): what a row does with the CPU time it
// got, less disturbed than wall time where other processes share the cores.
console.log(
  '| row | GFLOP/s median | min–max | ÷ onnxruntime-node 2t, same round: median | min–max | GFLOP per CPU-s median | ÷ onnxruntime-node 2t |',
);
console.log('|---|---:|---:|---:|---:|---:|---:|');
const ortPerCpu = median(perCpu[rows.length - 1]);
rows.forEach((r, i) => {
  const g = gflops[i];
  const ratios = g.map((v, k) => v / ortRuns[k]);
  const ratio =
    r.path === undefined
      ? ['', '']
      : [`${median(ratios).toFixed(3)}×`, `${Math.min(...ratios).toFixed(3)}–${Math.max(...ratios).toFixed(3)}`];
  const cpu = median(perCpu[i]);
  const cpuRatio = r.path === undefined ? '' : `${(cpu / ortPerCpu).toFixed(3)}×`;
  console.log(
    `| ${r.name} | ${median(g).toFixed(1)} | ${Math.min(...g).toFixed(1)}–${Math.max(...g).toFixed(1)} | ${ratio[0]} | ${ratio[1]} | ${cpu.toFixed(1)} | ${cpuRatio} |`,
  );
});
for (const p of plans) p.mlp.dispose();
await session.release();
