// Kernel arrays (src/elementwise/kernel-arrays.ts) on the calling thread:
// the kernels read and write them in the kernel memory without copies, and
// must give exactly what they give for ordinary Float32Arrays. The threaded
// direct path is tested against the build in parallel.test.ts.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { geglu, gegluPacked, geluArray, isKernelFloat32Array, kernelFloat32Array, releaseKernelFloat32Array } from '../../src/index.js';
import { ALIGN, RangeAllocator } from '../../src/elementwise/allocator.js';
import { kernelMemory, simdAvailable } from '../../src/elementwise/simd.js';
import { f32FromBits, firstDifference } from './helpers.js';

const FORMS = ['none', 'tanh'] as const;

/** Index of the first element where a and b differ (Object.is), or -1. */
/** Every 4099th bit pattern (all binades, NaNs, subnormals) interleaved with [-17, 7], and ±0, ±∞ at the front. */
function inputs(n: number, phase: number): Float32Array {
  const x = new Float32Array(n);
  for (let i = 0; i < n; i++) x[i] = i % 2 === 0 ? f32FromBits((i * 4099 + phase) | 0) : -17 + (((24 * i) / n + phase / 7) % 24);
  x.set([0, -0, Infinity, -Infinity, NaN, -10.78, 4.995].slice(0, n));
  return x;
}

function kernelCopy(x: Float32Array): Float32Array {
  const k = kernelFloat32Array(x.length);
  k.set(x);
  return k;
}

describe('RangeAllocator', () => {
  it('hands out aligned, disjoint ranges, reuses and merges freed ones, and falls back to its start when all are freed (seeded property)', () => {
    fc.assert(
      fc.property(fc.array(fc.oneof(fc.integer({ min: 1, max: 5000 }), fc.constant(-1), fc.constant(-2)), { maxLength: 200 }), (ops) => {
        const a = new RangeAllocator(1000);
        const live: Array<[number, number]> = [];
        for (const op of ops) {
          if (op > 0) {
            const at = a.allocate(op);
            expect(at % ALIGN).toBe(0);
            expect(at).toBeGreaterThanOrEqual(1000);
            for (const [b, size] of live) expect(at + op <= b || b + size <= at).toBe(true);
            expect(at + op).toBeLessThanOrEqual(a.high);
            live.push([at, op]);
          } else if (live.length > 0) {
            // -1 frees the oldest live range, -2 the newest.
            const [at] = op === -1 ? live.shift()! : live.pop()!;
            expect(a.release(at)).toBeGreaterThan(0);
            expect(a.release(at)).toBeUndefined();
          }
        }
        for (const [at] of live) a.release(at);
        expect(a.high).toBe(1024);
        expect(a.allocate(1)).toBe(1024);
      }),
      { numRuns: 300 },
    );
  });
  it('rejects a size that is not a positive integer', () => {
    const a = new RangeAllocator(0);
    expect(() => a.allocate(0)).toThrow(/bytes is 0, expected a positive integer/);
    expect(() => a.allocate(1.5)).toThrow(/bytes is 1.5/);
  });
});

describe.runIf(simdAvailable())('kernel arrays (WebAssembly SIMD kernel, calling thread)', () => {
  it('kernelFloat32Array gives zeroed Float32Arrays in the kernel memory; subarrays are kernel arrays, copies are not', () => {
    const a = kernelFloat32Array(1000);
    expect(a).toBeInstanceOf(Float32Array);
    expect(a.length).toBe(1000);
    expect(a.every((v) => Object.is(v, 0))).toBe(true);
    expect(isKernelFloat32Array(a)).toBe(true);
    expect(isKernelFloat32Array(a.subarray(10, 20))).toBe(true);
    expect(isKernelFloat32Array(a.slice())).toBe(false);
    expect(isKernelFloat32Array(new Float32Array(4))).toBe(false);
    expect(isKernelFloat32Array(new Float64Array(4))).toBe(false);
    a.fill(7);
    releaseKernelFloat32Array(a);
    // The range is handed out again, zeroed.
    const b = kernelFloat32Array(1000);
    expect(b.every((v) => Object.is(v, 0))).toBe(true);
    releaseKernelFloat32Array(b);
  });

  for (const approximate of FORMS) {
    it(`geluArray (${approximate}) on kernel arrays equals it on ordinary arrays: into another kernel array, in place, and mixed with ordinary ones`, () => {
      const n = 3 * 8192 + 13;
      const x = inputs(n, 5);
      const want = geluArray(x, { approximate });
      const kx = kernelCopy(x);
      const results = {
        direct: geluArray(kx, { approximate, out: kernelFloat32Array(n) }),
        newOut: geluArray(kernelCopy(x), { approximate }),
        inPlace: (() => {
          const y = kernelCopy(x);
          return geluArray(y, { approximate, out: y });
        })(),
        kernelIn: geluArray(kx, { approximate, out: new Float32Array(n) }),
        kernelOut: geluArray(x, { approximate, out: kernelFloat32Array(n) }),
        subarrays: (() => {
          const y = kernelCopy(x);
          // An odd element offset: kernel views need not be 8-byte aligned.
          const tail = y.subarray(3);
          geluArray(tail, { approximate, out: tail });
          geluArray(y.subarray(0, 3), { approximate, out: y.subarray(0, 3) });
          return y;
        })(),
      };
      const bad = Object.entries(results)
        .map(([name, got]) => [name, firstDifference(got, want)] as const)
        .filter(([, i]) => i >= 0)
        .map(([name, i]) => ({ name, i, x: x[i], got: results[name as keyof typeof results][i], want: want[i] }));
      expect(bad).toEqual([]);
      expect(kx).toEqual(x); // the input is left alone
    });
    it(`geglu and gegluPacked (${approximate}) on kernel arrays equal them on ordinary arrays, out = gate, up or a third array`, () => {
      const n = 2 * 8192 + 7;
      const gate = inputs(n, 11);
      const up = inputs(n, 12).map((u, i) => (i % 5 === 0 ? u : Math.cos(i) * 2 ** ((i % 41) - 20)));
      const want = geglu(gate, up, { approximate });
      const out3 = geglu(kernelCopy(gate), kernelCopy(up), { approximate, out: kernelFloat32Array(n) });
      const g = kernelCopy(gate);
      const outGate = geglu(g, kernelCopy(up), { approximate, out: g });
      const u = kernelCopy(up);
      const outUp = geglu(kernelCopy(gate), u, { approximate, out: u });
      expect([firstDifference(out3, want), firstDifference(outGate, want), firstDifference(outUp, want)]).toEqual([-1, -1, -1]);
      // Packed rows of 2f = 2·4096: [gate | up] per row.
      const rows = 3;
      const f = 4096;
      const packed = new Float32Array(rows * 2 * f);
      for (let r = 0; r < rows; r++) {
        packed.set(gate.subarray(r * f, (r + 1) * f), r * 2 * f);
        packed.set(up.subarray(r * f, (r + 1) * f), r * 2 * f + f);
      }
      const wantPacked = gegluPacked(packed, f, { approximate });
      const gotPacked = gegluPacked(kernelCopy(packed), f, { approximate, out: kernelFloat32Array(rows * f) });
      expect(firstDifference(gotPacked, wantPacked)).toBe(-1);
    });
  }

  it('arrays made before the memory grows stay valid, and kernels read and write across its sizes', () => {
    const k = kernelMemory()!;
    const before = k.instance.memory.buffer.byteLength;
    const n = 1 << 20;
    const x = kernelCopy(inputs(n, 3));
    // 64 MiB more than the memory has: it must grow.
    const big = kernelFloat32Array(before / 4 + (1 << 24));
    expect(k.instance.memory.buffer.byteLength).toBeGreaterThan(before);
    const tail = big.subarray(big.length - n);
    tail.set(x);
    const want = geluArray(x.slice());
    expect(firstDifference(geluArray(x, { out: tail }), want)).toBe(-1);
    expect(firstDifference(geluArray(tail, { out: x }), geluArray(want))).toBe(-1);
    releaseKernelFloat32Array(big);
    releaseKernelFloat32Array(x);
  });

  it("a view over another kernel array's elements, on a buffer object from after the memory grew, counts as overlapping", () => {
    const a = kernelFloat32Array(4096);
    const grown = kernelFloat32Array((kernelMemory()!.instance.memory.buffer.byteLength >> 2) + 4096);
    expect(grown.buffer).not.toBe(a.buffer);
    const alias = new Float32Array(grown.buffer, a.byteOffset + 4, a.length);
    expect(() => geluArray(a, { out: alias })).toThrow(/geluArray: options.out partially overlaps x/);
    const same = new Float32Array(grown.buffer, a.byteOffset, a.length);
    a.fill(1);
    geluArray(a, { out: same }); // the same elements: in place
    expect(a[0]).toBe(Math.fround(0.8413447460685429));
    releaseKernelFloat32Array(grown);
    releaseKernelFloat32Array(a);
  });

  it('bad arguments get errors that name them', () => {
    expect(() => kernelFloat32Array(-1)).toThrow(/kernelFloat32Array: length is -1, expected a non-negative integer/);
    expect(() => kernelFloat32Array(2.5)).toThrow(/length is 2.5/);
    expect(() => kernelFloat32Array('8' as unknown as number)).toThrow(/length is 8, expected/);
    expect(() => kernelFloat32Array(2 ** 31)).toThrow(/kernelFloat32Array: cannot allocate 8589934592 bytes of kernel memory/);
    expect(() => kernelFloat32Array(2 ** 52)).toThrow(/kernelFloat32Array: cannot allocate 18014398509481984 bytes of kernel memory/);
    const a = kernelFloat32Array(100);
    expect(() => releaseKernelFloat32Array(a.subarray(1))).toThrow(
      /releaseKernelFloat32Array: a .* is not a live array from kernelFloat32Array/,
    );
    expect(() => releaseKernelFloat32Array(a.subarray(0, 50))).toThrow(/not a live array/);
    releaseKernelFloat32Array(a);
    expect(() => releaseKernelFloat32Array(a)).toThrow(/released already/);
    expect(() => releaseKernelFloat32Array(new Float32Array(3))).toThrow(/a is not in the kernel memory/);
    expect(() => releaseKernelFloat32Array([1, 2] as unknown as Float32Array)).toThrow(
      /releaseKernelFloat32Array: a is .*expected a Float32Array/,
    );
    releaseKernelFloat32Array(kernelFloat32Array(0)); // length 0: an ordinary empty array, accepted
  });
});
