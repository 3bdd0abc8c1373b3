import { loadOracle, oracleFunction } from '../oracle.js';
import type { Approximate, Implementation, MlpWeights32, Prepared, Workload, WorkloadInputs } from '../types.js';
import { assertForward, SkipRow } from '../types.js';

type F = Float32Array | Float64Array;

/** The part of @geglu/kernel's contract (docs/architecture.md) the benchmark calls. */
interface KernelApi {
  geluArray<A extends F>(x: A, options?: { approximate?: Approximate; out?: A }): A;
  geglu<A extends F>(gate: A, up: A, options?: { approximate?: Approximate; out?: A }): A;
  gemma2Mlp<A extends F>(
    x: A,
    tokens: number,
    weights: { hidden: number; intermediate: number; gate: A; up: A; down: A },
    options?: { approximate?: Approximate; out?: A },
  ): A;
  createGemma2Mlp(
    weights: MlpWeights32,
    options: { threads: number },
  ): {
    forward(x: Float32Array, tokens: number, options?: { approximate?: Approximate; out?: Float32Array }): Float32Array;
    dispose(): void;
    threads: number;
    /** 1 + the workers that are up (they start asynchronously). */
    activationThreads: number;
  };
  /** Worker threads of large float32 geluArray calls, and how many have warmed up. */
  geluThreads?(): number;
  geluThreadsReady?(): number;
  /** Float32Arrays in the kernel's WebAssembly memory, read and written without copies. */
  kernelFloat32Array?(length: number): Float32Array;
  isKernelFloat32Array?(a: unknown): boolean;
  releaseKernelFloat32Array?(a: Float32Array): void;
}

/**
 * Starts geluArray's worker threads (a first large call) and waits, at most
 * 5 s, until they have warmed up: set-up, outside the timing, as creating an
 * onnxruntime session is.
 */
async function startGeluThreads(x: Float32Array, approximate: Approximate): Promise<void> {
  const k = await loadKernel();
  if (typeof k === 'string' || k.geluThreads === undefined || k.geluThreadsReady === undefined) return;
  k.geluArray(x, { approximate });
  const deadline = Date.now() + 5000;
  while (k.geluThreadsReady() < k.geluThreads() && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/** The part of @geglu/gpu's contract the benchmark calls. */
interface GpuInstance {
  readonly backend: string;
  readonly device?: string;
  gelu(x: Float32Array, options?: { approximate?: Approximate }): Promise<Float32Array>;
  geglu(gate: Float32Array, up: Float32Array, options?: { approximate?: Approximate }): Promise<Float32Array>;
  gemma2Mlp(x: Float32Array, tokens: number, weights: MlpWeights32, options?: { approximate?: Approximate }): Promise<Float32Array>;
  dispose(): Promise<void>;
}
interface GpuApi {
  GegluGpu: { create(options: { backend: string }): Promise<GpuInstance> };
}

/** The backends docs/architecture.md names, in the order the table lists them. */
export const GPU_BACKEND_NAMES = ['webgpu', 'headlessgl', 'webasm', 'cpu'] as const;

let kernelModule: Promise<KernelApi | string> | undefined;

function loadKernel(): Promise<KernelApi | string> {
  kernelModule ??= (async () => {
    try {
      return (await import('@geglu/kernel')) as unknown as KernelApi;
    } catch (e) {
      return `@geglu/kernel failed to load: ${(e as Error).message.split('\n')[0]}`;
    }
  })();
  return kernelModule;
}

async function kernelFunction<K extends keyof KernelApi>(name: K): Promise<NonNullable<KernelApi[K]>> {
  const k = await loadKernel();
  if (typeof k === 'string') throw new SkipRow(k);
  const fn = k[name];
  if (typeof fn !== 'function') throw new SkipRow(`@geglu/kernel does not export ${name} yet`);
  return fn.bind(k) as NonNullable<KernelApi[K]>;
}

const weights64Cache = new WeakMap<
  MlpWeights32,
  { hidden: number; intermediate: number; gate: Float64Array; up: Float64Array; down: Float64Array }
>();

function weights64(w: MlpWeights32) {
  let c = weights64Cache.get(w);
  if (c === undefined) {
    c = {
      hidden: w.hidden,
      intermediate: w.intermediate,
      gate: Float64Array.from(w.gate),
      up: Float64Array.from(w.up),
      down: Float64Array.from(w.down),
    };
    weights64Cache.set(w, c);
  }
  return c;
}

/**
 * The shortest gelu array timed on the other relaxed-SIMD paths. Each variant runs in a child process
 * (./kernel-runtimes.ts) that sleeps between runs; a 2^20-element call lasts about a millisecond,
 * and there the same path timed in a child read well below the bench's own process (whose thread
 * comes to each run from the row before), so the difference between paths would drown in the
 * difference between processes. A 2^24-element call lasts tens of milliseconds.
 */
export const VARIANT_MIN_ELEMENTS = 2 ** 24;

export function kernelRow(precision: 'f32' | 'f64'): Implementation {
  return {
    id: `kernel-${precision}`,
    label: `geglu kernel ${precision}`,
    group: 'geglu',
    description:
      precision === 'f32'
        ? '@geglu/kernel on Float32Array: `geluArray(x, { approximate, out })`, `geglu(gate, up, { approximate, out })`, `gemma2Mlp(x, tokens, weights, { out })`. geluArray and geglu use their default worker (two threads in all) from 2^17 elements up, started and warmed up before timing; gemma2Mlp runs on one thread.'
        : '@geglu/kernel on Float64Array (inputs converted once, outside the timing); accuracy counted in f64 steps against the f64 correctly rounded result.',
    supports: (w) => precision === 'f32' || w.kind !== 'gelu-alloc',
    // geluArray on the other multiply-add paths too (issue 19's elementwise goals), into a
    // preallocated output, on the arrays whose runs outlast a child process's wake-up (see
    // VARIANT_MIN_ELEMENTS).
    ...(precision === 'f32' ? { relaxedSimdVariants: (w: Workload) => w.kind === 'gelu' && w.elements >= VARIANT_MIN_ELEMENTS } : {}),
    async prepare(w: Workload, inputs: WorkloadInputs): Promise<Prepared> {
      const approximate = w.approximate;
      const as = (a: Float32Array): F => (precision === 'f32' ? a : Float64Array.from(a));
      assertForward(w.kind);
      switch (w.kind) {
        case 'gelu':
        case 'gelu-alloc': {
          const geluArray = await kernelFunction('geluArray');
          const x = precision === 'f32' ? inputs.x : inputs.x64();
          const out = precision === 'f32' ? inputs.out32 : inputs.out64();
          const alloc = w.kind === 'gelu-alloc';
          if (precision === 'f32') await startGeluThreads(inputs.x, approximate);
          return {
            precision,
            run: alloc ? () => void geluArray(x, { approximate }) : () => void geluArray(x, { approximate, out }),
            evaluate: async (sx) => geluArray(as(sx), { approximate }),
          };
        }
        case 'geglu': {
          const geglu = await kernelFunction('geglu');
          const gate = precision === 'f32' ? inputs.x : inputs.x64();
          const up = precision === 'f32' ? inputs.up! : inputs.up64();
          const out = precision === 'f32' ? inputs.out32 : inputs.out64();
          if (precision === 'f32') await startGeluThreads(inputs.x, approximate);
          return {
            precision,
            run: () => void geglu(gate, up, { approximate, out }),
            evaluate: async (sx, sup) => geglu(as(sx), as(sup!), { approximate }),
          };
        }
        case 'mlp': {
          const gemma2Mlp = await kernelFunction('gemma2Mlp');
          const shape = w.mlp!;
          const weights = precision === 'f32' ? inputs.mlpWeights! : weights64(inputs.mlpWeights!);
          const x = precision === 'f32' ? inputs.x : inputs.x64();
          const out = precision === 'f32' ? inputs.out32 : inputs.out64();
          return {
            precision,
            run: () => void gemma2Mlp(x, shape.tokens, weights as never, { approximate, out }),
            evaluate: async (x0) => gemma2Mlp(as(x0), x0.length / shape.hidden, weights as never, { approximate }),
          };
        }
      }
    },
  };
}

/**
 * geluArray and geglu on kernel arrays: the inputs and the output are
 * Float32Arrays from kernelFloat32Array, made and filled in set-up (as the
 * onnxruntime rows make their tensors), so each run computes where the arrays
 * are, with no copy into WebAssembly memory and back. Same threads as
 * kernel-f32 (its default worker, started before timing).
 */
export function kernelArraysRow(): Implementation {
  return {
    id: 'kernel-f32-arrays',
    label: 'geglu kernel f32, kernel arrays',
    group: 'geglu',
    description:
      '@geglu/kernel `geluArray(x, { approximate, out })` and `geglu(gate, up, { approximate, out })` on Float32Arrays from `kernelFloat32Array` (made and filled in set-up): no copies into WebAssembly memory and back; two threads from 2^17 elements up, as kernel-f32. Elementwise workloads only.',
    supports: (w) => w.kind === 'gelu' || w.kind === 'geglu',
    async prepare(w: Workload, inputs: WorkloadInputs): Promise<Prepared> {
      const approximate = w.approximate;
      const make = await kernelFunction('kernelFloat32Array');
      const release = await kernelFunction('releaseKernelFloat32Array');
      const isKernel = await kernelFunction('isKernelFloat32Array');
      const copy = (a: Float32Array) => {
        const c = make(a.length);
        c.set(a);
        return c;
      };
      const x = copy(inputs.x);
      const out = make(inputs.x.length);
      if (!isKernel(x)) throw new SkipRow('kernelFloat32Array gave an ordinary array (no WebAssembly SIMD here)');
      const held = [x, out];
      await startGeluThreads(inputs.x, approximate);
      const dispose = () => held.forEach((a) => release(a));
      // The accuracy sample goes through kernel arrays too.
      const viaKernel = (f: (arrays: Float32Array[]) => Float32Array, ...arrays: Float32Array[]) => {
        const ks = arrays.map(copy);
        const r = f(ks).slice();
        ks.forEach((a) => release(a));
        return r;
      };
      if (w.kind === 'gelu') {
        const geluArray = await kernelFunction('geluArray');
        return {
          precision: 'f32',
          run: () => void geluArray(x, { approximate, out }),
          evaluate: async (sx) => viaKernel(([a]) => geluArray(a!, { approximate, out: a! }), sx),
          dispose,
        };
      }
      const geglu = await kernelFunction('geglu');
      const up = copy(inputs.up!);
      held.push(up);
      return {
        precision: 'f32',
        run: () => void geglu(x, up, { approximate, out }),
        evaluate: async (sx, sup) => viaKernel(([a, b]) => geglu(a!, b!, { approximate, out: a! }), sx, sup!),
        dispose,
      };
    },
  };
}

/**
 * The MLP on @geglu/kernel's engine with worker threads: createGemma2Mlp copies
 * the weights once in set-up, each run is one forward pass. Beside
 * onnxruntime-web with the same number of threads (issue 4's MLP goal).
 */
export function kernelMlpThreadsRow(threads: number): Implementation {
  return {
    id: `kernel-f32-${threads}t`,
    label: `geglu kernel f32, ${threads} threads`,
    group: 'geglu',
    description: `@geglu/kernel \`createGemma2Mlp(weights, { threads: ${threads} })\` (weights copied into WebAssembly memory once, in set-up), each run \`forward(x, tokens, { approximate, out })\`; MLP workloads only.`,
    supports: (w) => w.kind === 'mlp',
    relaxedSimdVariants: () => true,
    async prepare(w: Workload, inputs: WorkloadInputs): Promise<Prepared> {
      const create = await kernelFunction('createGemma2Mlp');
      const shape = w.mlp!;
      const mlp = create(inputs.mlpWeights!, { threads });
      // Its workers start asynchronously and a forward pass uses only those
      // that are up: wait for them in set-up (at most 10 s), as for geluArray.
      const deadline = Date.now() + 10_000;
      while (mlp.activationThreads < threads && Date.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
      if (mlp.threads !== threads || mlp.activationThreads !== threads) {
        const up = mlp.activationThreads;
        mlp.dispose();
        throw new SkipRow(`createGemma2Mlp has ${up} of ${threads} threads running after 10 s`);
      }
      const approximate = w.approximate;
      const notes: string[] = [];
      return {
        precision: 'f32',
        notes,
        run: () => {
          mlp.forward(inputs.x, shape.tokens, { approximate, out: inputs.out32 });
          if (mlp.activationThreads !== threads && notes.length === 0) {
            notes.push(`a worker stopped: some runs had ${mlp.activationThreads} thread(s)`);
          }
        },
        evaluate: async (x0) => mlp.forward(x0, x0.length / shape.hidden, { approximate }),
        dispose: () => mlp.dispose(),
      };
    },
  };
}

let gpuModule: Promise<GpuApi | string> | undefined;
const gpuInstances = new Map<string, Promise<GpuInstance | string>>();

function openGpu(backend: string): Promise<GpuInstance | string> {
  let p = gpuInstances.get(backend);
  if (p === undefined) {
    p = (async () => {
      gpuModule ??= (import('@geglu/gpu') as Promise<unknown>).then(
        (m) => m as GpuApi,
        (e: unknown) => `@geglu/gpu failed to load: ${(e as Error).message.split('\n')[0]}`,
      );
      const mod = await gpuModule;
      if (typeof mod === 'string') return mod;
      if (typeof mod.GegluGpu?.create !== 'function') return '@geglu/gpu does not export GegluGpu.create yet';
      try {
        const gpu = await mod.GegluGpu.create({ backend });
        if (gpu.backend !== backend) {
          await gpu.dispose();
          return `asked for ${backend}, GegluGpu ran ${String(gpu.backend)}`;
        }
        return gpu;
      } catch (e) {
        return (e as Error).message.split('\n')[0]!;
      }
    })();
    gpuInstances.set(backend, p);
  }
  return p;
}

export function gpuRow(backend: (typeof GPU_BACKEND_NAMES)[number]): Implementation {
  return {
    id: `gpu-${backend}`,
    label: `geglu gpu (${backend})`,
    group: 'geglu',
    description: `@geglu/gpu with \`GegluGpu.create({ backend: '${backend}' })\`; the row is kept only when \`gpu.backend\` reports '${backend}'. Its API returns a new Float32Array per call, so every gpu row allocates its output (and the allocating workload does not repeat them).`,
    supports: (w) => w.kind !== 'gelu-alloc',
    async prepare(w, inputs) {
      const gpu = await openGpu(backend);
      if (typeof gpu === 'string') throw new SkipRow(gpu);
      const approximate = w.approximate;
      const notes = ['allocates its output'];
      const device = gpu.device;
      assertForward(w.kind);
      switch (w.kind) {
        case 'gelu':
        case 'gelu-alloc':
          return {
            precision: 'f32',
            run: async () => void (await gpu.gelu(inputs.x, { approximate })),
            evaluate: (sx) => gpu.gelu(sx, { approximate }),
            notes,
            device,
          };
        case 'geglu':
          return {
            precision: 'f32',
            run: async () => void (await gpu.geglu(inputs.x, inputs.up!, { approximate })),
            evaluate: (sx, sup) => gpu.geglu(sx, sup!, { approximate }),
            notes,
            device,
          };
        case 'mlp':
          return {
            precision: 'f32',
            run: async () => void (await gpu.gemma2Mlp(inputs.x, w.mlp!.tokens, inputs.mlpWeights!, { approximate })),
            evaluate: (x0) => gpu.gemma2Mlp(x0, x0.length / w.mlp!.hidden, inputs.mlpWeights!, { approximate }),
            notes,
            device,
          };
      }
    },
    async shutdown() {
      const p = gpuInstances.get(backend);
      gpuInstances.delete(backend);
      const gpu = p === undefined ? undefined : await p;
      if (gpu !== undefined && typeof gpu !== 'string') await gpu.dispose();
    },
  };
}

export function oracleRow(elements: number): Implementation {
  return {
    id: 'oracle',
    label: 'geglu oracle (correctly rounded)',
    group: 'oracle',
    description: `@geglu/oracle \`correctlyRounded(fn, x, 'f32')\` over the first ${elements} elements of the workload's input: how many correctly rounded results per second the reference itself delivers.`,
    supports: (w) => w.kind === 'gelu',
    async prepare(w, inputs) {
      const oracle = await loadOracle();
      if (typeof oracle === 'string') throw new SkipRow(oracle);
      const sub = inputs.x.subarray(0, Math.min(elements, inputs.x.length));
      const fn = oracleFunction(w.approximate);
      // Results are consumed so the loop is observably used.
      let sink = 0;
      return {
        precision: 'f32',
        work: sub.length,
        run: () => {
          for (let i = 0; i < sub.length; i++) sink += oracle.correctlyRounded(fn, sub[i]!, 'f32');
        },
        notes: [`${sub.length} elements per run`],
        accuracyNote: 'the reference',
        dispose: () => void sink,
      };
    },
  };
}
