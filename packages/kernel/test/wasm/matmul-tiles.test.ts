/**
 * The tiles specialised for one K (memarg offsets instead of address arithmetic, a prefetching
 * touch per block of k-steps) against the general tiles, on whichever multiply-add path this
 * process takes: the default config runs the plain path, vitest.relaxed.config.ts the relaxed
 * one. Every output must be the same bits (the same operations on every accumulator, in the
 * same order), and on the plain path also the plain-TypeScript loops' bits.
 */
import { describe, expect, it } from 'vitest';
import { LANE_BLOCK, matmulTransposedFor } from '../../src/mlp/matmul.js';
import { wasmApi } from '../../src/wasm/api.js';
import { relaxedSimdActive } from '../../src/wasm/features.js';
import { MATMUL_LANES, matmulSimd, matmulSimdModuleBytes, type MatmulLaneType, type TileFn } from '../../src/wasm/matmul-simd.js';

const PAGE = 65536;
const relaxed = relaxedSimdActive();

/** Uniform in [−1/2, 1/2) from a 32-bit LCG (Numerical Recipes' constants), with exact zeros and a −0 sprinkled in. */
function filled(type: MatmulLaneType, n: number, seed: number): Float32Array | Float64Array {
  const a = type === 'f32' ? new Float32Array(n) : new Float64Array(n);
  let s = seed >>> 0;
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    a[i] = s % 37 === 0 ? 0 : s % 41 === 0 ? -0 : s / 2 ** 32 - 0.5;
  }
  return a;
}

/** x·Wᵀ for x [T, K], W [O, K] through matmulSimd, with or without the fixed-K tiles; rows split at `split` as two threads would. */
function run(
  type: MatmulLaneType,
  fixedK: boolean,
  T: number,
  K: number,
  O: number,
  split: number,
  x: Float32Array | Float64Array,
  w: Float32Array | Float64Array,
) {
  const lanes = MATMUL_LANES[type];
  const e = lanes.bytes;
  const bytes = e * (T * K + O * K + T * O);
  const pages = Math.ceil(bytes / PAGE);
  const api = wasmApi!;
  const memory = new api.Memory({ initial: pages, maximum: pages });
  const module = new api.Module(matmulSimdModuleBytes(lanes, pages, false, relaxed, fixedK ? [K] : []));
  const tiles = new api.Instance(module, { env: { memory } }).exports as unknown as Record<string, TileFn>;
  expect(tiles[`tile_1_1_k${K}`] !== undefined).toBe(fixedK);
  const heap = type === 'f32' ? new Float32Array(memory.buffer as ArrayBuffer) : new Float64Array(memory.buffer as ArrayBuffer);
  heap.set(x, 0);
  heap.set(w, T * K);
  const out = T * K + O * K;
  heap.fill(Number.NaN, out, out + T * O);
  matmulSimd(tiles, lanes, 0, T, K, e * T * K, 0, split, e * out, O);
  matmulSimd(tiles, lanes, 0, T, K, e * T * K, split, O, e * out, O);
  return heap.slice(out, out + T * O);
}

describe(`matmul tiles for a fixed K equal the general tiles bit for bit (${relaxed ? 'relaxed_madd' : 'plain multiply and add'} path)`, () => {
  // K: no whole block, whole blocks only, whole blocks and a partial one, each K mod 4.
  const ks = [3, 5, 4 * LANE_BLOCK, 4 * LANE_BLOCK + 2, 4 * (2 * LANE_BLOCK + 5) + 1, 4 * (3 * LANE_BLOCK + 1) + 3];
  for (const type of ['f32', 'f64'] as const) {
    it(`${type}: T = 1…8 (every tile height), O across row blocks and tile widths, K = ${ks.join(', ')}`, () => {
      const lanes = MATMUL_LANES[type];
      let seed = 11;
      for (const K of ks) {
        for (const T of [1, 2, 3, 4, 5, 7, 8]) {
          for (const O of [1, 2, 5, lanes.rowBlock + 7, 2 * lanes.rowBlock + 4]) {
            const x = filled(type, T * K, seed++);
            const w = filled(type, O * K, seed++);
            const split = Math.min(O, lanes.rowBlock + 1);
            const general = run(type, false, T, K, O, split, x, w);
            const fixed = run(type, true, T, K, O, split, x, w);
            for (let i = 0; i < general.length; i++) {
              if (!Object.is(fixed[i], general[i]))
                throw new Error(`${type} T ${T} K ${K} O ${O}: output ${i} is ${fixed[i]}, general tile ${general[i]}`);
            }
            if (!relaxed) {
              const reference = type === 'f32' ? new Float32Array(T * O) : new Float64Array(T * O);
              matmulTransposedFor<Float32Array | Float64Array>(lanes.bytes)(x, T, K, w, O, reference);
              for (let i = 0; i < reference.length; i++) {
                if (!Object.is(fixed[i], reference[i]))
                  throw new Error(`${type} T ${T} K ${K} O ${O}: output ${i} is ${fixed[i]}, plain loop ${reference[i]}`);
              }
            }
            expect(fixed.some(Number.isNaN)).toBe(false);
          }
        }
      }
    });
  }
});
