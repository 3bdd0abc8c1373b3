// geluArray (tanh form, ordinary Float32Arrays, preallocated output) called back to back with no
// worker and with one, at 2^20 and 2^24 elements: prints the median and quartiles of each set of
// calls, and for the threaded ones how many blocks the calling thread stole from a worker off its
// core, computed past the ring meanwhile, and how many jobs backed off to one thread
// (src/elementwise/parallel.ts stolenBlocks, src/elementwise/back-off.ts). With --busy a busy-looping process of the same
// priority runs beside it for the whole script, as on a machine that something else loads.
// Usage (from packages/kernel, after a build): node bench/stalls.mjs [--busy] [calls, default 60]
import { spawn } from 'node:child_process';
import { geluArray, geluThreadsReady, setGeluThreads } from '../dist/index.js';
import { backOffs, pastRingBlocks, stolenBlocks } from '../dist/elementwise/parallel.js';

const busy = process.argv.includes('--busy');
const calls = Number(process.argv.slice(2).find((a) => a !== '--busy') ?? 60);
if (!Number.isInteger(calls) || calls < 4) throw new Error(`calls: expected an integer ≥ 4, got ${calls}`);
const neighbour = busy ? spawn(process.execPath, ['-e', 'for (;;) {}'], { stdio: 'ignore' }) : null;

const quantile = (sorted, q) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
try {
  for (const log2 of [20, 24]) {
    const n = 2 ** log2;
    const x = new Float32Array(n);
    for (let i = 0; i < n; i++) x[i] = Math.sin(i * 0.618) * 10;
    const out = new Float32Array(n);
    for (const workers of [0, 1]) {
      setGeluThreads(workers);
      geluArray(x, { approximate: 'tanh', out });
      while (geluThreadsReady() < workers) await new Promise((r) => setTimeout(r, 5));
      for (let i = 0; i < 3; i++) geluArray(x, { approximate: 'tanh', out });
      const [stolen, pastRing, backedOff] = [stolenBlocks(), pastRingBlocks(), backOffs()];
      const times = [];
      for (let i = 0; i < calls; i++) {
        const t0 = performance.now();
        geluArray(x, { approximate: 'tanh', out });
        times.push(performance.now() - t0);
      }
      times.sort((a, b) => a - b);
      const counts =
        workers === 0
          ? ''
          : `; blocks stolen ${stolenBlocks() - stolen}, past the ring ${pastRingBlocks() - pastRing}, jobs backed off ${backOffs() - backedOff}`;
      console.log(
        `2^${log2}, ${workers} worker${workers === 1 ? '' : 's'}${busy ? ', busy neighbour' : ''}: median ${quantile(times, 0.5).toFixed(2)} ms ` +
          `(quartiles ${quantile(times, 0.25).toFixed(2)}–${quantile(times, 0.75).toFixed(2)}) over ${calls} calls${counts}`,
      );
    }
  }
} finally {
  neighbour?.kill();
}
