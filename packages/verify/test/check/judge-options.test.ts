// CheckJudge is public (@geglu/verify/check; the explorer page builds one from its form): options the
// CLI would refuse are refused here too, by name, before any row is judged, never turned into a verdict.
import { describe, expect, it } from 'vitest';
import { CheckInputError, CheckJudge, jsonlBatches, npyBatches, safetensorsBatches, type CheckOptions } from '../../src/check/index.js';
import type { OracleModule } from '../../src/backends/modules.js';

const good: CheckOptions = {
  fn: 'gelu-grad',
  dtype: 'f32',
  input: 'jsonl',
  limits: { tail: 0, subnormal: 0, normal: 0, special: 0 },
  maxStepsAllowed: 0,
  backend: null,
};
// never called: every case is refused before the judge asks the oracle anything
const oracle = new Proxy({} as OracleModule, {
  get: () => {
    throw new Error('the oracle was used');
  },
});
const limits = (n: unknown) => ({ tail: n, subnormal: n, normal: n, special: n });

describe('CheckJudge options', () => {
  const cases: [string, Record<string, unknown>, RegExp][] = [
    [
      'an unknown fn',
      { fn: 'gelu-gradd' },
      /^CheckJudge: options\.fn is "gelu-gradd", expected one of gelu, gelu-tanh, erf, erfc, gelu-grad, gelu-tanh-grad, geglu$/,
    ],
    ['an unknown dtype', { dtype: 'f8' }, /^CheckJudge: options\.dtype is "f8", expected one of f64, f32, bf16, f16$/],
    ['an unknown input', { input: 'csv' }, /^CheckJudge: options\.input is "csv", expected one of jsonl, safetensors, npy$/],
    [
      'geglu without approximate',
      { fn: 'geglu' },
      /^CheckJudge: options\.approximate is undefined, expected 'none' or 'tanh' with fn geglu$/,
    ],
    [
      'approximate with a scalar fn',
      { approximate: 'tanh' },
      /^CheckJudge: options\.approximate is "tanh", expected undefined with fn gelu-grad/,
    ],
    [
      'a negative limit',
      { limits: limits(-1), maxStepsAllowed: -1 },
      /^CheckJudge: options\.limits\.tail is -1, expected an integer ≥ 0 or null$/,
    ],
    ['a NaN limit', { limits: limits(Number.NaN) }, /^CheckJudge: options\.limits\.tail is NaN, expected an integer ≥ 0 or null$/],
    [
      'an infinite limit',
      { limits: limits(Number.POSITIVE_INFINITY) },
      /^CheckJudge: options\.limits\.tail is Infinity, expected an integer ≥ 0 or null$/,
    ],
    [
      'a fractional limit',
      { limits: { ...good.limits, special: 2.5 } },
      /^CheckJudge: options\.limits\.special is 2\.5, expected an integer ≥ 0 or null$/,
    ],
    [
      'a missing region',
      { limits: { tail: 0, subnormal: 0, normal: 0 } },
      /^CheckJudge: options\.limits\.special is undefined, expected an integer ≥ 0 or null$/,
    ],
    ['no limits', { limits: undefined }, /^CheckJudge: options\.limits is undefined, expected \{ tail, subnormal, normal, special \}$/],
    ['a bad maxStepsAllowed', { maxStepsAllowed: '0' }, /^CheckJudge: options\.maxStepsAllowed is "0", expected an integer ≥ 0 or null$/],
  ];
  for (const [what, change, message] of cases) {
    it(`refuses ${what}`, () => {
      expect(() => new CheckJudge({ ...good, ...change } as CheckOptions, oracle)).toThrow(message);
    });
  }

  it('refuses options that are not an object', () => {
    expect(() => new CheckJudge(null as unknown as CheckOptions, oracle)).toThrow(/^CheckJudge: options is null, expected/);
  });
});

describe('the readers of @geglu/verify/check refuse an unknown dtype by name', () => {
  const blob = new Blob([new Uint8Array(16)]);
  async function* chunks() {
    yield new TextEncoder().encode('{"x":1,"y":1}\n');
  }
  const readers: [string, () => Promise<unknown>][] = [
    ['npyBatches', () => npyBatches([blob, blob], 'f8' as 'f32')],
    ['safetensorsBatches', () => safetensorsBatches(blob, ['x', 'y'], 'f8' as 'f32', 'dump.safetensors')],
    [
      'jsonlBatches',
      async () => {
        for await (const _ of jsonlBatches(
          chunks(),
          ['x', 'y'],
          'f8' as 'f32',
          () => {},
          () => {},
        ));
      },
    ],
  ];
  for (const [fn, read] of readers) {
    it(fn, async () => {
      await expect(read()).rejects.toThrow(new RegExp(`^${fn}: dtype is "f8", expected one of f64, f32, bf16, f16$`));
      await expect(read()).rejects.toBeInstanceOf(CheckInputError);
    });
  }
});
