/**
 * Gemma 2 MLP forward throughput, float32, preallocated output.
 *
 * Run (prints the table the README section quotes):
 *
 *   pnpm --filter @geglu/kernel build
 *   cd packages/kernel
 *   npx tsc --module nodenext --moduleResolution nodenext --target es2022 --types node \
 *       --skipLibCheck --ignoreConfig --rootDir bench --outDir bench/dist bench/mlp-gemma2.ts
 *   nice -n 10 node bench/dist/mlp-gemma2.js [model=gemma-2-2b] [tokens=64] [reps=5]
 *
 * FLOPs counted: 3 projections × 2·T·d·f (multiply and add); the activation
 * (T·f elements) is not counted. Engines run interleaved, rep by rep, so a
 * busy machine slows them alike; the median of `reps` is reported, and the
 * outputs of every engine are checked bit-identical first.
 *
 * On a shared machine wall time includes waiting for a CPU, so the table also
 * gives GFLOP per CPU-second (process user + system time over the same
 * forward passes, all threads): with n threads and idle cores, wall-clock
 * GFLOP/s would be about n × that figure (minus the time threads wait for each other).
 */
import { availableParallelism, loadavg } from 'node:os';
import { GEMMA2_PRESETS, createGemma2Mlp, gemma2Mlp, type Gemma2PresetName } from '@geglu/kernel';

const [model = 'gemma-2-2b', tokensArg = '64', repsArg = '5'] = process.argv.slice(2);
const preset = GEMMA2_PRESETS[model as Gemma2PresetName];
if (preset === undefined) throw new Error(`model is ${model}, expected one of ${Object.keys(GEMMA2_PRESETS).join(', ')}`);
const T = Number(tokensArg);
const reps = Number(repsArg);
const { hidden: d, intermediate: f } = preset;

// Deterministic weights of Gemma-like scale (uniform, |w| ≤ 1/√fan-in).
let s = 12345;
const rand = () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32 - 0.5) * 2;
const fill = (n: number, scale: number) => {
  const a = new Float32Array(n);
  for (let i = 0; i < n; i++) a[i] = rand() * scale;
  return a;
};
const weights = {
  hidden: d,
  intermediate: f,
  gate: fill(f * d, 1 / Math.sqrt(d)),
  up: fill(f * d, 1 / Math.sqrt(d)),
  down: fill(d * f, 1 / Math.sqrt(f)),
};
const x = fill(T * d, 1);
const flop = 3 * 2 * T * d * f;

const one = createGemma2Mlp(weights, { threads: 1 });
const js = createGemma2Mlp(weights, { engine: 'js' });
const two = createGemma2Mlp(weights, { threads: 2 });
const engines: { name: string; run: (out: Float32Array) => void }[] = [
  { name: 'createGemma2Mlp, 1 thread', run: (out) => void one.forward(x, T, { out }) },
  { name: 'createGemma2Mlp, 2 threads', run: (out) => void two.forward(x, T, { out }) },
  { name: 'gemma2Mlp per call (weights re-copied)', run: (out) => void gemma2Mlp(x, T, weights, { out }) },
];
// Workers import the activation asynchronously; wait (≤ 5 s) so the 2-thread row runs it on both.
for (let i = 0; i < 100 && two.activationThreads < 2; i++) await new Promise((r) => setTimeout(r, 50));
const outs = engines.map(() => new Float32Array(T * d));
engines.forEach((e, i) => e.run(outs[i]!)); // warm-up and correctness
for (let i = 1; i < outs.length; i++) {
  for (let j = 0; j < outs[0]!.length; j++) {
    if (!Object.is(outs[i]![j], outs[0]![j])) throw new Error(`${engines[i]!.name} differs from ${engines[0]!.name} at ${j}`);
  }
}
// The plain-TypeScript path on a few tokens only (it is ~30× slower), as the floor.
const tJs = Math.min(T, 2);
const jsOut = new Float32Array(tJs * d);
const times: number[][] = engines.map(() => []);
const cpu: number[][] = engines.map(() => []);
const jsTimes: number[] = [];
for (let r = 0; r < reps; r++) {
  engines.forEach((e, i) => {
    const c0 = process.cpuUsage();
    const t0 = performance.now();
    e.run(outs[i]!);
    times[i]!.push(performance.now() - t0);
    const c = process.cpuUsage(c0);
    cpu[i]!.push((c.user + c.system) / 1000);
  });
  if (r < 2) {
    const t0 = performance.now();
    js.forward(x.subarray(0, tJs * d), tJs, { out: jsOut });
    jsTimes.push(performance.now() - t0);
  }
}
for (let j = 0; j < jsOut.length; j++) if (!Object.is(jsOut[j], outs[0]![j])) throw new Error(`engine 'js' differs at ${j}`);
const median = (a: number[]) => [...a].sort((p, q) => p - q)[Math.floor(a.length / 2)]!;
console.log(
  `${model} MLP (d=${d}, f=${f}), T=${T}, float32; ${availableParallelism()} CPUs, load average ${loadavg()[0]!.toFixed(1)}; node ${process.version}; median of ${reps}`,
);
console.log(`(2-thread plan: activation on ${two.activationThreads} threads)`);
console.log('| engine | wall ms (median) | GFLOP/s (median) | GFLOP/s (best run) | CPU ms | GFLOP per CPU-s |');
console.log('|---|---:|---:|---:|---:|---:|');
engines.forEach((e, i) => {
  const ms = median(times[i]!);
  const best = Math.min(...times[i]!);
  const c = median(cpu[i]!);
  console.log(
    `| ${e.name} | ${ms.toFixed(1)} | ${(flop / ms / 1e6).toFixed(1)} | ${(flop / best / 1e6).toFixed(1)} | ${c.toFixed(1)} | ${(flop / c / 1e6).toFixed(1)} |`,
  );
});
const jsMs = median(jsTimes);
console.log(
  `| createGemma2Mlp engine 'js' (plain TypeScript), T=${tJs} | ${jsMs.toFixed(1)} | ${((3 * 2 * tJs * d * f) / jsMs / 1e6).toFixed(2)} | | | |`,
);
one.dispose();
js.dispose();
two.dispose();
