/**
 * The fast Gemma 2 MLP: weights copied once into WebAssembly linear memory,
 * the three projections run by the f32x4 tiles of ./wasm.ts, optionally split
 * over worker threads that share that memory.
 *
 * Results are bit-identical to `gemma2Mlp` (float32): every output is one
 * kernel-order dot product (./matmul.ts), whichever tile, block or thread
 * computed it, so the error bound documented in ./gemma2.ts holds unchanged.
 *
 * Threads: each projection's output rows [0, O) are split into contiguous
 * ranges, one per thread; the calling thread computes the first range and
 * waits (Atomics.wait) for the workers, so `forward` stays synchronous.
 * Workers are created with `eval` from source held in this module (no file to
 * resolve, so it works from src, from dist and when installed alone), receive
 * the compiled module and the shared memory, and are unref'd: they never keep
 * a process alive. Call `dispose()` to end them early.
 */
import { Worker } from 'node:worker_threads';
import { waitInSlices } from '../wait.js';
import { gegluActivation } from './activation.js';
import { releaseF64Plan } from './fast64.js';
import { checkMlpCall, type Gemma2MlpWeights } from './gemma2.js';
import { matmulTransposedF32 } from './matmul.js';
import { matmulModuleBytes, matmulWasm, wasmApi, wasmSimdAvailable, type TileFn, type WasmMemory } from './wasm.js';
import {
  checkApproximate,
  checkArrayType,
  checkDimension,
  checkLength,
  checkNoAlias,
  checkOptions,
  checkedProduct,
  describe,
  fail,
} from '../validation.js';

const FN = 'createGemma2Mlp';
const PAGE = 65536;
const MAX_PAGES = 65536; // wasm32: 4 GiB
/** Tokens per pass; bounds the scratch to CHUNK·(2f + 2d) floats. Never changes a result. */
const CHUNK = 64;
/** Longest a forward pass waits for a worker before reporting it (a 27b projection of 64 tokens is ~1 s here). */
const WORKER_TIMEOUT_MS = 120_000;

export interface CreateGemma2MlpOptions {
  /** Threads including the caller (default 1; at most 16). */
  readonly threads?: number;
  /** 'wasm' (default when WebAssembly SIMD validates) or 'js' (the plain path; same results). */
  readonly engine?: 'wasm' | 'js';
}

export interface Gemma2MlpForwardOptions {
  readonly approximate?: 'none' | 'tanh';
  readonly out?: Float32Array;
}

export interface Gemma2Mlp {
  readonly hidden: number;
  readonly intermediate: number;
  /** The engine that actually runs: 'wasm-simd' or 'js'. */
  readonly engine: 'wasm-simd' | 'js';
  readonly threads: number;
  /**
   * Threads that run the activation now: 1 + the workers that imported it (they load it
   * asynchronously, so right after creation this may still be 1; the results never depend on it).
   */
  readonly activationThreads: number;
  /** y = (gelu(x·W_gateᵀ) ⊙ (x·W_upᵀ))·W_downᵀ for x [tokens, hidden] (float32). */
  forward(x: Float32Array, tokens: number, options?: Gemma2MlpForwardOptions): Float32Array;
  /** Ends the workers and releases the weights' copy. */
  dispose(): void;
}

/** Checks a forward call's x, tokens and options (the weights were checked at creation). */
function checkForward(x: unknown, tokens: unknown, d: number, options: unknown) {
  const fn = 'Gemma2Mlp.forward';
  const xa = checkArrayType(fn, 'x', x, Float32Array);
  const t = checkDimension(fn, 'tokens', tokens, 0);
  const td = checkedProduct(fn, ['tokens', 'hidden'], [t, d]);
  checkLength(fn, 'x', xa, td, `tokens × hidden = ${t} × ${d}`);
  const opts = checkOptions<Gemma2MlpForwardOptions>(fn, options);
  const approximate = checkApproximate(fn, opts.approximate, 'tanh');
  let out: Float32Array | undefined;
  if (opts.out !== undefined) {
    out = checkArrayType(fn, 'options.out', opts.out, Float32Array);
    checkLength(fn, 'options.out', out, td, `tokens × hidden = ${t} × ${d}`);
    checkNoAlias(fn, 'options.out', out, { x: xa });
  }
  return { x: xa, tokens: t, approximate, out };
}

/**
 * Worker protocol over an Int32Array `ctl` on a SharedArrayBuffer: [0] task sequence number
 * (bumped by the caller), [1] opcode (0 matmul, 1 exit, 2 activation), [2..9] arguments,
 * [10] sequence number of the last finished task, [11] failure flag, [12] activation state
 * (0 loading, 1 ready, 2 unavailable, 3 dead; the worker takes tasks in states 1 and 2), [13] the
 * sequence number of the task it last took (for the timeout's message). The activation is
 * the same module the caller uses,
 * imported by URL; where it cannot be imported (e.g. tests running the TypeScript sources),
 * the caller computes the whole activation itself, with the same results.
 */
const WORKER_SOURCE = (driver: string) => `
'use strict';
const { workerData } = require('node:worker_threads');
const { module, memory, control, activationUrl } = workerData;
const tiles = new WebAssembly.Instance(module, { env: { memory } }).exports;
const ctl = new Int32Array(control);
const matmulWasm = ${driver};
(async () => {
  let activation = null;
  try {
    activation = (await import(activationUrl)).gegluActivation;
    // Compile the activation's WebAssembly now, before saying ready: no task waits on it.
    const a = new Float32Array(64);
    activation(a, a.slice(), 'tanh', a);
    activation(a, a.slice(), 'none', a);
  } catch (e) {
    activation = null;
  }
  Atomics.store(ctl, 12, typeof activation === 'function' ? 1 : 2);
  let seen = 0;
  for (;;) {
    Atomics.wait(ctl, 0, seen);
    seen = Atomics.load(ctl, 0);
    Atomics.store(ctl, 13, seen); // diagnostics: the task this worker has taken
    if (ctl[1] === 1) break;
    try {
      if (ctl[1] === 0) {
        matmulWasm(tiles, ctl[2], ctl[3], ctl[4], ctl[5], ctl[6], ctl[7], ctl[8], ctl[9]);
      } else {
        const n = ctl[4];
        const g = new Float32Array(memory.buffer, ctl[2], n);
        activation(g, new Float32Array(memory.buffer, ctl[3], n), ctl[5] === 1 ? 'tanh' : 'none', g);
      }
    } catch (e) {
      Atomics.store(ctl, 11, 1);
    }
    Atomics.store(ctl, 10, seen);
    Atomics.notify(ctl, 10);
  }
})();
`;

interface WorkerSlot {
  worker: Worker;
  ctl: Int32Array;
  seq: number;
}

const align16 = (n: number) => Math.ceil(n / 16) * 16;

/**
 * Prepares a Gemma 2 MLP for repeated forward passes (float32 weights).
 * Copies the weights once; later changes to the caller's arrays are not seen.
 */
export function createGemma2Mlp(weights: Gemma2MlpWeights<Float32Array>, options?: CreateGemma2MlpOptions): Gemma2Mlp {
  // Validates the weights with an empty float32 x: same messages as gemma2Mlp, and float32 enforced.
  const w = checkMlpCall<Float32Array>(FN, new Float32Array(0), 0, weights, undefined);
  const opts = checkOptions<CreateGemma2MlpOptions>(FN, options);
  const threads = opts.threads === undefined ? 1 : checkDimension(FN, 'options.threads', opts.threads, 1);
  if (threads > 16) fail(FN, `options.threads is ${threads}, expected at most 16`);
  if (opts.engine !== undefined && opts.engine !== 'wasm' && opts.engine !== 'js') {
    fail(FN, `options.engine is ${describe(opts.engine)}, expected 'wasm' or 'js'`);
  }
  const d = w.hidden;
  const f = w.intermediate;
  const useWasm = opts.engine !== 'js' && wasmSimdAvailable();
  if (!useWasm) return jsPlan(w.gate, w.up, w.down as Float32Array, d, f);

  const gateAt = 0;
  const upAt = align16(gateAt + 4 * f * d);
  const downAt = align16(upAt + 4 * f * d);
  const xAt = align16(downAt + 4 * d * f);
  const gAt = align16(xAt + 4 * CHUNK * d);
  const uAt = align16(gAt + 4 * CHUNK * f);
  const yAt = align16(uAt + 4 * CHUNK * f);
  const bytes = yAt + 4 * CHUNK * d;
  const pages = Math.ceil(bytes / PAGE);
  if (pages > MAX_PAGES) {
    fail(FN, `weights need ${bytes} bytes of WebAssembly memory, expected at most 4 GiB (use gemma2Mlp or engine 'js')`);
  }
  const shared = threads > 1;
  const api = wasmApi!;
  const memory: WasmMemory = new api.Memory({ initial: pages, maximum: pages, shared });
  const module = new api.Module(matmulModuleBytes(pages, shared));
  const tiles = new api.Instance(module, { env: { memory } }).exports as unknown as Record<string, TileFn>;
  const heap = new Float32Array(memory.buffer);
  const load = (g: Float32Array, u: Float32Array, dn: Float32Array) => {
    heap.set(g, gateAt / 4);
    heap.set(u, upAt / 4);
    heap.set(dn, downAt / 4);
  };
  load(w.gate, w.up, w.down as Float32Array);
  const xs = heap.subarray(xAt / 4, xAt / 4 + CHUNK * d);
  const gs = heap.subarray(gAt / 4, gAt / 4 + CHUNK * f);
  const us = heap.subarray(uAt / 4, uAt / 4 + CHUNK * f);
  const ys = heap.subarray(yAt / 4, yAt / 4 + CHUNK * d);

  const slots: WorkerSlot[] = [];
  const driver = matmulWasm.toString();
  const activationUrl = new URL('./activation.js', import.meta.url).href;
  for (let i = 1; i < threads; i++) {
    const control = new SharedArrayBuffer(16 * 4);
    // The source is CommonJS: drop a caller's --input-type (node --input-type=module -e …),
    // which workers inherit and which would make it an ES module without require.
    const execArgv = process.execArgv.filter((a) => !a.startsWith('--input-type'));
    const worker = new Worker(WORKER_SOURCE(driver), { eval: true, execArgv, workerData: { module, memory, control, activationUrl } });
    worker.unref();
    const ctl = new Int32Array(control);
    // A dead worker (state 3) gets no more tasks; if it died inside one, that task's wait
    // times out. Either way no 'error' event goes unhandled.
    worker.on('error', () => Atomics.store(ctl, 12, 3));
    slots.push({ worker, ctl, seq: 0 });
  }
  let disposed = false;

  /** Hands one task to a worker (it wakes on the sequence number). */
  const post = (s: WorkerSlot, opcode: number, args: number[]) => {
    s.seq++;
    s.ctl[1] = opcode;
    s.ctl.set(args, 2);
    Atomics.store(s.ctl, 0, s.seq);
    Atomics.notify(s.ctl, 0);
  };
  const join = (busy: WorkerSlot[]) => {
    for (const s of busy) {
      // In short slices, not one long wait (../wait.ts says why).
      if (!waitInSlices(s.ctl, 10, (v) => v === s.seq, WORKER_TIMEOUT_MS)) {
        const state = `task ${s.seq}, posted ${Atomics.load(s.ctl, 0)}, taken ${Atomics.load(s.ctl, 13)}, done ${Atomics.load(s.ctl, 10)}, state ${Atomics.load(s.ctl, 12)}`;
        throw new Error(`gemma2Mlp: worker thread did not finish within ${WORKER_TIMEOUT_MS} ms (${state})`);
      }
      if (s.ctl[11] !== 0) throw new Error('gemma2Mlp: a worker thread failed');
    }
  };

  /** Workers whose state (ctl[12]) is one of `states`. */
  const slotsIn = (...states: number[]) => slots.filter((s) => states.includes(Atomics.load(s.ctl, 12)));

  /**
   * Rows [0, O) of out = x·Wᵀ split over the caller and the workers that are up (in
   * their task loop): the caller never blocks on a worker that is still starting.
   */
  const project = (x: number, tokens: number, k: number, wAt: number, o: number, out: number) => {
    const up = slotsIn(1, 2);
    const parts = up.length + 1;
    // Split on multiples of the 32-row block so every thread gets whole blocks.
    const per = Math.ceil(o / parts / 32) * 32;
    up.forEach((s, i) => post(s, 0, [x, tokens, k, wAt, Math.min(o, per * (i + 1)), Math.min(o, per * (i + 2)), out, o]));
    matmulWasm(tiles, x, tokens, k, wAt, 0, Math.min(o, per), out, o);
    join(up);
  };

  /** g ← fl(gelu(g)·u) over n elements, split over the caller and the workers whose activation loaded. */
  const activate = (n: number, approximate: 'none' | 'tanh') => {
    const ready = slotsIn(1);
    const per = Math.ceil(n / (ready.length + 1) / 4) * 4;
    ready.forEach((s, i) => {
      const a = Math.min(n, per * (i + 1));
      const b = Math.min(n, per * (i + 2));
      post(s, 2, [gAt + 4 * a, uAt + 4 * a, b - a, approximate === 'tanh' ? 1 : 0]);
    });
    const m = Math.min(n, per);
    gegluActivation(gs.subarray(0, m), us.subarray(0, m), approximate, gs.subarray(0, m));
    join(ready);
  };

  const plan: Gemma2Mlp & { reload: typeof load } = {
    reload: load,
    hidden: d,
    intermediate: f,
    engine: 'wasm-simd',
    threads,
    get activationThreads() {
      return 1 + slotsIn(1).length;
    },
    forward(x, tokens, options) {
      if (disposed) fail('Gemma2Mlp.forward', 'this Gemma2Mlp was disposed, expected a live one');
      const c = checkForward(x, tokens, d, options);
      return runChunks(c.x, c.tokens, d, c.out, (xc, n, yc) => {
        xs.set(xc);
        project(xAt, n, d, gateAt, f, gAt);
        project(xAt, n, d, upAt, f, uAt);
        activate(n * f, c.approximate);
        project(gAt, n, f, downAt, d, yAt);
        yc.set(ys.subarray(0, n * d));
      });
    },
    dispose() {
      if (disposed) return;
      disposed = true;
      if (slots.length > 0) workerReaper.unregister(plan);
      endWorkers(slots);
    },
  };
  // Workers block in Atomics.wait and hold the shared memory: end them if the plan is dropped undisposed.
  if (slots.length > 0) workerReaper.register(plan, slots, plan);
  return plan;
}

function endWorkers(slots: readonly WorkerSlot[]): void {
  for (const s of slots) {
    s.ctl[1] = 1;
    Atomics.add(s.ctl, 0, 1);
    Atomics.notify(s.ctl, 0);
    void s.worker.terminate();
  }
}

const workerReaper = new FinalizationRegistry<readonly WorkerSlot[]>(endWorkers);

function runChunks(
  x: Float32Array,
  tokens: number,
  d: number,
  out: Float32Array | undefined,
  pass: (xc: Float32Array, n: number, yc: Float32Array) => void,
): Float32Array {
  const y = out ?? new Float32Array(tokens * d);
  for (let t0 = 0; t0 < tokens; t0 += CHUNK) {
    const n = Math.min(CHUNK, tokens - t0);
    pass(x.subarray(t0 * d, (t0 + n) * d), n, y.subarray(t0 * d, (t0 + n) * d));
  }
  return y;
}

function jsPlan(gate: Float32Array, up: Float32Array, down: Float32Array, d: number, f: number): Gemma2Mlp & { reload(g: Float32Array, u: Float32Array, dn: Float32Array): void } {
  const W = { gate: gate.slice(), up: up.slice(), down: down.slice() };
  const g = new Float32Array(CHUNK * f);
  const u = new Float32Array(CHUNK * f);
  return {
    hidden: d,
    intermediate: f,
    engine: 'js',
    threads: 1,
    activationThreads: 1,
    reload(g: Float32Array, u: Float32Array, dn: Float32Array) {
      W.gate.set(g);
      W.up.set(u);
      W.down.set(dn);
    },
    forward(x, tokens, options) {
      const c = checkForward(x, tokens, d, options);
      return runChunks(c.x, c.tokens, d, c.out, (xc, n, yc) => {
        matmulTransposedF32(xc, n, d, W.gate, f, g);
        matmulTransposedF32(xc, n, d, W.up, f, u);
        gegluActivation(g.subarray(0, n * f), u.subarray(0, n * f), c.approximate, g.subarray(0, n * f));
        matmulTransposedF32(g, n, f, W.down, d, yc);
      });
    },
    dispose() {},
  };
}

/**
 * The WebAssembly memory `gemma2Mlp` reuses for large float32 calls: one, sized for the last
 * (hidden, intermediate) it saw, so repeated calls copy the weights into committed pages (about
 * 28 ms of CPU for gemma-2-2b here) instead of faulting in fresh ones (about 165 ms).
 */
type ReloadablePlan = Gemma2Mlp & { reload(g: Float32Array, u: Float32Array, d: Float32Array): void };
let scratch: ReloadablePlan | undefined;

/** Runs one float32 forward pass on the reusable single-thread plan (weights re-copied: always current). */
export function forwardWithScratch(
  weights: Gemma2MlpWeights<Float32Array>,
  x: Float32Array,
  tokens: number,
  options: Gemma2MlpForwardOptions,
): Float32Array {
  if (scratch === undefined || scratch.hidden !== weights.hidden || scratch.intermediate !== weights.intermediate) {
    scratch?.dispose();
    scratch = undefined;
    scratch = createGemma2Mlp(weights) as ReloadablePlan;
  } else {
    scratch.reload(weights.gate, weights.up, weights.down);
  }
  return scratch.forward(x, tokens, options);
}

/** Frees the WebAssembly memory `gemma2Mlp` keeps between large calls (float32 and float64). */
export function releaseGemma2MlpScratch(): void {
  scratch?.dispose();
  scratch = undefined;
  releaseF64Plan();
}
