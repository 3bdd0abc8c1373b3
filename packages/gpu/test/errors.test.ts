import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GegluError, GegluGpu } from '../src/index.js';

describe('bad input gets a GegluError naming the argument, actual and expected', () => {
  let g: GegluGpu;
  beforeAll(async () => {
    g = await GegluGpu.create({ backend: 'cpu' });
  });
  afterAll(async () => {
    await g?.dispose();
  });

  it('elementwise inputs must be Float32Array', async () => {
    await expect(g.gelu(new Float64Array(3) as never)).rejects.toBeInstanceOf(GegluError);
    await expect(g.gelu(new Float64Array(3) as never)).rejects.toThrow('gelu: x is a Float64Array of length 3, expected a Float32Array');
    await expect(g.gelu([1, 2] as never)).rejects.toThrow('gelu: x is an Array of length 2, expected a Float32Array');
    await expect(g.erf(null as never)).rejects.toThrow('erf: x is null, expected a Float32Array');
    await expect(g.erfc(undefined as never)).rejects.toThrow('erfc: x is undefined, expected a Float32Array');
  });

  it('options.approximate must be none or tanh', async () => {
    await expect(g.gelu(new Float32Array(1), { approximate: 'sigmoid' as never })).rejects.toThrow(
      `gelu: options.approximate is "sigmoid", expected 'none' or 'tanh'`,
    );
    await expect(g.gelu(new Float32Array(1), 'tanh' as never)).rejects.toThrow('gelu: options is "tanh", expected an object');
  });

  it('geglu: gate and up must match', async () => {
    await expect(g.geglu(new Float32Array(4), new Float32Array(3))).rejects.toThrow('geglu: up has length 3, expected gate.length = 4');
    await expect(g.geglu(new Float32Array(4), new Int32Array(4) as never)).rejects.toThrow(
      'geglu: up is a Int32Array of length 4, expected a Float32Array',
    );
  });

  it('gemma2Mlp: shapes, counts and finiteness', async () => {
    const [T, d, f] = [2, 4, 6];
    const w = { gate: new Float32Array(f * d), up: new Float32Array(f * d), down: new Float32Array(d * f), hidden: d, intermediate: f };
    await expect(g.gemma2Mlp(new Float32Array(7), T, w)).rejects.toThrow('gemma2Mlp: x has length 7, expected tokens × hidden = 2 × 4 = 8');
    await expect(g.gemma2Mlp(new Float32Array(8), 1.5, w)).rejects.toThrow('gemma2Mlp: tokens is 1.5, expected an integer ≥ 1');
    await expect(g.gemma2Mlp(new Float32Array(8), T, { ...w, gate: new Float32Array(5) })).rejects.toThrow(
      'gemma2Mlp: weights.gate has length 5, expected intermediate × hidden = 6 × 4 = 24',
    );
    await expect(g.gemma2Mlp(new Float32Array(8), T, { ...w, down: new Float32Array(25) })).rejects.toThrow(
      'gemma2Mlp: weights.down has length 25, expected hidden × intermediate = 4 × 6 = 24',
    );
    await expect(g.gemma2Mlp(new Float32Array(8), T, { ...w, hidden: 0 })).rejects.toThrow(
      'gemma2Mlp: weights.hidden is 0, expected an integer ≥ 1',
    );
    await expect(g.gemma2Mlp(new Float32Array(8), T, null as never)).rejects.toThrow('gemma2Mlp: weights is null, expected an object');
    const x = new Float32Array(8);
    x[3] = NaN;
    await expect(g.gemma2Mlp(x, T, w)).rejects.toThrow('gemma2Mlp: x[3] is NaN, expected finite values only');
  });

  it('empty inputs give empty outputs', async () => {
    expect((await g.gelu(new Float32Array(0))).length).toBe(0);
    expect((await g.geglu(new Float32Array(0), new Float32Array(0))).length).toBe(0);
  });
});
