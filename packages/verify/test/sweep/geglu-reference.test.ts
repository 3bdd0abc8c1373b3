import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { decideGegluF32 } from '../../src/sweep/reference.js';
import { loadOracle } from '../../src/backends/modules.js';

const oracle = await loadOracle();
const O = oracle as Exclude<typeof oracle, string>;

// float32 gates over gelu's regions (the tail, the cancellation near -0.75, subnormals) and ups of any
// magnitude, so products land in float32's subnormals, near its overflow and on everything between
const gate = fc.oneof(
  fc.float({ noDefaultInfinity: false }),
  fc.float({ min: -12, max: 4, noNaN: true }),
  fc.float({ min: Math.fround(-1e-38), max: Math.fround(1e-38), noNaN: true }),
);
const up = fc.oneof(fc.float(), fc.float({ min: -4, max: 4, noNaN: true }));

describe.skipIf(typeof oracle === 'string')('decideGegluF32: gelu(g)·u in float32 from the bounded reference', () => {
  for (const tanh of [false, true]) {
    it(`${tanh ? 'gelu-tanh' : 'gelu'}: whatever it decides is the oracle's correctlyRoundedGeglu, bit for bit, and it decides most products`, () => {
      let decided = 0;
      let asked = 0;
      fc.assert(
        fc.property(gate, up, (g, u) => {
          const d = decideGegluF32(tanh, g, u);
          asked++;
          if (d !== d) return;
          decided++;
          expect(Object.is(d, O.correctlyRoundedGeglu(tanh ? 'gelu-tanh' : 'gelu', g, u, 'f32'))).toBe(true);
        }),
        { numRuns: 400 },
      );
      // not vacuous: most inputs are finite and nonzero, and the reference decides nearly all of those
      expect(decided).toBeGreaterThan(asked / 2);
    });
  }
});
