/**
 * The split worker of ./parallel.ts: the gelu pool's worker where the
 * package's worker module (./gelu-worker.ts) cannot be loaded, e.g. from a
 * browser bundle. It is source text (../host's startSourceWorker: a Web Worker
 * from a Blob URL in a browser), so it carries no JavaScript of the package:
 * it runs only the WebAssembly kernel on the blocks it takes, and leaves in the
 * slot the number of pairs the kernel flagged and their list, for the caller
 * to finish (./parallel.ts finishSplitBlock). Its job protocol is
 * ./gelu-worker.ts's for ring jobs (../worker-protocol.ts GELU_CTRL; split
 * pools have no direct jobs), the cells and constants spliced in as numbers.
 */
import { SIGMOID_GROUP, SIMD_GROUP } from '../wasm/gelu-simd.js';
import { GELU_CTRL, WORKER_STATE } from '../worker-protocol.js';
import { EXACT_TABLE } from './fast.js';
import { BLOCK, IDLE_SPIN_MS, type RingLayout, SPIN_MS } from './parallel.js';
import { kernelSMax, type SimdMemory } from './simd.js';

/** What a split worker receives. */
export interface SplitWorkerData {
  module: object;
  memory: SimdMemory;
  control: SharedArrayBuffer;
  index: number;
  layout: RingLayout;
}

let source: string | undefined;

/** The worker's source text (built once). */
export function splitWorkerSource(): string {
  source ??= `
const { module, memory, control, index, layout } = workerData;
const k = new WebAssembly.Instance(module, { env: { memory } }).exports;
const ctrl = new Int32Array(control);
const C = ${JSON.stringify(GELU_CTRL)};
const BLOCK = ${BLOCK};
const spinFor = (i, done, ms) => {
  const until = performance.now() + ms;
  do {
    if (done(Atomics.load(ctrl, i))) return true;
  } while (performance.now() < until);
  return done(Atomics.load(ctrl, i));
};
try {
  Atomics.store(ctrl, C.STATE + index, ${WORKER_STATE.READY});
  let job = Atomics.load(ctrl, C.JOB);
  Atomics.store(ctrl, C.IDLE + index, job);
  Atomics.notify(ctrl, C.STATE + index);
  for (;;) {
    if (!spinFor(C.JOB, (j) => j !== job, ${IDLE_SPIN_MS})) Atomics.wait(ctrl, C.JOB, job);
    job = Atomics.load(ctrl, C.JOB);
    const n = Atomics.load(ctrl, C.LENGTH);
    const blocks = Math.ceil(n / BLOCK);
    const tanh = Atomics.load(ctrl, C.TANH) === 1;
    const geglu = Atomics.load(ctrl, C.GEGLU) === 1;
    const group = tanh ? ${SIGMOID_GROUP} : ${SIMD_GROUP};
    for (;;) {
      // ./parallel.ts claimReadyBlock: only a block that is in, waiting in slices of 1 ms
      // (../wait.ts waitInSlices says why not one long wait)
      const b = Atomics.load(ctrl, C.NEXT);
      if (b >= blocks) break;
      const r = Atomics.load(ctrl, C.READY);
      if (r <= b) {
        const moved = (ready) => ready > b || Atomics.load(ctrl, C.NEXT) !== b;
        if (!spinFor(C.READY, moved, ${SPIN_MS}) && !moved(Atomics.load(ctrl, C.READY))) Atomics.wait(ctrl, C.READY, r, 1);
        continue;
      }
      if (Atomics.compareExchange(ctrl, C.NEXT, b, b + 1) !== b) continue;
      const inAt = layout.slotAt + (b % layout.ring) * layout.slotBytes;
      const len = Math.min(BLOCK, n - b * BLOCK);
      const pairs = Math.floor(len / (2 * group)) * group;
      const outAt = inAt + BLOCK * 8;
      const countAt = inAt + BLOCK * 12;
      const flagsAt = countAt + 16;
      const flagged = geglu
        ? tanh
          ? k.gegluTanhSigmoid(inAt, inAt + BLOCK * 4, outAt, pairs, flagsAt)
          : k.geglu(inAt, inAt + BLOCK * 4, outAt, pairs, 0, flagsAt, ${EXACT_TABLE.origin}, ${kernelSMax(EXACT_TABLE)})
        : tanh
          ? k.geluTanhSigmoid(inAt, outAt, pairs, flagsAt)
          : k.gelu(inAt, 0, outAt, pairs, 0, flagsAt, ${EXACT_TABLE.origin}, ${kernelSMax(EXACT_TABLE)});
      Atomics.store(new Int32Array(memory.buffer), countAt / 4, flagged);
      Atomics.store(ctrl, C.DONE + (b % layout.ring), b + 1);
      Atomics.notify(ctrl, C.DONE + (b % layout.ring));
    }
    Atomics.store(ctrl, C.IDLE + index, job);
    Atomics.notify(ctrl, C.IDLE + index);
  }
} catch (e) {
  Atomics.store(ctrl, C.STATE + index, ${WORKER_STATE.FAILED});
  Atomics.notify(ctrl, C.STATE + index);
}
`;
  return source;
}
