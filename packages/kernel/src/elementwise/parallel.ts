/**
 * Large float32 gelu arrays on several threads while keeping geluArray
 * synchronous: worker threads (./gelu-worker.ts) run the SIMD kernel on
 * shared-memory copies of their shares while the calling thread does its
 * own share, then the caller blocks until they finish (../wait.ts: in short
 * Atomics.wait slices).
 *
 * Costs and choices: the caller's arrays are ordinary (unshared) memory, so
 * each worker's share is copied into a SharedArrayBuffer and its results
 * copied back (memcpy speed, ~10× faster than the kernel), and the caller's
 * share is made smaller to even that out. Arrays below PARALLEL_MIN stay on
 * the calling thread. Workers are created on first use, are unref()'d so they
 * never keep a process alive, and if one fails to start or to answer, the
 * caller computes that share itself and threads are turned off.
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { FastTable } from './fast.js';
import { geluF32RangeSimd } from './simd.js';
import { waitInSlices } from '../wait.js';

/** Arrays shorter than this stay on the calling thread (thread hand-off costs ~0.1 ms). */
export const PARALLEL_MIN = 2 ** 17;

let wanted = 1;
let workers: Worker[] = [];
let sharedIn: SharedArrayBuffer | null = null;
let sharedOut: SharedArrayBuffer | null = null;
let broken = false;

/**
 * Sets how many worker threads large float32 gelu arrays may use besides the
 * calling thread (default 1: two cores in all). 0 turns threads off.
 */
export function setGeluThreads(count: number): void {
  if (!Number.isInteger(count) || count < 0 || count > 64) {
    throw new RangeError(`setGeluThreads: count is ${String(count)}, expected an integer in [0, 64]`);
  }
  // A broken pool is rebuilt even at the same count: its workers may be dead, and
  // every large call would otherwise wait out the timeout before falling back.
  if (count !== wanted || broken) {
    for (const w of workers) void w.terminate();
    workers = [];
  }
  wanted = count;
  broken = false;
}

/** Worker threads currently in use for large arrays (0 before first use or when off). */
export function geluThreads(): number {
  return workers.length;
}

function start(): boolean {
  if (broken || wanted === 0) return false;
  if (workers.length === wanted) return true;
  // Run from TypeScript sources (e.g. under vitest) there is no .js worker
  // file next to this module: stay single-threaded rather than wait for it.
  const url = new URL('./gelu-worker.js', import.meta.url);
  if (url.protocol !== 'file:' || !existsSync(fileURLToPath(url))) {
    broken = true;
    return false;
  }
  try {
    for (let i = 0; i < wanted; i++) {
      const c = new Int32Array(new SharedArrayBuffer(8));
      const w = new Worker(url, { workerData: { ctrl: c.buffer } });
      w.unref();
      w.on('error', () => {
        broken = true;
      });
      // Wait (at most 5 s) for the worker's imports to resolve.
      if (!waitInSlices(c, 0, (v) => v !== 0, 5000)) throw new Error('worker did not start');
      (w as Worker & { ctrl?: Int32Array }).ctrl = c;
      workers.push(w);
    }
    return true;
  } catch {
    for (const w of workers) void w.terminate();
    workers = [];
    broken = true;
    return false;
  }
}

/**
 * out[i] = float32 gelu(x[i]) for all i on several threads; returns false
 * (doing nothing) when threads are off or the array is small.
 */
export function geluF32Parallel(x: Float32Array, out: Float32Array, table: FastTable): boolean {
  const n = x.length;
  if (n < PARALLEL_MIN || !start()) return false;
  const parts = workers.length + 1;
  // The caller also copies every worker share in and out, so it takes less.
  const mainEnd = Math.floor((n / parts) * 0.8) & ~7;
  const rest = n - mainEnd;
  if (sharedIn === null || sharedIn.byteLength < rest * 4) {
    sharedIn = new SharedArrayBuffer(rest * 4);
    sharedOut = new SharedArrayBuffer(rest * 4);
  }
  const sin = new Float32Array(sharedIn, 0, rest);
  const sout = new Float32Array(sharedOut!, 0, rest);
  sin.set(x.subarray(mainEnd));
  const per = Math.ceil(rest / workers.length / 8) * 8;
  const jobs: Array<{ c: Int32Array; start: number; end: number }> = [];
  workers.forEach((w, i) => {
    const s = Math.min(rest, i * per);
    const e = Math.min(rest, s + per);
    const c = (w as Worker & { ctrl?: Int32Array }).ctrl!;
    Atomics.store(c, 1, 0);
    w.postMessage({ input: sharedIn, output: sharedOut, start: s, end: e, tanh: table.tanh, slot: 1 });
    jobs.push({ c, start: s, end: e });
  });
  geluF32RangeSimd(x, out, table, 0, mainEnd);
  for (const j of jobs) {
    // A healthy worker answers in milliseconds; after 60 s assume it is gone.
    if (!waitInSlices(j.c, 1, (v) => v !== 0, 60_000) || Atomics.load(j.c, 1) !== 1) {
      broken = true;
      geluF32RangeSimd(sin, sout, table, j.start, j.end);
    }
  }
  out.set(sout, mainEnd);
  return true;
}
