import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { GEMMA2_PRESETS, GegluError, gemma2Mlp, gemma2MlpErrorBound } from '../../src/index.js';
import { mlpReference, type Approximate } from './reference.js';

interface Case {
  tokens: number;
  d: number;
  f: number;
  x: number[];
  gate: number[];
  up: number[];
  down: number[];
}

/**
 * Random shapes with x ∈ [−2, 2] and weights ∈ [−1/K, 1/K] (K = the input
 * width), which keeps |x·Wᵀ| ≤ 2 so the exact-form reference's erf series is
 * accurate to ~1e−15, while still mixing signs, zeros and subnormal-free
 * magnitudes over 20 binades.
 */
function mlpCase(maxTokens = 5, maxD = 13, maxF = 17): fc.Arbitrary<Case> {
  return fc
    .record({ tokens: fc.integer({ min: 0, max: maxTokens }), d: fc.integer({ min: 1, max: maxD }), f: fc.integer({ min: 1, max: maxF }) })
    .chain(({ tokens, d, f }) => {
      const v = (scale: number, n: number) =>
        fc.array(
          fc.float({ min: -1, max: 1, noNaN: true }).map((a) => Math.fround(a * scale)),
          { minLength: n, maxLength: n },
        );
      return fc.record({
        tokens: fc.constant(tokens),
        d: fc.constant(d),
        f: fc.constant(f),
        x: v(2, tokens * d),
        gate: v(1 / d, f * d),
        up: v(1 / d, f * d),
        down: v(1 / f, d * f),
      });
    });
}

function run(c: Case, type: typeof Float32Array | typeof Float64Array, approximate: Approximate) {
  const x = new type(c.x);
  const weights = { hidden: c.d, intermediate: c.f, gate: new type(c.gate), up: new type(c.up), down: new type(c.down) };
  // Inputs are the exact values of the arrays (for f32: the rounded ones).
  const ref = mlpReference(
    x,
    c.tokens,
    c.d,
    c.f,
    weights.gate,
    weights.up,
    weights.down,
    approximate,
    type === Float32Array ? 'f32' : 'f64',
  );
  const y = gemma2Mlp(x as Float32Array, c.tokens, weights as never, { approximate });
  return { y, ref };
}

function withinBound(y: ArrayLike<number>, ref: { y: Float64Array; bound: Float64Array }): string | undefined {
  for (let i = 0; i < ref.y.length; i++) {
    const err = Math.abs(y[i]! - ref.y[i]!);
    if (!(err <= ref.bound[i]!)) return `output ${i}: |${y[i]} − ${ref.y[i]}| = ${err} > bound ${ref.bound[i]}`;
  }
  return undefined;
}

describe('gemma2Mlp against a float64 triple-loop reference', () => {
  for (const approximate of ['tanh', 'none'] as const) {
    it(`f32, approximate '${approximate}', T ≤ 5, d ≤ 13, f ≤ 17: |ŷ − y| ≤ γ-bound of src/mlp/gemma2.ts`, () => {
      fc.assert(
        fc.property(mlpCase(), (c) => {
          const { y, ref } = run(c, Float32Array, approximate);
          expect(y).toBeInstanceOf(Float32Array);
          expect(y.length).toBe(c.tokens * c.d);
          expect(withinBound(y, ref)).toBeUndefined();
        }),
      );
    });
    it(`f64, approximate '${approximate}', T ≤ 5, d ≤ 13, f ≤ 17: |ŷ − y| ≤ γ-bound with u = 2^−53`, () => {
      fc.assert(
        fc.property(mlpCase(), (c) => {
          const { y, ref } = run(c, Float64Array, approximate);
          expect(y).toBeInstanceOf(Float64Array);
          expect(withinBound(y, ref)).toBeUndefined();
        }),
      );
    });
  }

  it("gemma2MlpErrorBound (exported for verifiers) equals the test's independent evaluation of the stated bound within 2^−19 relative, f32 and f64", () => {
    fc.assert(
      fc.property(mlpCase(), fc.boolean(), fc.constantFrom('none' as const, 'tanh' as const), (c, f64, approximate) => {
        const type = f64 ? Float64Array : Float32Array;
        const w = { hidden: c.d, intermediate: c.f, gate: new type(c.gate), up: new type(c.up), down: new type(c.down) };
        const x = new type(c.x);
        const got = gemma2MlpErrorBound(x as Float32Array, c.tokens, w as never, { approximate });
        const ref = mlpReference(x, c.tokens, c.d, c.f, w.gate, w.up, w.down, approximate, f64 ? 'f64' : 'f32');
        expect(got.length).toBe(ref.stated.length);
        for (let i = 0; i < got.length; i++) {
          expect(Math.abs(got[i]! - ref.stated[i]!)).toBeLessThanOrEqual(2 ** -19 * ref.stated[i]!);
        }
      }),
    );
  });

  it('the bound is not vacuous: on d = 64, f = 96 it is below 1e−5 of Σ|A||W_down| and the f32 result is not the f64 one', () => {
    fc.assert(
      fc.property(
        mlpCase(2, 64, 96).filter((c) => c.tokens > 0 && c.d >= 32 && c.f >= 48),
        (c) => {
          const { y, ref } = run(c, Float32Array, 'tanh');
          expect(withinBound(y, ref)).toBeUndefined();
          for (let i = 0; i < ref.y.length; i++) expect(ref.bound[i]!).toBeLessThan(1e-5 + 1e-5 * Math.abs(ref.y[i]!) * c.f);
        },
      ),
      { numRuns: 10 },
    );
  });
});

describe('gemma2Mlp determinism', () => {
  it('permuting tokens permutes the outputs bit for bit (f32, T ≤ 8)', () => {
    fc.assert(
      fc.property(
        mlpCase(8, 12, 20).chain((c) =>
          fc.tuple(fc.constant(c), fc.shuffledSubarray([...Array(c.tokens).keys()], { minLength: c.tokens, maxLength: c.tokens })),
        ),
        ([c, perm]) => {
          const w = {
            hidden: c.d,
            intermediate: c.f,
            gate: new Float32Array(c.gate),
            up: new Float32Array(c.up),
            down: new Float32Array(c.down),
          };
          const x = new Float32Array(c.x);
          const xp = new Float32Array(x.length);
          perm.forEach((src, dst) => xp.set(x.subarray(src * c.d, (src + 1) * c.d), dst * c.d));
          const y = gemma2Mlp(x, c.tokens, w);
          const yp = gemma2Mlp(xp, c.tokens, w);
          perm.forEach((src, dst) => {
            for (let i = 0; i < c.d; i++) expect(Object.is(yp[dst * c.d + i], y[src * c.d + i])).toBe(true);
          });
        },
      ),
    );
  });

  it('a batch equals its rows run one at a time, bit for bit (f32 and f64, T ≤ 6)', () => {
    fc.assert(
      fc.property(mlpCase(6, 12, 20), fc.boolean(), (c, f64) => {
        const type = f64 ? Float64Array : Float32Array;
        const w = { hidden: c.d, intermediate: c.f, gate: new type(c.gate), up: new type(c.up), down: new type(c.down) };
        const x = new type(c.x);
        const y = gemma2Mlp(x as Float32Array, c.tokens, w as never);
        for (let t = 0; t < c.tokens; t++) {
          const row = gemma2Mlp(x.slice(t * c.d, (t + 1) * c.d) as Float32Array, 1, w as never);
          for (let i = 0; i < c.d; i++) expect(Object.is(row[i], y[t * c.d + i])).toBe(true);
        }
      }),
    );
  });

  it('writes into options.out and returns it', () => {
    const w = {
      hidden: 2,
      intermediate: 3,
      gate: new Float32Array(6).fill(0.5),
      up: new Float32Array(6).fill(1),
      down: new Float32Array(6).fill(0.25),
    };
    const out = new Float32Array(4).fill(NaN);
    const y = gemma2Mlp(new Float32Array([1, 2, -1, 0.5]), 2, w, { out });
    expect(y).toBe(out);
    expect(Number.isNaN(out[0])).toBe(false);
  });
});

describe('gemma2Mlp presets', () => {
  it('match the Hugging Face config.json of each model (hidden_size, intermediate_size, num_hidden_layers)', () => {
    // https://huggingface.co/google/gemma-2-{2b,9b,27b}/blob/main/config.json
    expect(GEMMA2_PRESETS['gemma-2-2b']).toMatchObject({ hidden: 2304, intermediate: 9216, layers: 26 });
    expect(GEMMA2_PRESETS['gemma-2-9b']).toMatchObject({ hidden: 3584, intermediate: 14336, layers: 42 });
    expect(GEMMA2_PRESETS['gemma-2-27b']).toMatchObject({ hidden: 4608, intermediate: 36864, layers: 46 });
    expect(Object.isFrozen(GEMMA2_PRESETS)).toBe(true);
  });
});

describe('gemma2Mlp argument errors name the argument, expected and actual, before any work', () => {
  const good = () => ({ hidden: 2, intermediate: 3, gate: new Float32Array(6), up: new Float32Array(6), down: new Float32Array(6) });
  const x = new Float32Array(4);
  const cases: [string, () => unknown, RegExp][] = [
    ['x length', () => gemma2Mlp(new Float32Array(5), 2, good()), /x has length 5, expected tokens × hidden = 2 × 2 = 4/],
    [
      'gate length',
      () => gemma2Mlp(x, 2, { ...good(), gate: new Float32Array(5) }),
      /weights\.gate has length 5, expected intermediate × hidden = 3 × 2 = 6/,
    ],
    [
      'down length',
      () => gemma2Mlp(x, 2, { ...good(), down: new Float32Array(7) }),
      /weights\.down has length 7, expected hidden × intermediate = 2 × 3 = 6/,
    ],
    ['fractional tokens', () => gemma2Mlp(x, 1.5, good()), /tokens is 1\.5, expected an integer/],
    ['NaN hidden', () => gemma2Mlp(x, 2, { ...good(), hidden: NaN }), /weights\.hidden is NaN, expected a finite integer/],
    [
      'Infinity intermediate',
      () => gemma2Mlp(x, 2, { ...good(), intermediate: Infinity }),
      /weights\.intermediate is Infinity, expected a finite integer/,
    ],
    ['negative tokens', () => gemma2Mlp(x, -1, good()), /tokens is -1, expected an integer ≥ 0/],
    ['unsafe dims', () => gemma2Mlp(x, 2, { ...good(), hidden: 2 ** 53 }), /weights\.hidden is 9007199254740992, expected a safe integer/],
    [
      'overflowing product',
      () => gemma2Mlp(x, 2, { ...good(), hidden: 2 ** 30, intermediate: 2 ** 30 }),
      /intermediate × hidden = 1073741824 × 1073741824 = 1152921504606846976 elements, expected at most/,
    ],
    ['string dim', () => gemma2Mlp(x, '2' as never, good()), /tokens is "2", expected a finite integer/],
    [
      'mixed types',
      () => gemma2Mlp(x, 2, { ...good(), up: new Float64Array(6) } as never),
      /weights\.up is a Float64Array of length 6, expected a Float32Array/,
    ],
    [
      'plain array x',
      () => gemma2Mlp([1, 2, 3, 4] as never, 2, good()),
      /x is an Array of length 4, expected a Float32Array or Float64Array/,
    ],
    ['missing weights', () => gemma2Mlp(x, 2, null as never), /weights is null, expected \{ hidden, intermediate, gate, up, down \}/],
    [
      'bad approximate',
      () => gemma2Mlp(x, 2, good(), { approximate: 'erf' as never }),
      /options\.approximate is "erf", expected 'none' or 'tanh'/,
    ],
    [
      'out length',
      () => gemma2Mlp(x, 2, good(), { out: new Float32Array(3) }),
      /options\.out has length 3, expected tokens × hidden = 2 × 2 = 4/,
    ],
    ['out aliases x', () => gemma2Mlp(x, 2, good(), { out: x }), /options\.out overlaps x/],
    [
      'out overlaps down partially',
      () => {
        const buf = new Float32Array(8);
        return gemma2Mlp(x, 2, { ...good(), down: buf.subarray(0, 6) }, { out: buf.subarray(4, 8) });
      },
      /options\.out overlaps weights\.down/,
    ],
  ];
  for (const [name, call, message] of cases) {
    it(`${name}: throws GegluError ${message}`, () => {
      let error: unknown;
      try {
        call();
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(GegluError);
      expect((error as Error).message).toMatch(/^gemma2Mlp: /);
      expect((error as Error).message).toMatch(message);
    });
  }

  it('a rejected call leaves options.out untouched', () => {
    const out = new Float32Array(4).fill(7);
    expect(() => gemma2Mlp(x, 2, { ...good(), down: new Float32Array(5) }, { out })).toThrow(GegluError);
    expect([...out]).toEqual([7, 7, 7, 7]);
  });
});
