// Rate of correctly rounded f64 gelu results over a mixed input set (tails included).
// Run after building: node packages/oracle/bench/gelu-rate.mjs [count] [fn] [f64|f32]
// Not a test: it prints numbers and checks nothing.
import { correctlyRounded } from '../dist/index.js';

const count = Number(process.argv[2] ?? 4000);
const fn = process.argv[3] ?? 'gelu';
const format = process.argv[4] ?? 'f64';
if (format !== 'f64' && format !== 'f32') throw new Error(`format must be f64 or f32, got ${format}`);

/** Deterministic xorshift so every run measures the same inputs. */
let s = 0x9e3779b9;
const rand = () => {
  s ^= s << 13;
  s >>>= 0;
  s ^= s >>> 17;
  s ^= s << 5;
  s >>>= 0;
  return s / 2 ** 32;
};
const f64 = new Float64Array(1);
const u32 = new Uint32Array(f64.buffer);

/** Mixed set: 40% peak [−4, 4], 25% negative tail [−40, −4], 15% positive [4, 40],
 * 10% tiny/subnormal-size magnitudes, 10% random bit patterns (any finite double). */
function input(_i) {
  const r = rand();
  if (r < 0.4) return rand() * 8 - 4;
  if (r < 0.65) return -4 - rand() * 36;
  if (r < 0.8) return 4 + rand() * 36;
  if (r < 0.9) return (rand() < 0.5 ? -1 : 1) * 2 ** (-1074 + rand() * 1050);
  for (;;) {
    u32[0] = (rand() * 2 ** 32) >>> 0;
    u32[1] = (rand() * 2 ** 32) >>> 0;
    if (Number.isFinite(f64[0])) return f64[0];
  }
}

const xs = Array.from({ length: count }, (_, i) => (format === 'f32' ? Math.fround(input(i)) : input(i)));
// Warm-up (JIT, per-precision constant caches), then the timed pass.
for (let i = 0; i < Math.min(300, count); i++) correctlyRounded(fn, xs[i], format);
const t0 = process.hrtime.bigint();
const c0 = process.cpuUsage();
let sink = 0;
for (const x of xs) sink += correctlyRounded(fn, x, format) === 0 ? 1 : 0;
const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
const cpu = process.cpuUsage(c0);
// CPU time of this process (user + system, GC threads included): on a shared machine
// the wall clock also counts time spent waiting for a core.
const cpuSeconds = (cpu.user + cpu.system) / 1e6;
const regions = [
  ['peak [-4,4]', (x) => Math.abs(x) <= 4],
  ['tail [-40,-4)', (x) => x < -4 && x >= -40],
];
const lines = [
  `${fn} ${format} correctly rounded: ${count} inputs in ${seconds.toFixed(3)} s wall = ${Math.round(count / seconds)} results/s; ` +
    `${cpuSeconds.toFixed(3)} s CPU = ${Math.round(count / cpuSeconds)} results per CPU-second (node ${process.version}, single thread)`,
];
for (const [name, pred] of regions) {
  const sub = xs.filter(pred).slice(0, 500);
  const t1 = process.hrtime.bigint();
  for (const x of sub) correctlyRounded(fn, x, format);
  const dt = Number(process.hrtime.bigint() - t1) / 1e9;
  lines.push(`  ${name}: ${Math.round(sub.length / dt)} results/s over ${sub.length} inputs`);
}
// Slowest single input of the set, to back "well under a second for any input".
let worst = 0;
let worstX = 0;
for (const x of xs.slice(0, 1000)) {
  const t1 = process.hrtime.bigint();
  correctlyRounded(fn, x, format);
  const dt = Number(process.hrtime.bigint() - t1) / 1e6;
  if (dt > worst) {
    worst = dt;
    worstX = x;
  }
}
lines.push(`  slowest of the first 1000: ${worst.toFixed(2)} ms at x = ${worstX}`);
console.log(lines.join('\n'));
void sink;
