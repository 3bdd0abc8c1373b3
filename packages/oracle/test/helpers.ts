import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { FloatFormat, OracleFunction } from '../src/index.js';

/** The float of the format whose bit pattern is the hex string `h`. */
export function fromBits(h: string, format: FloatFormat): number {
  if (format === 'f64') return new Float64Array(new BigUint64Array([BigInt(h)]).buffer)[0]!;
  return new Float32Array(new Uint32Array([Number(h)]).buffer)[0]!;
}

export interface ReferenceLine {
  format: FloatFormat;
  fn: OracleFunction;
  x: string;
  x_bits: string;
  expected: string;
  expected_bits: string;
}

export function readJsonl<T>(name: string): T[] {
  const path = fileURLToPath(new URL(`./fixtures/${name}`, import.meta.url));
  return readFileSync(path, 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as T);
}

export function readJson<T>(name: string): T {
  const path = fileURLToPath(new URL(`./fixtures/${name}`, import.meta.url));
  return JSON.parse(readFileSync(path, 'utf8')) as T;
}

/** Neighbouring float towards −∞ (f64 or f32) as IEEE 754 nextDown: nextDown(±0) = −(smallest subnormal). */
export function nextDown(x: number, format: FloatFormat): number {
  if (x === 0) return format === 'f64' ? -(2 ** -1074) : -(2 ** -149);
  if (format === 'f64') {
    const b = new BigInt64Array(new Float64Array([x]).buffer)[0]!;
    const nb = x > 0 ? b - 1n : b + 1n;
    return new Float64Array(new BigInt64Array([nb]).buffer)[0]!;
  }
  const b = new Int32Array(new Float32Array([x]).buffer)[0]!;
  const nb = x > 0 ? b - 1 : b + 1;
  return new Float32Array(new Int32Array([nb]).buffer)[0]!;
}

/** Neighbouring float towards +∞. */
export function nextUp(x: number, format: FloatFormat): number {
  return -nextDown(-x, format);
}

/** A small MLP of float32 values (sines: fixed, no generator) for the oracle's MLP tests, and x for it. */
export function smallMlp(hidden: number, intermediate: number, tokens: number) {
  const rnd = (n: number, seed: number) => Array.from({ length: n }, (_, i) => Math.fround(Math.sin(seed * 97 + i * 13.1) * 1.5));
  const weights = {
    gate: rnd(intermediate * hidden, 1),
    up: rnd(intermediate * hidden, 2),
    down: rnd(hidden * intermediate, 3),
    hidden,
    intermediate,
  };
  return { weights, x: rnd(tokens * hidden, 4), dy: rnd(tokens * hidden, 5) };
}
