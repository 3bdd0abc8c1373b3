// What this machine does to two busy threads, with no kernel involved: (1) for 5 s the main thread
// and a worker each spin reading the clock, and every gap over 0.3 ms between two readings (the
// thread was off its core) is counted, with the longest; (2) a worker asleep in Atomics.wait is
// woken 100 times after 2, 10 and 50 ms of idle, and the time from Atomics.notify until it runs is
// timed: median, 90th percentile and maximum. src/elementwise/parallel.ts's ring steals from
// stalled workers and backs off because of (1); (2) is what a 2^20-element call (about a
// millisecond) pays when its worker slept since the last call.
// Usage (from packages/kernel): node bench/vm-stalls.mjs
import { Worker } from 'node:worker_threads';

const GAP_MS = 0.3;
const SPIN_S = 5;

const spinSource = `
const { parentPort, workerData } = require('node:worker_threads');
const until = performance.now() + workerData.ms;
let last = performance.now(), gaps = 0, longest = 0;
while (last < until) {
  const now = performance.now();
  if (now - last > workerData.gap) { gaps++; longest = Math.max(longest, now - last); }
  last = now;
}
parentPort.postMessage({ gaps, longest });`;

function spinHere(ms) {
  const until = performance.now() + ms;
  let last = performance.now();
  let gaps = 0;
  let longest = 0;
  while (last < until) {
    const now = performance.now();
    if (now - last > GAP_MS) {
      gaps++;
      longest = Math.max(longest, now - last);
    }
    last = now;
  }
  return { gaps, longest };
}

const spinner = new Worker(spinSource, { eval: true, workerData: { ms: SPIN_S * 1000, gap: GAP_MS } });
const theirs = new Promise((resolve) => spinner.once('message', resolve));
const mine = spinHere(SPIN_S * 1000);
const other = await theirs;
await spinner.terminate();
for (const [who, r] of [
  ['main thread', mine],
  ['worker', other],
]) {
  console.log(`${who}: ${r.gaps} gaps over ${GAP_MS} ms in ${SPIN_S} s of spinning, the longest ${r.longest.toFixed(2)} ms`);
}

const cells = new Int32Array(new SharedArrayBuffer(8));
const sleeper = new Worker(
  `const { workerData } = require('node:worker_threads');
   const c = new Int32Array(workerData);
   for (;;) { const j = Atomics.load(c, 0); Atomics.wait(c, 0, j); Atomics.store(c, 1, Atomics.load(c, 0)); }`,
  { eval: true, workerData: cells.buffer },
);
await new Promise((r) => setTimeout(r, 200));
const at = (sorted, q) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
for (const idle of [2, 10, 50]) {
  const wakes = [];
  for (let k = 0; k < 100; k++) {
    await new Promise((r) => setTimeout(r, idle));
    const t0 = performance.now();
    Atomics.add(cells, 0, 1);
    Atomics.notify(cells, 0);
    const want = Atomics.load(cells, 0);
    while (Atomics.load(cells, 1) !== want) {}
    wakes.push((performance.now() - t0) * 1000);
  }
  wakes.sort((a, b) => a - b);
  console.log(
    `wake after ${idle} ms idle: median ${at(wakes, 0.5).toFixed(0)} µs, 90th percentile ${at(wakes, 0.9).toFixed(0)} µs, max ${wakes[wakes.length - 1].toFixed(0)} µs (100 wakes)`,
  );
}
await sleeper.terminate();
