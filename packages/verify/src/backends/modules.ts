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

async function load<T>(specifier: string, importer: () => Promise<unknown>): Promise<T | string> {
  try {
    return (await importer()) as T;
  } catch (err) {
    return `${specifier} could not be loaded (${(err as Error).message.split('\n')[0]})`;
  }
}

// Literal specifiers, so bundlers and `tsc` see each import.
export const loadOracle = (): Promise<OracleModule | string> => load('@geglu/oracle', () => import('@geglu/oracle'));
export const loadKernel = (): Promise<KernelModule | string> => load('@geglu/kernel', () => import('@geglu/kernel'));
export const loadGpu = (): Promise<GpuModule | string> => load('@geglu/gpu', () => import('@geglu/gpu'));
