/**
 * Tensors with shapes for GeGLU and the Gemma 2 MLP, as Float64Arrays whose
 * elements are exact values of the chosen format (the suites convert to the
 * backend's array type). Shapes are small so the oracle can evaluate every
 * element; the layout is docs/architecture.md's: x [tokens, hidden],
 * gate/up [intermediate, hidden], down [hidden, intermediate], row-major.
 */
import fc from 'fast-check';
import type { FloatFormat } from './floats.js';

/** Finite values in [−limit, limit] of the format, value-uniform (fast-check's float/double). */
export function boundedValue(format: FloatFormat, limit: number): fc.Arbitrary<number> {
  return format === 'f32'
    ? fc.float({ min: -Math.fround(limit), max: Math.fround(limit), noNaN: true, noDefaultInfinity: true })
    : fc.double({ min: -limit, max: limit, noNaN: true, noDefaultInfinity: true });
}

function vector(value: fc.Arbitrary<number>, length: number): fc.Arbitrary<Float64Array> {
  return fc.array(value, { minLength: length, maxLength: length }).map((a) => Float64Array.from(a));
}

export interface GegluCase {
  /** Elements per operand (GeGLU is elementwise once gate and up are computed). */
  length: number;
  gate: Float64Array;
  up: Float64Array;
}

/** Gate and up vectors of the same length (1..maxLength). */
export function gegluCase(
  format: FloatFormat,
  options: { maxLength?: number; gate?: fc.Arbitrary<number>; up?: fc.Arbitrary<number> } = {},
): fc.Arbitrary<GegluCase> {
  const gate = options.gate ?? boundedValue(format, 16);
  const up = options.up ?? boundedValue(format, 16);
  return fc
    .integer({ min: 1, max: options.maxLength ?? 16 })
    .chain((length) => fc.record({ length: fc.constant(length), gate: vector(gate, length), up: vector(up, length) }));
}

export interface MlpShape {
  tokens: number;
  hidden: number;
  intermediate: number;
}

export interface MlpCase extends MlpShape {
  /** [tokens, hidden] */
  x: Float64Array;
  /** [intermediate, hidden] */
  gate: Float64Array;
  /** [intermediate, hidden] */
  up: Float64Array;
  /** [hidden, intermediate] */
  down: Float64Array;
}

export interface MlpCaseOptions {
  maxTokens?: number;
  maxHidden?: number;
  maxIntermediate?: number;
  /** Activations in [−xLimit, xLimit]; weights in [−wLimit, wLimit]. */
  xLimit?: number;
  wLimit?: number;
}

/** An MLP shape with all dimensions ≥ 1. */
export function mlpShape(options: MlpCaseOptions = {}): fc.Arbitrary<MlpShape> {
  return fc.record({
    tokens: fc.integer({ min: 1, max: options.maxTokens ?? 4 }),
    hidden: fc.integer({ min: 1, max: options.maxHidden ?? 8 }),
    intermediate: fc.integer({ min: 1, max: options.maxIntermediate ?? 12 }),
  });
}

/** Inputs and weights for one MLP call, small enough for the oracle. */
export function mlpCase(format: FloatFormat, options: MlpCaseOptions = {}): fc.Arbitrary<MlpCase> {
  const xv = boundedValue(format, options.xLimit ?? 4);
  const wv = boundedValue(format, options.wLimit ?? 1);
  return mlpShape(options).chain((s) =>
    fc.record({
      tokens: fc.constant(s.tokens),
      hidden: fc.constant(s.hidden),
      intermediate: fc.constant(s.intermediate),
      x: vector(xv, s.tokens * s.hidden),
      gate: vector(wv, s.intermediate * s.hidden),
      up: vector(wv, s.intermediate * s.hidden),
      down: vector(wv, s.hidden * s.intermediate),
    }),
  );
}

/** A permutation of 0..n−1 (Fisher–Yates driven by fast-check draws, so it shrinks towards identity). */
export function permutation(n: number): fc.Arbitrary<number[]> {
  if (n <= 1) return fc.constant(Array.from({ length: n }, (_, i) => i));
  return fc.tuple(...Array.from({ length: n - 1 }, (_, i) => fc.integer({ min: 0, max: n - 1 - i }))).map((swaps) => {
    const p = Array.from({ length: n }, (_, i) => i);
    swaps.forEach((s, i) => {
      const j = i + s;
      [p[i], p[j]] = [p[j]!, p[i]!];
    });
    return p;
  });
}
