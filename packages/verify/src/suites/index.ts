/**
 * The six property suites, each written once as data and run against every
 * target (backend × dtype), in the manner of TensorFlow.js's cross-backend
 * tests (tfjs-core's jasmine_util `describeWithFlags` registers one describe
 * per registered test environment; test/properties/harness.ts does the same
 * per target, with unavailable targets skipped with their reason). `runSuites` is what both vitest (test/properties) and `geglu verify`
 * call; results are plain objects (see PropertyResult).
 */
import { agreementSuite } from './agreement.js';
import type { FullContext } from './context.js';
import { gatingSuite } from './gating.js';
import { gradientsSuite } from './gradients.js';
import { identitiesSuite } from './identities.js';
import { runProperty, type RunOptions } from './runner.js';
import { shapesSuite } from './shapes.js';
import { tanhVsErfSuite } from './tanh-vs-erf.js';
import type { PropertyResult, PropertySpec, SuiteId, SuiteTarget } from './types.js';

export const SUITES: Record<SuiteId, PropertySpec<any>[]> = {
  'tanh-vs-erf': tanhVsErfSuite,
  identities: identitiesSuite,
  gating: gatingSuite,
  shapes: shapesSuite,
  agreement: agreementSuite,
  gradients: gradientsSuite,
};

export const SUITE_ORDER: readonly SuiteId[] = ['tanh-vs-erf', 'identities', 'gating', 'shapes', 'agreement', 'gradients'];

export interface RunSuitesOptions extends RunOptions {
  suites?: readonly SuiteId[];
  /** Which properties to run on a target (default: all; verifyImplementation runs those its functions reach). */
  include?(spec: PropertySpec<any>, target: SuiteTarget): boolean;
  /** Called before and after each property (progress display). */
  onProgress?(event: { done: number; total: number; current: string; result?: PropertyResult }): void;
}

/** Runs the chosen suites over every target, in suite order, then target order. */
export async function runSuites(
  ctx: FullContext,
  targets: readonly SuiteTarget[],
  options: RunSuitesOptions = {},
): Promise<PropertyResult[]> {
  const suites = options.suites ?? SUITE_ORDER;
  const jobs: [PropertySpec<any>, SuiteTarget][] = [];
  for (const s of suites) for (const t of targets) for (const p of SUITES[s]) if (options.include?.(p, t) ?? true) jobs.push([p, t]);
  const results: PropertyResult[] = [];
  const runOptions: RunOptions = {};
  if (options.numRuns !== undefined) runOptions.numRuns = options.numRuns;
  if (options.seed !== undefined) runOptions.seed = options.seed;
  for (let i = 0; i < jobs.length; i++) {
    const [p, t] = jobs[i]!;
    const label = `${p.suite} · ${t.backend} ${t.dtype} · ${p.id}`;
    options.onProgress?.({ done: i, total: jobs.length, current: label });
    const r = await runProperty(p, ctx, t, runOptions);
    results.push(r);
    options.onProgress?.({ done: i + 1, total: jobs.length, current: label, result: r });
  }
  return results;
}

export * from './types.js';
export * from './runner.js';
export * from './context.js';
export * from './landmarks.js';
export * from './oracle.js';
export * from './targets.js';
export * from './session.js';
export { mlpForwardBound } from './agreement.js';
export { tanhVsErfGapsFromConstants } from './constants-bridge.js';
