/**
 * Worker thread of the parallel float32 gelu (./parallel.ts): instantiates
 * the SIMD module on the shared memory, says ready, then for each job takes
 * blocks from the shared counter, waits until the calling thread has copied a
 * block in, computes it in its ring slot and marks the slot done. Loaded by
 * ./parallel.ts as a sibling file (dist/elementwise/gelu-worker.js).
 */
import { workerData } from 'node:worker_threads';
import { EXACT_TABLE, TANH_TABLE } from './fast.js';
import { CTRL, flagsOf, ringLayout, runBlock } from './parallel.js';
import { simdInstance, type SimdMemory } from './simd.js';

const { module, memory, control, index, workers } = workerData as {
  module: object;
  memory: SimdMemory;
  control: SharedArrayBuffer;
  index: number;
  workers: number;
};
const ctrl = new Int32Array(control);
const layout = ringLayout(workers);
const flagsAt = flagsOf(layout, 1 + index);
let job = 0;
try {
  const w = simdInstance(module, memory, false);
  Atomics.store(ctrl, CTRL.STATE + index, 1);
  Atomics.notify(ctrl, CTRL.STATE + index);
  for (;;) {
    Atomics.wait(ctrl, CTRL.JOB, job);
    job = Atomics.load(ctrl, CTRL.JOB);
    const blocks = Atomics.load(ctrl, CTRL.BLOCKS);
    const table = Atomics.load(ctrl, CTRL.TANH) === 1 ? TANH_TABLE : EXACT_TABLE;
    for (;;) {
      const b = Atomics.add(ctrl, CTRL.NEXT, 1);
      if (b >= blocks) break;
      // The caller copies blocks in far faster than they are computed; wait
      // in 1 ms slices (../wait.ts says why not one long wait).
      for (let r = Atomics.load(ctrl, CTRL.READY); r <= b; r = Atomics.load(ctrl, CTRL.READY)) {
        Atomics.wait(ctrl, CTRL.READY, r, 1);
      }
      runBlock(w, ctrl, layout, table, b, flagsAt);
    }
    Atomics.store(ctrl, CTRL.IDLE + index, job);
    Atomics.notify(ctrl, CTRL.IDLE + index);
  }
} catch {
  // The caller sees the state, computes what this worker held, and turns threads off.
  Atomics.store(ctrl, CTRL.STATE + index, 3);
  Atomics.notify(ctrl, CTRL.STATE + index);
}
