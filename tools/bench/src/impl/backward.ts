/**
 * Rows of the gradient workloads (GeGLU's and the Gemma 2 MLP's backward pass): the
 * kernel, TensorFlow.js's autodiff (`tf.grads`) of the same composed forward its
 * forward rows time, and a plain JavaScript loop with PyTorch's GeluBackward formula.
 */
import { gegluBackward, gemma2MlpBackward } from '@geglu/kernel';
import { transpose } from '../onnx.js';
import type { Implementation, Prepared, Workload, WorkloadInputs } from '../types.js';
import { SkipRow } from '../types.js';
import { gelu, loadTf, type Tf, tensorKeeper } from './tfjs.js';

const NO_ACCURACY = 'not measured: the accuracy sample and its oracle are for forward outputs';

function need<T>(value: T | undefined, what: string): T {
  if (value === undefined) throw new Error(`backward workload has no ${what}`);
  return value;
}

/** Preallocated gradients of an MLP backward workload, in the checkpoint layout. */
function gradientOutputs(w: Workload) {
  const { tokens, hidden: d, intermediate: f } = w.mlp!;
  return {
    dx: new Float32Array(tokens * d),
    dGate: new Float32Array(f * d),
    dUp: new Float32Array(f * d),
    dDown: new Float32Array(d * f),
  };
}

/** The kernel's gradient rows: one thread (every backward workload) or several (the MLP's products). */
function kernelBackward(threads: number): Implementation {
  return {
    id: threads === 1 ? 'kernel-f32-grad' : `kernel-f32-grad-${threads}t`,
    label: threads === 1 ? 'geglu kernel f32 gradients' : `geglu kernel f32 gradients, ${threads} threads`,
    group: 'geglu',
    backward: true,
    description:
      threads === 1
        ? '@geglu/kernel `gegluBackward(gate, up, dy, { approximate, dgate, dup })` and `gemma2MlpBackward(x, dy, tokens, weights, { approximate, dx, dGate, dUp, dDown })` into preallocated outputs, one thread (the MLP recomputes G and U, copies and transposes the weights into WebAssembly memory every call, and runs all products on the SIMD tiles).'
        : `@geglu/kernel \`gemma2MlpBackward(..., { threads: ${threads} })\`: the same call with its products split over ${threads} threads (the caller and worker threads sharing its WebAssembly memory; the workers start with the first call and are kept between calls); the same bits as one thread.`,
    supports: (w) => threads === 1 || w.kind === 'mlp-backward',
    async prepare(w: Workload, inputs: WorkloadInputs): Promise<Prepared> {
      const dy = need(inputs.dy, 'dy');
      const approximate = w.approximate;
      if (w.kind === 'geglu-backward') {
        const up = need(inputs.up, 'up');
        const dup = new Float32Array(inputs.x.length);
        return {
          precision: 'f32',
          run: () => void gegluBackward(inputs.x, up, dy, { approximate, dgate: inputs.out32, dup }),
          accuracyNote: NO_ACCURACY,
        };
      }
      const { tokens } = w.mlp!;
      const out = gradientOutputs(w);
      const weights = need(inputs.mlpWeights, 'weights');
      return {
        precision: 'f32',
        run: () => void gemma2MlpBackward(inputs.x, dy, tokens, weights, { approximate, threads, ...out }),
        accuracyNote: NO_ACCURACY,
      };
    },
  };
}

export const kernelBackwardRow = kernelBackward(1);
export const kernelBackwardTwoThreadsRow = kernelBackward(2);

/**
 * tfjs-core's main (CommonJS) bundle registers no gradient functions; the `@tensorflow/tfjs`
 * umbrella package imports `dist/register_all_gradients.js`, an ES module whose relative
 * imports have no extension ('../ops/ops'), which Node's ESM loader refuses. A resolve hook,
 * limited to relative specifiers inside tfjs-core's dist folder that fail to resolve, adds
 * '.js' (or '/index.js'). The gradient modules keep their own copies of the ops, which run
 * on the engine and registries tfjs keeps on globalThis, shared with the main bundle.
 */
const RESOLVE_HOOK = `export async function resolve(specifier, context, next) {
  try {
    return await next(specifier, context);
  } catch (e) {
    const code = e && e.code;
    if ((code !== 'ERR_MODULE_NOT_FOUND' && code !== 'ERR_UNSUPPORTED_DIR_IMPORT') || !/^[.][.]?[/]/.test(specifier) || !String(context.parentURL).includes('/@tensorflow/tfjs-core/dist/')) throw e;
    try {
      return await next(specifier + '.js', context);
    } catch {
      return next(specifier + '/index.js', context);
    }
  }
}`;

let gradients: Promise<true | string> | undefined;

function registerTfGradients(): Promise<true | string> {
  gradients ??= (async () => {
    try {
      const { register } = (await import('node:module')) as { register?: (url: string) => void };
      if (register === undefined) return 'this Node has no module.register (needed to load tfjs-core gradient modules)';
      register(`data:text/javascript,${encodeURIComponent(RESOLVE_HOOK)}`);
      await import('@tensorflow/tfjs-core/dist/register_all_gradients.js' as string);
      return true;
    } catch (e) {
      return `tfjs-core gradients failed to load: ${(e as Error).message.split('\n')[0]}`;
    }
  })();
  return gradients;
}

export const tfjsGradRow: Implementation = {
  id: 'tfjs-wasm-grad',
  label: 'TensorFlow.js wasm tf.grads',
  group: 'peer',
  backward: true,
  description:
    "TensorFlow.js (wasm backend, one thread) `tf.grads` of the forward rows' composition (gelu from tfjs ops; the MLP's weights as tfjs's [in, out] matrices, so its weight gradients come out transposed relative to the checkpoint); the timed region is the gradient ops plus `dataSync()` of every gradient.",
  supports: () => true,
  async prepare(w: Workload, inputs: WorkloadInputs): Promise<Prepared> {
    const tf: Tf | string = await loadTf();
    if (typeof tf === 'string') throw new SkipRow(tf);
    const registered = await registerTfGradients();
    if (registered !== true) throw new SkipRow(registered);
    const approximate = w.approximate;
    const { keep, dispose } = tensorKeeper();
    const readAll = (grads: Tf[]) => {
      for (const g of grads) {
        g.dataSync();
        g.dispose();
      }
    };
    const notes = ['gelu composed from tfjs ops; gradients by tf.grads'];
    if (w.kind === 'geglu-backward') {
      const gate = keep(tf.tensor1d(inputs.x));
      const up = keep(tf.tensor1d(need(inputs.up, 'up')));
      const dy = keep(tf.tensor1d(need(inputs.dy, 'dy')));
      const grads = tf.grads((g: Tf, u: Tf) => tf.mul(gelu(tf, g, approximate), u));
      return { precision: 'f32', run: () => readAll(grads([gate, up], dy)), notes, accuracyNote: NO_ACCURACY, dispose };
    }
    const { tokens, hidden: d, intermediate: f } = w.mlp!;
    const m = need(inputs.mlpWeights, 'weights');
    const x = keep(tf.tensor2d(inputs.x, [tokens, d]));
    const dy = keep(tf.tensor2d(need(inputs.dy, 'dy'), [tokens, d]));
    const wg = keep(tf.tensor2d(transpose(m.gate, f, d), [d, f]));
    const wu = keep(tf.tensor2d(transpose(m.up, f, d), [d, f]));
    const wd = keep(tf.tensor2d(transpose(m.down, d, f), [f, d]));
    const grads = tf.grads((xt: Tf, g: Tf, u: Tf, dn: Tf) =>
      tf.matMul(tf.mul(gelu(tf, tf.matMul(xt, g), approximate), tf.matMul(xt, u)), dn),
    );
    return { precision: 'f32', run: () => readAll(grads([x, wg, wu, wd], dy)), notes, accuracyNote: NO_ACCURACY, dispose };
  },
};

/** √(2/π) and 0.044715 as PyTorch writes them (kBeta, kKappa of its GeluBackward). */
const BETA = 0.7978845608028654;
const KAPPA = 0.044715;

/** PyTorch's tanh GeluBackward formula: dgelu/dx = ½(1 + t) + ½x(1 − t²)β(1 + 3κx²), t = tanh(β(x + κx³)). */
function geluTanhGrad(x: number): number {
  const t = Math.tanh(BETA * (x + KAPPA * x * x * x));
  return 0.5 * (1 + t) + 0.5 * x * (1 - t * t) * BETA * (1 + 3 * KAPPA * x * x);
}

function geluTanh(x: number): number {
  return 0.5 * x * (1 + Math.tanh(BETA * (x + KAPPA * x * x * x)));
}

/** The MLP's gradients by plain loops in the checkpoint layout, float64 arithmetic, float32 storage. */
function mlpBackwardLoop(
  x: Float32Array,
  dy: Float32Array,
  T: number,
  m: { hidden: number; intermediate: number; gate: Float32Array; up: Float32Array; down: Float32Array },
  out: { dx: Float32Array; dGate: Float32Array; dUp: Float32Array; dDown: Float32Array },
): void {
  const d = m.hidden;
  const f = m.intermediate;
  const dA = new Float64Array(f);
  const dG = new Float64Array(f);
  const dU = new Float64Array(f);
  const A = new Float64Array(f);
  out.dGate.fill(0);
  out.dUp.fill(0);
  out.dDown.fill(0);
  for (let t = 0; t < T; t++) {
    dA.fill(0);
    for (let i = 0; i < d; i++) {
      const g = dy[t * d + i]!;
      for (let j = 0; j < f; j++) dA[j]! += g * m.down[i * f + j]!;
    }
    for (let j = 0; j < f; j++) {
      let g = 0;
      let u = 0;
      for (let k = 0; k < d; k++) {
        g += x[t * d + k]! * m.gate[j * d + k]!;
        u += x[t * d + k]! * m.up[j * d + k]!;
      }
      dG[j] = dA[j]! * u * geluTanhGrad(g);
      dU[j] = dA[j]! * geluTanh(g);
      A[j] = geluTanh(g) * u;
    }
    for (let k = 0; k < d; k++) {
      let s = 0;
      for (let j = 0; j < f; j++) s += dG[j]! * m.gate[j * d + k]! + dU[j]! * m.up[j * d + k]!;
      out.dx[t * d + k] = s;
    }
    for (let j = 0; j < f; j++) {
      for (let k = 0; k < d; k++) {
        out.dGate[j * d + k]! += dG[j]! * x[t * d + k]!;
        out.dUp[j * d + k]! += dU[j]! * x[t * d + k]!;
      }
    }
    for (let i = 0; i < d; i++) {
      const g = dy[t * d + i]!;
      for (let j = 0; j < f; j++) out.dDown[i * f + j]! += g * A[j]!;
    }
  }
}

export const jsLoopGradRow: Implementation = {
  id: 'js-loop-grad',
  label: 'plain JS loop (PyTorch formula)',
  group: 'peer',
  backward: true,
  description:
    "Plain JavaScript loops with PyTorch's tanh GeluBackward formula (`0.5·(1 + t) + 0.5·x·(1 − t²)·β·(1 + 3κx²)`, t = Math.tanh(β(x + κx³))) in float64, stored to Float32Arrays; the MLP as straightforward loops in the checkpoint layout, weight gradients accumulated token by token.",
  supports: (w) => w.approximate === 'tanh',
  async prepare(w: Workload, inputs: WorkloadInputs): Promise<Prepared> {
    const dy = need(inputs.dy, 'dy');
    if (w.kind === 'geglu-backward') {
      const up = need(inputs.up, 'up');
      const gate = inputs.x;
      const dgate = inputs.out32;
      const dup = new Float32Array(gate.length);
      return {
        precision: 'f32',
        run: () => {
          for (let i = 0; i < gate.length; i++) {
            const g = gate[i]!;
            dgate[i] = dy[i]! * up[i]! * geluTanhGrad(g);
            dup[i] = dy[i]! * geluTanh(g);
          }
        },
        accuracyNote: NO_ACCURACY,
      };
    }
    const { tokens } = w.mlp!;
    const out = gradientOutputs(w);
    const weights = need(inputs.mlpWeights, 'weights');
    return { precision: 'f32', run: () => mlpBackwardLoop(inputs.x, dy, tokens, weights, out), accuracyNote: NO_ACCURACY };
  },
};
