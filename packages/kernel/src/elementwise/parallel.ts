/**
 * Large float32 gelu and geglu arrays on several threads while keeping
 * geluArray and geglu synchronous. The calling thread and the worker threads
 * (./gelu-worker.ts) run the SIMD kernels on one shared WebAssembly memory, in
 * blocks of BLOCK elements that pass through a ring of slots:
 *
 * - the caller copies blocks of x (or gate and up) into free slots (its arrays are ordinary,
 *   unshared memory: only it can read or write them) and publishes how many
 *   are in (`ready`);
 * - every thread, the caller included, takes the next block from a shared
 *   counter (`next`), computes it from its slot's input into the slot's
 *   output, and marks the slot done with the block's number;
 * - the caller copies finished blocks out in order, which frees their slots.
 *
 * Each element is copied once in and once out (memcpy speed, ~20× faster
 * than the kernel), and taking blocks from a counter balances the threads
 * whatever else the machine runs. The caller stays in the call until all
 * blocks are out, but never waits for a worker longer than SPIN_MS at a time
 * (stolenBlocks).
 *
 * When x and out (or gate, up and out) are all kernel arrays (./kernel-arrays.ts),
 * views of that shared memory, nothing is copied: the threads take blocks
 * from the counter and compute them where they are (in place through a
 * per-thread scratch block, since flagged pairs are recomputed from their
 * inputs), each marking its block done in a per-block map.
 *
 * Arrays below PARALLEL_MIN stay on the calling thread. Workers are created
 * on first use without waiting for them: a worker takes blocks once it has
 * started and warmed up (tens of milliseconds; until then the calling thread
 * computes everything). They are unref()'d so they never keep a process
 * alive, and wait for jobs in Atomics.wait. If one reports a failure, the
 * caller computes everything not yet copied out on its own (from its arrays,
 * leaving the ring to any worker still writing there), and threads are turned
 * off until setGeluThreads is called again. A worker that holds the block the
 * caller waits for, for SPIN_MS, is off its core: the caller computes that
 * block itself and goes on (stolenBlocks); after a ring job whose threads did not
 * help, the next calls run on the calling thread (./back-off.ts). A call that finds
 * a worker still inside the job before runs on the calling thread, and one
 * that still finds it there a minute later turns threads off (a direct job
 * waits for its blocks, see runDirect).
 *
 * Split workers, where the package's worker module cannot be loaded (a
 * browser bundle has no file beside it; ../host's workersImportModules): the
 * workers start from source text (./split-worker.ts) and run only the
 * WebAssembly kernel on their blocks, leaving in the slot the list of pairs it
 * flagged; the caller finishes those blocks (flagged pairs and the tail, in
 * JavaScript, as geluBlockSimd would) when it copies them out. Such pools take
 * the ring for kernel arrays too. A page's main thread cannot block in
 * Atomics.wait: there the caller's waits re-read the cells (../wait.ts pause).
 */
import { Worker, availableParallelism, existsSync, fileURLToPath, startSourceWorker, workersImportModules } from '../host/node.js';
import type { FastTable } from './fast.js';
import {
  freshViews,
  gegluBlockFinish,
  gegluBlockSimd,
  geluBlockFinish,
  gegluF32Simd,
  geluBlockSimd,
  geluF32RangeSimd,
  kernelInstance,
  kernelMemory,
  kernelOffset,
  reserveKernelBytes,
  simdModule,
  type KernelMemory,
  type SimdInstance,
} from './simd.js';
import { pause, spinFor, waitInSlices } from '../wait.js';
import { splitWorkerSource, type SplitWorkerData } from './split-worker.js';
import { GELU_CTRL, WORKER_STATE } from '../worker-protocol.js';
import { fail } from '../validation.js';
import { relaxedSimdActive } from '../wasm/features.js';
import { type BackOffState, JOB_KINDS, judgeRingJob, kindOf, newBackOffState, recordAlone } from './back-off.js';

export { MAX_BACKOFF, backOffs } from './back-off.js';

/** Arrays shorter than this stay on the calling thread (thread hand-off costs ~0.1 ms). */
export const PARALLEL_MIN = 2 ** 17;

/**
 * Elements per block: 48 KiB in and out, ~40 µs of kernel; a multiple of
 * twice both kernels' vectors per step (4 and 6), so only an array's last
 * block has a JavaScript tail.
 */
export const BLOCK = 12288;

/**
 * Milliseconds a thread re-reads a cell before sleeping on it when it waits
 * for a block another thread holds or has yet to copy in (a block takes
 * ~40 µs; ../wait.ts spinFor says why not sleep at once).
 */
export const SPIN_MS = 0.5;
/** Milliseconds a worker stays awake after a job, for the next call of a run. */
export const IDLE_SPIN_MS = 1;
/** Workers at most (setGeluThreads' limit). */
export const MAX_WORKERS = 64;

/** Bytes of one thread's flag list: an int32 per pair of a block. */
const FLAGS_BYTES = (BLOCK / 2) * 4;
/**
 * Bytes a slot of a split pool adds after its input, up and output blocks: the
 * number of pairs its kernel flagged (an int32, padded to 16 bytes), then their list.
 */
export const SPLIT_SLOT_FLAGS_BYTES = 16 + FLAGS_BYTES;

/** The pool's region of the kernel memory, which every thread uses, from the worker count and where it starts. */
export interface RingLayout {
  /** Slots in the ring. */
  ring: number;
  /** Byte offset of slot 0's input; slot s's input at slotAt + s·slotBytes. */
  slotAt: number;
  /** Bytes per slot: BLOCK float32 inputs (gates), BLOCK ups, BLOCK outputs (a split pool: then SPLIT_SLOT_FLAGS_BYTES). */
  slotBytes: number;
  /** Byte offset of thread t's flag list (t = 0 the caller, 1 + w worker w). */
  flagsAt: number;
  /** Byte offset of thread t's scratch block (BLOCK float32s) for direct jobs in place. */
  scratchAt: number;
  /** Bytes of the region. */
  bytes: number;
}

/**
 * Slots in the ring for `workers` workers: many blocks ahead of every thread,
 * so that a worker rarely runs out of copied-in blocks while the caller
 * computes one (or is descheduled): 32 for one worker, 4.5 MiB. Calls after
 * idle gaps are where too few slots show; `node bench/idle-gaps.mjs` times
 * them.
 */
export function ringLayout(workers: number, base: number, split = false): RingLayout {
  const ring = 8 * (workers + 1) + 16;
  const threads = workers + 1;
  const scratchAt = base + threads * FLAGS_BYTES;
  const slotAt = scratchAt + threads * BLOCK * 4;
  const slotBytes = BLOCK * 12 + (split ? SPLIT_SLOT_FLAGS_BYTES : 0);
  return { ring, slotAt, slotBytes, flagsAt: base, scratchAt, bytes: slotAt + ring * slotBytes - base };
}

/** Byte offset of thread t's flag list. */
export function flagsOf(layout: RingLayout, thread: number): number {
  return layout.flagsAt + thread * FLAGS_BYTES;
}

/** Byte offset of thread t's scratch block. */
export function scratchOf(layout: RingLayout, thread: number): number {
  return layout.scratchAt + thread * BLOCK * 4;
}

/** Blocks of an array of n elements (the last may be partial). */
export function blocksOf(n: number): number {
  return Math.ceil(n / BLOCK);
}

/**
 * Computes block b (length min(BLOCK, length − b·BLOCK)), gelu or geglu,
 * and marks it done: in a direct job where the kernel arrays are (the
 * block's entry of the map set to `job`, FINISHED counted up), otherwise in
 * its slot (the slot's DONE cell). Shared by the caller and the workers;
 * `thread` picks the flag list and scratch block.
 */
export function runBlock(
  w: SimdInstance,
  ctrl: Int32Array,
  layout: RingLayout,
  table: FastTable,
  geglu: boolean,
  b: number,
  thread: number,
  job: number,
): void {
  const flagsAt = flagsOf(layout, thread);
  if (Atomics.load(ctrl, GELU_CTRL.DIRECT) === 1) {
    const len = Math.min(BLOCK, Atomics.load(ctrl, GELU_CTRL.LENGTH) - b * BLOCK);
    const offset = b * BLOCK * 4;
    const x = Atomics.load(ctrl, GELU_CTRL.X_AT) + offset;
    const o = Atomics.load(ctrl, GELU_CTRL.OUT_AT) + offset;
    const u = geglu ? Atomics.load(ctrl, GELU_CTRL.UP_AT) + offset : -1;
    // In place, into the scratch block first: flagged pairs are recomputed from their inputs.
    const inPlace = o === x || o === u;
    const to = inPlace ? scratchOf(layout, thread) : o;
    if (geglu) gegluBlockSimd(w, table, x, u, to, len, flagsAt);
    else geluBlockSimd(w, table, x, to, len, flagsAt);
    const { f32, i32 } = freshViews(w);
    if (inPlace) f32.copyWithin(o / 4, to / 4, to / 4 + len);
    Atomics.store(i32, Atomics.load(ctrl, GELU_CTRL.MAP_AT) / 4 + b, job);
    Atomics.add(ctrl, GELU_CTRL.FINISHED, 1);
    Atomics.notify(ctrl, GELU_CTRL.FINISHED);
    return;
  }
  const slot = b % layout.ring;
  const inAt = layout.slotAt + slot * layout.slotBytes;
  const len = Math.min(BLOCK, Atomics.load(ctrl, GELU_CTRL.LENGTH) - b * BLOCK);
  if (geglu) gegluBlockSimd(w, table, inAt, inAt + BLOCK * 4, inAt + BLOCK * 8, len, flagsAt);
  else geluBlockSimd(w, table, inAt, inAt + BLOCK * 8, len, flagsAt);
  Atomics.store(ctrl, GELU_CTRL.DONE + slot, b + 1);
  Atomics.notify(ctrl, GELU_CTRL.DONE + slot);
}

/**
 * A worker's next block of the current job: it waits until the caller has
 * copied a block in that no thread has taken yet, takes it (the `next`
 * counter, compare-and-swap) and returns its number; -1 when the job has no
 * blocks left. A worker never holds a block that is not in yet, so the caller
 * only ever waits for blocks a worker is computing (and steals them after
 * SPIN_MS): a worker that took a block ahead of the copies could be asleep
 * (its wait for the copy outlasted SPIN_MS) or off its core when the block
 * came in, holding up the ring for as long. The split worker (./split-worker.ts) runs the same loop in its source text.
 */
export function claimReadyBlock(ctrl: Int32Array, blocks: number): number {
  for (;;) {
    const b = Atomics.load(ctrl, GELU_CTRL.NEXT);
    if (b >= blocks) return -1;
    if (Atomics.load(ctrl, GELU_CTRL.READY) > b) {
      if (Atomics.compareExchange(ctrl, GELU_CTRL.NEXT, b, b + 1) === b) return b;
      continue;
    }
    // Until block b is in, or another thread took it.
    const moved = (ready: number) => ready > b || Atomics.load(ctrl, GELU_CTRL.NEXT) !== b;
    if (!spinFor(ctrl, GELU_CTRL.READY, moved, SPIN_MS)) waitInSlices(ctrl, GELU_CTRL.READY, moved, Infinity);
  }
}

/** A started worker, of either kind. */
interface PoolWorker {
  terminate(): void;
}

interface Pool {
  workers: PoolWorker[];
  /** Split workers: the caller finishes their blocks (see the module notes). */
  split: boolean;
  ctrl: Int32Array;
  layout: RingLayout;
  kernel: KernelMemory;
  own: SimdInstance;
  /** Whether the pool's module uses relaxed SIMD's multiply-add (a pool runs one module). */
  relaxed: boolean;
  job: number;
  /** The per-block map of direct jobs (byte offset, or −1 before the first) and its length in blocks. */
  mapAt: number;
  mapBlocks: number;
  /** When a call first found a worker still inside the job before (Date.now()), 0 when none was. */
  lateSince: number;
  /** Backing off after ring jobs whose threads did not help, per kind of job (./back-off.ts kindOf). */
  backOff: BackOffState[];
}

let wanted = 1;
let pool: Pool | null = null;
let broken = false;

/**
 * Terminates the workers. With `release` (between calls) the pool's ranges of
 * the kernel memory are freed if every worker has left the last job; a worker
 * still inside it holds a block the caller stole (stolenBlocks), and may yet write
 * that block's slot before its termination takes effect, so then, as after a
 * failure, the ranges stay reserved.
 */
function endPool(release: boolean): void {
  if (pool === null) return;
  const p = pool;
  for (const w of p.workers) w.terminate();
  // A worker not ready (starting, or failed) is in no job.
  const left = p.workers.every(
    (_, i) => Atomics.load(p.ctrl, GELU_CTRL.IDLE + i) === p.job || Atomics.load(p.ctrl, GELU_CTRL.STATE + i) !== WORKER_STATE.READY,
  );
  if (release && left) {
    pool.kernel.allocator.release(pool.layout.flagsAt);
    if (pool.mapAt >= 0) pool.kernel.allocator.release(pool.mapAt);
  }
  pool = null;
}

/**
 * Sets how many worker threads large float32 gelu arrays may use besides the
 * calling thread (default 1: two cores in all). 0 turns threads off.
 *
 * At most availableParallelism() − 1 workers start, whatever the count: with
 * more threads than cores, a block handed to a worker that is not running
 * waits for the scheduler. With setGeluThreads(64) on 2 cores, 2^20-element
 * calls took 10–30× as long as with 1 worker (their median and best of 15).
 */
export function setGeluThreads(count: number): void {
  if (!Number.isInteger(count) || count < 0 || count > MAX_WORKERS) {
    throw new RangeError(`setGeluThreads: count is ${String(count)}, expected an integer in [0, ${MAX_WORKERS}]`);
  }
  // A broken pool is rebuilt even at the same count: its workers may be dead.
  if (count !== wanted || broken) endPool(true);
  wanted = count;
  broken = false;
}

/** The workers a pool starts: the count asked for, at most one fewer than the cores (unless a test lifts that). */
function workersToStart(): number {
  return forTests.pastCores ? wanted : Math.min(wanted, Math.max(0, availableParallelism() - 1));
}

/**
 * Settings only tests make, never read from the environment, for pools
 * started after the call (not exported from the package): `failAtBlock` b
 * makes workers throw when they claim block b or a later one, as a crashing
 * worker would (test/elementwise/parallel-failure.test.ts); `pauseAtBlock` b
 * makes them sleep `pauseMs` there first, as a worker off its core would
 * (test/elementwise/parallel-stall.test.ts, parallel-backoff.test.ts); `pastCores`
 * starts every worker asked for, so that pools of several workers are tested
 * on machines with few cores.
 */
export function setPoolForTests(settings: {
  failAtBlock?: number;
  pauseAtBlock?: number;
  pauseMs?: number;
  pastCores?: boolean;
  split?: boolean;
}): void {
  forTests = {
    failAtBlock: settings.failAtBlock ?? Infinity,
    pauseAtBlock: settings.pauseAtBlock ?? Infinity,
    pauseMs: settings.pauseMs ?? 0,
    pastCores: settings.pastCores ?? false,
    split: settings.split ?? false,
  };
}
let forTests = { failAtBlock: Infinity, pauseAtBlock: Infinity, pauseMs: 0, pastCores: false, split: false };

/** Worker threads currently in use for large arrays (0 before first use or when off). */
export function geluThreads(): number {
  return pool === null ? 0 : pool.workers.length;
}

/**
 * Of those, the workers that have started and warmed up, i.e. take blocks
 * of the next large array (workers start on the first large call, without
 * blocking it, and are ready tens of milliseconds later).
 */
export function geluThreadsReady(): number {
  const p = pool;
  if (p === null) return 0;
  return p.workers.filter((_, i) => Atomics.load(p.ctrl, GELU_CTRL.STATE + i) === WORKER_STATE.READY).length;
}

function start(): Pool | null {
  if (broken) return null;
  const relaxed = relaxedSimdActive();
  if (pool !== null) {
    if (pool.relaxed === relaxed) return pool;
    // setRelaxedSimd changed the path since the pool started: its workers
    // run the other module. Start anew.
    endPool(true);
  }
  const workers = workersToStart();
  if (workers === 0) return null;
  const split = !workersImportModules || forTests.split;
  // Run from TypeScript sources (e.g. under vitest) there is no .js worker
  // file next to this module: stay single-threaded rather than wait for it.
  const url = new URL('./gelu-worker.js', import.meta.url);
  const module = simdModule(relaxed);
  const kernel = kernelMemory();
  const own = kernel === null ? null : kernelInstance(kernel);
  if (module === null || kernel === null || own === null || (!split && (url.protocol !== 'file:' || !existsSync(fileURLToPath(url))))) {
    broken = true;
    return null;
  }
  const started: PoolWorker[] = [];
  let base = -1;
  try {
    base = reserveKernelBytes(kernel, ringLayout(workers, 0, split).bytes, 'geluArray');
    const layout = ringLayout(workers, base, split);
    const memory = kernel.instance.memory;
    const ctrl = new Int32Array(new SharedArrayBuffer((GELU_CTRL.DONE + layout.ring) * 4));
    for (let i = 0; i < workers; i++) {
      // A worker that dies is seen at the next wait on it.
      const failed = () => Atomics.store(ctrl, GELU_CTRL.STATE + i, WORKER_STATE.FAILED);
      if (split) {
        const data: SplitWorkerData = { module, memory, control: ctrl.buffer as SharedArrayBuffer, index: i, layout };
        const w = startSourceWorker(splitWorkerSource(), data);
        w.onError(failed);
        started.push(w);
      } else {
        const w = new Worker(url, {
          workerData: {
            module,
            memory,
            control: ctrl.buffer,
            index: i,
            workers,
            base,
            failAtBlock: forTests.failAtBlock,
            pauseAtBlock: forTests.pauseAtBlock,
            pauseMs: forTests.pauseMs,
          },
        });
        w.unref();
        w.on('error', failed);
        started.push({ terminate: () => void w.terminate() });
      }
    }
    pool = {
      workers: started,
      split,
      ctrl,
      layout,
      kernel,
      own,
      relaxed,
      job: 0,
      mapAt: -1,
      mapBlocks: 0,
      lateSince: 0,
      backOff: Array.from({ length: JOB_KINDS }, newBackOffState),
    };
    return pool;
  } catch {
    for (const w of started) void w.terminate();
    if (base >= 0) kernel.allocator.release(base);
    broken = true;
    return null;
  }
}

/** Milliseconds a caller waits on a worker (a block, or the end of the last job) before giving up on threads. */
const BLOCK_TIMEOUT_MS = 60_000;

/**
 * out[i] = float32 gelu(x[i]) for all i on several threads; returns false
 * (doing nothing) when threads are off or the array is small. `out` may be x.
 */
export function geluF32Parallel(x: Float32Array, out: Float32Array, table: FastTable): boolean {
  return runParallel(x, null, out, table);
}

/**
 * out[i] = float32 geglu(gate[i], up[i]) (no biases) on several threads;
 * returns false (doing nothing) when threads are off or the arrays are
 * small. `out` may be gate or up.
 */
export function gegluF32Parallel(gate: Float32Array, up: Float32Array, out: Float32Array, table: FastTable): boolean {
  return runParallel(gate, up, out, table);
}

function runParallel(x: Float32Array, up: Float32Array | null, out: Float32Array, table: FastTable): boolean {
  const n = x.length;
  if (n < PARALLEL_MIN) return false;
  const p = start();
  if (p === null) return false;
  const { ctrl, layout, own } = p;
  const { ring, slotAt, slotBytes } = layout;
  const workers = p.workers.length;
  const f32 = freshViews(own).f32;
  const blocks = blocksOf(n);
  const xAt = kernelOffset(x);
  const upAt = up === null ? 0 : kernelOffset(up);
  const outAt = kernelOffset(out);
  // Kernel arrays go to a direct job (if its per-block map fits, else the ring, which always works).
  const direct = !p.split && xAt >= 0 && upAt >= 0 && outAt >= 0;
  // A worker that failed where the caller did not wait for it (inside a block the caller stole,
  // say): threads off, as after a failure seen in a job.
  if (anyFailed(p)) {
    broken = true;
    endPool(false);
    return false;
  }
  // Backing off after ring jobs of this kind whose threads did not help (./back-off.ts).
  const backOff = p.backOff[kindOf(table.tanh, up !== null)]!;
  if (!direct && backOff.skip > 0) {
    const t0 = performance.now();
    computeHere(x, up, out, table, 0, n);
    recordAlone(backOff, (performance.now() - t0) / n);
    return true;
  }
  // Workers leave a job right after their last block: the counters are reset
  // only once they have (a late claim must not land in the new job).
  for (let i = 0; i < workers; i++) {
    const left = (v: number) => v === p.job || Atomics.load(ctrl, GELU_CTRL.STATE + i) !== WORKER_STATE.READY;
    if (spinFor(ctrl, GELU_CTRL.IDLE + i, left, SPIN_MS)) continue;
    // Still inside the last job: off its core, with a block of a ring job the
    // caller stole (see stolenBlocks). A ring job runs on the calling thread
    // rather than wait for it; a direct job waits. A worker still there after
    // BLOCK_TIMEOUT_MS is stuck and could claim a block of a new job at any
    // time: threads off.
    p.lateSince ||= Date.now();
    const stuck = direct
      ? !waitInSlices(ctrl, GELU_CTRL.IDLE + i, left, Math.max(0, BLOCK_TIMEOUT_MS - (Date.now() - p.lateSince)))
      : Date.now() - p.lateSince > BLOCK_TIMEOUT_MS;
    if (stuck) {
      broken = true;
      endPool(false);
      return false;
    }
    if (!direct) return false;
  }
  p.lateSince = 0;
  if (direct && directMap(p, blocks)) return runDirect(p, x, up, out, table, xAt, upAt, outAt);
  for (let s = 0; s < ring; s++) Atomics.store(ctrl, GELU_CTRL.DONE + s, 0);
  startJob(p, n, table, up !== null, false);

  const slotIn = (b: number) => (slotAt + (b % ring) * slotBytes) / 4;
  // A split pool's slots whose block the caller computed itself (whole); the workers' it finishes.
  const mine = p.split ? new Uint8Array(ring) : null;
  const isDone = (b: number) => Atomics.load(ctrl, GELU_CTRL.DONE + (b % ring)) === b + 1;
  const copyOut = (b: number) => {
    const at = b * BLOCK;
    const o = slotIn(b) + 2 * BLOCK;
    if (mine !== null && mine[b % ring] === 0) finishSplitBlock(own, table, up !== null, 4 * slotIn(b), Math.min(BLOCK, n - at));
    out.set(freshViews(own).f32.subarray(o, o + Math.min(BLOCK, n - at)), at);
  };
  // Slots whose block the caller stole from a worker off its core (the block's number, −1 for
  // none): the worker still writes there when it is back, so the slot takes no new block until
  // the block is marked done.
  let stolen: Int32Array | null = null;
  // Block b computed by the caller from its own arrays straight into `out` (a stolen or past-ring block).
  const computeBlockHere = (b: number) => computeHere(x, up, out, table, b * BLOCK, Math.min(n, (b + 1) * BLOCK));
  const slotFree = (b: number) => {
    const s = b % ring;
    if (stolen === null || stolen[s]! < 0) return true;
    if (Atomics.load(ctrl, GELU_CTRL.DONE + s) !== stolen[s]! + 1) return false;
    stolen[s] = -1;
    return true;
  };
  // Whether every worker had warmed up when the job started: only then do the blocks the caller
  // computed tell whether threads helped (./back-off.ts).
  const judged = geluThreadsReady() === workers;
  const t0 = performance.now();
  let byCaller = 0;
  let copiedIn = 0;
  let copiedOut = 0;
  while (copiedOut < blocks) {
    let moved = false;
    // Finished blocks out, in order (frees their slots).
    while (copiedOut < copiedIn && isDone(copiedOut)) {
      copyOut(copiedOut);
      copiedOut++;
      moved = true;
    }
    // New blocks into free slots.
    while (copiedIn < blocks && copiedIn - copiedOut < ring && slotFree(copiedIn)) {
      const at = copiedIn * BLOCK;
      const end = Math.min(n, at + BLOCK);
      f32.set(x.subarray(at, end), slotIn(copiedIn));
      if (up !== null) f32.set(up.subarray(at, end), slotIn(copiedIn) + BLOCK);
      if (mine !== null) mine[copiedIn % ring] = 0;
      copiedIn++;
      Atomics.store(ctrl, GELU_CTRL.READY, copiedIn);
      Atomics.notify(ctrl, GELU_CTRL.READY);
      moved = true;
    }
    // Compute the next block if it is in.
    const b = Atomics.load(ctrl, GELU_CTRL.NEXT);
    if (b < copiedIn && Atomics.compareExchange(ctrl, GELU_CTRL.NEXT, b, b + 1) === b) {
      if (mine !== null) mine[b % ring] = 1;
      runBlock(own, ctrl, layout, table, up !== null, b, 0, p.job);
      byCaller++;
      continue;
    }
    if (moved || copiedOut === blocks) continue;
    // Nothing to do but wait for the oldest block, which a worker holds; or, when every block
    // copied in is out, the next slot to fill holds a block stolen from a worker that has not
    // finished it yet (no wait: computing the next block past the ring is work, not waste).
    const held = copiedOut < copiedIn;
    if (held && spinFor(ctrl, GELU_CTRL.DONE + (copiedOut % ring), () => isDone(copiedOut), SPIN_MS)) continue;
    if (anyFailed(p)) {
      // Another worker may still be inside a block, writing its slot, so the
      // ring is left alone: everything not yet copied out is computed here
      // from the caller's arrays (not yet overwritten there, even in place),
      // and threads are turned off.
      broken = true;
      computeHere(x, up, out, table, copiedOut * BLOCK, n);
      break;
    }
    byCaller++;
    if (held) {
      // The worker is off its core: the caller steals its block (stolenBlocks).
      stealCount++;
      computeBlockHere(copiedOut);
      stolen ??= new Int32Array(ring).fill(-1);
      stolen[copiedOut % ring] = copiedOut;
      copiedOut++;
      continue;
    }
    // The next block no thread has (workers take only blocks that are in, and all of those are
    // out): the caller takes it and computes it from its own arrays, past the ring.
    Atomics.store(ctrl, GELU_CTRL.NEXT, copiedIn + 1);
    pastRingCount++;
    computeBlockHere(copiedIn);
    copiedIn++;
    copiedOut++;
  }
  if (broken) endPool(false);
  // Kernel arrays whose per-block map did not fit come through the ring too, but never back off
  // (direct): their jobs must not decide for the ordinary arrays' calls.
  else if (judged && !direct) judgeRingJob(backOff, workers + 1, byCaller / blocks, (performance.now() - t0) / n);
  return true;
}

let stealCount = 0;
/**
 * The caller's answer to a worker that has held the oldest block of a ring
 * job for SPIN_MS (a block takes ~40 µs): the caller computes that block from
 * its own arrays into `out`, as if copied out, and goes on with the job; the
 * block's slot takes no new block until the worker is back and has finished
 * it, and if the ring comes round to that slot first, the caller computes the
 * next block past the ring meanwhile (at once: that worker has already been
 * off its core for SPIN_MS). The caller of a ring job never waits for a
 * worker longer than SPIN_MS at a time. On the development VM (2 vCPUs, nothing
 * else running) a spinning thread is off its core for over 0.3 ms some 12–20
 * times in 5 s, for up to 3–7 ms (`node bench/vm-stalls.mjs`), and a job that
 * ended at a stall, its rest computed on the calling thread, ran at one
 * thread's speed: `node bench/stalls.mjs` reads a median 19.1 ms for
 * 2^24-element tanh calls with one worker (a handful of blocks stolen in 40
 * calls) against 38.8 ms on one thread. Returns the ring blocks the calling
 * thread stole from a worker off its core so far.
 */
export function stolenBlocks(): number {
  return stealCount;
}

/** Blocks the calling thread computed past the ring, while a stolen block held the next slot, so far. */
let pastRingCount = 0;
export function pastRingBlocks(): number {
  return pastRingCount;
}

/**
 * Finishes a block a split worker computed in the slot at byte `inAt`: the
 * pairs its kernel flagged (the count and list after the slot's output) and
 * the tail, as geluBlockSimd and gegluBlockSimd do after their kernel call.
 */
function finishSplitBlock(own: SimdInstance, table: FastTable, geglu: boolean, inAt: number, len: number): void {
  splitBlockCount++;
  const countAt = inAt + BLOCK * 12;
  const flagged = Atomics.load(freshViews(own).i32, countAt / 4);
  const flagsAt = countAt + 16;
  if (geglu) gegluBlockFinish(own, table, inAt, inAt + BLOCK * 4, inAt + BLOCK * 8, len, flagsAt, flagged);
  else geluBlockFinish(own, table, inAt, inAt + BLOCK * 8, len, flagsAt, flagged);
}

/**
 * Publishes a job's settings, then its number (workers read the settings
 * after they see the number): a ring job with nothing copied in yet, or a
 * direct job (its offsets and map stored by the caller first) with every
 * block ready. Returns the job number (never 0).
 */
function startJob(p: Pool, n: number, table: FastTable, geglu: boolean, direct: boolean): number {
  const { ctrl } = p;
  Atomics.store(ctrl, GELU_CTRL.NEXT, 0);
  Atomics.store(ctrl, GELU_CTRL.READY, direct ? blocksOf(n) : 0);
  Atomics.store(ctrl, GELU_CTRL.LENGTH, n);
  Atomics.store(ctrl, GELU_CTRL.TANH, table.tanh ? 1 : 0);
  Atomics.store(ctrl, GELU_CTRL.GEGLU, geglu ? 1 : 0);
  Atomics.store(ctrl, GELU_CTRL.DIRECT, direct ? 1 : 0);
  p.job = (p.job + 1) | 0 || 1;
  Atomics.store(ctrl, GELU_CTRL.JOB, p.job);
  Atomics.notify(ctrl, GELU_CTRL.JOB);
  return p.job;
}

/** True when a worker has reported a failure. */
function anyFailed(p: Pool): boolean {
  return p.workers.some((_, i) => Atomics.load(p.ctrl, GELU_CTRL.STATE + i) === WORKER_STATE.FAILED);
}

/** Elements [from, to) on the calling thread alone (after a worker failure). */
function computeHere(x: Float32Array, up: Float32Array | null, out: Float32Array, table: FastTable, from: number, to: number): void {
  if (up === null) geluF32RangeSimd(x, out, table, from, to);
  else gegluF32Simd(x.subarray(from, to), up.subarray(from, to), out.subarray(from, to), table);
}

/** Blocks of split workers finished by a caller so far (the tests check that split workers took blocks). */
let splitBlockCount = 0;
export function splitBlocks(): number {
  return splitBlockCount;
}

/** Direct jobs run so far (the tests check that kernel arrays take that path). */
let directJobCount = 0;
export function directJobs(): number {
  return directJobCount;
}

/**
 * Makes the pool's per-block map hold at least `blocks` entries; false
 * when the kernel memory has no room for it. The workers are idle (IDLE
 * names the last job), so the old map can go.
 */
function directMap(p: Pool, blocks: number): boolean {
  if (blocks <= p.mapBlocks) return true;
  let mapAt: number;
  try {
    mapAt = reserveKernelBytes(p.kernel, 4 * blocks, 'geluArray');
  } catch {
    return false;
  }
  // Zeroed: no job is number 0, and the range may hold anything.
  freshViews(p.own).i32.fill(0, mapAt / 4, mapAt / 4 + blocks);
  if (p.mapAt >= 0) p.kernel.allocator.release(p.mapAt);
  p.mapAt = mapAt;
  p.mapBlocks = blocks;
  return true;
}

/**
 * A job on kernel arrays (byte offsets xAt, upAt, outAt of the kernel
 * memory): every block is ready at once; the threads, the caller included,
 * take blocks from the counter and compute them in place. If a worker fails
 * or stalls, the caller first waits for every other worker to leave the job
 * (a worker still inside a block could otherwise read an input the caller
 * has just overwritten in place, or overwrite the caller's result), then
 * computes every block the map does not mark done in this job (their inputs
 * are intact: a block in place is written back only once it is complete),
 * and threads are turned off. A worker that stalls (BLOCK_TIMEOUT_MS inside
 * one block) may still write its block later: the same values when out is
 * separate, so the caller recomputes; in place it throws instead, as it
 * cannot tell which inputs that worker will still read.
 */
function runDirect(
  p: Pool,
  x: Float32Array,
  up: Float32Array | null,
  out: Float32Array,
  table: FastTable,
  xAt: number,
  upAt: number,
  outAt: number,
): boolean {
  const { ctrl, layout, own } = p;
  const n = x.length;
  const blocks = blocksOf(n);
  directJobCount++;
  Atomics.store(ctrl, GELU_CTRL.FINISHED, 0);
  Atomics.store(ctrl, GELU_CTRL.X_AT, xAt);
  Atomics.store(ctrl, GELU_CTRL.UP_AT, upAt);
  Atomics.store(ctrl, GELU_CTRL.OUT_AT, outAt);
  Atomics.store(ctrl, GELU_CTRL.MAP_AT, p.mapAt);
  const job = startJob(p, n, table, up !== null, true);
  for (;;) {
    const b = Atomics.add(ctrl, GELU_CTRL.NEXT, 1);
    if (b >= blocks) break;
    runBlock(own, ctrl, layout, table, up !== null, b, 0, job);
  }
  const finished = (v: number) => v === blocks;
  if (spinFor(ctrl, GELU_CTRL.FINISHED, finished, SPIN_MS)) return true;
  const since = Date.now();
  for (;;) {
    const v = Atomics.load(ctrl, GELU_CTRL.FINISHED);
    if (finished(v)) return true;
    if (anyFailed(p) || Date.now() - since > BLOCK_TIMEOUT_MS) break;
    pause(ctrl, GELU_CTRL.FINISHED, v, 1);
  }
  broken = true;
  let stalled = false;
  for (let i = 0; i < p.workers.length; i++) {
    const left = (v: number) => v === job || Atomics.load(ctrl, GELU_CTRL.STATE + i) === WORKER_STATE.FAILED;
    if (!waitInSlices(ctrl, GELU_CTRL.IDLE + i, left, BLOCK_TIMEOUT_MS)) stalled = true;
  }
  const inPlace = outAt === xAt || (up !== null && outAt === upAt);
  if (stalled && inPlace) {
    endPool(false);
    fail(
      up === null ? 'geluArray' : 'geglu',
      `a worker thread stalled for ${BLOCK_TIMEOUT_MS / 1000} s inside a block of an in-place call on kernel arrays: options.out holds partial results; threads are off until setGeluThreads is called`,
    );
  }
  const i32 = freshViews(own).i32;
  for (let b = 0; b < blocks; b++) {
    if (Atomics.load(i32, p.mapAt / 4 + b) !== job) computeHere(x, up, out, table, b * BLOCK, Math.min(n, (b + 1) * BLOCK));
  }
  endPool(false);
  return true;
}
