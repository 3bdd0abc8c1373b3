/**
 * Worker thread of the parallel float32 gelu and geglu (./parallel.ts): instantiates
 * the SIMD module on the shared memory, warms up the JavaScript fallback,
 * says ready, then for each job takes blocks from the shared counter and
 * computes them (./parallel.ts runBlock): in a ring job it takes only blocks
 * the calling thread has copied in (claimReadyBlock), computes each in its ring slot and
 * marks the slot done; in a direct job (kernel arrays) it computes the block
 * where the arrays are and marks it in the per-block map. Loaded by ./parallel.ts as a sibling file
 * (dist/elementwise/gelu-worker.js).
 */
import { workerData } from 'node:worker_threads';
import { gelu32 } from './cores.js';
import { EXACT_TABLE, TANH_TABLE, gegluElement32, gegluExact, geluF32Range } from './fast.js';
import { IDLE_SPIN_MS, blocksOf, claimReadyBlock, ringLayout, runBlock } from './parallel.js';
import { spinFor } from '../wait.js';
import { GELU_CTRL, WORKER_STATE } from '../worker-protocol.js';
import { simdInstance, type SimdMemory } from './simd.js';

const { module, memory, control, index, workers, base, failAtBlock, pauseAtBlock, pauseMs } = workerData as {
  module: object;
  memory: SimdMemory;
  control: SharedArrayBuffer;
  index: number;
  workers: number;
  /** Where the pool's region of the kernel memory starts. */
  base: number;
  /** Infinity, except in the tests of the callers' recovery (./parallel.ts setPoolForTests). */
  failAtBlock: number;
  /** Infinity, except in the tests of stalled workers (steal, back-off): a worker that claims this block or a later one sleeps pauseMs first. */
  pauseAtBlock: number;
  pauseMs: number;
};
const ctrl = new Int32Array(control);
const layout = ringLayout(workers, base);
let job = 0;
/**
 * Runs the fallbacks of flagged elements (the fast test in JavaScript, then
 * gelu32 or gegluExact, the double-double cores) a few thousand times, so that V8 has
 * optimized it before the first job: cold, gelu32 ran 3–10× slower for its
 * first ~5,000 calls, and jobs on fresh workers ran ~50% slower for their
 * first 50–200 calls of 2^20 elements (a few flagged elements per block).
 */
function warmUp(): void {
  const x = new Float32Array(512);
  const out = new Float32Array(512);
  for (let i = 0; i < x.length; i++) x[i] = -15 + 21 * ((i * 0.6180339887498949) % 1);
  for (let round = 0; round < 6; round++) {
    for (const table of [EXACT_TABLE, TANH_TABLE]) {
      for (let i = 0; i < x.length; i++) out[i] = gelu32(x[i]!, table.tanh);
      for (let i = 0; i < x.length; i++) out[i] = gegluExact(x[i]!, 1.5, table.tanh, false);
      for (let i = 0; i < x.length; i++) out[i] = gegluElement32(x[i]!, -0.75, table);
      geluF32Range(x, out, table, 0, x.length);
    }
  }
}

try {
  const w = simdInstance(module, memory, false);
  warmUp();
  // Join only jobs that start from now on. Ready first, then the current
  // job: a caller that starts a job from here on waits for IDLE to name the
  // job before it (a caller that saw this worker not ready may already be
  // resetting the counters; the worker then only reads JOB afterwards and
  // waits for the job after it, whose settings precede its number).
  Atomics.store(ctrl, GELU_CTRL.STATE + index, WORKER_STATE.READY);
  job = Atomics.load(ctrl, GELU_CTRL.JOB);
  Atomics.store(ctrl, GELU_CTRL.IDLE + index, job);
  Atomics.notify(ctrl, GELU_CTRL.STATE + index);
  for (;;) {
    // Calls often come in runs: stay awake for a moment before sleeping.
    if (!spinFor(ctrl, GELU_CTRL.JOB, (j) => j !== job, IDLE_SPIN_MS)) Atomics.wait(ctrl, GELU_CTRL.JOB, job);
    job = Atomics.load(ctrl, GELU_CTRL.JOB);
    const blocks = blocksOf(Atomics.load(ctrl, GELU_CTRL.LENGTH));
    const table = Atomics.load(ctrl, GELU_CTRL.TANH) === 1 ? TANH_TABLE : EXACT_TABLE;
    const geglu = Atomics.load(ctrl, GELU_CTRL.GEGLU) === 1;
    for (;;) {
      const b = claimReadyBlock(ctrl, blocks);
      if (b < 0) break;
      if (b >= failAtBlock) throw new Error(`setPoolForTests: failing at block ${b}`);
      if (b >= pauseAtBlock) Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, pauseMs);
      runBlock(w, ctrl, layout, table, geglu, b, 1 + index, job);
    }
    Atomics.store(ctrl, GELU_CTRL.IDLE + index, job);
    Atomics.notify(ctrl, GELU_CTRL.IDLE + index);
  }
} catch {
  // The caller sees the state, computes what is left itself, and turns threads off.
  Atomics.store(ctrl, GELU_CTRL.STATE + index, WORKER_STATE.FAILED);
  Atomics.notify(ctrl, GELU_CTRL.STATE + index);
}
