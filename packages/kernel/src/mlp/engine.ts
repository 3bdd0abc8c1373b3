/**
 * The Gemma 2 MLP engine, one for both lane types (float32, float64): the
 * three projections and the activation over chunks of tokens, either on the
 * WebAssembly SIMD tiles of ../wasm/matmul-simd.ts (weights copied once into
 * linear memory, optionally split over worker threads that share it) or in
 * plain TypeScript (./matmul.ts).
 *
 * Results are bit-identical whichever engine, chunk, tile, block or thread
 * computed them: every output is one kernel-order dot product (./matmul.ts),
 * so the error bound documented in ./gemma2.ts holds unchanged. The one
 * exception is the relaxed-SIMD tile, whose multiply-add may fuse (the engine
 * chooses): its results may differ from the plain engine's, within the same
 * bound, and are the same whatever chunk, block or thread computed them.
 *
 * Threads: each projection's output rows [0, O) are split into contiguous
 * ranges, one per thread; the calling thread computes the first range and
 * waits (../wait.ts) for the workers, so `forward` stays synchronous. Workers
 * are started from source held in this module (../host's startSourceWorker:
 * no file to resolve, so it works from src, from dist, when installed alone
 * and from a browser bundle, as Web Workers from a Blob URL), receive the
 * compiled module and the shared memory, and never keep a process alive.
 * Their control words are ../worker-protocol.ts MLP_CTRL. On a page's main
 * thread, which may not block in Atomics.wait, the caller re-reads the
 * control words while it waits (../wait.ts pause). Where there is no
 * SharedArrayBuffer (a page that is not crossOriginIsolated) the engine runs
 * on the calling thread alone: `threads` says 1.
 */
import { startSourceWorker, workersImportModules, type SourceWorker } from '../host/node.js';
import { wasmApi, type WasmMemory } from '../wasm/api.js';
import { relaxedSimdActive } from '../wasm/features.js';
import { matmulSimd, matmulSimdModuleBytes, type MatmulLanes, type TileFn } from '../wasm/matmul-simd.js';
import { waitInSlices } from '../wait.js';
import { MLP_CTRL, MLP_TASK, WORKER_STATE } from '../worker-protocol.js';
import { gegluActivation } from './activation.js';
import { matmulTransposedFor } from './matmul.js';

const PAGE = 65536;
const MAX_PAGES = 65536; // wasm32: 4 GiB
/** Tokens per pass; bounds the scratch to CHUNK·(2f + 2d) elements. Never changes a result. */
export const CHUNK = 64;
/** Longest a forward pass waits for a worker before reporting it (a 27b projection of 64 tokens is ~1 s here). */
const WORKER_TIMEOUT_MS = 120_000;

export type LaneArray = Float32Array | Float64Array;

/** An MLP for one (hidden, intermediate) and lane type; arguments are checked by its callers. */
export interface MlpEngine<A extends LaneArray = LaneArray> {
  readonly lanes: MatmulLanes;
  readonly hidden: number;
  readonly intermediate: number;
  readonly engine: 'wasm-simd' | 'js';
  /** Whether the tiles multiply-add with relaxed SIMD's relaxed_madd (../wasm/features.ts); false for 'js'. */
  readonly relaxedSimd: boolean;
  readonly threads: number;
  /** 1 + the workers that run the activation now (workers import it asynchronously). */
  readonly activationThreads: number;
  /** 1 + the workers that have started and take matmul tasks now. */
  readonly readyThreads: number;
  /** Makes these the weights: the SIMD engine copies them; the plain one keeps the arrays given. */
  load(gate: A, up: A, down: A): void;
  /** y = MLP(x) for x [tokens, hidden] into out [tokens, hidden]. */
  forward(x: A, tokens: number, approximate: 'none' | 'tanh', out: A): A;
  /** Ends the workers and releases the memory. */
  dispose(): void;
}

const align16 = (n: number) => Math.ceil(n / 16) * 16;

/** Byte offsets of the SIMD engine's arrays in its linear memory. */
function simdLayout(lanes: MatmulLanes, d: number, f: number) {
  const e = lanes.bytes;
  const gate = 0;
  const up = align16(gate + e * f * d);
  const down = align16(up + e * f * d);
  const x = align16(down + e * d * f);
  const g = align16(x + e * CHUNK * d);
  const u = align16(g + e * CHUNK * f);
  const y = align16(u + e * CHUNK * f);
  const bytes = y + e * CHUNK * d;
  return { gate, up, down, x, g, u, y, bytes, pages: Math.ceil(bytes / PAGE) };
}

/** Bytes of linear memory the SIMD engine needs for (d, f). */
export function simdEngineBytes(lanes: MatmulLanes, d: number, f: number): number {
  return simdLayout(lanes, d, f).bytes;
}

/** Whether the SIMD engine for (d, f) fits in a wasm32 memory (4 GiB). */
export function simdEngineFits(lanes: MatmulLanes, d: number, f: number): boolean {
  return simdLayout(lanes, d, f).pages <= MAX_PAGES;
}

const arrayOf = (lanes: MatmulLanes) => (lanes.bytes === 4 ? Float32Array : Float64Array);

/** Runs `pass` over chunks of at most `chunk` tokens. */
function runChunks<A extends LaneArray>(
  x: A,
  tokens: number,
  d: number,
  chunk: number,
  out: A,
  pass: (xc: A, n: number, yc: A) => void,
): A {
  for (let t0 = 0; t0 < tokens; t0 += chunk) {
    const n = Math.min(chunk, tokens - t0);
    pass(x.subarray(t0 * d, (t0 + n) * d) as A, n, out.subarray(t0 * d, (t0 + n) * d) as A);
  }
  return out;
}

/**
 * The plain-TypeScript engine. `chunk` tokens per pass (its scratch is 2·chunk·f elements);
 * the weights are the arrays last given to `load`, not copies.
 */
export function createJsEngine<A extends LaneArray>(lanes: MatmulLanes, d: number, f: number, chunk = CHUNK): MlpEngine<A> {
  const Lane = arrayOf(lanes);
  const matmul = matmulTransposedFor<A>(lanes.bytes);
  const g = new Lane(chunk * f) as A;
  const u = new Lane(chunk * f) as A;
  let W: { gate: A; up: A; down: A } | undefined;
  return {
    lanes,
    hidden: d,
    intermediate: f,
    engine: 'js',
    relaxedSimd: false,
    threads: 1,
    activationThreads: 1,
    readyThreads: 1,
    load(gate, up, down) {
      W = { gate, up, down };
    },
    forward(x, tokens, approximate, out) {
      const w = W!;
      return runChunks(x, tokens, d, chunk, out, (xc, n, yc) => {
        const gs = g.subarray(0, n * f) as A;
        const us = u.subarray(0, n * f) as A;
        matmul(xc, n, d, w.gate, f, gs);
        matmul(xc, n, d, w.up, f, us);
        gegluActivation(gs, us, approximate, gs);
        matmul(gs, n, f, w.down, d, yc);
      });
    },
    dispose() {
      W = undefined;
    },
  };
}

/**
 * Worker source (a classic script; ../host's startSourceWorker supplies
 * `workerData`). Its task loop follows ../worker-protocol.ts (the cells are
 * spliced in as numbers). The activation is the same module the caller uses,
 * imported by URL; where it cannot be imported (tests running the TypeScript
 * sources; a browser bundle, activationUrl null), the worker says so and the
 * caller computes the whole activation itself, with the same results.
 */
const WORKER_SOURCE = (driver: string) => `
const { module, memory, control, activationUrl, lanes } = workerData;
const tiles = new WebAssembly.Instance(module, { env: { memory } }).exports;
const ctl = new Int32Array(control);
const Lane = lanes.bytes === 4 ? Float32Array : Float64Array;
const A = ${MLP_CTRL.ARGS};
const matmulSimd = ${driver};
(async () => {
  let activation = null;
  try {
    if (activationUrl === null) throw new Error('no activation module to import');
    activation = (await import(activationUrl)).gegluActivation;
    // Compile the activation's WebAssembly now, before saying ready: no task waits on it.
    const a = new Lane(64);
    activation(a, a.slice(), 'tanh', a);
    activation(a, a.slice(), 'none', a);
  } catch (e) {
    activation = null;
  }
  Atomics.store(ctl, ${MLP_CTRL.STATE}, typeof activation === 'function' ? ${WORKER_STATE.READY} : ${WORKER_STATE.READY_WITHOUT_ACTIVATION});
  let seen = 0;
  for (;;) {
    Atomics.wait(ctl, ${MLP_CTRL.POSTED}, seen);
    seen = Atomics.load(ctl, ${MLP_CTRL.POSTED});
    Atomics.store(ctl, ${MLP_CTRL.TAKEN}, seen);
    const task = ctl[${MLP_CTRL.TASK}];
    if (task === ${MLP_TASK.EXIT}) break;
    try {
      if (task === ${MLP_TASK.MATMUL}) {
        matmulSimd(tiles, lanes, ctl[A], ctl[A + 1], ctl[A + 2], ctl[A + 3], ctl[A + 4], ctl[A + 5], ctl[A + 6], ctl[A + 7]);
      } else {
        const n = ctl[A + 2];
        const g = new Lane(memory.buffer, ctl[A], n);
        activation(g, new Lane(memory.buffer, ctl[A + 1], n), ctl[A + 3] === 1 ? 'tanh' : 'none', g);
      }
    } catch (e) {
      Atomics.store(ctl, ${MLP_CTRL.FAILED}, 1);
    }
    Atomics.store(ctl, ${MLP_CTRL.DONE}, seen);
    Atomics.notify(ctl, ${MLP_CTRL.DONE});
  }
})();
`;

export interface WorkerSlot {
  worker: SourceWorker;
  ctl: Int32Array;
  seq: number;
}

function endWorkers(slots: readonly WorkerSlot[]): void {
  for (const s of slots) {
    s.ctl[MLP_CTRL.TASK] = MLP_TASK.EXIT;
    Atomics.add(s.ctl, MLP_CTRL.POSTED, 1);
    Atomics.notify(s.ctl, MLP_CTRL.POSTED);
    s.worker.terminate();
  }
}

const workerReaper = new FinalizationRegistry<readonly WorkerSlot[]>(endWorkers);

/**
 * The threads (the caller included) that can share a WebAssembly memory here: `asked`, or 1
 * where there is no SharedArrayBuffer (a page that is not cross-origin isolated).
 */
export function shareableThreads(asked: number): number {
  return typeof SharedArrayBuffer === 'function' ? asked : 1;
}

/** Worker threads sharing a memory with the caller, each running the tiles of one module. */
export interface TilePool {
  /** Threads including the caller. */
  readonly threads: number;
  /**
   * Rows [0, o) of out = x·Wᵀ (byte addresses, ldo = o) split over the caller and the workers
   * that are up (in their task loop): the caller never blocks on a worker that is still starting.
   */
  project(x: number, tokens: number, k: number, w: number, o: number, out: number): void;
  /** The workers whose activation loaded. */
  withActivation(): WorkerSlot[];
  /** The workers that are up, with or without their activation. */
  up(): WorkerSlot[];
  /** Posts a task to a worker (MLP_TASK, up to 8 argument words). */
  post(s: WorkerSlot, task: number, args: number[]): void;
  /** Waits until each worker has finished its last task; throws if one failed or timed out. */
  join(busy: WorkerSlot[]): void;
  /** Waits until no worker is still starting, at most `timeoutMs`; returns 1 + the workers up. */
  waitUntilUp(timeoutMs: number): number;
  /** Ends the workers (idempotent). */
  dispose(): void;
}

/**
 * `threads − 1` workers for `module` over the shared `memory` (any memory when threads is 1);
 * `fn` names the caller in errors. Workers that are dropped undisposed are ended when the
 * pool is collected (they block in Atomics.wait and hold the shared memory).
 */
export function createTilePool(
  fn: string,
  lanes: MatmulLanes,
  module: object,
  memory: WasmMemory,
  tiles: Readonly<Record<string, TileFn>>,
  threads: number,
): TilePool {
  const slots: WorkerSlot[] = [];
  const driver = matmulSimd.toString();
  const activationUrl = workersImportModules ? new URL('./activation.js', import.meta.url).href : null;
  for (let i = 1; i < threads; i++) {
    const control = new SharedArrayBuffer(MLP_CTRL.LENGTH * 4);
    const worker = startSourceWorker(WORKER_SOURCE(driver), { module, memory, control, activationUrl, lanes });
    const ctl = new Int32Array(control);
    // A dead worker gets no more tasks; if it died inside one, that task's wait
    // times out. Either way no 'error' event goes unhandled.
    worker.onError(() => Atomics.store(ctl, MLP_CTRL.STATE, WORKER_STATE.FAILED));
    slots.push({ worker, ctl, seq: 0 });
  }
  let disposed = false;

  const post = (s: WorkerSlot, task: number, args: number[]) => {
    s.seq++;
    s.ctl[MLP_CTRL.TASK] = task;
    s.ctl.set(args, MLP_CTRL.ARGS);
    Atomics.store(s.ctl, MLP_CTRL.POSTED, s.seq);
    Atomics.notify(s.ctl, MLP_CTRL.POSTED);
  };
  const join = (busy: WorkerSlot[]) => {
    for (const s of busy) {
      // In short slices, not one long wait (../wait.ts says why).
      if (!waitInSlices(s.ctl, MLP_CTRL.DONE, (v) => v === s.seq, WORKER_TIMEOUT_MS)) {
        const c = s.ctl;
        const state = `task ${s.seq}, posted ${Atomics.load(c, MLP_CTRL.POSTED)}, taken ${Atomics.load(c, MLP_CTRL.TAKEN)}, done ${Atomics.load(c, MLP_CTRL.DONE)}, state ${Atomics.load(c, MLP_CTRL.STATE)}`;
        throw new Error(`${fn}: worker thread did not finish within ${WORKER_TIMEOUT_MS} ms (${state})`);
      }
      if (s.ctl[MLP_CTRL.FAILED] !== 0) throw new Error(`${fn}: a worker thread failed`);
    }
  };

  const slotsIn = (...states: number[]) => slots.filter((s) => states.includes(Atomics.load(s.ctl, MLP_CTRL.STATE)));
  const up = () => slotsIn(WORKER_STATE.READY, WORKER_STATE.READY_WITHOUT_ACTIVATION);

  const pool: TilePool = {
    threads,
    project(x, tokens, k, wAt, o, out) {
      const busy = up();
      const parts = busy.length + 1;
      // Split on multiples of the row block so every thread gets whole blocks.
      const per = Math.ceil(o / parts / lanes.rowBlock) * lanes.rowBlock;
      busy.forEach((s, i) => post(s, MLP_TASK.MATMUL, [x, tokens, k, wAt, Math.min(o, per * (i + 1)), Math.min(o, per * (i + 2)), out, o]));
      matmulSimd(tiles, lanes, x, tokens, k, wAt, 0, Math.min(o, per), out, o);
      join(busy);
    },
    withActivation: () => slotsIn(WORKER_STATE.READY),
    up,
    waitUntilUp(timeoutMs) {
      for (const s of slots) waitInSlices(s.ctl, MLP_CTRL.STATE, (v) => v !== WORKER_STATE.STARTING, timeoutMs);
      return 1 + up().length;
    },
    post,
    join,
    dispose() {
      if (disposed) return;
      disposed = true;
      if (slots.length > 0) workerReaper.unregister(pool);
      endWorkers(slots);
    },
  };
  // Workers block in Atomics.wait and hold the shared memory: end them if the pool is dropped undisposed.
  if (slots.length > 0) workerReaper.register(pool, slots, pool);
  return pool;
}

/**
 * The SIMD engine: (d, f) must fit (simdEngineFits) and WebAssembly SIMD validate
 * (../wasm/matmul-simd.ts matmulSimdAvailable). `threads` includes the caller. Its tiles use
 * relaxed_madd where relaxed SIMD is active now (../wasm/features.ts relaxedSimdActive).
 */
export function createSimdEngine<A extends LaneArray>(lanes: MatmulLanes, d: number, f: number, threadsAsked: number): MlpEngine<A> {
  const relaxed = relaxedSimdActive();
  const at = simdLayout(lanes, d, f);
  const threads = shareableThreads(threadsAsked);
  const shared = threads > 1;
  const api = wasmApi!;
  const memory: WasmMemory = new api.Memory({ initial: at.pages, maximum: at.pages, shared });
  const module = new api.Module(matmulSimdModuleBytes(lanes, at.pages, shared, relaxed, [d, f]));
  const tiles = new api.Instance(module, { env: { memory } }).exports as unknown as Record<string, TileFn>;
  const Lane = arrayOf(lanes);
  const e = lanes.bytes;
  const heap = new Lane(memory.buffer as ArrayBuffer) as A;
  const view = (byteAt: number, n: number) => heap.subarray(byteAt / e, byteAt / e + n) as A;
  const xs = view(at.x, CHUNK * d);
  const gs = view(at.g, CHUNK * f);
  const us = view(at.u, CHUNK * f);
  const ys = view(at.y, CHUNK * d);
  const pool = createTilePool('gemma2Mlp', lanes, module, memory, tiles, threads);
  const project = pool.project;

  /** g ← fl(gelu(g)·u) over n elements, split over the caller and the workers whose activation loaded. */
  const activate = (n: number, approximate: 'none' | 'tanh') => {
    const ready = pool.withActivation();
    const per = Math.ceil(n / (ready.length + 1) / 4) * 4;
    ready.forEach((s, i) => {
      const a = Math.min(n, per * (i + 1));
      const b = Math.min(n, per * (i + 2));
      pool.post(s, MLP_TASK.ACTIVATION, [at.g + e * a, at.u + e * a, b - a, approximate === 'tanh' ? 1 : 0]);
    });
    const m = Math.min(n, per);
    gegluActivation(gs.subarray(0, m), us.subarray(0, m), approximate, gs.subarray(0, m));
    pool.join(ready);
  };

  return {
    lanes,
    hidden: d,
    intermediate: f,
    engine: 'wasm-simd',
    relaxedSimd: relaxed,
    threads,
    get activationThreads() {
      return 1 + pool.withActivation().length;
    },
    get readyThreads() {
      return 1 + pool.up().length;
    },
    load(gate, up, down) {
      heap.set(gate, at.gate / e);
      heap.set(up, at.up / e);
      heap.set(down, at.down / e);
    },
    forward(x, tokens, approximate, out) {
      return runChunks(x, tokens, d, CHUNK, out, (xc, n, yc) => {
        xs.set(xc);
        project(at.x, n, d, at.gate, f, at.g);
        project(at.x, n, d, at.up, f, at.u);
        activate(n * f, approximate);
        project(at.g, n, f, at.down, d, at.y);
        yc.set(ys.subarray(0, n * d));
      });
    },
    dispose: pool.dispose,
  };
}
