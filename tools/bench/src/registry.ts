import { GPU_BACKEND_NAMES, gpuRow, kernelArraysRow, kernelMlpThreadsRow, kernelRow, oracleRow } from './impl/geglu.js';
import { ortWebThreadsRow } from './impl/ort-web-threads.js';
import { ortNodeRow, ortWebRow } from './impl/ort.js';
import { copyFloor, mathTanhLoop, stdlibErfLoop } from './impl/simple.js';
import { withKernelRuntimes } from './impl/kernel-runtimes.js';
import { tfjsWasmRow } from './impl/tfjs.js';
import type { BenchOptions, Implementation } from './types.js';

/** Every row the table can hold, in the order it prints, with the kernel rows' relaxed-SIMD variants. */
export function allImplementations(options: Pick<BenchOptions, 'oracleElements'>): Implementation[] {
  return withKernelRuntimes(baseImplementations(options), options.oracleElements);
}

/** The rows without the variants (what a variant's child process looks its row up in): geglu first, then peers, then the floor. */
export function baseImplementations(options: Pick<BenchOptions, 'oracleElements'>): Implementation[] {
  return [
    kernelRow('f32'),
    kernelArraysRow(),
    kernelMlpThreadsRow(2),
    kernelRow('f64'),
    ...GPU_BACKEND_NAMES.map(gpuRow),
    oracleRow(options.oracleElements),
    ortNodeRow(1),
    ortNodeRow(2),
    ortWebRow,
    ortWebThreadsRow(2),
    tfjsWasmRow,
    mathTanhLoop,
    stdlibErfLoop,
    copyFloor,
  ];
}
