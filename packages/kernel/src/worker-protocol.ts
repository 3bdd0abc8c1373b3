/**
 * The control words the kernel's two thread pools share with their workers:
 * Int32Arrays over a SharedArrayBuffer, read and written with Atomics. Both
 * pools name every cell here, and their workers report the same states.
 *
 * - The gelu pool (./elementwise/parallel.ts, ./elementwise/gelu-worker.ts):
 *   one job at a time for all workers; threads claim blocks from a counter.
 * - The MLP pool (./mlp/engine.ts): one control array per worker; the
 *   caller posts a task (opcode and arguments, then a new sequence number)
 *   and waits until the worker reports that number done.
 */

/** A worker's state, in its STATE cell. */
export const WORKER_STATE = {
  /** Started, not yet taking work (compiling, warming up). */
  STARTING: 0,
  /** Taking work. */
  READY: 1,
  /** MLP workers only: taking matmul tasks, but its activation did not load (the caller computes it). */
  READY_WITHOUT_ACTIVATION: 2,
  /** Failed or exited: takes no more work. */
  FAILED: 3,
} as const;

/**
 * The gelu pool's cells. STATE + w holds worker w's state; IDLE + w the last
 * job worker w has left; DONE + s 1 + the number of the last block finished
 * in ring slot s.
 */
export const GELU_CTRL = {
  JOB: 0,
  NEXT: 1,
  READY: 2,
  LENGTH: 4,
  TANH: 5,
  /** 0: gelu of the slots' inputs; 1: geglu of their gates and ups. */
  GEGLU: 6,
  /** 1: a job on kernel arrays (the byte offsets below), 0: on the ring's slots. */
  DIRECT: 7,
  STATE: 8,
  /** Byte offsets, in the kernel memory, of a direct job's x (or gate), up and out. */
  X_AT: 72,
  UP_AT: 73,
  OUT_AT: 74,
  /** Blocks of a direct job finished so far. */
  FINISHED: 75,
  /** Byte offset of the per-block map (an int32 per block: the job that finished it). */
  MAP_AT: 76,
  IDLE: 80,
  DONE: 152,
} as const;

/** One MLP worker's cells. */
export const MLP_CTRL = {
  /** Sequence number of the task posted last (bumped by the caller after the task's words). */
  POSTED: 0,
  /** The task's opcode (MLP_TASK). */
  TASK: 1,
  /** First of the task's 8 argument words (through ARGS + 7). */
  ARGS: 2,
  /** Sequence number of the task the worker finished last. */
  DONE: 10,
  /** 1 once a task has thrown. */
  FAILED: 11,
  /** The worker's state (WORKER_STATE). */
  STATE: 12,
  /** Sequence number of the task the worker took last (for the timeout's message). */
  TAKEN: 13,
  /** Cells in all. */
  LENGTH: 16,
} as const;

/** MLP task opcodes. */
export const MLP_TASK = {
  /** Rows [ARGS+4, ARGS+5) of a projection: x, tokens, k, w, o0, o1, out, ldo (byte addresses). */
  MATMUL: 0,
  EXIT: 1,
  /** g ← fl(gelu(g)·u): g, u (byte addresses), elements, 1 for tanh. */
  ACTIVATION: 2,
} as const;
