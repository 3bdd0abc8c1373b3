// The MLP's ceiling row (src/impl/ceiling.ts): its module computes what it says, acc = acc·b + c
// in 12 chains of f32x4, on both multiply-add forms, checked against the same recurrence in
// float32 arithmetic (a fused madd may round once instead of twice: within a few ulps after
// 1000 steps of a contraction toward 1).
import { describe, expect, it } from 'vitest';
import { CEILING_CHAINS, ceilingModuleBytes } from '../src/impl/ceiling.js';

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
