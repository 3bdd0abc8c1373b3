import { describe, expect, it } from 'vitest';
import { measureAccuracy, type OracleApi } from '../src/oracle.js';

const nextUp = (v: number) => {
  const b = new Int32Array(Float32Array.of(v).buffer);
  b[0]! += v >= 0 ? 1 : -1;
  return new Float32Array(b.buffer)[0]!;
};

describe('measureAccuracy (f32)', () => {
  const x = Float32Array.of(-10, -5, -1, 0.5, 2);
  // Stand-in references (roughly gelu's magnitudes): only the bookkeeping is under test here.
  const ref = Float64Array.from([-7.6e-23, -1.4e-6, -0.15865525, 0.34573123, 1.9544997].map(Math.fround));

  it('counts 0 steps for identical outputs and no flushes', () => {
    const a = measureAccuracy(x, Float32Array.from(ref), ref, 'f32');
    expect(a).toEqual({
      format: 'f32',
      sampleSize: 5,
      maxSteps: 0,
      maxStepsBody: 0,
      maxStepsTail: 0,
      nanOutputs: 0,
      tailNonzero: 2,
      flushedToZero: 0,
      zeroSign: 0,
    });
  });

  it('counts a zero of the wrong sign apart: 0 steps, yet not correctly rounded', () => {
    const xz = Float32Array.of(-20, 0, 1);
    // stand-in references: correctly rounded zeros of both signs (gelu(−20) is −0 in f32)
    const refz = Float64Array.of(-0, 0, 1);
    const a = measureAccuracy(xz, Float32Array.of(0, -0, 1), refz, 'f32');
    expect(a.zeroSign).toBe(2);
    expect(a.maxSteps).toBe(0);
    expect(measureAccuracy(xz, Float32Array.from(refz), refz, 'f32').zeroSign).toBe(0);
  });

  it('reports the largest step distance and counts negative-tail values returned as ±0', () => {
    const got = Float32Array.from(ref);
    got[0] = -0;
    got[1] = 0;
    got[3] = nextUp(nextUp(ref[3]!));
    const a = measureAccuracy(x, got, ref, 'f32');
    expect(a.flushedToZero).toBe(2);
    expect(a.tailNonzero).toBe(2);
    // the flushed tail values are far more than 2 steps away; the body's worst is the 2-step value
    expect(a.maxSteps).toBeGreaterThan(2);
    expect(a.maxStepsTail).toBe(a.maxSteps);
    expect(a.maxStepsBody).toBe(2);
    const b = measureAccuracy(x, Float32Array.from(ref).fill(nextUp(ref[3]!), 3, 4), ref, 'f32');
    expect(b.maxSteps).toBe(1);
  });

  it('a NaN for a finite input leaves maxSteps null and is counted', () => {
    const got = Float32Array.from(ref);
    got[2] = Number.NaN;
    const a = measureAccuracy(x, got, ref, 'f32');
    expect(a.maxSteps).toBeNull();
    expect(a.maxStepsBody).toBeNull();
    expect(a.maxStepsTail).toBe(0);
    expect(a.nanOutputs).toBe(1);
  });

  it('rejects outputs of the wrong length', () => {
    expect(() => measureAccuracy(x, new Float32Array(4), ref, 'f32')).toThrow('measureAccuracy: got has length 4, expected 5');
  });
});

describe('mlpReference', () => {
  it('passes the token count and plain-array weights of the documented oracle contract, and rounds each output', async () => {
    const { mlpReference } = await import('../src/oracle.js');
    const calls: unknown[][] = [];
    const oracle = {
      gemma2Mlp: (...args: unknown[]) => {
        calls.push(args);
        return [0.1, 0.2];
      },
      roundDecimal: (v: unknown) => Math.fround(v as number),
    } as unknown as OracleApi;
    const weights = {
      hidden: 2,
      intermediate: 3,
      gate: new Float32Array(6),
      up: new Float32Array(6),
      down: new Float32Array(6),
    };
    const ref = mlpReference(oracle, Float32Array.of(1, 2), weights, 'f32');
    expect([...ref]).toEqual([Math.fround(0.1), Math.fround(0.2)]);
    const [x, w, tokens, options] = calls[0]!;
    expect(x).toEqual([1, 2]);
    expect(Array.isArray((w as { gate: unknown }).gate)).toBe(true);
    expect(tokens).toBe(1);
    expect(options).toMatchObject({ approximate: 'tanh' });
  });
});
