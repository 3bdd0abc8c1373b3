/**
 * The MLP's relaxed-SIMD path (tiles with `relaxed_madd`, fused or not as the engine chooses)
 * against the oracle and the stated bound. It runs in a child Node process (dist/, built before
 * tests) that calls enableRelaxedSimdFlag() and setRelaxedSimd('on'): on Node 20 the flag is
 * process-wide, and this test's own process must keep its default path for the bit-identity
 * tests beside it. On Node 22 the child needs no flag and takes the same path.
 */
import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { gemma2Mlp, setRelaxedSimd } from '../../src/index.js';
import { oracleMlp } from './oracle-reference.js';
import { mlpReference } from './reference.js';

const root = new URL('../..', import.meta.url).pathname;

/** Uniform in [−scale/2, scale/2) from a 32-bit LCG (Numerical Recipes' constants). */
function filled(Type: new (n: number) => Float32Array | Float64Array, n: number, scale: number, seed: number): Float32Array | Float64Array {
  let s = seed >>> 0;
  const a = new Type(n);
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    a[i] = (s / 2 ** 32 - 0.5) * scale;
  }
  return a;
}

/** A seeded MLP call: x [t, d] and its weights, as plain numbers (they go to the child as JSON). */
type Case = { t: number; d: number; f: number; x: number[] } & Record<'gate' | 'up' | 'down', number[]>;

function makeCase(Type: new (n: number) => Float32Array | Float64Array, t: number, d: number, f: number, seed: number): Case {
  const list = (n: number, scale: number, k: number) => [...filled(Type, n, scale, seed + k)];
  return {
    t,
    d,
    f,
    x: list(t * d, 4, 0),
    gate: list(f * d, 2 / Math.sqrt(d), 1),
    up: list(f * d, 2 / Math.sqrt(d), 2),
    down: list(d * f, 2 / Math.sqrt(f), 3),
  };
}

/** Runs the cases in a child with relaxed SIMD on: f32 through createGemma2Mlp (1 and 2 threads), f64 through gemma2Mlp. */
function runRelaxed(f32: Case[], f64: Case[]) {
  const source = `
    import * as k from './dist/index.js';
    import { readFileSync } from 'node:fs';
    const { f32, f64 } = JSON.parse(readFileSync(0, 'utf8'));
    if (!k.enableRelaxedSimdFlag()) throw new Error('relaxed SIMD does not validate even with the flag');
    k.setRelaxedSimd('on');
    const w = (c, A) => ({ hidden: c.d, intermediate: c.f, gate: A.from(c.gate), up: A.from(c.up), down: A.from(c.down) });
    const out = { path: k.relaxedSimdPath(), f32: [], f64: [] };
    for (const c of f32) {
      const r = {};
      for (const threads of [1, 2]) {
        const m = k.createGemma2Mlp(w(c, Float32Array), { threads });
        for (let i = 0; i < 100 && m.activationThreads < threads; i++) await new Promise((res) => setTimeout(res, 20));
        r[threads] = { relaxedSimd: m.relaxedSimd, engine: m.engine };
        for (const approximate of ['tanh', 'none']) r[threads][approximate] = [...m.forward(Float32Array.from(c.x), c.t, { approximate })];
        m.dispose();
      }
      out.f32.push(r);
    }
    for (const c of f64) out.f64.push([...k.gemma2Mlp(Float64Array.from(c.x), c.t, w(c, Float64Array), { approximate: 'tanh' })]);
    // exit only once the whole result is written: stdout to a pipe may still be flushing
    process.stdout.write(JSON.stringify(out), () => process.exit(0));`;
  const r = spawnSync(process.execPath, ['--input-type=module', '-e', source], {
    cwd: root,
    input: JSON.stringify({ f32, f64 }),
    encoding: 'utf8',
    maxBuffer: 64 * 2 ** 20,
    timeout: 60_000,
  });
  if (r.status !== 0) throw new Error(`child exited ${r.status} (${r.signal}): ${r.stderr}`);
  return JSON.parse(r.stdout) as {
    path: { active: boolean; fuses: boolean };
    f32: Record<'1' | '2', { relaxedSimd: boolean; engine: string; tanh: number[]; none: number[] }>[];
    f64: number[][];
  };
}

describe('Gemma 2 MLP on the relaxed-SIMD (multiply-add) path', () => {
  // d mod 4 = 3 and 1 reach the scalar tails; ⌊d/4⌋ = 17 and ⌊f/4⌋ = 33 end in a partial
  // block of the kernel order (src/mlp/matmul.ts LANE_BLOCK); t = 5 reaches the 1-row tiles.
  const f32 = [makeCase(Float32Array, 5, 71, 133, 3), makeCase(Float32Array, 2, 13, 77, 9)];
  // T·d·f ≥ 2^22, so gemma2Mlp runs the f64x2 tiles.
  const f64 = [makeCase(Float64Array, 130, 63, 513, 5)];
  const got = runRelaxed(f32, f64);

  it('ran with relaxed_madd (the MLP reports it) on 1 and 2 threads, the same bits on both', () => {
    expect(got.path.active).toBe(true);
    expect(typeof got.path.fuses).toBe('boolean');
    for (const r of got.f32) {
      expect(r['1']).toMatchObject({ relaxedSimd: true, engine: 'wasm-simd' });
      expect(r['2']).toMatchObject({ relaxedSimd: true, engine: 'wasm-simd' });
      expect(r['2'].tanh).toEqual(r['1'].tanh);
      expect(r['2'].none).toEqual(r['1'].none);
    }
  });

  for (const approximate of ['tanh', 'none'] as const) {
    it(`f32, approximate '${approximate}': within the stated bound of the oracle's MLP (decimal, 60 digits)`, () => {
      f32.forEach((c, n) => {
        const y = got.f32[n]!['1'][approximate];
        const ref = oracleMlp(
          new Float32Array(c.x),
          c.t,
          c.d,
          c.f,
          new Float32Array(c.gate),
          new Float32Array(c.up),
          new Float32Array(c.down),
          approximate,
        );
        expect(y.length).toBe(c.t * c.d);
        for (let i = 0; i < y.length; i++) {
          const err = ref.y[i]!.minus(y[i]!).abs().toNumber();
          if (!(err <= ref.bound[i]!))
            throw new Error(`case ${n}, output ${i}: ${y[i]} vs ${ref.y[i]}: error ${err} > bound ${ref.bound[i]}`);
        }
      });
    });
  }

  it('f64 (T·d·f ≥ 2^22: f64x2 tiles): within the stated bound of a float64 reference, and of the plain path', () => {
    const c = f64[0]!;
    const y = got.f64[0]!;
    const ref = mlpReference(c.x, c.t, c.d, c.f, c.gate, c.up, c.down, 'tanh', 'f64');
    expect(y.length).toBe(c.t * c.d);
    setRelaxedSimd('off');
    let plain: Float64Array;
    try {
      plain = gemma2Mlp(Float64Array.from(c.x), c.t, {
        hidden: c.d,
        intermediate: c.f,
        gate: Float64Array.from(c.gate),
        up: Float64Array.from(c.up),
        down: Float64Array.from(c.down),
      });
    } finally {
      setRelaxedSimd('auto');
    }
    for (let i = 0; i < y.length; i++) {
      expect(Math.abs(y[i]! - ref.y[i]!)).toBeLessThanOrEqual(ref.bound[i]!);
      // Both paths are within the stated bound of the exact y, so within twice it of each other.
      expect(Math.abs(y[i]! - plain[i]!)).toBeLessThanOrEqual(2 * ref.stated[i]!);
    }
  });
});
