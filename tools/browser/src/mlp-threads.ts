/**
 * createGemma2Mlp on one thread and on several, run the same way in Node and
 * on a page (self-contained like ./kernel-cases.ts: on a page it finds the
 * bundled package at globalThis.geglu.kernel). The weights come from an
 * integer hash, so both sides build the same float32s without a transfer.
 */
import type * as Kernel from '@geglu/kernel';

export interface MlpThreadsInput {
  hidden: number;
  intermediate: number;
  tokens: number;
  /** Threads asked of the threaded plan. */
  threads: number;
  /** Timed forward passes per plan (the best is kept). */
  repeats: number;
  /** Longest wait, in ms, for the threaded plan's workers to start. */
  startMs: number;
  /**
   * The multiply-add path (setRelaxedSimd): Chromium validates relaxed SIMD and Node 20 does
   * not, so bits are compared with Node's on the plain path ('off'); 'auto' runs the page's own.
   */
  relaxedSimd: 'auto' | 'off';
}

export interface MlpThreadsOutput {
  /** `threads` and `readyThreads` of the threaded plan when it ran. */
  threads: number;
  /** Whether the plans' tiles used relaxed_madd. */
  relaxedSimd: boolean;
  readyThreads: number;
  /** Results (float32 bit patterns) of the one-thread plan and the threaded one. */
  one: number[];
  several: number[];
  /** Best forward time of each, in ms. */
  oneMs: number;
  severalMs: number;
}

export async function mlpThreads(input: MlpThreadsInput, kernel?: typeof Kernel): Promise<MlpThreadsOutput> {
  const k = kernel ?? (globalThis as unknown as { geglu: { kernel: typeof Kernel } }).geglu.kernel;
  const { hidden: d, intermediate: f, tokens } = input;
  // Knuth's multiplicative hash to [-0.5, 0.5): exact in float64, then rounded once to float32.
  const values = (n: number, seed: number) =>
    Float32Array.from({ length: n }, (_, i) => (Math.imul(i + seed * 7919, 2654435761) >>> 0) / 2 ** 32 - 0.5);
  const weights = { hidden: d, intermediate: f, gate: values(f * d, 1), up: values(f * d, 2), down: values(d * f, 3) };
  const x = values(tokens * d, 4);
  k.setRelaxedSimd(input.relaxedSimd);
  const one = k.createGemma2Mlp(weights, { threads: 1 });
  const several = k.createGemma2Mlp(weights, { threads: input.threads });
  try {
    // Workers start once this thread returns to its event loop.
    for (const until = performance.now() + input.startMs; several.readyThreads < several.threads && performance.now() < until; ) {
      await new Promise((r) => setTimeout(r, 10));
    }
    const time = (plan: typeof one) => {
      let best = Infinity;
      let y: Float32Array = new Float32Array(0);
      for (let r = 0; r < input.repeats; r++) {
        const t0 = performance.now();
        y = plan.forward(x, tokens, { approximate: 'tanh' });
        best = Math.min(best, performance.now() - t0);
      }
      return { y, best };
    };
    const a = time(one);
    const b = time(several);
    const bits = (y: Float32Array) => Array.from(new Uint32Array(y.buffer, y.byteOffset, y.length));
    return {
      threads: several.threads,
      relaxedSimd: several.relaxedSimd,
      readyThreads: several.readyThreads,
      one: bits(a.y),
      several: bits(b.y),
      oneMs: a.best,
      severalMs: b.best,
    };
  } finally {
    one.dispose();
    several.dispose();
    k.setRelaxedSimd('auto');
  }
}

export interface GeluThreadsInput {
  /** Elements of the array. */
  length: number;
  /** Workers asked of the gelu pool (setGeluThreads). */
  workers: number;
  repeats: number;
  startMs: number;
}

export interface GeluThreadsOutput {
  /** geluThreads() and geluThreadsReady() when the threaded calls ran. */
  threads: number;
  ready: number;
  /**
   * FNV-1a digests of the float32 bit patterns of geluArray and geglu (exact form), any NaN
   * counted as 0x7fc00000, on one thread and with the pool (digests: millions of results would
   * take long to pass out of a page).
   */
  one: number;
  several: number;
  /** Best geluArray time of each, in ms. */
  oneMs: number;
  severalMs: number;
}

/** geluArray and geglu on one thread, then with the gelu pool, on inputs from the same hash as mlpThreads'. */
export async function geluThreads(input: GeluThreadsInput, kernel?: typeof Kernel): Promise<GeluThreadsOutput> {
  const k = kernel ?? (globalThis as unknown as { geglu: { kernel: typeof Kernel } }).geglu.kernel;
  const x = Float32Array.from({ length: input.length }, (_, i) => ((Math.imul(i + 1, 2654435761) >>> 0) / 2 ** 32 - 0.5) * 32);
  const up = x.slice().reverse();
  const run = () => {
    let best = Infinity;
    let y: Float32Array = new Float32Array(0);
    for (let r = 0; r < input.repeats; r++) {
      const t0 = performance.now();
      y = k.geluArray(x);
      best = Math.min(best, performance.now() - t0);
    }
    const g = k.geglu(x, up);
    let h = 0x811c9dc5;
    for (const a of [y, g]) {
      const w = new Uint32Array(a.buffer, a.byteOffset, a.length);
      for (let i = 0; i < a.length; i++) h = Math.imul(h ^ (a[i] !== a[i] ? 0x7fc00000 : w[i]!), 16777619) >>> 0;
    }
    return { digest: h, best };
  };
  k.setGeluThreads(0);
  const a = run();
  k.setGeluThreads(input.workers);
  // The first large call starts the workers without waiting for them.
  k.geluArray(x);
  for (const until = performance.now() + input.startMs; k.geluThreadsReady() < k.geluThreads() && performance.now() < until; ) {
    await new Promise((r) => setTimeout(r, 10));
  }
  const b = run();
  return { threads: k.geluThreads(), ready: k.geluThreadsReady(), one: a.digest, several: b.digest, oneMs: a.best, severalMs: b.best };
}
