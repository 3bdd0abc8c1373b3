import { transpose } from '../onnx.js';
import type { Implementation, Prepared } from '../types.js';
import { assertForward, SkipRow } from '../types.js';

/* eslint-disable @typescript-eslint/no-explicit-any */
export type Tf = any;

let tfPromise: Promise<Tf | string> | undefined;

export function loadTf(): Promise<Tf | string> {
  tfPromise ??= (async () => {
    try {
      const tf = await import('@tensorflow/tfjs-core');
      const wasm = (await import('@tensorflow/tfjs-backend-wasm')) as any;
      // One thread, like the other single-threaded peers; in Node the backend
      // normally picks the non-threaded binary anyway.
      wasm.setThreadsCount?.(1);
      const ok = await tf.setBackend('wasm');
      if (!ok) return 'tf.setBackend("wasm") returned false';
      await tf.ready();
      return tf;
    } catch (e) {
      return `tfjs wasm backend failed to start: ${(e as Error).message.split('\n')[0]}`;
    }
  })();
  return tfPromise;
}

/**
 * tfjs has no gelu op, so the row composes one from its elementwise ops,
 * the way a user porting a model would:
 * exact: 0.5·x·(1 + erf(x/√2)); tanh: 0.5·x·(1 + tanh(√(2/π)·(x + 0.044715·x³))).
 */
/** Tensors a row uploads once in set-up (`keep`), released by its `dispose`. */
export function tensorKeeper(): { keep: (t: Tf) => Tf; dispose: () => void } {
  const held: Tf[] = [];
  return {
    keep: (t) => {
      held.push(t);
      return t;
    },
    dispose: () => {
      for (const t of held) t.dispose();
    },
  };
}

export function gelu(tf: Tf, x: Tf, approximate: 'none' | 'tanh'): Tf {
  const inner =
    approximate === 'none'
      ? tf.erf(tf.mul(x, Math.SQRT1_2))
      : tf.tanh(tf.mul(tf.add(x, tf.mul(tf.mul(tf.mul(x, x), x), 0.044715)), 0.7978845608028654));
  return tf.mul(tf.mul(x, 0.5), tf.add(inner, 1));
}

function read(y: Tf): Float32Array {
  const data = y.dataSync() as Float32Array;
  y.dispose();
  return data;
}

export const tfjsWasmRow: Implementation = {
  id: 'tfjs-wasm',
  label: 'TensorFlow.js wasm',
  group: 'peer',
  description:
    '@tensorflow/tfjs-core with @tensorflow/tfjs-backend-wasm (XNNPACK), one thread. tfjs has no gelu op: gelu is composed from `erf` or `tanh`, `mul` and `add`; the MLP uses `matMul` on weights transposed once to [in, out], because its transposeB path is several times slower (`node tools/bench/dist/probes/tfjs-matmul.js` prints both). Inputs are uploaded once; the timed region is the ops plus `dataSync()` for elementwise rows, whose readback allocates.',
  supports: (w) => w.kind !== 'gelu-alloc',
  async prepare(w, inputs): Promise<Prepared> {
    const tf = await loadTf();
    if (typeof tf === 'string') throw new SkipRow(tf);
    const approximate = w.approximate;
    assertForward(w.kind);
    const notes = ['gelu composed from tfjs ops (no gelu op)'];
    const { keep, dispose } = tensorKeeper();
    switch (w.kind) {
      case 'gelu-alloc':
        throw new SkipRow('no preallocated variant to contrast with');
      case 'gelu': {
        const x = keep(tf.tensor1d(inputs.x));
        return {
          precision: 'f32',
          run: () => {
            const y = tf.tidy(() => gelu(tf, x, approximate));
            y.dataSync();
            y.dispose();
          },
          evaluate: async (sx) => read(tf.tidy(() => gelu(tf, tf.tensor1d(sx), approximate))),
          notes,
          dispose,
        };
      }
      case 'geglu': {
        const gate = keep(tf.tensor1d(inputs.x));
        const up = keep(tf.tensor1d(inputs.up!));
        return {
          precision: 'f32',
          run: () => {
            const y = tf.tidy(() => tf.mul(gelu(tf, gate, approximate), up));
            y.dataSync();
            y.dispose();
          },
          evaluate: async (sx, sup) => read(tf.tidy(() => tf.mul(gelu(tf, tf.tensor1d(sx), approximate), tf.tensor1d(sup!)))),
          notes,
          dispose,
        };
      }
      case 'mlp': {
        const { tokens, hidden: d, intermediate: f } = w.mlp!;
        const m = inputs.mlpWeights!;
        const x = keep(tf.tensor2d(inputs.x, [tokens, d]));
        // Pre-transposed once, as for onnxruntime: tfjs-wasm's matMul with
        // transposeB is several times slower (src/probes/tfjs-matmul.ts measures it).
        const wg = keep(tf.tensor2d(transpose(m.gate, f, d), [d, f]));
        const wu = keep(tf.tensor2d(transpose(m.up, f, d), [d, f]));
        const wd = keep(tf.tensor2d(transpose(m.down, d, f), [f, d]));
        const mlp = (xt: Tf) => {
          const g = tf.matMul(xt, wg);
          const u = tf.matMul(xt, wu);
          return tf.matMul(tf.mul(gelu(tf, g, approximate), u), wd);
        };
        return {
          precision: 'f32',
          run: () => {
            const y = tf.tidy(() => mlp(x));
            y.dataSync();
            y.dispose();
          },
          evaluate: async (x0) => read(tf.tidy(() => mlp(tf.tensor2d(x0, [x0.length / d, d])))),
          notes,
          dispose,
        };
      }
    }
  },
};
