// geluArray (exact form, 2^20 float32, default worker) called three times in a
// row after idle gaps, as a benchmark that interleaves other work calls it:
// prints each call's milliseconds and their median. On the 2-core
// development VM, with threads that slept whenever they waited, calls after
// 500 ms gaps took 5–6 ms (medians 4.7–5.1) instead of ~2.5 ms back to back:
// each wake of a sleeping thread cost the waker 65–400 µs there, and a worker
// one block ahead of the caller's copies slept and was woken once per block.
// With the short spins of src/wait.ts spinFor the medians were 2.8–2.9 ms in
// the same session; the VM's noise moves them by ±1 ms from minute to minute.
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
