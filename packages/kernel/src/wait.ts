/**
 * Blocking waits of a calling thread on its worker threads, in short slices.
 *
 * One long Atomics.wait stalled the very worker it waited for. In a stress
 * script (the built package, createGemma2Mlp with 2 threads, 20 plans per run,
 * Node 20.20 / V8 11.3) 3 of 5 runs hung for the whole 120 s wait; with a 3 s
 * timeout the worker's done counter always equalled the task's by the time
 * the caller woke, as if the worker needed the calling thread to run. Our
 * reading (not confirmed in V8's sources): V8 serves some requests between
 * isolates, e.g. for WebAssembly code they share, at the waiting thread's
 * interrupt checks, which a blocked Atomics.wait never reaches. Waiting in
 * slices of WAIT_SLICE_MS, returning to JavaScript in between, 20 of 20 runs
 * passed. (With the MLP workers compiling their activation before they
 * report ready, long waits did not hang in 9 runs either; the slices stay as
 * the cheap guard.)
 */

/** Milliseconds per slice of a wait. */
export const WAIT_SLICE_MS = 1;

/**
 * Whether this thread may block in Atomics.wait. A browser page's main
 * thread may not (Atomics.wait throws a TypeError there, before it even
 * compares the value, so a call that would not sleep tells); Node's threads
 * and Web Workers may.
 */
let suspendable: boolean | undefined;
export function canSuspend(): boolean {
  if (suspendable === undefined) {
    try {
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 1, 0);
      suspendable = true;
    } catch {
      suspendable = false;
    }
  }
  return suspendable;
}

/**
 * Sleeps up to `ms` while cells[index] is `value`, as Atomics.wait does; on
 * a thread that may not block (a page's main thread) it re-reads the cell
 * for that long instead. Only the waiting costs more: a page that runs the
 * kernel on its main thread is busy for the whole call either way.
 */
export function pause(cells: Int32Array, index: number, value: number, ms: number): void {
  if (canSuspend()) {
    Atomics.wait(cells, index, value, ms);
    return;
  }
  const until = performance.now() + ms;
  while (Atomics.load(cells, index) === value && performance.now() < until) {}
}

/**
 * Waits until `done(Atomics.load(cells, index))` or `timeoutMs` has passed;
 * true when done. The writer must Atomics.store the cell (and may notify).
 */
export function waitInSlices(cells: Int32Array, index: number, done: (value: number) => boolean, timeoutMs: number): boolean {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = Atomics.load(cells, index);
    if (done(v)) return true;
    if (Date.now() >= deadline) return false;
    pause(cells, index, v, WAIT_SLICE_MS);
  }
}

/**
 * Re-reads the cell until `done(value)` or `spinMs` has passed, without
 * sleeping; true when done. For waits that are usually short. Waking a
 * thread that sleeps in Atomics.wait costs the waker a system call, and on
 * the development VM, after idle spells, each such wake took 65–400 µs (an
 * instrumented build, timing Atomics.notify calls that woke a waiter): a
 * worker that slept whenever it was one block ahead of the caller's copies
 * cost the caller one wake per block, which made 2^20-element geluArray
 * calls after idle gaps about twice as slow as calls back to back
 * (`node bench/idle-gaps.mjs` times them).
 */
export function spinFor(cells: Int32Array, index: number, done: (value: number) => boolean, spinMs: number): boolean {
  const deadline = performance.now() + spinMs;
  do {
    if (done(Atomics.load(cells, index))) return true;
  } while (performance.now() < deadline);
  return done(Atomics.load(cells, index));
}
