import { correctlyRounded } from '@geglu/oracle';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { geluGrad, geluGradArray, kernelFloat32Array, releaseKernelFloat32Array } from '../../src/index.js';
import { EXACT_GRAD_ROOT_0, TANH_GRAD_ROOT_0 } from '../../src/elementwise/grad-roots.generated.js';
import { anyF32Bits, bitsOfF32, f32FromBits, f32In, f64In, stepsWithSign } from './helpers.js';

type GradFn = 'gelu-grad' | 'gelu-tanh-grad';
const FORMS: ReadonlyArray<[GradFn, 'none' | 'tanh', number]> = [
  ['gelu-grad', 'none', EXACT_GRAD_ROOT_0],
  ['gelu-tanh-grad', 'tanh', TANH_GRAD_ROOT_0],
];

/** Inputs whose result is not the oracle's correctly rounded one (zero signs count), with the values. */
function mismatches(fn: GradFn, xs: ArrayLike<number>, ys: ArrayLike<number>, format: 'f32' | 'f64'): string[] {
  const bad: string[] = [];
  for (let i = 0; i < xs.length; i++) {
    const want = correctlyRounded(fn, xs[i]!, format);
    const got = ys[i]!;
    if (want !== want ? got === got : stepsWithSign(got, want, format) !== 0) bad.push(`${fn}(${xs[i]}) = ${got}, want ${want}`);
  }
  return bad;
}

/** The float32 values n steps either side of x (inclusive), in order. */
function f32Around(x: number, n: number): Float32Array {
  const b = bitsOfF32(Math.fround(x));
  // negative floats: bit patterns grow away from zero
  return Float32Array.from({ length: 2 * n + 1 }, (_, i) => f32FromBits(b - n + i));
}

// Regions follow the cores' method (src/elementwise/grad-cores.ts): the f64 underflow, the erfc
// continued fraction and series, the root's Taylor window and both sides of it, the positive
// side up to where f′ rounds to 1, and tiny |x|.
const F64_REGIONS: Record<GradFn, ReadonlyArray<[number, number]>> = {
  'gelu-grad': [
    [-40.5, -37.5],
    [-37.5, -8],
    [-8, -3.5356],
    [-3.5356, -0.79],
    [-0.79, -0.72],
    [-0.72, 0.5],
    [0.5, 3.5],
    [3.5, 12.5],
    [-(2 ** -55), 2 ** -55],
  ],
  'gelu-tanh-grad': [
    [-25.5, -20],
    [-20, -4],
    [-4, -0.79],
    [-0.79, -0.72],
    [-0.72, 0.5],
    [0.5, 4],
    [4, 10.5],
    [-(2 ** -55), 2 ** -55],
  ],
};

describe.each(FORMS)('%s', (fn, approximate, root) => {
  const options = { approximate } as const;

  it('float64 scalar: correctly rounded in every method interval (fast-check)', () => {
    for (const [lo, hi] of F64_REGIONS[fn]) {
      fc.assert(
        fc.property(fc.array(f64In(lo, hi), { minLength: 1, maxLength: 8 }), (xs) => {
          const ys = xs.map((x) => geluGrad(x, options));
          expect(mismatches(fn, xs, ys, 'f64')).toEqual([]);
        }),
        { numRuns: 25 },
      );
    }
  });

  it('float64 scalar: dense at the root (the 400 doubles around it and r ± 2^-k down to 2^-60)', () => {
    const xs: number[] = [];
    for (let i = -200; i <= 200; i++) xs.push(root + i * 2 ** -53);
    for (let k = 6; k <= 60; k++) xs.push(root + 2 ** -k, root - 2 ** -k, root + 1.7 * 2 ** -k, root - 1.3 * 2 ** -k);
    const ys = xs.map((x) => geluGrad(x, options));
    expect(mismatches(fn, xs, ys, 'f64')).toEqual([]);
  });

  it('float32 array: every float32 within 2^12 steps of the root', () => {
    const xs = f32Around(root, 4096);
    expect(mismatches(fn, xs, geluGradArray(xs, options), 'f32')).toEqual([]);
  });

  it('float32 array: the negative tail every 2^11th float32 from −4 down to −0, and 2^10 floats around the last nonzero result', () => {
    const xs: number[] = [];
    let last = 0;
    for (let b = bitsOfF32(-4); ; b += 2048) {
      const x = f32FromBits(b);
      if (!(x > -16)) break;
      xs.push(x);
    }
    const ys = geluGradArray(Float32Array.from(xs), options);
    expect(mismatches(fn, xs, ys, 'f32')).toEqual([]);
    for (let i = 0; i < ys.length; i++) if (ys[i] !== 0) last = xs[i]!;
    const edge = f32Around(last, 1024);
    expect(mismatches(fn, edge, geluGradArray(edge, options), 'f32')).toEqual([]);
  });

  it('float32 array: correctly rounded for any bit pattern (fast-check)', () => {
    fc.assert(
      fc.property(fc.array(anyF32Bits, { minLength: 1, maxLength: 64 }), (xs) => {
        const x = Float32Array.from(xs);
        expect(mismatches(fn, x, geluGradArray(x, options), 'f32')).toEqual([]);
      }),
      { numRuns: 40 },
    );
  });

  it('float64 array: the scalar per element, in place too', () => {
    const xs = Float64Array.of(root, -3, -0.5, 0.25, 2, -30, 1e-300);
    const want = Array.from(xs, (x) => geluGrad(x, options));
    expect(Array.from(geluGradArray(xs, options))).toEqual(want);
    geluGradArray(xs, { ...options, out: xs });
    expect(Array.from(xs)).toEqual(want);
  });

  it('float32 array: in place and on kernel arrays, the same bits as into a new array (chunk edges, tails)', () => {
    const n = 3 * 8192 + 5;
    const xs = Float32Array.from(fc.sample(fc.oneof(f32In(-12, 12), anyF32Bits), { numRuns: n }));
    const want = geluGradArray(xs, { approximate });
    const same = (got: Float32Array) => want.every((w, i) => Object.is(w, got[i]) || (w !== w && got[i] !== got[i]));
    const inPlace = xs.slice();
    geluGradArray(inPlace, { approximate, out: inPlace });
    expect(same(inPlace)).toBe(true);
    const k = kernelFloat32Array(n);
    const kOut = kernelFloat32Array(n);
    try {
      k.set(xs);
      geluGradArray(k, { approximate, out: kOut });
      expect(same(kOut)).toBe(true);
      geluGradArray(k, { approximate, out: k });
      expect(same(k)).toBe(true);
    } finally {
      releaseKernelFloat32Array(k);
      releaseKernelFloat32Array(kOut);
    }
  });

  it('special values: NaN → NaN, +∞ → 1, −∞ → −0, ±0 → ½ (scalar and both arrays)', () => {
    const xs = [Number.NaN, Infinity, -Infinity, 0, -0];
    const want = [Number.NaN, 1, -0, 0.5, 0.5];
    for (const ys of [
      xs.map((x) => geluGrad(x, options)),
      Array.from(geluGradArray(Float32Array.from(xs), options)),
      Array.from(geluGradArray(Float64Array.from(xs), options)),
    ]) {
      expect(ys).toEqual(want); // toEqual tells −0 from +0 and matches NaN
    }
  });
});

describe('argument checking', () => {
  it('names the argument and what was expected', () => {
    expect(() => geluGrad('1' as unknown as number)).toThrow(/geluGrad: x is .*expected a number/);
    expect(() => geluGrad(1, { approximate: 'erf' as 'none' })).toThrow(/geluGrad: .*approximate/);
    expect(() => geluGradArray([1, 2] as unknown as Float32Array)).toThrow(/geluGradArray: x is .*expected a Float32Array or Float64Array/);
    expect(() => geluGradArray(new Float32Array(2), { out: new Float64Array(2) as unknown as Float32Array })).toThrow(
      /geluGradArray: options.out is .*Float32Array/,
    );
    expect(() => geluGradArray(new Float32Array(2), { out: new Float32Array(3) })).toThrow(/geluGradArray: options.out has length 3/);
  });
});
