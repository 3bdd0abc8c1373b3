import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { classifyInput, findThresholds, INPUT_REGIONS, regionInput, stepFloat, type GeluThresholds } from '../../src/arbitraries/index.js';
import { loadOracle } from '../../src/suites/oracle.js';

const loaded = await loadOracle();
const oracle = loaded.ok ? loaded.oracle : undefined;

describe.skipIf(!oracle)(`thresholds located with the oracle${loaded.ok ? '' : ` (skipped: ${loaded.reason})`}`, () => {
  const cases = [
    ['gelu', 'f32'],
    ['gelu-tanh', 'f32'],
    ['gelu', 'f64'],
    ['gelu-tanh', 'f64'],
  ] as const;
  const found = new Map<string, GeluThresholds>();
  const th = (fn: 'gelu' | 'gelu-tanh', f: 'f32' | 'f64') => {
    const k = `${fn}/${f}`;
    if (!found.has(k)) found.set(k, findThresholds(oracle!, fn, f));
    return found.get(k)!;
  };

  for (const [fn, f] of cases) {
    it(`${fn} ${f}: each threshold is the exact float where the correctly rounded result changes behaviour`, () => {
      const t = th(fn, f);
      const cr = (x: number) => oracle!.correctlyRounded(fn, x, f);
      const minNormal = f === 'f32' ? 2 ** -126 : 2 ** -1022;
      expect(Object.is(cr(t.underflowToZero), -0)).toBe(true);
      expect(Object.is(cr(stepFloat(t.underflowToZero, 1, f)), -0)).toBe(false);
      expect(Math.abs(cr(t.normalFrom))).toBeGreaterThanOrEqual(minNormal);
      expect(Math.abs(cr(stepFloat(t.normalFrom, -1, f)))).toBeLessThan(minNormal);
      expect(cr(t.identityFrom)).toBe(t.identityFrom);
      expect(cr(stepFloat(t.identityFrom, -1, f))).not.toBe(stepFloat(t.identityFrom, -1, f));
    });

    it(`${fn} ${f}: every region arbitrary draws only inputs that classifyInput puts in that region`, () => {
      const t = th(fn, f);
      for (const region of INPUT_REGIONS) {
        fc.assert(
          fc.property(regionInput(region, t), (x) => classifyInput(x, t) === region),
          { numRuns: 50 },
        );
      }
    });
  }
});
