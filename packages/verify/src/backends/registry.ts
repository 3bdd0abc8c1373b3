import { bf16ToBits, bitsToBf16, bitsToF16, f16ToBits } from '@geglu/float';
import { loadGpu, loadKernel, loadOracle } from './modules.js';
import {
  BackendUnavailable,
  EVAL_FUNCTIONS,
  FORWARD_FUNCTIONS,
  GPU_BACKENDS,
  isGradFunction,
  type Backend,
  type BackendId,
  type BackendSession,
  type EvalFunction,
  type FloatFormat,
  type GpuBackendName,
} from './types.js';

const approximate = (fn: EvalFunction): 'none' | 'tanh' => (fn === 'gelu-tanh' || fn === 'gelu-tanh-grad' ? 'tanh' : 'none');

function unsupported(id: string, fn: EvalFunction, dtype: FloatFormat): never {
  throw new BackendUnavailable(id, `it does not evaluate ${fn} in ${dtype}`);
}

const oracle: Backend = {
  id: 'oracle',
  kind: 'oracle',
  precision: 'exact',
  dtypes: ['f32', 'f64', 'bf16', 'f16'],
  functions: EVAL_FUNCTIONS,
  description: '@geglu/oracle correctlyRounded: the exact value rounded to nearest-even in the dtype',
  async open() {
    const mod = await loadOracle();
    if (typeof mod === 'string') throw new BackendUnavailable('oracle', mod);
    return {
      ran: 'oracle',
      async evaluate(fn, dtype, xs) {
        const out = new Float64Array(xs.length);
        for (let i = 0; i < xs.length; i++) out[i] = mod.correctlyRounded(fn, xs[i]!, dtype);
        return out;
      },
      async close() {},
    };
  },
};

const kernelF64: Backend = {
  id: 'kernel-f64',
  kind: 'kernel',
  precision: 'f64',
  dtypes: ['f64'],
  functions: EVAL_FUNCTIONS,
  description: '@geglu/kernel float64 scalars gelu (both variants), erf, erfc, geluGrad (both variants)',
  async open() {
    const k = await loadKernel();
    if (typeof k === 'string') throw new BackendUnavailable('kernel-f64', k);
    return {
      ran: 'kernel-f64',
      async evaluate(fn, dtype, xs) {
        if (dtype !== 'f64') unsupported('kernel-f64', fn, dtype);
        const out = new Float64Array(xs.length);
        if (fn === 'erf') for (let i = 0; i < xs.length; i++) out[i] = k.erf(xs[i]!);
        else if (fn === 'erfc') for (let i = 0; i < xs.length; i++) out[i] = k.erfc(xs[i]!);
        else if (isGradFunction(fn)) {
          const options = { approximate: approximate(fn) };
          for (let i = 0; i < xs.length; i++) out[i] = k.geluGrad(xs[i]!, options);
        } else {
          const options = { approximate: approximate(fn) };
          for (let i = 0; i < xs.length; i++) out[i] = k.gelu(xs[i]!, options);
        }
        return out;
      },
      async close() {},
    };
  },
};

const kernelF32: Backend = {
  id: 'kernel-f32',
  kind: 'kernel',
  precision: 'f32',
  dtypes: ['f32'],
  functions: ['gelu', 'gelu-tanh', 'gelu-grad', 'gelu-tanh-grad'],
  description: '@geglu/kernel geluArray and geluGradArray over Float32Array, correctly rounded by contract',
  async open() {
    const k = await loadKernel();
    if (typeof k === 'string') throw new BackendUnavailable('kernel-f32', k);
    return {
      ran: 'kernel-f32',
      async evaluate(fn, dtype, xs) {
        if (dtype !== 'f32' || fn === 'erf' || fn === 'erfc') unsupported('kernel-f32', fn, dtype);
        const f = isGradFunction(fn) ? k.geluGradArray : k.geluArray;
        return Float64Array.from(f(Float32Array.from(xs), { approximate: approximate(fn) }));
      },
      async close() {},
    };
  },
};

/**
 * The kernel's 16-bit gelu over Uint16Array bit patterns (geluBf16Array / geluF16Array), correctly
 * rounded by contract; values travel as exact float64s and are converted to bits and back here.
 */
function kernelHalf(format: 'bf16' | 'f16'): Backend {
  const id: BackendId = `kernel-${format}`;
  const [toBits, fromBits] = format === 'bf16' ? [bf16ToBits, bitsToBf16] : [f16ToBits, bitsToF16];
  return {
    id,
    kind: 'kernel',
    precision: format,
    dtypes: [format],
    functions: ['gelu', 'gelu-tanh'],
    description: `@geglu/kernel gelu${format === 'bf16' ? 'Bf16' : 'F16'}Array over Uint16Array bit patterns, correctly rounded by contract`,
    async open() {
      const k = await loadKernel();
      if (typeof k === 'string') throw new BackendUnavailable(id, k);
      const geluHalf = format === 'bf16' ? k.geluBf16Array : k.geluF16Array;
      return {
        ran: id,
        async evaluate(fn, dtype, xs) {
          if (dtype !== format || (fn !== 'gelu' && fn !== 'gelu-tanh')) unsupported(id, fn, dtype);
          const bits = Uint16Array.from(xs, (x) => toBits(x));
          const y = geluHalf(bits, { approximate: approximate(fn) });
          return Float64Array.from(y, (b) => fromBits(b));
        },
        async close() {},
      };
    },
  };
}

function gpuBackend(name: Exclude<GpuBackendName, 'auto'>): Backend {
  const id = `gpu-${name}` as BackendId;
  return {
    id,
    kind: 'gpu',
    precision: 'f32',
    dtypes: ['f32'],
    functions: FORWARD_FUNCTIONS,
    description: `@geglu/gpu on the gpu.js ${name} backend, float32`,
    open: () => openGpu(name),
  };
}

/** Opens @geglu/gpu on a gpu.js backend (or `auto`); `ran` names what gpu.js actually used. */
export async function openGpu(name: GpuBackendName): Promise<BackendSession> {
  const id = `gpu-${name}`;
  const mod = await loadGpu();
  if (typeof mod === 'string') throw new BackendUnavailable(id, mod);
  let gpu;
  try {
    gpu = await mod.GegluGpu.create({ backend: name });
  } catch (err) {
    throw new BackendUnavailable(id, (err as Error).message.split('\n')[0] ?? String(err));
  }
  if (name !== 'auto' && gpu.backend !== name) {
    await gpu.dispose();
    throw new BackendUnavailable(id, `gpu.js ran ${gpu.backend} instead of ${name}`);
  }
  const g = gpu;
  const fallbacks = (g as { fallbacks?: readonly { backend: string; reason: string }[] }).fallbacks ?? [];
  return {
    ran: `gpu-${g.backend}`,
    ...(fallbacks.length > 0 ? { passedOver: fallbacks.map((f) => `gpu-${f.backend}: ${f.reason}`).join(' | ') } : {}),
    async evaluate(fn, dtype, xs) {
      if (dtype !== 'f32' || isGradFunction(fn)) unsupported(id, fn, dtype);
      const x = Float32Array.from(xs);
      const y = fn === 'erf' ? await g.erf(x) : fn === 'erfc' ? await g.erfc(x) : await g.gelu(x, { approximate: approximate(fn) });
      return Float64Array.from(y);
    },
    async close() {
      await g.dispose();
    },
  };
}

const registry = new Map<string, Backend>();
for (const b of [oracle, kernelF64, kernelF32, kernelHalf('bf16'), kernelHalf('f16'), ...GPU_BACKENDS.map(gpuBackend)])
  registry.set(b.id, b);

/** Every registered backend, in a stable order (suites and the tolerance table enumerate these). */
export function listBackends(): Backend[] {
  return [...registry.values()];
}

export function getBackend(id: string): Backend | undefined {
  return registry.get(id);
}

/** Adds (or replaces) a backend; used by tests and by embedders with their own implementation. */
export function registerBackend(backend: Backend): void {
  registry.set(backend.id, backend);
}

/** The registry id the command line's `--backend`, `--dtype`, `--gpu-backend` select. */
export function backendIdFor(kind: 'oracle' | 'kernel' | 'gpu', dtype: FloatFormat, gpu: GpuBackendName = 'auto'): string {
  if (kind === 'oracle') return 'oracle';
  if (kind === 'kernel') return `kernel-${dtype}`;
  return `gpu-${gpu}`;
}

/** Opens the backend for a command-line selection; `gpu-auto` is resolved by gpu.js itself. */
export async function openBackend(id: string): Promise<BackendSession> {
  if (id === 'gpu-auto') return openGpu('auto');
  const b = registry.get(id);
  if (!b) throw new BackendUnavailable(id, 'no such backend is registered');
  return b.open();
}
