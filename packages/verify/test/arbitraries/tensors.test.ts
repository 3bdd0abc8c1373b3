import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { gegluCase, mlpCase, permutation } from '../../src/arbitraries/index.js';

describe('tensor arbitraries', () => {
  it('mlpCase has x [T, d], gate/up [f, d], down [d, f], all float32 values for f32, T ≤ 4, d ≤ 8, f ≤ 12', () => {
    fc.assert(
      fc.property(mlpCase('f32'), (c) => {
        expect(c.x.length).toBe(c.tokens * c.hidden);
        expect(c.gate.length).toBe(c.intermediate * c.hidden);
        expect(c.up.length).toBe(c.intermediate * c.hidden);
        expect(c.down.length).toBe(c.hidden * c.intermediate);
        expect(c.tokens >= 1 && c.tokens <= 4 && c.hidden <= 8 && c.intermediate <= 12).toBe(true);
        for (const a of [c.x, c.gate, c.up, c.down]) for (const v of a) expect(Math.fround(v)).toBe(v);
      }),
    );
  });

  it('gegluCase gives gate and up of equal length 1..16', () => {
    fc.assert(
      fc.property(gegluCase('f64'), (c) => {
        expect(c.gate.length).toBe(c.length);
        expect(c.up.length).toBe(c.length);
        expect(c.length >= 1 && c.length <= 16).toBe(true);
      }),
    );
  });

  it('permutation(n) is a permutation of 0..n−1 for n ≤ 8', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 8 }).chain((n) => fc.tuple(fc.constant(n), permutation(n))),
        ([n, p]) => {
          expect([...p].sort((a, b) => a - b)).toEqual(Array.from({ length: n }, (_, i) => i));
        },
      ),
    );
  });
});
