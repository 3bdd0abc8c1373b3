// Estimates the time of a full 2^32 sweep by stratified sampling (one thread):
//   node packages/verify/bench/sweep-rate.mjs [gelu|gelu-tanh|erf|erfc] [kernel-f32|gpu-webasm|gpu-cpu|gpu-webgpu|reference] [samples] [size]
// It checks `samples` blocks of `size` consecutive bit patterns, evenly spaced over all 2^32, and
// scales the time by 2^32 / (samples·size): an unbiased estimate of the one-thread time, since the
// cost varies by region (NaN, tails, series, continued fraction) and each stratum is sampled once.
// `reference` replaces the kernel by Math.fround of the sweep's own f64 reference, which measures
// the sweep's overhead alone (its "mismatches" can only be at escalated inputs).
// (after `pnpm build`: it runs the built engine in ../dist)
import { sweepRange, SWEEP_REFERENCE } from '../dist/sweep/engine.js';
import { loadImpl, oracleEscalate } from '../dist/sweep/impl.js';

const fn = process.argv[2] ?? 'gelu';
const which = process.argv[3] ?? 'kernel-f32';
const samples = Number(process.argv[4] ?? 256);
const size = Number(process.argv[5] ?? 16384);
let impl;
let name;
let block = 1 << 16;
let close = async () => undefined;
if (which === 'reference') {
  const ref = SWEEP_REFERENCE[fn];
  impl = (xs, out) => {
    for (let i = 0; i < xs.length; i++) out[i] = ref(xs[i]).y;
  };
  name = 'Math.fround(sweep reference)';
} else {
  const k = await loadImpl(which, fn);
  if (typeof k === 'string') throw new Error(k);
  ({ impl, name, block, close } = k);
}
const escalate = await oracleEscalate(fn);
let checked = 0;
let escalated = 0;
const t0 = performance.now();
const cpu0 = process.cpuUsage();
for (let s = 0; s < samples; s++) {
  const start = Math.floor((s * 2 ** 32) / samples);
  const c = await sweepRange(fn, start, start + size, impl, escalate, block);
  checked += c.checked;
  escalated += c.escalated;
}
const secs = (performance.now() - t0) / 1000;
// CPU time of this thread's process: on a shared machine wall time overstates the cost
const cpu = process.cpuUsage(cpu0);
const cpuSecs = (cpu.user + cpu.system) / 1e6;
const scale = 2 ** 32 / (samples * size);
console.log(
  `${fn} with ${name}: ${checked} inputs in ${secs.toFixed(2)} s (${(checked / secs / 1e6).toFixed(2)} M/s one thread), ` +
    `${escalated} escalated; estimated full sweep ${((secs * scale) / 60).toFixed(1)} min on one thread, ` +
    `${((secs * scale) / 120).toFixed(1)} min on two (if both cores are free); CPU time ${cpuSecs.toFixed(2)} s ` +
    `→ ${((cpuSecs * scale) / 60).toFixed(1)} CPU-min for all 2^32 (${((cpuSecs * scale) / 120).toFixed(1)} min on two uncontended cores)`,
);
await close();
