// Your own GELU under @geglu/verify's property suites, in your own vitest suite.
import { geluArray } from '@geglu/kernel';
import { describeImplementation, verifyImplementation } from '@geglu/verify';
import { describe, expect, it } from 'vitest';

// What many people write: 0.5·x·(1 + erf(x/√2)) with Abramowitz & Stegun's erf 7.1.26
// (|error| ≤ 1.5e−7, Handbook of Mathematical Functions, 1964), in float64, stored as float32.
function crudeErf(x) {
  const t = 1 / (1 + 0.3275911 * Math.abs(x));
  const poly = t * (0.254829592 + t * (-0.284496736 + t * (1.421413741 + t * (-1.453152027 + t * 1.061405429))));
  const y = 1 - poly * Math.exp(-x * x);
  return x < 0 ? -y : y;
}
const naiveGelu = (x) => x.map((v) => 0.5 * v * (1 + crudeErf(v / Math.SQRT2)));

// The bounds each claims, in steps from the correctly rounded float32 result, per input region
// (tail: x < −4; subnormal: |x| < 2^−126; normal: the rest).
const claimed = { tail: 4, subnormal: 0, normal: 2 };

// A correct one: one test per property, failures reported with input, result and bound.
// An async function works the same way (GPU code: upload, dispatch, read back).
describeImplementation(
  {
    name: 'kernel-gelu',
    dtype: 'f32',
    functions: { gelu: async (x) => geluArray(x), 'gelu-tanh': (x) => geluArray(x, { approximate: 'tanh' }) },
    bounds: { gelu: claimed, 'gelu-tanh': claimed },
    numRuns: 30,
  },
  { describe, it },
);

describe('a naive gelu', () => {
  it('fails, and the message names the input, its result, the correctly rounded value and the bound', async () => {
    const report = await verifyImplementation({
      name: 'naive-gelu',
      dtype: 'f32',
      functions: { gelu: naiveGelu },
      bounds: { gelu: claimed },
      numRuns: 30,
    });
    // Shown so the output documents what a user sees; a real suite would
    // expect(report.failures).toEqual([]) or call assertImplementation.
    console.log(report.failures.join('\n\n'));
    expect(report.failures.length).toBeGreaterThan(0);
    expect(report.failures.join('\n')).toMatch(
      /gelu\(-?[\d.e+-]+\) = -?[\d.e+-]+ on naive-gelu, correctly rounded -?[\d.e+-]+: \d+ steps > [24]/,
    );
    expect(report.failures.join('\n')).toContain(`replay: GEGLU_SEED=${report.seed}`);
  });
});
