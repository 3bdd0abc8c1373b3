import { loadGpu, loadKernel, loadOracle, type KernelModule } from '../backends/modules.js';
import type { Escalate, SweepFunction, SweepImpl } from './engine.js';
import type { SweepDtype } from './result.js';

/** `geglu sweep --relaxed-simd`: the kernel's request (its setRelaxedSimd), 'on' after setting V8's flag where Node needs it. */
export type RelaxedSimdMode = 'auto' | 'on' | 'off';
export const RELAXED_SIMD_MODES: readonly RelaxedSimdMode[] = ['auto', 'on', 'off'];

/**
 * Backends `geglu sweep` can check: the kernel's float32 and 16-bit paths, and gpu.js's modes that
 * run without a GPU driver stack beyond Vulkan.
 */
export type SweepBackend = 'kernel-f32' | 'kernel-bf16' | 'kernel-f16' | 'gpu-webasm' | 'gpu-cpu' | 'gpu-webgpu';
export const SWEEP_BACKENDS: readonly SweepBackend[] = ['kernel-f32', 'kernel-bf16', 'kernel-f16', 'gpu-webasm', 'gpu-cpu', 'gpu-webgpu'];

/** Which functions a backend has (the kernel's erf and erfc are float64 only). */
export function sweepFunctionsOf(backend: SweepBackend): readonly SweepFunction[] {
  if (backend === 'kernel-f32') return ['gelu', 'gelu-tanh', 'gelu-grad', 'gelu-tanh-grad'];
  return backend.startsWith('kernel-') ? ['gelu', 'gelu-tanh'] : ['gelu', 'gelu-tanh', 'erf', 'erfc'];
}

/**
 * The one format a backend computes in, or why it has no other: the kernel has one backend id per
 * format; gpu.js has float32 buffers only, so the gpu backends have no bf16 or f16.
 */
export function sweepDtypeOf(backend: SweepBackend): SweepDtype {
  return backend === 'kernel-bf16' ? 'bf16' : backend === 'kernel-f16' ? 'f16' : 'f32';
}

/** A loaded implementation: the function, what it is, the device it ran on, its preferred call size, and how to release it. */
export interface LoadedImpl {
  impl: SweepImpl;
  name: string;
  device: string;
  /** Inputs per call: gpu.js pays a fixed cost per call (transfer, dispatch), measured best near 2^20 here. */
  block: number;
  /** Kernel backends: whether its WebAssembly ran relaxed SIMD's multiply-add. */
  relaxedSimd?: boolean;
  close(): Promise<void>;
}

/** The backend's float32 `fn` as a SweepImpl, or why it cannot run. */
export async function loadImpl(
  backend: SweepBackend,
  fn: SweepFunction,
  relaxedSimd: RelaxedSimdMode = 'auto',
): Promise<LoadedImpl | string> {
  if (!sweepFunctionsOf(backend).includes(fn)) return `${backend} has no ${fn}`;
  if (backend === 'kernel-f32') return kernelImpl(fn, relaxedSimd);
  if (backend === 'kernel-bf16' || backend === 'kernel-f16') return 'the 16-bit backends are swept in one call (sweepHalf), not per chunk';
  return gpuImpl(backend.slice('gpu-'.length) as 'webasm' | 'cpu' | 'webgpu', fn);
}

/**
 * Applies `mode` to the loaded kernel (in every thread that runs it: the request is per realm) and
 * says which multiply-add path its WebAssembly modules now take, or why `mode` cannot be had.
 */
export function applyRelaxedSimd(k: KernelModule, mode: RelaxedSimdMode): { active: boolean; fuses: boolean | undefined } | string {
  // 'on' is an explicit request: on Node 20 that needs V8's flag, set before the kernel compiles anything
  if (mode === 'on') k.enableRelaxedSimdFlag();
  try {
    k.setRelaxedSimd(mode);
  } catch (err) {
    return (err as Error).message;
  }
  const path = k.relaxedSimdPath();
  return { active: path.active, fuses: path.fuses };
}

/** The kernel's float32 gelu or its derivative: geluArray or geluGradArray over each block. */
async function kernelImpl(fn: SweepFunction, mode: RelaxedSimdMode): Promise<LoadedImpl | string> {
  const k = await loadKernel();
  if (typeof k === 'string') return k;
  const path = applyRelaxedSimd(k, mode);
  if (typeof path === 'string') return path;
  const approximate = fn === 'gelu-tanh' || fn === 'gelu-tanh-grad' ? 'tanh' : 'none';
  // geluArray and geluGradArray both run WebAssembly SIMD kernels, on the path applied above
  const grad = fn === 'gelu-grad' || fn === 'gelu-tanh-grad';
  return {
    device: path.active
      ? `CPU (WebAssembly SIMD with relaxed SIMD's f64x2.relaxed_madd, ${path.fuses ? 'fused' : 'not fused'} on Node ${process.versions.node}, this process)`
      : 'CPU (WebAssembly SIMD, this process)',
    relaxedSimd: path.active,
    block: 1 << 16,
    close: async () => undefined,
    impl: grad ? (xs, out) => void k.geluGradArray(xs, { approximate, out }) : (xs, out) => void k.geluArray(xs, { approximate, out }),
    name: grad ? '@geglu/kernel geluGradArray (Float32Array)' : '@geglu/kernel geluArray (Float32Array)',
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
    fn === 'gelu'
      ? (xs) => g.gelu(xs)
      : fn === 'gelu-tanh'
        ? (xs) => g.gelu(xs, { approximate: 'tanh' })
        : fn === 'erf'
          ? (xs) => g.erf(xs)
          : (xs) => g.erfc(xs);
  return {
    impl: async (xs, out) => out.set(await call(xs)),
    name: `@geglu/gpu GegluGpu ${fn} (gpu.js ${g.backend})`,
    device: g.device ?? g.backend,
    block: 1 << 20,
    close: async () => void (await g.dispose()),
  };
}

/** The oracle's correctlyRounded for undecided roundings, or null when the oracle is not available. */
export async function oracleEscalate(fn: SweepFunction, dtype: SweepDtype = 'f32'): Promise<Escalate | null> {
  const o = await loadOracle();
  if (typeof o === 'string') return null;
  return (x) => o.correctlyRounded(fn, x, dtype);
}

/** The kernel's 16-bit gelu over all inputs at once (bit patterns in, bit patterns out). */
export async function loadHalfImpl(
  fn: SweepFunction,
  dtype: 'bf16' | 'f16',
  relaxedSimd: RelaxedSimdMode = 'auto',
): Promise<{ run: (xs: Uint16Array) => Uint16Array; name: string } | string> {
  if (fn !== 'gelu' && fn !== 'gelu-tanh') return `kernel-${dtype} has no ${fn} (it has gelu, gelu-tanh)`;
  const k = await loadKernel();
  if (typeof k === 'string') return k;
  // The 16-bit functions run in JavaScript (no WebAssembly module), so the path changes nothing in
  // them today; it is applied all the same, so that a sweep checks whatever path they would take.
  const path = applyRelaxedSimd(k, relaxedSimd);
  if (typeof path === 'string') return path;
  const approximate = fn === 'gelu-tanh' ? 'tanh' : 'none';
  const f = dtype === 'bf16' ? k.geluBf16Array : k.geluF16Array;
  return { run: (xs) => f(xs, { approximate }), name: `@geglu/kernel gelu${dtype === 'bf16' ? 'Bf16' : 'F16'}Array (Uint16Array)` };
}
