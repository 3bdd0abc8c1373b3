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
}

export interface MlpThreadsOutput {
  /** `threads` and `readyThreads` of the threaded plan when it ran. */
  threads: number;
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
      readyThreads: several.readyThreads,
      one: bits(a.y),
      several: bits(b.y),
      oneMs: a.best,
      severalMs: b.best,
    };
  } finally {
    one.dispose();
    several.dispose();
  }
}
