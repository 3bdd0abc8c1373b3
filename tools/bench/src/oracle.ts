import { compareResult } from '@geglu/float';
import type { Accuracy, Approximate, FloatFormat, MlpWeights32 } from './types.js';

/** The part of @geglu/oracle's contract (docs/architecture.md) the benchmark uses. */
export interface OracleApi {
  correctlyRounded(fn: string, x: number, format: FloatFormat): number;
  geglu(gate: readonly number[], up: readonly number[], options: { approximate?: Approximate; digits: number }): unknown[];
  gemma2Mlp(
    x: readonly number[],
    weights: { gate: readonly number[]; up: readonly number[]; down: readonly number[]; hidden: number; intermediate: number },
    tokens: number,
    options: { approximate?: Approximate; digits: number },
  ): unknown[];
  roundDecimal(value: unknown, format: FloatFormat): number;
}

let cached: Promise<OracleApi | string> | undefined;

/** Resolves to the oracle, or to the reason it cannot be used (so rows say why, not crash). */
export function loadOracle(): Promise<OracleApi | string> {
  cached ??= (async () => {
    try {
      const mod = (await import('@geglu/oracle')) as unknown as Partial<OracleApi>;
      const missing = (['correctlyRounded'] as const).filter((k) => typeof mod[k] !== 'function');
      if (missing.length > 0) return `@geglu/oracle does not export ${missing.join(', ')} yet`;
      return mod as OracleApi;
    } catch (e) {
      return `@geglu/oracle failed to load: ${(e as Error).message}`;
    }
  })();
  return cached;
}

export function oracleFunction(approximate: Approximate): string {
  return approximate === 'none' ? 'gelu' : 'gelu-tanh';
}

/** Correctly rounded references, computed once per (variant, format) and shared by every row. */
export class References {
  private readonly cache = new Map<string, Float64Array>();
  constructor(
    private readonly oracle: OracleApi,
    private readonly x: Float32Array,
    private readonly up: Float32Array,
  ) {}

  gelu(approximate: Approximate, format: FloatFormat): Float64Array {
    const key = `gelu/${approximate}/${format}`;
    let ref = this.cache.get(key);
    if (ref === undefined) {
      const fn = oracleFunction(approximate);
      ref = new Float64Array(this.x.length);
      for (let i = 0; i < this.x.length; i++) {
        ref[i] = this.oracle.correctlyRounded(fn, this.x[i]!, format);
      }
      this.cache.set(key, ref);
    }
    return ref;
  }

  mlp(key: string, x: Float32Array, weights: MlpWeights32, format: FloatFormat): Float64Array {
    const k = `mlp/${key}/${format}`;
    let ref = this.cache.get(k);
    if (ref === undefined) {
      ref = mlpReference(this.oracle, x, weights, format);
      this.cache.set(k, ref);
    }
    return ref;
  }

  /**
   * GeGLU's product is rounded once from the oracle's high-precision value; 40
   * digits leave ample guard digits over f64's 17 for the product of two enclosures.
   */
  geglu(approximate: Approximate, format: FloatFormat): Float64Array {
    const key = `geglu/${approximate}/${format}`;
    let ref = this.cache.get(key);
    if (ref === undefined) {
      if (typeof this.oracle.geglu !== 'function' || typeof this.oracle.roundDecimal !== 'function') {
        throw new Error('@geglu/oracle does not export geglu and roundDecimal yet');
      }
      const values = this.oracle.geglu(Array.from(this.x), Array.from(this.up), {
        approximate,
        digits: 40,
      });
      ref = Float64Array.from(values, (v) => this.oracle.roundDecimal(v, format));
      this.cache.set(key, ref);
    }
    return ref;
  }
}

/**
 * Above this many weights per matrix the oracle MLP (decimal.js, 3·d·f
 * multiply-adds per token) takes minutes, so MLP accuracy is measured on the
 * small shape only. 2^19 covers d 256 × f 1024 (a few seconds per token).
 */
export const MLP_ORACLE_MAX_WEIGHTS = 2 ** 19;

/** The MLP reference for one token; weights are the workload's own, so rows and reference see the same numbers. */
export function mlpReference(oracle: OracleApi, x: Float32Array, weights: MlpWeights32, format: FloatFormat): Float64Array {
  if (typeof oracle.gemma2Mlp !== 'function' || typeof oracle.roundDecimal !== 'function') {
    throw new Error('@geglu/oracle does not export gemma2Mlp and roundDecimal yet');
  }
  const values = oracle.gemma2Mlp(
    Array.from(x),
    {
      gate: Array.from(weights.gate),
      up: Array.from(weights.up),
      down: Array.from(weights.down),
      hidden: weights.hidden,
      intermediate: weights.intermediate,
    },
    x.length / weights.hidden,
    { approximate: 'tanh', digits: 40 },
  );
  return Float64Array.from(values, (v) => oracle.roundDecimal(v, format));
}

/**
 * Compares one row's outputs on the sample with the correctly rounded reference.
 * A flush is an input in the negative tail (x ≤ NEGATIVE_TAIL) whose correctly
 * rounded result is nonzero but which came back as ±0: the failure mode of
 * implementations that compute 1 + erf or 1 + tanh and lose everything below
 * the 1's last bit.
 */
export function measureAccuracy(
  /** The inputs, to find the negative tail; null where outputs have no input of their own (the MLP). */
  x: Float32Array | null,
  got: Float32Array | Float64Array,
  ref: Float64Array,
  format: FloatFormat,
): Accuracy {
  if (got.length !== ref.length) {
    throw new Error(`measureAccuracy: got has length ${got.length}, expected ${ref.length}`);
  }
  let maxSteps = 0;
  let maxStepsBody = 0;
  let maxStepsTail = 0;
  let nanBody = 0;
  let nanTail = 0;
  let nanOutputs = 0;
  let tailNonzero = 0;
  let flushedToZero = 0;
  let zeroSign = 0;
  for (let i = 0; i < ref.length; i++) {
    const g = format === 'f32' ? Math.fround(got[i]!) : got[i]!;
    const r = ref[i]!;
    const tail = x !== null && x[i]! <= NEGATIVE_TAIL;
    if (Number.isNaN(g) && !Number.isNaN(r)) {
      nanOutputs++;
      if (tail) nanTail++;
      else nanBody++;
      continue;
    }
    const c = compareResult(g, r, format);
    const steps = c.steps;
    if (c.zeroSign) zeroSign++;
    if (steps > maxSteps) maxSteps = steps;
    if (tail && steps > maxStepsTail) maxStepsTail = steps;
    if (!tail && steps > maxStepsBody) maxStepsBody = steps;
    if (tail && r !== 0) {
      tailNonzero++;
      if (g === 0) flushedToZero++;
    }
  }
  return {
    format,
    sampleSize: ref.length,
    maxSteps: nanOutputs > 0 ? null : maxSteps,
    maxStepsBody: nanBody > 0 ? null : maxStepsBody,
    maxStepsTail: nanTail > 0 ? null : maxStepsTail,
    nanOutputs,
    tailNonzero,
    flushedToZero,
    zeroSign,
  };
}

/** Inputs at or below this count as the negative tail (see SAMPLE_COMPOSITION). */
export const NEGATIVE_TAIL = -3;
