/**
 * Typed views of the sibling packages as docs/architecture.md specifies them, loaded lazily so
 * that the command runs (and reports "not available") while a package is missing a function,
 * and so `geglu tolerances` never pays for loading gpu.js.
 */
import type { FloatFormat } from './types.js';

export interface OracleModule {
  correctlyRounded(fn: string, x: number, format: FloatFormat): number;
  stepDistance(a: number, b: number, format: FloatFormat): number;
  evaluate?(fn: string, x: unknown, options: { digits: number }): { value: { toString(): string }; error: { toString(): string } };
  ulpError?(computed: number, exact: unknown, format: FloatFormat): number;
}

export interface KernelModule {
  gelu(x: number, options?: { approximate?: 'none' | 'tanh' }): number;
  erf(x: number): number;
  erfc(x: number): number;
  geluF32(x: number, options?: { approximate?: 'none' | 'tanh' }): number;
  geluArray?<T extends Float32Array | Float64Array>(x: T, options?: { approximate?: 'none' | 'tanh'; out?: T }): T;
}

export interface GegluGpuInstance {
  backend: string;
  /** e.g. the WebGPU adapter; absent in builds before it was reported. */
  device?: string;
  gelu(x: Float32Array, options?: { approximate?: 'none' | 'tanh' }): Promise<Float32Array>;
  erf?(x: Float32Array): Promise<Float32Array>;
  erfc?(x: Float32Array): Promise<Float32Array>;
  dispose(): Promise<void> | void;
}
export interface GpuModule {
  GegluGpu: { create(options: { backend: string }): Promise<GegluGpuInstance> };
}

async function load<T>(specifier: string, required: readonly string[]): Promise<T | string> {
  let mod: Record<string, unknown>;
  try {
    mod = (await import(specifier)) as Record<string, unknown>;
  } catch (err) {
    return `${specifier} could not be loaded (${(err as Error).message.split('\n')[0]})`;
  }
  const missing = required.filter((k) => mod[k] === undefined);
  if (missing.length > 0) return `${specifier} in this build has no ${missing.join(', ')}`;
  return mod as T;
}

export const loadOracle = (): Promise<OracleModule | string> => load<OracleModule>('@geglu/oracle', ['correctlyRounded', 'stepDistance']);
/** The kernel, checked for the members a caller needs (default: the f64 scalars). */
export const loadKernel = (required: readonly (keyof KernelModule)[] = ['gelu', 'erf', 'erfc']): Promise<KernelModule | string> =>
  load<KernelModule>('@geglu/kernel', required);
export const loadGpu = (): Promise<GpuModule | string> => load<GpuModule>('@geglu/gpu', ['GegluGpu']);
