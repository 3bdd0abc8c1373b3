import type fc from 'fast-check';
import type { FloatFormat } from '../arbitraries/floats.js';
import type { GeluFunction } from '../arbitraries/thresholds.js';
import type { ToleranceTable } from '../tolerances/index.js';
import type { Precision } from '../backends/types.js';
import type { Landmarks } from './landmarks.js';
import type { OracleApi } from './oracle.js';

export type SuiteId = 'tanh-vs-erf' | 'identities' | 'gating' | 'shapes' | 'agreement' | 'gradients';

/** The derivatives of gelu and gelu tanh. */
export type GradFunction = 'gelu-grad' | 'gelu-tanh-grad';

export const SUITE_TITLES: Record<SuiteId, string> = {
  'tanh-vs-erf': '1. tanh-vs-erf bound',
  identities: '2. GELU identities',
  gating: '3. Gating',
  shapes: '4. Shapes',
  agreement: '5. Agreement',
  gradients: '6. Gradients',
};

export interface MlpWeightsF {
  gate: Float64Array;
  up: Float64Array;
  down: Float64Array;
  hidden: number;
  intermediate: number;
}

/**
 * One backend in one dtype, as the suites see it. Values travel in
 * Float64Arrays; for dtype f32 every element is an exact float32 value.
 * `geglu` and `gemma2Mlp` are absent where the backend does not offer them
 * (properties needing them are then reported as skipped with that reason).
 */
export interface SuiteTarget {
  /** Registry id, e.g. `kernel-f32`; with the dtype it names a row of the report. */
  backend: string;
  dtype: FloatFormat;
  /** `exact` = correctly rounded by construction (the oracle). */
  precision: Precision;
  /** The tolerance table's row it is gated on, when not `backend`. */
  toleranceOf?: string;
  /** Why it cannot run here; undefined when it can. */
  unavailable?: string;
  /** What actually ran (gpu.js may pick another backend than asked). */
  ran?: string;
  gelu?(fn: GeluFunction, xs: Float64Array): Promise<Float64Array>;
  /** The derivative of gelu or gelu tanh, elementwise. */
  geluGrad?(fn: GradFunction, xs: Float64Array): Promise<Float64Array>;
  geglu?(fn: GeluFunction, gate: Float64Array, up: Float64Array): Promise<Float64Array>;
  gemma2Mlp?(x: Float64Array, tokens: number, weights: MlpWeightsF, fn: GeluFunction): Promise<Float64Array>;
  /** Reasons a function is missing, for the skip message. */
  missing?: Partial<Record<'gelu' | 'geluGrad' | 'geglu' | 'gemma2Mlp', string>>;
}

/** `backend (dtype)`: the label of a target in tables and test names. */
export function targetLabel(t: Pick<SuiteTarget, 'backend' | 'dtype'>): string {
  return t.backend.endsWith(t.dtype) ? t.backend : `${t.backend} (${t.dtype})`;
}

export interface SuiteContext {
  oracle: OracleApi;
  landmarks: LazyLandmarks;
  /** The tolerance table (validated); absent: only exact targets can be judged. */
  table: ToleranceTable | undefined;
  /** Where the tolerances came from (file path or description), for the report. */
  toleranceSource: string;
  /** Memoised oracle.correctlyRounded (agreement across backends reuses values). */
  correctlyRounded(fn: GeluFunction, x: number, dtype: FloatFormat): number;
}

/** Landmarks computed on first use: a suite that needs no maxima never pays for them. */
export interface LazyLandmarks {
  thresholds(fn: GeluFunction, dtype: FloatFormat): Landmarks['thresholds'][`${GeluFunction}/${FloatFormat}`];
  minimum(fn: GeluFunction): Landmarks['minimum'][GeluFunction];
  gaps(): Pick<Landmarks, 'maxGeluGap' | 'maxPhiGap' | 'source'>;
  /** The same maxima found independently by golden-section search over the oracle (src/suites/landmarks.ts). */
  oracleGaps(): { gelu: Landmarks['maxGeluGap']; phi: Landmarks['maxPhiGap'] };
}

/** What one evaluation of a property reports. */
export interface Observation {
  ok: boolean;
  /** The measured quantity compared with the bound (steps, or error/bound), for "max observed". */
  observed?: number;
  /** Why it failed, in words with numbers. */
  message?: string;
}

/** A property ready to run on one target. */
export interface PreparedProperty<T> {
  arbitrary: fc.Arbitrary<T>;
  check(value: T): Promise<Observation>;
  /** The bound the observed quantity is held to, and its unit. */
  bound?: number;
  unit?: string;
  /** Extra facts for the report (e.g. the located maximum). */
  facts?: Record<string, string | number>;
  /** Run to measure only (no bound holds yet): reported as skipped with this reason and the observed maximum. */
  measureOnly?: string;
}

/**
 * A property written once for every backend. `prepare` returns a skip
 * reason when it does not apply to the target (missing function, no
 * tolerance entry, unavailable backend).
 */
export interface PropertySpec<T = unknown> {
  suite: SuiteId;
  /** The name with domain and bound; may depend on the target and (for numbers in it) the context. */
  name(target: SuiteTarget, ctx?: SuiteContext): string;
  /** Short id for tables (e.g. `odd-part`). */
  id: string;
  /** Function and region, for per-region tables and plots. */
  fn?: GeluFunction;
  region?: string;
  prepare(ctx: SuiteContext, target: SuiteTarget): PreparedProperty<T> | { skip: string };
}

export interface PropertyResult {
  suite: SuiteId;
  id: string;
  property: string;
  backend: string;
  dtype: FloatFormat;
  status: 'pass' | 'fail' | 'skipped';
  reason?: string;
  runs: number;
  seed?: number;
  path?: string;
  counterexample?: string;
  maxObserved?: number;
  worstInput?: string;
  bound?: number;
  unit?: string;
  fn?: GeluFunction;
  region?: string;
  facts?: Record<string, string | number>;
  durationMs: number;
}
