import { jsLoopGradRow, kernelBackwardRow, kernelBackwardTwoThreadsRow, tfjsGradRow } from './impl/backward.js';
import { GPU_BACKEND_NAMES, gpuRow, kernelArraysRow, kernelMlpThreadsRow, kernelRow, oracleRow } from './impl/geglu.js';
import { ortWebThreadsRow } from './impl/ort-web-threads.js';
import { ortNodeRow, ortWebRow } from './impl/ort.js';
import { wasmCeilingRow } from './impl/ceiling.js';
import { copyFloor, mathTanhLoop, stdlibErfLoop } from './impl/simple.js';
import { withKernelRuntimes } from './impl/kernel-runtimes.js';
import { tfjsWasmRow } from './impl/tfjs.js';
import { type BenchOptions, type Implementation, isBackward } from './types.js';

/** Every row the table can hold, in the order it prints, with the kernel rows' relaxed-SIMD variants. */
export function allImplementations(options: Pick<BenchOptions, 'oracleElements'>): Implementation[] {
  return withKernelRuntimes(baseImplementations(options), options.oracleElements);
}

/**
 * The rows without the variants (what a variant's child process looks its row up in): geglu first,
 * then peers, then the floor. A row runs either the forward workloads or the gradient ones
 * (Implementation.backward), never both.
 */
export function baseImplementations(options: Pick<BenchOptions, 'oracleElements'>): Implementation[] {
  return rows(options).map((i) => ({ ...i, supports: (w) => (i.backward === true) === isBackward(w.kind) && i.supports(w) }));
}

function rows(options: Pick<BenchOptions, 'oracleElements'>): Implementation[] {
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
    wasmCeilingRow(1),
    wasmCeilingRow(2),
    // gradient workloads only (Implementation.backward)
    kernelBackwardRow,
    kernelBackwardTwoThreadsRow,
    tfjsGradRow,
    jsLoopGradRow,
  ];
}
