import { describe, expect, it } from 'vitest';
import { gelu64 } from '../../src/elementwise/cores.js';
import { EXACT_TABLE, FAST_BAND, TANH_TABLE, gegluElement32, geluF32Range } from '../../src/elementwise/fast.js';
import { sigmoidTanhGelu } from '../../src/elementwise/sigmoid-tanh.js';
import {
  TABLES_END,
  gegluF32Simd,
  geluF32RangeSimd,
  kernelInstance,
  kernelMemory,
  simdAvailable,
  simdInstance,
  simdMemory,
} from '../../src/elementwise/simd.js';
import { SIGMOID_GROUP, SIMD_GROUP, geluSimdModuleBytes } from '../../src/wasm/gelu-simd.js';
import { RELAXED_OPCODE, relaxedSimdActive, relaxedSimdFuses, setRelaxedSimd } from '../../src/wasm/features.js';
import { uleb } from '../../src/wasm/encoding.js';
import fc from 'fast-check';
import { f32FromBits, f32In } from './helpers.js';

/**
 * This file runs twice under `pnpm test`: with the engine's default (relaxed SIMD off on Node 20,
 * on from Node 22) and under vitest.relaxed.config.ts, with it on. The float32 results must be the
 * same on both paths (correctly rounded); only the sigmoid kernels' doubles differ where madd fuses.
 */
const relaxed = relaxedSimdActive();

/** Whether `bytes` hold the instruction f64x2.relaxed_madd (0xfd, then its opcode as a LEB128). */
function hasRelaxedMadd(bytes: Uint8Array): boolean {
  const needle = [0xfd, ...uleb(RELAXED_OPCODE.f64x2Madd)];
  for (let i = 0; i + needle.length <= bytes.length; i++) if (needle.every((b, k) => bytes[i + k] === b)) return true;
  return false;
}

describe(`WebAssembly SIMD kernel (src/wasm/gelu-simd.ts), relaxed SIMD ${relaxed ? 'on' : 'off'}`, () => {
  it('compiles and is used on Node ≥ 20 (otherwise the array tests would only cover the JS kernel)', () => {
    expect(simdAvailable()).toBe(true);
  });
  it('uses relaxed_madd exactly when built for relaxed SIMD; the kernel instance in use follows setRelaxedSimd, with the same float32 results', () => {
    expect(hasRelaxedMadd(geluSimdModuleBytes(FAST_BAND, SIMD_GROUP, SIGMOID_GROUP, { relaxed: true }))).toBe(true);
    expect(hasRelaxedMadd(geluSimdModuleBytes(FAST_BAND))).toBe(false);
    const k = kernelMemory()!;
    const x = new Float32Array(4096);
    for (let i = 0; i < x.length; i++) x[i] = -15 + (21 * i) / x.length;
    const outs: Float32Array[] = [];
    const instances = [];
    for (const mode of ['off', 'auto'] as const) {
      setRelaxedSimd(mode);
      instances.push(kernelInstance(k));
      const out = new Float32Array(x.length);
      geluF32RangeSimd(x, out, TANH_TABLE, 0, x.length);
      outs.push(out);
    }
    setRelaxedSimd('auto');
    // 'off' and 'auto' are two modules (two instances) exactly where relaxed SIMD is active.
    expect(instances[0] !== instances[1]).toBe(relaxed);
    expect(instances[1]).toBe(kernelInstance(k));
    expect(Array.from(outs[1]!)).toEqual(Array.from(outs[0]!));
  });
  for (const table of [EXACT_TABLE, TANH_TABLE]) {
    const name = table.tanh ? 'tanh' : 'none';
    it(`gelu ${name} (kernel f32, SIMD) is bit-identical to the JS kernel on 2^20 float32 patterns spread over all 2^32 (odd lengths, offsets)`, () => {
      // Every 4096th bit pattern: all binades, subnormals, ±∞ and NaNs.
      const x = new Float32Array(2 ** 20 + 3);
      for (let i = 0; i < x.length; i++) x[i] = f32FromBits((i * 4096 + 1234) | 0);
      const a = new Float32Array(x.length);
      const b = new Float32Array(x.length);
      geluF32Range(x, a, table, 0, x.length);
      geluF32RangeSimd(x, b, table, 0, x.length);
      let bad = -1;
      for (let i = 0; i < x.length && bad < 0; i++) if (!Object.is(a[i], b[i])) bad = i;
      expect(bad < 0 ? 'identical' : { x: x[bad], js: a[bad], simd: b[bad] }).toBe('identical');
      // A sub-range with odd bounds leaves the rest of out untouched.
      const c = new Float32Array(x.length).fill(7);
      geluF32RangeSimd(x, c, table, 5, 20003);
      expect(c[4]).toBe(7);
      expect(c[20003]).toBe(7);
      expect(Array.from(c.subarray(5, 20003))).toEqual(Array.from(a.subarray(5, 20003)));
      // In place: flagged elements must be recomputed from the input, not the output.
      const d = x.slice();
      geluF32RangeSimd(d, d, table, 0, d.length);
      let badInPlace = -1;
      for (let i = 0; i < x.length && badInPlace < 0; i++) if (!Object.is(a[i], d[i])) badInPlace = i;
      expect(badInPlace < 0 ? 'identical' : { x: x[badInPlace], want: a[badInPlace], got: d[badInPlace] }).toBe('identical');
    });
  }
  for (const table of [EXACT_TABLE, TANH_TABLE]) {
    const name = table.tanh ? 'tanh' : 'none';
    it(`geglu ${name} (kernel f32, SIMD) is bit-identical to the JS element path on 2^18 + 3 gate patterns × varied up, in place too`, () => {
      const n = 2 ** 18 + 3;
      const gate = new Float32Array(n);
      const up = new Float32Array(n);
      for (let i = 0; i < n; i++) {
        // Gates: every 16384th bit pattern (all binades, ±∞, NaN) alternating
        // with a dense sweep of [-16, 10]; ups from tiny to 1e38, both signs.
        gate[i] = i % 2 === 0 ? f32FromBits((i * 16384 + 77) | 0) : -16 + (26 * i) / n;
        up[i] = (i % 3 === 0 ? -1 : 1) * 10 ** ((i % 77) - 38);
        // Special ups now and then, also against ±∞ and NaN gates (gelu(−∞)·∞ = NaN).
        if (i % 101 === 0) up[i] = [0, -0, Infinity, -Infinity, NaN][(i / 101) % 5]!;
      }
      // ±∞ gates against those ups: up[101k] is 0, −0, ∞, −∞, NaN for k mod 5 = 0 … 4.
      for (const [i, g] of [
        [0, Infinity],
        [101, -Infinity],
        [202, -Infinity],
        [303, -Infinity],
        [404, -Infinity],
        [707, Infinity],
        [808, Infinity],
      ] as const) {
        gate[i] = g;
      }
      const want = new Float32Array(n);
      for (let i = 0; i < n; i++) want[i] = gegluElement32(gate[i]!, up[i]!, table);
      const got = new Float32Array(n);
      gegluF32Simd(gate, up, got, table);
      const inPlace = up.slice();
      gegluF32Simd(gate, inPlace, inPlace, table);
      let bad = -1;
      for (let i = 0; i < n && bad < 0; i++) if (!Object.is(want[i], got[i]) || !Object.is(want[i], inPlace[i])) bad = i;
      expect(bad < 0 ? 'identical' : { g: gate[bad], u: up[bad], js: want[bad], simd: got[bad], inPlace: inPlace[bad] }).toBe('identical');
    });
  }

  it(`the tanh sigmoid kernels (SIMD, gelu and geglu) compute ${relaxed ? 'doubles within the bound of sigmoidTanhGelu (2^-44.19, 2^-42.6 below -10.78)' : 'exactly the doubles of sigmoidTanhGelu'} on 2^20 float32 patterns`, () => {
    // A build of the module whose sigmoid kernels store their float64 y
    // instead of rounding it: every 8192nd bit pattern (all binades,
    // subnormals, NaNs) interleaved with a dense sweep of [-17, 6].
    const n = 2 ** 20;
    const memory = simdMemory(Math.ceil((16 * n + 12 * n + 65536) / 65536));
    // The ES2022 lib has no WebAssembly types (src/elementwise/simd.ts types the part it uses).
    const { Module } = (globalThis as unknown as { WebAssembly: { Module: new (bytes: Uint8Array) => object } }).WebAssembly;
    const module = new Module(geluSimdModuleBytes(FAST_BAND, SIMD_GROUP, SIGMOID_GROUP, { sigmoidDoubles: true, relaxed }));
    const w = simdInstance(module, memory, true);
    const inAt = TABLES_END;
    const upAt = inAt + 4 * n;
    const outAt = upAt + 4 * n;
    const x = new Float32Array(n);
    const up = new Float32Array(n);
    for (let i = 0; i < n; i++) {
      x[i] = i % 2 === 0 ? f32FromBits((i * 4096 + 99) | 0) : -17 + (23 * i) / n;
      up[i] = (i % 3 === 0 ? -1 : 1) * 10 ** ((i % 61) - 30);
    }
    // Every special gate against every special up (the bit patterns above
    // include NaNs and subnormals but neither zero nor infinity).
    const specials = [0, -0, Infinity, -Infinity, NaN, 1.5, -20];
    specials.forEach((g, a) =>
      specials.forEach((u, b) => {
        x[1000 + 8 * a + b] = g;
        up[1000 + 8 * a + b] = u;
      }),
    );
    w.f32.set(x, inAt / 4);
    w.f32.set(up, upAt / 4);
    const pairs = Math.floor(n / 2 / SIGMOID_GROUP) * SIGMOID_GROUP;
    const y = new Float64Array(memory.buffer, outAt, 2 * pairs);
    const same = (a: number, b: number) => Object.is(a, b) || (Number.isNaN(a) && Number.isNaN(b));
    let bad: object | null = null;
    w.tanhKernel(inAt, outAt, pairs, 0);
    const gelu = Float64Array.from(y);
    let differ = 0;
    for (let i = 0; i < 2 * pairs && bad === null; i++) {
      const mirror = sigmoidTanhGelu(x[i]!);
      if (same(gelu[i]!, mirror)) continue;
      differ++;
      // With relaxed_madd the doubles may differ from the unfused mirror, but never by more than
      // the bound both share (sigmoid-tanh.ts): specials (NaN, ±∞, ±0) must agree exactly, below
      // the clamp at -16 both are tiny negatives (float32 −0), and other finite results lie within
      // 2^-44.19 (2^-42.6 from -10.78 down) of gelu (from 4.995 up the terms are only damped).
      const v = x[i]!;
      const ref = gelu64(v, true);
      const bound = v >= -10.78 ? 2 ** -44.19 : 2 ** -42.6;
      const ok =
        v < -16 ? Object.is(Math.fround(gelu[i]!), -0) : Number.isFinite(v) && v !== 0 && Math.abs(gelu[i]! - ref) <= bound * Math.abs(ref);
      if (!relaxed || !ok) bad = { gelu: v, simd: gelu[i], mirror, ref };
    }
    w.gegluTanhKernel(inAt, upAt, outAt, pairs, 0);
    for (let i = 0; i < 2 * pairs && bad === null; i++) {
      const g = x[i]!;
      // geglu multiplies the gelu kernel's y (the same instructions) by u·((g − g) + 1)
      const want = gelu[i]! * (up[i]! * (g - g + 1));
      if (!same(y[i]!, want)) bad = { geglu: g, u: up[i], simd: y[i], want };
    }
    expect(bad ?? 'identical').toBe('identical');
    // Where madd fuses, some doubles must differ from the unfused mirror: else the madd is not there.
    if (relaxed && relaxedSimdFuses()) expect(differ).toBeGreaterThan(0);
    else expect(differ).toBe(0);
  });
  it('sigmoidTanhGelu is within 2^-44.19 of gelu tanh on float32 x in [-10.78, 4.995] and 2^-42.6 down to -16 (its documented bound; the double-double gelu as reference)', () => {
    const relError = (x: number) => {
      const ref = gelu64(x, true);
      return ref === 0 ? 0 : Math.abs((sigmoidTanhGelu(x) - ref) / ref);
    };
    let worst = 0;
    // Dense: 2^20 steps over the range, plus fast-check's bit-pattern-uniform floats.
    for (let i = 0; i <= 2 ** 20; i++) worst = Math.max(worst, relError(Math.fround(-10.78 + (15.775 * i) / 2 ** 20)));
    fc.assert(
      fc.property(f32In(-10.78, 4.995), (x) => relError(x) <= 2 ** -44.19),
      { numRuns: 20000 },
    );
    fc.assert(
      fc.property(f32In(-16, -10.78), (x) => relError(x) <= 2 ** -42.6),
      { numRuns: 5000 },
    );
    expect(Math.log2(worst)).toBeLessThanOrEqual(-44.19);
  });
});
