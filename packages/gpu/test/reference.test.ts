import { correctlyRounded } from '@geglu/oracle';
import { describe, expect, it } from 'vitest';
import { erfF64, erfcF64, geluF64, geluTanhF64 } from '../src/reference.js';
import { stepDistance } from '@geglu/float';
import { stratified } from './helpers.js';

// The elementwise suites measure against this float64 reference because the
// oracle costs ~1-2 ms per value; here the reference itself is held to the
// oracle: it must round to exactly the correctly rounded float32.
const REF = { gelu: geluF64, 'gelu-tanh': geluTanhF64, erf: erfF64, erfc: erfcF64 } as const;
const X = stratified(1).filter((x) => Math.abs(x) < 1e4);
// plus a dense band where the functions change shape
const DENSE = Float32Array.from({ length: 240 }, (_, i) => Math.fround(-15 + i * 0.12 + 0.0123));

describe('float64 reference vs @geglu/oracle', () => {
  for (const fn of Object.keys(REF) as (keyof typeof REF)[]) {
    it(`${fn}: Math.fround(float64 reference) is the correctly rounded float32 on ${X.length + DENSE.length} inputs across all binades (0 steps)`, () => {
      let worst = 0;
      let at = 0;
      for (const x of [...X, ...DENSE]) {
        const d = stepDistance(Math.fround(REF[fn](x)), correctlyRounded(fn, x, 'f32'), 'f32');
        if (d > worst) [worst, at] = [d, x];
      }
      expect(worst, `worst at x=${at}`).toBe(0);
    });
  }
});
