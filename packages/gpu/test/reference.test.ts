import { Decimal, correctlyRounded } from '@geglu/oracle';
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

// The host computes erf of every subnormal input (devices may flush them on
// the way into a kernel), so erfF64 must round correctly on all of them. With
// x = m·2^-149 the float32 grid there is m'·2^-149 on both sides of 2^-126, so
// the correctly rounded erf(x) ≈ x·2/√π is round(m·2/√π)·2^-149: the x³ term is
// 2^-250 relative and cannot move a rounding the check below calls decided.
describe('erfF64 on every positive subnormal float32 (erf is odd)', () => {
  it('Math.fround(erfF64(m·2^-149)) = round(m·2/√π)·2^-149 for m = 1 … 2^23 - 1 (0 steps)', () => {
    const BITS = 96n;
    const scaled = new Decimal(2)
      .div(Decimal.acos(-1).sqrt())
      .mul(new Decimal(2).pow(Number(BITS)))
      .floor();
    const c = BigInt(scaled.toFixed(0));
    const one = 1n << BITS;
    const half = one >> 1n;
    // c is below 2/√π by less than 2^-96, so m·c is low by less than 2^-73: a fraction
    // this far from ½ is decided
    const margin = 1n << (BITS - 60n);
    let wrong = 0;
    let undecided = 0;
    let first = '';
    for (let m = 1; m < 2 ** 23; m++) {
      const p = BigInt(m) * c;
      const frac = p & (one - 1n);
      const dist = frac > half ? frac - half : half - frac;
      if (dist < margin) undecided++;
      const want = Number(p >> BITS) + (frac > half ? 1 : 0);
      const got = Math.fround(erfF64(m * 2 ** -149)) / 2 ** -149;
      if (got !== want) {
        wrong++;
        first ||= `m=${m}: ${got} vs ${want}`;
      }
    }
    expect({ wrong, undecided, first }).toEqual({ wrong: 0, undecided: 0, first: '' });
  }, 60_000);
});
