import { geluModel, gegluModel, gemma2MlpModel } from '../onnx.js';
import type { Implementation, Prepared, Workload, WorkloadInputs } from '../types.js';
import { assertForward, SkipRow } from '../types.js';

/**
 * The subset of onnxruntime-common's API both onnxruntime-node and
 * onnxruntime-web implement; typed here so one adapter serves both packages.
 */
interface OrtTensor {
  data: unknown;
  dispose?(): void;
}
interface OrtSession {
  run(feeds: Record<string, OrtTensor>, fetches?: Record<string, OrtTensor>): Promise<Record<string, OrtTensor>>;
  release(): Promise<void>;
}
export interface OrtModule {
  Tensor: new (type: 'float32', data: Float32Array, dims: readonly number[]) => OrtTensor;
  InferenceSession: { create(model: Uint8Array, options: object): Promise<OrtSession> };
  env: { wasm?: { numThreads?: number }; logLevel?: string };
}

function modelFor(w: Workload, inputs: WorkloadInputs): { bytes: Uint8Array; input: string[] } {
  assertForward(w.kind);
  switch (w.kind) {
    case 'gelu':
    case 'gelu-alloc':
      return { bytes: geluModel(w.approximate), input: ['x'] };
    case 'geglu':
      return { bytes: gegluModel(w.approximate), input: ['gate', 'up'] };
    case 'mlp': {
      if (inputs.mlpWeights === undefined) throw new Error('mlp workload has no weights');
      return { bytes: gemma2MlpModel(inputs.mlpWeights), input: ['x'] };
    }
  }
}

function dimsFor(w: Workload, length: number): number[] {
  return w.kind === 'mlp' ? [length / w.mlp!.hidden, w.mlp!.hidden] : [length];
}

export async function prepareOrt(
  ort: OrtModule,
  w: Workload,
  inputs: WorkloadInputs,
  sessionOptions: object,
  notes: string[],
): Promise<Prepared> {
  const { bytes } = modelFor(w, inputs);
  let session: OrtSession;
  try {
    session = await ort.InferenceSession.create(bytes, sessionOptions);
  } catch (e) {
    throw new SkipRow(`session creation failed: ${(e as Error).message.split('\n')[0]}`);
  }
  const feedsFor = (x: Float32Array, up?: Float32Array): Record<string, OrtTensor> =>
    w.kind === 'geglu'
      ? {
          gate: new ort.Tensor('float32', x, [x.length]),
          up: new ort.Tensor('float32', up!, [up!.length]),
        }
      : { x: new ort.Tensor('float32', x, dimsFor(w, x.length)) };
  const feeds = feedsFor(inputs.x, inputs.up);
  const out = inputs.out32;
  const fetches = { y: new ort.Tensor('float32', out, dimsFor(w, out.length)) };
  let run: () => Promise<void>;
  if (w.kind === 'gelu-alloc') {
    run = async () => {
      const r = await session.run(feeds);
      r.y!.dispose?.();
    };
  } else {
    // Probe once: a backend that ignores preallocated outputs would be timed
    // allocating, and the row must say so rather than pretend.
    // The sentinel tells whether the runtime wrote into our buffer or into its own.
    out.fill(Number.NaN);
    await session.run(feeds, fetches);
    if (Number.isNaN(out[0]!) && out.length > 0) {
      notes.push('ignored the preallocated output: allocates each run');
    }
    run = async () => {
      await session.run(feeds, fetches);
    };
  }
  const evaluate = async (x: Float32Array, up?: Float32Array) => {
    const r = await session.run(feedsFor(x, up));
    return Float32Array.from(r.y!.data as Float32Array);
  };
  return {
    precision: 'f32',
    run,
    evaluate,
    notes,
    dispose: () => session.release(),
  };
}

let ortNode: Promise<OrtModule> | undefined;
let ortWeb: Promise<OrtModule> | undefined;

export function ortNodeRow(threads: 1 | 2): Implementation {
  return {
    id: `ort-node-${threads}t`,
    label: `onnxruntime-node, ${threads} thread${threads > 1 ? 's' : ''}`,
    group: 'peer',
    description:
      `onnxruntime-node (native CPU, MLAS) on a model built by this tool's protobuf encoder: opset 20 \`Gelu\` ` +
      `with \`approximate\`, \`Gelu\`·\`Mul\` for GeGLU, three \`MatMul\`s with initializer weights for the MLP; ` +
      `intraOpNumThreads ${threads}, inter-op 1, sequential` +
      (threads > 1 ? ', thread spinning off so idle workers do not steal the core from the rows timed next.' : '.'),
    supports: () => true,
    async prepare(w, inputs) {
      ortNode ??= import('onnxruntime-node') as unknown as Promise<OrtModule>;
      const ort = await ortNode;
      // Session config keys and their defaults: onnxruntime.ai/docs/performance/tune-performance/threading.html;
      // the JS binding flattens `extra` into dotted config keys.
      const options = {
        intraOpNumThreads: threads,
        interOpNumThreads: 1,
        executionMode: 'sequential',
        graphOptimizationLevel: 'all',
        ...(threads > 1 ? { extra: { session: { intra_op: { allow_spinning: '0' } } } } : {}),
      };
      return prepareOrt(ort, w, inputs, options, []);
    },
  };
}

export const ortWebRow: Implementation = {
  id: 'ort-web',
  label: 'onnxruntime-web (wasm), 1 thread',
  group: 'peer',
  description:
    'onnxruntime-web in Node (its `node` export, WebAssembly SIMD build, `env.wasm.numThreads = 1`) on the same model bytes as onnxruntime-node; inputs are copied into and out of the wasm heap each run.',
  supports: () => true,
  async prepare(w, inputs) {
    ortWeb ??= (async () => {
      const ort = (await import('onnxruntime-web')) as unknown as OrtModule;
      if (ort.env.wasm) ort.env.wasm.numThreads = 1;
      return ort;
    })();
    const ort = await ortWeb;
    return prepareOrt(ort, w, inputs, { executionProviders: ['wasm'], graphOptimizationLevel: 'all' }, []);
  },
};
