import fc from 'fast-check';
import type { PropertyResult, PropertySpec, SuiteContext, SuiteTarget } from './types.js';

export interface RunOptions {
  /** fast-check runs; absent: the global setting (vitest.setup.ts sets it from GEGLU_RUNS). */
  numRuns?: number;
  /** Seed; absent: fast-check's global seed (vitest.setup.ts fixes it from GEGLU_SEED). */
  seed?: number;
}

/**
 * Runs one property on one target and returns a structured result; never
 * throws for a failing property (a thrown error inside the check is a
 * failure with its message). The largest observed quantity is tracked over
 * every evaluation, shrinking included, so "max observed" is the worst value
 * the run saw, and the input that produced it is kept.
 */
export async function runProperty<T>(
  spec: PropertySpec<T>,
  ctx: SuiteContext,
  target: SuiteTarget,
  options: RunOptions = {},
): Promise<PropertyResult> {
  const started = performance.now();
  const base = {
    suite: spec.suite,
    id: spec.id,
    property: spec.name(target, ctx),
    backend: target.backend,
    dtype: target.dtype,
    ...(spec.fn ? { fn: spec.fn } : {}),
    ...(spec.region ? { region: spec.region } : {}),
  };
  if (target.unavailable !== undefined) {
    return { ...base, status: 'skipped', reason: target.unavailable, runs: 0, durationMs: 0 };
  }
  let prepared;
  try {
    prepared = spec.prepare(ctx, target);
  } catch (err) {
    return { ...base, status: 'fail', reason: `setup failed: ${(err as Error).message}`, runs: 0, durationMs: performance.now() - started };
  }
  if ('skip' in prepared) return { ...base, status: 'skipped', reason: prepared.skip, runs: 0, durationMs: 0 };
  const p = prepared;
  let maxObserved: number | undefined;
  let worst: T | undefined;
  let lastMessage: string | undefined;
  const property = fc.asyncProperty(p.arbitrary, async (value) => {
    const obs = await p.check(value);
    if (obs.observed !== undefined && Number.isFinite(obs.observed) && (maxObserved === undefined || obs.observed > maxObserved)) {
      maxObserved = obs.observed;
      worst = value;
    }
    if (!obs.ok) lastMessage = obs.message;
    return obs.ok;
  });
  const params: fc.Parameters<[T]> = {};
  if (options.numRuns !== undefined) params.numRuns = options.numRuns;
  if (options.seed !== undefined) params.seed = options.seed;
  const details = await fc.check(property, params);
  let reason: string | undefined;
  if (details.failed) {
    // Re-run the shrunk counterexample so the message describes it, not the last shrink attempt.
    if (details.counterexample) {
      try {
        const obs = await p.check(details.counterexample[0]);
        if (!obs.ok) lastMessage = obs.message;
      } catch (err) {
        lastMessage = (err as Error).message;
      }
    }
    reason = lastMessage ?? (details.errorInstance instanceof Error ? details.errorInstance.message : 'property failed');
  }
  if (!details.failed && p.measureOnly !== undefined) {
    reason = `${p.measureOnly}; measured, not gated: max ${maxObserved ?? 0}${p.unit ? ` ${p.unit}` : ''}`;
  }
  return {
    ...base,
    status: details.failed ? 'fail' : p.measureOnly !== undefined ? 'skipped' : 'pass',
    ...(reason !== undefined ? { reason } : {}),
    runs: details.numRuns,
    seed: details.seed,
    ...(details.counterexamplePath ? { path: details.counterexamplePath } : {}),
    ...(details.counterexample ? { counterexample: fc.stringify(details.counterexample[0]) } : {}),
    ...(maxObserved !== undefined ? { maxObserved } : {}),
    ...(worst !== undefined ? { worstInput: fc.stringify(worst) } : {}),
    ...(p.bound !== undefined ? { bound: p.bound } : {}),
    ...(p.unit !== undefined ? { unit: p.unit } : {}),
    ...(p.facts ? { facts: p.facts } : {}),
    durationMs: performance.now() - started,
  };
}
