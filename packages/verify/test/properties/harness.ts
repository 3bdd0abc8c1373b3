/**
 * Registers one suite with vitest: one describe per target (backend × dtype),
 * one test per property, each running the same `runProperty` that
 * `geglu verify` runs. Skipped properties (unavailable backend, missing
 * function, unmeasured tolerance) are reported through vitest's skip with the
 * reason, never as passes. The seed is vitest.setup.ts's global one.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { openSession, runProperty, SUITE_TITLES, SUITES, targetLabel, type PropertyResult, type SuiteId } from '../../src/suites/index.js';

/** Runs per property in the package suite: small (each run is a batch of up to 16 oracle evaluations); GEGLU_RUNS overrides. */
export const TEST_RUNS = process.env.GEGLU_RUNS ? undefined : 12;

export function formatFailure(r: PropertyResult): string {
  return [
    `${r.property}: ${r.reason ?? 'failed'}`,
    r.counterexample ? `counterexample: ${r.counterexample}` : '',
    r.seed !== undefined ? `replay: GEGLU_SEED=${r.seed}${r.path ? ` (path ${r.path})` : ''}` : '',
  ]
    .filter(Boolean)
    .join('\n');
}

export async function registerSuite(suite: SuiteId): Promise<void> {
  const session = await openSession();
  if (!session.ok) {
    describe(SUITE_TITLES[suite], () => {
      it.skip(`every property — skipped: ${session.reason}`, () => {});
    });
    return;
  }
  afterAll(() => session.close());
  for (const target of session.targets) {
    describe(`${SUITE_TITLES[suite]} — ${targetLabel(target)}`, () => {
      for (const spec of SUITES[suite]) {
        it(spec.name(target, session.ctx), async ({ skip }) => {
          const r = await runProperty(spec, session.ctx, target, TEST_RUNS === undefined ? {} : { numRuns: TEST_RUNS });
          if (r.status === 'skipped') skip(r.reason);
          expect(r.status, formatFailure(r)).toBe('pass');
        });
      }
    });
  }
}
