// The MLP's ceiling row (src/impl/ceiling.ts): its module computes what it says, acc = acc·b + c
// in 12 chains of f32x4, on both multiply-add forms, checked against the same recurrence in
// float32 arithmetic (a fused madd may round once instead of twice: within a few ulps after
// 1000 steps of a contraction toward 1). The rows run it on one thread and on two at once.
import { describe, expect, it } from 'vitest';
import { CEILING_CHAINS, ceilingModuleBytes, wasmCeilingRow } from '../src/impl/ceiling.js';
import { inputsFor } from '../src/inputs.js';
import { defaultOptions, workloads } from '../src/workloads.js';

type Wasm = {
  validate(b: Uint8Array): boolean;
  Module: new (b: Uint8Array) => object;
  Instance: new (m: object) => { exports: { run: (steps: number) => number } };
};
const wasm = (globalThis as unknown as { WebAssembly: Wasm }).WebAssembly;

function expected(steps: number): number {
  let sum = 0;
  const b = Math.fround(0.999999);
  const c = Math.fround(1e-6);
  for (let i = 0; i < CEILING_CHAINS; i++) {
    let acc = Math.fround(1 + i / 64);
    for (let s = 0; s < steps; s++) acc = Math.fround(Math.fround(acc * b) + c);
    sum = Math.fround(sum + acc);
  }
  return sum;
}

describe('the WebAssembly f32x4 ceiling module', () => {
  it('mul + add: the float32 recurrence, exactly', () => {
    const bytes = ceilingModuleBytes(false);
    expect(wasm.validate(bytes)).toBe(true);
    const run = new wasm.Instance(new wasm.Module(bytes)).exports.run;
    expect(run(1000)).toBe(expected(1000));
  });

  it.runIf(wasm.validate(ceilingModuleBytes(true)))('relaxed_madd (where it validates): the recurrence within 2^-18', () => {
    const run = new wasm.Instance(new wasm.Module(ceilingModuleBytes(true))).exports.run;
    expect(Math.abs(run(1000) / expected(1000) - 1)).toBeLessThan(2 ** -18);
  });
});

describe('the ceiling rows', () => {
  const mlp = workloads(defaultOptions(true)).find((w) => w.kind === 'mlp')!;
  it('count the flops they run, on one thread and on two (a worker thread beside the caller, ended by dispose)', async () => {
    for (const threads of [1, 2] as const) {
      const row = wasmCeilingRow(threads);
      expect(row.id).toBe(threads === 1 ? 'wasm-ceiling' : 'wasm-ceiling-2t');
      expect(row.supports(mlp)).toBe(true);
      const prepared = await row.prepare(mlp, inputsFor(mlp));
      const warnings: Error[] = [];
      const onWarning = (w: Error) => warnings.push(w);
      try {
        // whole steps of 12 chains × 8 flops per thread, within one step per thread of the workload's flops
        const stepFlops = CEILING_CHAINS * 8;
        expect(prepared.work! % (stepFlops * threads)).toBe(0);
        expect(Math.abs(prepared.work! - mlp.work)).toBeLessThanOrEqual(stepFlops * threads);
        // more runs than an emitter's listener limit (10): each run's listeners are removed after it
        process.on('warning', onWarning);
        for (let i = 0; i < 12; i++) await prepared.run();
        await new Promise((resolve) => setImmediate(resolve));
        expect(warnings.map((w) => w.message)).toEqual([]);
      } finally {
        process.off('warning', onWarning);
        await prepared.dispose?.();
      }
    }
  });
});
