/**
 * The sibling packages, loaded on first use: `geglu tolerances` and `geglu check` never pay for
 * gpu.js, and a package that cannot be loaded (a broken install, gpu.js's native pieces) becomes a
 * reason the command prints instead of a crash at start-up. The types are the packages' own.
 */
import type * as OracleExports from '@geglu/oracle';
import type * as KernelExports from '@geglu/kernel';
import type * as GpuExports from '@geglu/gpu';

export type OracleModule = typeof OracleExports;
export type KernelModule = typeof KernelExports;
export type GpuModule = typeof GpuExports;

async function load<T>(specifier: string, importer: () => Promise<unknown>, whenAbsent = ''): Promise<T | string> {
  try {
    return (await importer()) as T;
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    // Node names the package it could not find in the message; a missing dependency of the package is another problem
    if (whenAbsent && e.code === 'ERR_MODULE_NOT_FOUND' && e.message.includes(`'${specifier}'`)) return whenAbsent;
    return `${specifier} could not be loaded (${e.message.split('\n')[0]})`;
  }
}

// Literal specifiers, so bundlers and `tsc` see each import.
export const loadOracle = (): Promise<OracleModule | string> => load('@geglu/oracle', () => import('@geglu/oracle'));
export const loadKernel = (): Promise<KernelModule | string> => load('@geglu/kernel', () => import('@geglu/kernel'));
/** The gpu.js backends are an optional peer: a lean install of @geglu/verify judges dumps without gpu.js. */
export const GPU_NOT_INSTALLED = '@geglu/gpu is not installed (it is optional; `npm install @geglu/gpu` adds the gpu.js backends)';
export const loadGpu = (): Promise<GpuModule | string> => load('@geglu/gpu', () => import('@geglu/gpu'), GPU_NOT_INSTALLED);
