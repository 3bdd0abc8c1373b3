// geluArray (exact form, 2^20 float32, default worker) called three times in a
// row after idle gaps, as a benchmark that interleaves other work calls it:
// prints each call's milliseconds and their median. Calls after a gap should
// take about as long as calls back to back; threads that sleep whenever they
// wait make them much slower (src/wait.ts spinFor says why). On a shared VM
// the medians move by about ±1 ms from minute to minute: compare several runs.
// Usage (from packages/kernel, after a build): node bench/idle-gaps.mjs [gap ms, default 500]
import { geluArray, geluThreadsReady, setGeluThreads } from '../dist/index.js';

const gap = Number(process.argv[2] ?? 500);
const n = 2 ** 20;
const x = new Float32Array(n);
for (let i = 0; i < n; i++) x[i] = Math.sin(i * 0.618) * 6;
const out = new Float32Array(n);
setGeluThreads(1);
geluArray(x);
while (geluThreadsReady() < 1) await new Promise((r) => setTimeout(r, 5));
for (let i = 0; i < 50; i++) geluArray(x, { out });
const times = [];
for (let round = 0; round < 8; round++) {
  await new Promise((r) => setTimeout(r, gap));
  const row = [];
  for (let k = 0; k < 3; k++) {
    const t0 = performance.now();
    geluArray(x, { out });
    row.push(performance.now() - t0);
  }
  times.push(...row);
  console.log(`after ${gap} ms idle: ${row.map((t) => t.toFixed(2)).join(', ')} ms`);
}
times.sort((a, b) => a - b);
console.log(`median ${times[times.length >> 1].toFixed(2)} ms over ${times.length} calls`);
