/**
 * Worker thread of the parallel float32 gelu: runs the SIMD kernel on its
 * share of shared-memory buffers and signals completion through Atomics.
 * Loaded by ./parallel.ts as a sibling file (dist/elementwise/gelu-worker.js).
 */
import { parentPort, workerData } from 'node:worker_threads';
import { EXACT_TABLE, TANH_TABLE } from './fast.js';
import { geluF32RangeSimd } from './simd.js';

interface Job {
  input: SharedArrayBuffer;
  output: SharedArrayBuffer;
  start: number;
  end: number;
  tanh: boolean;
  slot: number;
}

const ctrl = new Int32Array((workerData as { ctrl: SharedArrayBuffer }).ctrl);
parentPort!.on('message', (job: Job) => {
  try {
    const x = new Float32Array(job.input);
    const out = new Float32Array(job.output);
    geluF32RangeSimd(x, out, job.tanh ? TANH_TABLE : EXACT_TABLE, job.start, job.end);
    Atomics.store(ctrl, job.slot, 1);
  } catch {
    Atomics.store(ctrl, job.slot, 2);
  }
  Atomics.notify(ctrl, job.slot);
});
// Slot 0 says the worker is up (its imports resolved).
Atomics.store(ctrl, 0, 1);
Atomics.notify(ctrl, 0);
