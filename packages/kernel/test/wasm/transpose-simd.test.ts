/**
 * The SIMD transpose (src/wasm/transpose-simd.ts) against the definition, on shapes around its
 * block (4 float32s, 2 float64s) and band (64 rows) sizes: the whole-block corner is transposed,
 * and nothing outside it is written.
 */
import { describe, expect, it } from 'vitest';
import { type TransposeFn, transposeSimdModuleBytes } from '../../src/wasm/transpose-simd.js';
import { wasmApi } from '../../src/wasm/api.js';

const SHAPES: ReadonlyArray<[number, number]> = [
  [1, 1],
  [4, 4],
  [3, 9],
  [64, 8],
  [65, 12],
  [131, 70],
  [257, 5],
  [8, 300],
];

describe.each([4, 8] as const)('transpose of %i-byte elements', (bytes) => {
  it.each(SHAPES)('%i × %i: the whole-block corner, and nothing else', (rows, cols) => {
    const memory = new wasmApi!.Memory({ initial: 4, maximum: 4 });
    const fn = new wasmApi!.Instance(new wasmApi!.Module(transposeSimdModuleBytes(bytes, 4, false)), { env: { memory } }).exports
      .transpose as TransposeFn;
    const heap = bytes === 4 ? new Float32Array(memory.buffer) : new Float64Array(memory.buffer);
    const n = rows * cols;
    const src = 8;
    const dst = src + n + 8;
    for (let i = 0; i < n; i++) heap[src + i] = i + 0.5;
    heap.fill(-1, dst - 4, dst + n + 4);
    fn(src * bytes, rows, cols, dst * bytes);
    const B = 16 / bytes;
    const [rowsB, colsB] = [rows - (rows % B), cols - (cols % B)];
    const want = new Float64Array(n + 8).fill(-1);
    for (let r = 0; r < rowsB; r++) for (let c = 0; c < colsB; c++) want[4 + c * rows + r] = r * cols + c + 0.5;
    expect(Array.from(heap.subarray(dst - 4, dst + n + 4))).toEqual(Array.from(want));
  });
});
