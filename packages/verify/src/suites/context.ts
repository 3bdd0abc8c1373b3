import { formatFloat } from '@geglu/float';
import { formatLimits, stepFloat, type FloatFormat } from '../arbitraries/floats.js';
import { classifyInput, type InputRegion } from '../arbitraries/regions.js';
import { findThresholds, type GeluFunction, type GeluThresholds } from '../arbitraries/thresholds.js';
import { locateGapMaxima, locateMinimum, type Extremum, type Landmarks } from './landmarks.js';
import type { OracleApi } from './oracle.js';
import {
  gatedSteps,
  regionOf as toleranceRegionOf,
  toleranceFor,
  type ToleranceFunction,
  type ToleranceTable,
} from '../tolerances/index.js';
import type { LazyLandmarks, SuiteContext, SuiteTarget } from './types.js';

export interface ContextOptions {
  oracle: OracleApi;
  table: ToleranceTable | undefined;
  toleranceSource: string;
  /** Every target of the run (the cross-backend properties compare against these). */
  targets?: readonly SuiteTarget[];
  /** A maximiser for the tanh/erf gaps from the constants derivation. */
  gapMaxima?: () => Pick<Landmarks, 'maxGeluGap' | 'maxPhiGap' | 'source'>;
}

/** A tolerance in steps, or why there is none (the property is then skipped, not passed). */
/** A bound, or why there is none; `reportOnly` when the property should still run and report, ungated. */
export type Tolerance = { steps: number; measured: boolean } | { missing: string; reportOnly?: boolean };

export interface FullContext extends SuiteContext {
  targets: readonly SuiteTarget[];
  /**
   * The tolerance of a target at one input, from the table's region of x
   * (src/tolerances regionOf); exact targets have 0; NaN and ±∞ have 0
   * (their results are exact by DESIGN.md).
   */
  toleranceAt(target: SuiteTarget, fn: ToleranceFunction, x: number): Tolerance;
  /** The largest tolerance of a target over the table's regions for fn. */
  maxTolerance(target: SuiteTarget, fn: ToleranceFunction): Tolerance;
  /** The fine-grained input region (src/arbitraries/regions.ts) of x. */
  regionOf(fn: GeluFunction, dtype: FloatFormat, x: number): InputRegion | undefined;
}

/** Builds the context every suite runs in; landmarks are computed on first use and memoised. */
export function createContext(options: ContextOptions): FullContext {
  const { oracle } = options;
  const thresholdCache = new Map<string, GeluThresholds>();
  const minima = new Map<GeluFunction, Extremum>();
  let gaps: Pick<Landmarks, 'maxGeluGap' | 'maxPhiGap' | 'source'> | undefined;
  let oracleGaps: { gelu: Extremum; phi: Extremum } | undefined;
  const landmarks: LazyLandmarks = {
    thresholds(fn, dtype) {
      const key = `${fn}/${dtype}`;
      let t = thresholdCache.get(key);
      if (!t) thresholdCache.set(key, (t = findThresholds(oracle, fn, dtype)));
      return t;
    },
    minimum(fn) {
      let m = minima.get(fn);
      if (!m) minima.set(fn, (m = locateMinimum(oracle, fn)));
      return m;
    },
    gaps() {
      if (!gaps) {
        if (options.gapMaxima) gaps = options.gapMaxima();
        else {
          const g = locateGapMaxima(oracle);
          gaps = { maxGeluGap: g.gelu, maxPhiGap: g.phi, source: 'golden-section search over @geglu/oracle (src/suites/landmarks.ts)' };
        }
      }
      return gaps;
    },
    oracleGaps() {
      return (oracleGaps ??= locateGapMaxima(oracle));
    },
  };
  const memo = new Map<string, number>();
  const correctlyRounded = (fn: GeluFunction, x: number, dtype: FloatFormat): number => {
    const key = `${fn}|${dtype}|${formatFloat(x)}`;
    let v = memo.get(key);
    if (v === undefined) {
      v = oracle.correctlyRounded(fn, x, dtype);
      if (memo.size > 2_000_000) memo.clear();
      memo.set(key, v);
    }
    return v;
  };
  const regionOf = (fn: GeluFunction, dtype: FloatFormat, x: number) => classifyInput(x, landmarks.thresholds(fn, dtype));
  const entry = (target: SuiteTarget, fn: ToleranceFunction, region: 'tail' | 'subnormal' | 'normal'): Tolerance => {
    if (!options.table) return { missing: `no tolerance table loaded (${options.toleranceSource})` };
    const row = target.toleranceOf ?? target.backend;
    const e = toleranceFor(options.table, row, fn, target.dtype, region);
    if (!e) return { missing: `the tolerance table has no entry for ${row} ${fn} ${target.dtype} ${region}` };
    if (e.maxSteps === null)
      return { missing: `${row} ${fn} ${target.dtype} ${region} is not measured in the tolerance table`, reportOnly: true };
    const steps = gatedSteps(e);
    if (steps === null) {
      return {
        missing: `${row} ${fn} ${target.dtype} ${region}: the table's ${e.maxSteps} steps are ${e.basis}, not a bound over all inputs`,
        reportOnly: true,
      };
    }
    return { steps, measured: e.measured };
  };
  const toleranceAt = (target: SuiteTarget, fn: ToleranceFunction, x: number): Tolerance => {
    if (target.precision === 'exact') return { steps: 0, measured: true };
    const region = toleranceRegionOf(fn, target.dtype, x);
    if (region === undefined) return { steps: 0, measured: true };
    return entry(target, fn, region);
  };
  const maxTolerance = (target: SuiteTarget, fn: ToleranceFunction): Tolerance => {
    if (target.precision === 'exact') return { steps: 0, measured: true };
    let m = 0;
    let measured = true;
    for (const region of ['tail', 'subnormal', 'normal'] as const) {
      const t = entry(target, fn, region);
      if ('missing' in t) return t;
      m = Math.max(m, t.steps);
      measured &&= t.measured;
    }
    return { steps: m, measured };
  };
  return {
    oracle,
    landmarks,
    table: options.table,
    toleranceSource: options.toleranceSource,
    correctlyRounded,
    targets: options.targets ?? [],
    toleranceAt,
    maxTolerance,
    regionOf,
  };
}

/** The spacing of the format at |v| (distance to the next float away from zero). */
export function ulpOf(v: number, dtype: FloatFormat): number {
  const a = Math.abs(v);
  if (!Number.isFinite(a)) return Infinity;
  const { max } = formatLimits(dtype);
  if (a >= max) return a - stepFloat(a, -1, dtype);
  return stepFloat(a, 1, dtype) - a;
}

/**
 * Why a zero of the wrong sign fails whatever the tolerance: a bound counts steps, and ±0 are
 * 0 steps apart yet different results (README, the tolerance table).
 */
export const ZERO_SIGN = 'the sign of zero differs (0 steps, a mismatch at any bound)';

/** A number as JavaScript prints it, with −0 kept (@geglu/float's formatFloat). */
export { formatFloat as show } from '@geglu/float';
