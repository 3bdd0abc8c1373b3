/**
 * The error bounds of the float32 derivative's fast evaluations, measured: |y − gelu′(x)| against
 * the band each rounding test uses, for the JavaScript evaluation (src/elementwise/gelu-grad.ts
 * fastGeluGrad: < 2^-43.8·w against a band of 2^-41·w) and for both WebAssembly dgate kernels
 * built to store their y and band (src/wasm/gelu-simd.ts: < 2^-44.15·w, tanh, and < 2^-44.9·w,
 * exact, against 2^-41·w), on the path this run's engine takes (the relaxed-SIMD config runs it
 * again with relaxed_madd). gelu′ is geluGrad's float64 (within 1 step). The exhaustive sweeps
 * check rounding outcomes with dy·up = 1 only; this checks the bands themselves, which the
 * result for any other dy·up relies on.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { EXACT_TABLE, type FastTable, FAST_BAND, TANH_TABLE } from '../../src/elementwise/fast.js';
import { fastGeluGrad, fastGeluGradBand } from '../../src/elementwise/gelu-grad.js';
import { geluGrad64 } from '../../src/elementwise/grad-cores.js';
import { framedTable, kernelSMax, TABLES_END } from '../../src/elementwise/simd.js';
import { relaxedSimdActive } from '../../src/wasm/features.js';
import { wasmApi } from '../../src/wasm/api.js';
import { DGATE_GROUP, geluSimdModuleBytes, SIMD_GROUP } from '../../src/wasm/gelu-simd.js';
import { EXACT_GRAD_ROOT_0, TANH_GRAD_ROOT_0 } from '../../src/elementwise/grad-roots.generated.js';
import { f32In } from '../elementwise/helpers.js';

const N = 6 * 2048;

/** Gates of one table: its whole range, its first unit (the tail, where the errors peak), the root, its last unit. */
function gates(t: FastTable, root: number): Float32Array {
  const x = fc.sample(fc.oneof(f32In(t.x0, t.end), f32In(t.x0, t.x0 + 1), f32In(root - 1e-3, root + 1e-3), f32In(t.end - 1, t.end)), {
    numRuns: N,
  });
  return Float32Array.from(x.map((v) => (v >= t.end ? t.x0 : v)));
}

/** The largest |y − gelu′| / band over the gates. */
function worst(x: Float32Array, tanh: boolean, yBand: (i: number) => [number, number]): number {
  let w = 0;
  for (let i = 0; i < x.length; i++) {
    const [y, band] = yBand(i);
    const g = geluGrad64(x[i]!, tanh);
    // geluGrad64's own error (≤ 1 step, 2^-52 relative) counts against the evaluation
    w = Math.max(w, (Math.abs(y - g) + Math.abs(g) * 2 ** -52) / band);
  }
  return w;
}

describe.each([
  ['tanh', TANH_TABLE, TANH_GRAD_ROOT_0, 2 ** -3.15],
  ['exact', EXACT_TABLE, EXACT_GRAD_ROOT_0, 2 ** -3.9],
] as const)('the %s form', (_, table, root, kernelRatio) => {
  const x = gates(table, root);

  it('JavaScript: |y − gelu′| < 2^-2.8 of the band (2^-43.8 of w against 2^-41)', () => {
    const ratio = worst(x, table.tanh, (i) => [fastGeluGrad(table, x[i]!), fastGeluGradBand]);
    expect(ratio).toBeLessThan(2 ** -2.8);
  });

  it(`WebAssembly kernel (relaxed SIMD ${relaxedSimdActive() ? 'on' : 'off'}): |y − gelu′| within its bound of the band`, () => {
    const relaxed = relaxedSimdActive();
    const memory = new wasmApi!.Memory({ initial: 64, maximum: 64, shared: true });
    new Float64Array(memory.buffer).set(framedTable(EXACT_TABLE));
    const bytes = geluSimdModuleBytes(FAST_BAND, SIMD_GROUP, undefined, { relaxed, dgateDoubles: true });
    const e = new wasmApi!.Instance(new wasmApi!.Module(bytes), { env: { memory } }).exports as Record<string, (...a: number[]) => number>;
    const [gateAt, onesAt, outAt, flagsAt] = [TABLES_END, TABLES_END + 4 * N, TABLES_END + 8 * N, TABLES_END + 24 * N];
    new Float32Array(memory.buffer, gateAt, N).set(x);
    new Float32Array(memory.buffer, onesAt, N).fill(1);
    const group = table.tanh ? DGATE_GROUP : SIMD_GROUP;
    const pairs = Math.floor(N / 2 / group) * group;
    if (table.tanh) e.dgateTanhSigmoid!(gateAt, onesAt, onesAt, outAt, pairs, flagsAt);
    else e.dgateExact!(gateAt, onesAt, onesAt, outAt, pairs, 0, flagsAt, table.origin, kernelSMax(table));
    const out = new Float64Array(memory.buffer, outAt, 4 * pairs);
    // pair k: [y0, y1, band0, band1]
    const at = (i: number): [number, number] => [out[4 * (i >> 1) + (i & 1)]!, out[4 * (i >> 1) + 2 + (i & 1)]!];
    const ratio = worst(x.subarray(0, 2 * pairs), table.tanh, at);
    expect(ratio).toBeLessThan(kernelRatio);
    // not vacuous: a band is a small part of gelu′ wherever the two terms do not cancel (away from the root)
    expect(ratio).toBeGreaterThan(0);
    const far = Array.from({ length: 2 * pairs }, (_, i) => i).filter((i) => Math.abs(x[i]! - root) > 2e-3);
    expect(far.length).toBeGreaterThan(N / 2);
    expect(Math.max(...far.map((i) => at(i)[1] / Math.abs(geluGrad64(x[i]!, table.tanh))))).toBeLessThan(2 ** -30);
  });
});
