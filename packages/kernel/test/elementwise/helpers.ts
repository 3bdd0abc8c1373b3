import { bitsToF32, bitsToF64 as f64FromBits, compareResult, f32ToBits } from '@geglu/float';
import fc from 'fast-check';

/** The float32 whose bit pattern is `bits` (every pattern: subnormals, ±∞, NaN payloads). */
export function f32FromBits(bits: number): number {
  return bitsToF32(bits >>> 0);
}

/** The float32 bit pattern of a float32 value, as a signed 32-bit integer. */
export function bitsOfF32(x: number): number {
  return f32ToBits(x) | 0;
}

/** Any float32, drawn uniformly over its 2^32 bit patterns. */
export const anyF32Bits = fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 }).map(f32FromBits);
/** Any double, drawn uniformly over its 2^64 bit patterns. */
export const anyF64Bits = fc.bigInt({ min: 0n, max: 2n ** 64n - 1n }).map(f64FromBits);

/**
 * float32 values in [min, max], drawn uniformly over the bit patterns in that
 * range (fast-check's float is indexed by bit pattern), so subnormals and
 * each binade get their share.
 */
export function f32In(min: number, max: number): fc.Arbitrary<number> {
  return fc.float({ min: Math.fround(min), max: Math.fround(max), noNaN: true, noDefaultInfinity: true });
}

/** Doubles in [min, max], uniform over bit patterns like {@link f32In}. */
export function f64In(min: number, max: number): fc.Arbitrary<number> {
  return fc.double({ min, max, noNaN: true, noDefaultInfinity: true });
}

/**
 * Steps from the correctly rounded value, except that a zero of the wrong sign
 * counts as a failure (Infinity): ±0 are 0 steps apart, but the kernel promises
 * correctly signed zeros in the underflowing tails, and a region test must be
 * able to catch a lost sign (@geglu/float's compareResult flags it).
 */
export function stepsWithSign(computed: number, want: number, format: 'f32' | 'f64'): number {
  const c = compareResult(computed, want, format);
  return c.zeroSign ? Infinity : c.steps;
}

/** m odd and e with v = m·2^e, for a finite nonzero double v (m as a BigInt). */
function oddMantissa(v: number): { m: bigint; e: number } {
  let e = 0;
  let a = Math.abs(v);
  while (!Number.isInteger(a)) {
    a *= 2; // exact: a power of two
    e--;
  }
  let m = BigInt(a);
  while ((m & 1n) === 0n) {
    m >>= 1n;
    e++;
  }
  return { m, e };
}

function bitLength(m: bigint): number {
  return m.toString(2).length;
}

/**
 * Pairs (g, u) whose exact product g·u lies exactly halfway between two floats
 * of `format` (a tie), with g in [gMin, gMax] and either sign of u: g = mg·2^eg
 * and u = mu·2^eu with mg, mu odd and mg·mu of exactly p + 1 bits (p = 24 or
 * 53), so the product's last bit is the half. |g·u| is near 2^s for s spread
 * over most of the format's normal range, so u is tiny or huge as g requires.
 * Where gelu(g) lies within 2^-106 of g (g ≥ ~10) or of g/2 (|g| < 2^-60),
 * the float result hangs on the sign of a part no double-double holds.
 */
export function exactTieProduct(format: 'f32' | 'f64', gMin: number, gMax: number): fc.Arbitrary<[number, number]> {
  const p = format === 'f32' ? 24 : 53;
  const gArb = format === 'f32' ? f32In(gMin, gMax) : f64In(gMin, gMax);
  const sMax = format === 'f32' ? 100 : 1000;
  return fc
    .tuple(gArb, fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }), fc.integer({ min: -sMax, max: sMax }), fc.boolean())
    .map(([g, t, s, negative]): [number, number] | undefined => {
      if (g === 0) return undefined;
      const { m: mg } = oddMantissa(g);
      // Odd mu with 2^p ≤ mg·mu < 2^(p+1), and mu itself a p-bit float mantissa.
      const lo = ((1n << BigInt(p)) + mg - 1n) / mg;
      const hi = ((1n << BigInt(p + 1)) - 1n) / mg;
      const first = lo | 1n;
      if (first > hi || first >= 1n << BigInt(p)) return undefined;
      const count = (hi - first) / 2n + 1n;
      const mu = first + 2n * BigInt(Math.floor(t * Number(count)));
      if (mu >= 1n << BigInt(p)) return undefined;
      // |u| ≈ 2^s / |g|, in two power-of-two steps so neither factor underflows alone.
      const e = s - Math.floor(Math.log2(Math.abs(g))) - (bitLength(mu) - 1);
      const u = Number(mu) * 2 ** Math.trunc(e / 2) * 2 ** (e - Math.trunc(e / 2));
      if (!Number.isFinite(u) || u === 0 || (format === 'f32' && Math.fround(u) !== u)) return undefined;
      return [g, negative ? -u : u];
    })
    .filter((pair): pair is [number, number] => pair !== undefined && isExactTie(pair[0], pair[1], format));
}

/** Whether g·u (exactly) lies halfway between two adjacent floats of the format (subnormals included). */
export function isExactTie(g: number, u: number, format: 'f32' | 'f64'): boolean {
  const p = format === 'f32' ? 24 : 53;
  const etiny = format === 'f32' ? -149 : -1074;
  const a = oddMantissa(g);
  const b = oddMantissa(u);
  const m = a.m * b.m; // odd
  const e = a.e + b.e;
  // The spacing of the floats around m·2^e is 2^q; halfway means m·2^e = (k + ½)·2^q.
  const q = Math.max(e + bitLength(m) - p, etiny);
  return e === q - 1;
}

/** The first index where a and b differ as results (±0 distinct, any NaN equal to any NaN), or the shorter length when one is a prefix of the other; −1 when equal. */
export function firstDifference(a: Float32Array, b: Float32Array): number {
  for (let i = 0; i < a.length; i++) if (!Object.is(a[i], b[i])) return i;
  return a.length === b.length ? -1 : a.length;
}

type Parallel = typeof import('../../src/elementwise/parallel.js');

/** The built package: the tests of worker threads run against it (the workers load its dist/ files). */
export const distIndex = new URL('../../dist/index.js', import.meta.url);

/**
 * The built package's parallel module with `settings` for the pools it starts from now on
 * (setPoolForTests; vitest runs each test file in its own process, so they stay in that file), or
 * null before a build.
 */
export async function distParallel(settings: Parameters<Parallel['setPoolForTests']>[0]): Promise<Parallel | null> {
  const parallel = (await import(new URL('../../dist/elementwise/parallel.js', import.meta.url).href).catch(() => null)) as Parallel | null;
  parallel?.setPoolForTests(settings);
  return parallel;
}
