import { describe, expect, it } from 'vitest';
import { sweepRange, stepsF32, type SweepImpl } from '../../src/sweep/engine.js';
import { refGeluTanh, refGelu } from '../../src/sweep/reference.js';
import { addInterval, mergeInto, mergeResults, newResult, readResult, SweepFileError } from '../../src/sweep/result.js';
import { writeFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const f = new Float32Array(1);
const u = new Uint32Array(f.buffer);
const bitsOf = (x: number) => {
  f[0] = x;
  return u[0]!;
};
const fromBits = (b: number) => {
  u[0] = b;
  return f[0]!;
};

// The reference rounded to f32, with planted faults: where the bound decides the rounding this is
// the correctly rounded result, so the only mismatches are the planted ones.
const planted = new Map<number, number>();
const impl =
  (ref: typeof refGelu): SweepImpl =>
  (xs, out) => {
    // read bits through a view: a NaN read as a number loses its payload
    const xb = new Uint32Array(xs.buffer, xs.byteOffset, xs.length);
    for (let i = 0; i < xs.length; i++) {
      const b = xb[i]!;
      out[i] = planted.has(b) ? planted.get(b)! : Math.fround(ref(xs[i]!).y);
    }
  };
const noOracle = null;

describe('sweep engine', () => {
  it('steps between float32 values: ±0 are one point, NaN vs number is infinite, NaN vs NaN is 0', () => {
    expect(stepsF32(0, -0)).toBe(0);
    expect(stepsF32(1, 1 + 2 ** -23)).toBe(1);
    expect(stepsF32(-(2 ** -149), 2 ** -149)).toBe(2); // −min, ±0, +min
    expect(stepsF32(NaN, 1)).toBe(Infinity);
    expect(stepsF32(NaN, NaN)).toBe(0);
    expect(stepsF32(3.4028234663852886e38, Infinity)).toBe(1);
  });
  it('finds exactly the planted faults in [1, 1.0078125) (gelu tanh: 65536 inputs, none escalated)', async () => {
    const start = 0x3f800000;
    planted.clear();
    const x1 = fromBits(start + 5);
    planted.set(start + 5, fromBits(bitsOf(Math.fround(refGeluTanh(x1).y)) + 3)); // 3 steps up
    planted.set(start + 9, NaN);
    const c = await sweepRange('gelu-tanh', start, start + 65536, impl(refGeluTanh), noOracle);
    expect(c.undecided).toBe(0);
    expect(c.checked).toBe(65536);
    expect(c.mismatches).toBe(2);
    expect(c.histogram).toEqual({ 0: 65534, 3: 1, Infinity: 1 });
    expect(c.worst.map((w) => [w.bits, w.steps])).toEqual([
      [start + 9, 'Infinity'],
      [start + 5, 3],
    ]);
    // [1, 1.0078125) is all in the normal region, and its worst input is the NaN one
    expect(c.regions.normal).toMatchObject({ checked: 65536, mismatches: 2, maxSteps: 'Infinity', worst: { bits: start + 9 } });
    expect(c.regions.tail).toEqual({ checked: 0, mismatches: 0, maxSteps: 0, worst: null });
    planted.clear();
  });
  it('a zero of the wrong sign is a mismatch counted in zeroSign, at 0 steps (gelu near −0: the correct result is −0 or below)', async () => {
    // bits 0x80000000.. are −0, −min, …: gelu(−0) = −0 and gelu of the smallest negative subnormals is a
    // negative subnormal or −0; plant +0 at −0 and at one input whose correct result is −0.
    const start = 0x80000000;
    planted.clear();
    planted.set(start, 0);
    planted.set(start + 1, 0); // gelu(−2^-149) = −2^-150·(1 − …) ties below half of 2^-149: −0 (checked below)
    const c = await sweepRange('gelu', start, start + 4096, impl(refGelu), noOracle);
    expect(Object.is(Math.fround(refGelu(-(2 ** -149)).y), -0)).toBe(true);
    expect(c.mismatches).toBe(2);
    expect(c.zeroSign).toBe(2);
    expect(c.histogram[0]).toBe(c.checked);
    expect(c.worst.map((w) => [w.bits, w.got, w.expected, w.steps, w.zeroSign])).toEqual([
      [start, '0', '-0', 0, true],
      [start + 1, '0', '-0', 0, true],
    ]);
    planted.clear();
  });
  it('NaN payloads: every NaN input must give a NaN; a number there is a mismatch', async () => {
    const start = 0x7f800000; // +Infinity, then NaN payloads
    planted.clear();
    planted.set(start + 100, 0);
    const c = await sweepRange('gelu', start, start + 4096, impl(refGelu), noOracle);
    expect(c.nan).toBe(4095);
    expect(c.mismatches).toBe(1);
    expect(c.worst[0]).toMatchObject({ bits: start + 100, got: '0', expected: 'NaN', steps: 'Infinity' });
    planted.clear();
  });
  it('without an oracle, inputs the bound does not decide are counted undecided, never passed', async () => {
    // Rounding-boundary inputs are rare; count them over a binade slice where gelu escalates some
    const c = await sweepRange('gelu', 0xc0000000, 0xc0000000 + (1 << 18), impl(refGelu), noOracle);
    expect(c.undecided).toBeGreaterThan(0);
    expect(c.checked + c.undecided).toBe(1 << 18);
    expect(Object.values(c.histogram).reduce((a, b) => a + b, 0)).toBe(c.checked);
  });

  it('records per region the largest steps and the lowest input reaching them, across blocks and async calls', async () => {
    // 16 bit patterns around 0xc0800000 (= -4, still normal: the tail is x < -4): 9 normal, 7 tail inputs
    const start = 0xc0800000 - 8;
    planted.clear();
    const put = (b: number, steps: number) => planted.set(b, fromBits(bitsOf(Math.fround(refGelu(fromBits(b)).y)) + steps));
    put(start + 2, 2); // -3.99999..., normal
    put(start + 6, 4); // normal
    put(start + 7, 4); // normal, ties with start + 6: the lower bit pattern is kept
    put(0xc0800000 + 3, 1); // below -4: tail
    put(0xc0800000 + 5, 3); // tail, in a later block
    const sync = impl(refGelu);
    const asyncImpl: SweepImpl = async (xs, out) => {
      await new Promise((r) => setTimeout(r, 1));
      sync(xs, out);
    };
    const c = await sweepRange('gelu', start, start + 16, asyncImpl, noOracle, 4);
    expect(c.mismatches).toBe(5);
    expect(c.regions.normal).toMatchObject({ checked: 9, mismatches: 3, maxSteps: 4, worst: { bits: start + 6, steps: 4 } });
    expect(c.regions.tail).toMatchObject({ checked: 7, mismatches: 2, maxSteps: 3, worst: { bits: 0xc0800000 + 5, steps: 3 } });
    // merging two halves gives the same regions as one pass
    const a = await sweepRange('gelu', start, start + 8, asyncImpl, noOracle, 4);
    const b = await sweepRange('gelu', start + 8, start + 16, asyncImpl, noOracle, 4);
    const r = newResult('gelu', 'gpu-cpu', 'x');
    mergeInto(r, b, [[start + 8, start + 16]]);
    mergeInto(r, a, [[start, start + 8]]);
    expect(r.regions).toEqual(c.regions);
    planted.clear();
  });
});

describe('sweep results: intervals and merge', () => {
  it('intervals coalesce when touching and reject overlap (an input checked twice)', () => {
    const l: [number, number][] = [];
    addInterval(l, 10, 20);
    addInterval(l, 30, 40);
    addInterval(l, 20, 30);
    expect(l).toEqual([[10, 40]]);
    addInterval(l, 0, 5);
    expect(l).toEqual([
      [0, 5],
      [10, 40],
    ]);
    expect(() => addInterval(l, 39, 41)).toThrow(SweepFileError);
    expect(() => addInterval(l, 4, 6)).toThrow(/covered twice/);
    expect(() => addInterval(l, 0, 100)).toThrow(/covered twice/);
  });
  it('readResult rejects malformed files with the field path; merge rejects mixed functions', () => {
    const dir = mkdtempSync(join(tmpdir(), 'geglu-sweep-'));
    const good = newResult('gelu', 'kernel-f32', 'x');
    good.intervals = [[0, 4]];
    good.checked = 4;
    good.histogram = { 0: 4 };
    const p = join(dir, 'a.json');
    writeFileSync(p, JSON.stringify(good));
    expect(readResult(p).checked).toBe(4);
    writeFileSync(p, JSON.stringify({ ...good, checked: 5 }));
    expect(() => readResult(p)).toThrow(/\$\.histogram: counts 4 inputs but checked is 5/);
    writeFileSync(p, JSON.stringify({ ...good, intervals: [[4, 0]] }));
    expect(() => readResult(p)).toThrow(/\$\.intervals\[0\]: expected 0 ≤ start < end ≤ 2\^32/);
    writeFileSync(p, '{"kind": "geglu-sweep", ');
    expect(() => readResult(p)).toThrow(/not valid JSON/);
    const other = { ...good, fn: 'gelu-tanh' as const, intervals: [[4, 8]] as [number, number][] };
    expect(() =>
      mergeResults([
        { file: 'a', result: good },
        { file: 'b', result: other },
      ]),
    ).toThrow(/fn gelu-tanh differs/);
    const otherBackend = { ...good, backend: 'gpu-cpu' as const, intervals: [[4, 8]] as [number, number][] };
    expect(() =>
      mergeResults([
        { file: 'a', result: good },
        { file: 'b', result: otherBackend },
      ]),
    ).toThrow(/backend gpu-cpu differs/);
    // one sweep is one multiply-add path: shards with and without relaxed SIMD do not merge
    const relaxed = { ...good, relaxedSimd: true, intervals: [[4, 8]] as [number, number][] };
    expect(() =>
      mergeResults([
        { file: 'a', result: { ...good, relaxedSimd: false } },
        { file: 'b', result: relaxed },
      ]),
    ).toThrow(/b: ran with relaxed SIMD, a without/);
    expect(mergeResults([{ file: 'b', result: relaxed }]).relaxedSimd).toBe(true);
    writeFileSync(p, JSON.stringify({ ...good, relaxedSimd: 'yes' }));
    expect(() => readResult(p)).toThrow(/\$\.relaxedSimd: expected true or false, got "yes"/);
    writeFileSync(p, JSON.stringify({ ...good, backend: 'gpu-gl' }));
    expect(() => readResult(p)).toThrow(
      /\$\.backend: expected one of kernel-f32, kernel-bf16, kernel-f16, gpu-webasm, gpu-cpu, gpu-webgpu, got "gpu-gl"/,
    );
    writeFileSync(
      p,
      JSON.stringify({ ...good, regions: { ...good.regions, tail: { checked: 0, mismatches: 0, maxSteps: 2, worst: null } } }),
    );
    expect(() => readResult(p)).toThrow(/\$\.regions\.tail\.worst: expected the input reaching maxSteps 2/);
    writeFileSync(p, JSON.stringify({ ...good, version: 1 }));
    expect(() => readResult(p)).toThrow(/\$\.version: expected 2/);
  });
});
