import { loadGpu, loadKernel, loadOracle } from '../backends/modules.js';
import type { Escalate, SweepFunction, SweepImpl } from './engine.js';

/** Backends `geglu sweep` can check: the kernel's float32 path and gpu.js's modes that run without a GPU driver stack beyond Vulkan. */
export type SweepBackend = 'kernel-f32' | 'gpu-webasm' | 'gpu-cpu' | 'gpu-webgpu';
export const SWEEP_BACKENDS: readonly SweepBackend[] = ['kernel-f32', 'gpu-webasm', 'gpu-cpu', 'gpu-webgpu'];

/** Which functions a backend has in float32 (the kernel's erf and erfc are float64 only). */
export function sweepFunctionsOf(backend: SweepBackend): readonly SweepFunction[] {
  return backend === 'kernel-f32' ? ['gelu', 'gelu-tanh'] : ['gelu', 'gelu-tanh', 'erf', 'erfc'];
}

/** A loaded implementation: the function, what it is, the device it ran on, its preferred call size, and how to release it. */
export interface LoadedImpl {
  impl: SweepImpl;
  name: string;
  device: string;
  /** Inputs per call: gpu.js pays a fixed cost per call (transfer, dispatch), measured best near 2^20 here. */
  block: number;
  close(): Promise<void>;
}

/** The backend's float32 `fn` as a SweepImpl, or why it cannot run. */
export async function loadImpl(backend: SweepBackend, fn: SweepFunction): Promise<LoadedImpl | string> {
  if (!sweepFunctionsOf(backend).includes(fn)) return `${backend} has no float32 ${fn}`;
  if (backend === 'kernel-f32') return kernelImpl(fn);
  return gpuImpl(backend.slice('gpu-'.length) as 'webasm' | 'cpu' | 'webgpu', fn);
}

/** The kernel's float32 gelu: geluArray over each block. */
async function kernelImpl(fn: SweepFunction): Promise<LoadedImpl | string> {
  const k = await loadKernel();
  if (typeof k === 'string') return k;
  const approximate = fn === 'gelu-tanh' ? 'tanh' : 'none';
  return {
    device: 'CPU (WebAssembly SIMD, this process)',
    block: 1 << 16,
    close: async () => undefined,
    impl: (xs, out) => void k.geluArray(xs, { approximate, out }),
    name: '@geglu/kernel geluArray (Float32Array)',
  };
}

/** One GegluGpu for the whole sweep (per worker): opening a backend compiles its kernels once. */
async function gpuImpl(mode: 'webasm' | 'cpu' | 'webgpu', fn: SweepFunction): Promise<LoadedImpl | string> {
  const mod = await loadGpu();
  if (typeof mod === 'string') return mod;
  let gpu;
  try {
    gpu = await mod.GegluGpu.create({ backend: mode });
  } catch (err) {
    return `gpu.js backend '${mode}' is not available: ${(err as Error).message.split('\n')[0]}`;
  }
  const g = gpu;
  const call: (xs: Float32Array) => Promise<Float32Array> =
    fn === 'gelu' ? (xs) => g.gelu(xs) :
    fn === 'gelu-tanh' ? (xs) => g.gelu(xs, { approximate: 'tanh' }) :
    fn === 'erf' ? (xs) => g.erf(xs) :
    (xs) => g.erfc(xs);
  return {
    impl: async (xs, out) => out.set(await call(xs)),
    name: `@geglu/gpu GegluGpu ${fn} (gpu.js ${g.backend})`,
    device: g.device ?? g.backend,
    block: 1 << 20,
    close: async () => void (await g.dispose()),
  };
}

/** The oracle's correctlyRounded for undecided roundings, or null when the oracle is not available. */
export async function oracleEscalate(fn: SweepFunction): Promise<Escalate | null> {
  const o = await loadOracle();
  if (typeof o === 'string') return null;
  return (x) => o.correctlyRounded(fn, x, 'f32');
}
