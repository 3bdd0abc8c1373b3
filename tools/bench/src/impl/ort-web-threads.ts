/**
 * onnxruntime-web with several threads, beside the rest of the table.
 * onnxruntime-web fixes its thread count (`env.wasm.numThreads`) once per
 * JavaScript realm, when its WebAssembly module starts, and ignores a
 * session's intraOpNumThreads (probed here: with numThreads 2 a session
 * asking for 1 thread ran as fast as one asking for 2), so the 1-thread row
 * (./ort.ts) and this one cannot share a module. This row runs its own copy
 * in a worker thread (./ort-web-worker.ts), which gets its own module; each
 * timed run is one message there and one back (tens of µs against the
 * MLP's ~200 ms), so the row covers the MLP workloads only.
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { Implementation, Prepared } from '../types.js';
import { SkipRow } from '../types.js';

/**
 * The worker's script: beside this module when it runs built, else (vitest
 * runs the TypeScript sources) the built copy that `test` depends on.
 */
function workerUrl(): URL {
  for (const candidate of ['./ort-web-worker.js', '../../dist/impl/ort-web-worker.js']) {
    const url = new URL(candidate, import.meta.url);
    if (existsSync(fileURLToPath(url))) return url;
  }
  throw new SkipRow('ort-web-worker.js not found: build tools/bench first');
}

/** The worker's answer to one request (it answers them in order, one at a time). */
type Reply = { ok: true; notes?: string[]; threads?: number; y?: Float32Array } | { ok: false; error: string };

/** The first line of a failure's message, whatever was thrown. */
export const firstLine = (e: unknown) => String((e as Error | undefined)?.message ?? e).split('\n')[0]!;

export function ortWebThreadsRow(threads: number): Implementation {
  return {
    id: `ort-web-${threads}t`,
    label: `onnxruntime-web (wasm), ${threads} threads`,
    group: 'peer',
    description:
      `onnxruntime-web in Node with \`env.wasm.numThreads = ${threads}\` (its multi-threaded WebAssembly SIMD build), ` +
      'in a worker thread of its own because that setting is per realm, on the same model bytes as onnxruntime-node; ' +
      'each timed run includes one message to the worker and one back. MLP workloads only.',
    supports: (w) => w.kind === 'mlp',
    async prepare(w, inputs): Promise<Prepared> {
      const worker = new Worker(workerUrl(), {
        workerData: { threads, workload: w, x: inputs.x, weights: inputs.mlpWeights },
      });
      const pending: Array<{ resolve: (r: Reply) => void }> = [];
      let dead: string | null = null;
      const fail = (why: string) => {
        dead ??= why;
        for (const p of pending.splice(0)) p.resolve({ ok: false, error: why });
      };
      worker.on('message', (r: Reply) => pending.shift()?.resolve(r));
      worker.on('error', (e) => fail(firstLine(e)));
      worker.on('exit', (code) => fail(`worker exited (${code})`));
      const ask = (message: object): Promise<Reply> =>
        dead !== null
          ? Promise.resolve({ ok: false, error: dead })
          : new Promise((resolve) => {
              pending.push({ resolve });
              worker.postMessage(message);
            });
      const must = async (message: object): Promise<Reply & { ok: true }> => {
        const r = await ask(message);
        if (!r.ok) throw new Error(r.error);
        return r;
      };
      const ready = await ask({ op: 'prepare' });
      // onnxruntime-web falls back to one thread (with a console warning) where
      // it finds threads unsupported: the row must not then claim two.
      const skip = !ready.ok
        ? ready.error
        : ready.threads !== threads
          ? `onnxruntime-web runs ${String(ready.threads)} thread(s), asked for ${threads}`
          : null;
      if (skip !== null) {
        await worker.terminate();
        throw new SkipRow(skip);
      }
      return {
        precision: 'f32',
        notes: (ready.ok ? ready.notes : undefined) ?? [],
        run: async () => void (await must({ op: 'run' })),
        evaluate: async (x) => (await must({ op: 'evaluate', x })).y!,
        dispose: async () => {
          await ask({ op: 'dispose' });
          await worker.terminate();
        },
      };
    },
  };
}
