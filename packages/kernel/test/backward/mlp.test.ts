/**
 * gemma2MlpBackward: against the oracle's gradients on small shapes, against the
 * float64 kernel on larger ones (|ĝ32 − ĝ64| ≤ bound32 + bound64, both bounds being
 * against the exact gradients), against finite differences of the forward kernel,
 * and the SIMD and plain engines against each other bit for bit (relaxed SIMD off: its
 * multiply-add may fuse, and Node 22 takes that path by default; there the oracle tests above
 * hold it to the bound).
 */
import { Decimal, gemma2MlpBackward as oracleBackward } from '@geglu/oracle';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  GELU_GRAD_LIPSCHITZ,
  gemma2Mlp,
  gemma2MlpBackward,
  gemma2MlpBackwardErrorBound,
  releaseGemma2MlpBackwardScratch,
  setRelaxedSimd,
} from '../../src/index.js';
import { geluGrad } from '../../src/elementwise/gelu-grad.js';

type Lanes = typeof Float32Array | typeof Float64Array;
const NAMES = ['dx', 'dGate', 'dUp', 'dDown'] as const;

interface Case {
  tokens: number;
  d: number;
  f: number;
  x: number[];
  dy: number[];
  gate: number[];
  up: number[];
  down: number[];
}

/** Shapes up to the given sizes, float32 values of moderate size (|x| ≤ 2, |W| ≤ 0.5 as trained weights are). */
function mlpCase(maxT: number, maxD: number, maxF: number): fc.Arbitrary<Case> {
  const v = (n: number, m: number) => fc.array(fc.float({ min: -m, max: m, noNaN: true }), { minLength: n, maxLength: n });
  return fc
    .tuple(fc.integer({ min: 1, max: maxT }), fc.integer({ min: 1, max: maxD }), fc.integer({ min: 1, max: maxF }))
    .chain(([tokens, d, f]) =>
      fc.record({
        tokens: fc.constant(tokens),
        d: fc.constant(d),
        f: fc.constant(f),
        x: v(tokens * d, 2),
        dy: v(tokens * d, 1),
        gate: v(f * d, 0.5),
        up: v(f * d, 0.5),
        down: v(d * f, 0.5),
      }),
    );
}

function weightsOf(c: Case, type: Lanes) {
  return { hidden: c.d, intermediate: c.f, gate: new type(c.gate), up: new type(c.up), down: new type(c.down) };
}

function backward(c: Case, type: Lanes, approximate: 'none' | 'tanh', engine?: 'wasm' | 'js', threads?: number) {
  return gemma2MlpBackward(new type(c.x) as Float32Array, new type(c.dy) as Float32Array, c.tokens, weightsOf(c, type) as never, {
    approximate,
    threads,
    engine,
  });
}

function bound(c: Case, type: Lanes, approximate: 'none' | 'tanh') {
  return gemma2MlpBackwardErrorBound(new type(c.x) as Float32Array, new type(c.dy) as Float32Array, c.tokens, weightsOf(c, type) as never, {
    approximate,
  });
}

describe('gemma2MlpBackward against the oracle (small shapes)', () => {
  for (const approximate of ['tanh', 'none'] as const) {
    for (const type of [Float32Array, Float64Array]) {
      it(`${type.name}, ${approximate}: every gradient within gemma2MlpBackwardErrorBound of the oracle's (30 digits)`, () => {
        let worst = 0;
        fc.assert(
          fc.property(mlpCase(3, 4, 5), (c) => {
            const got = backward(c, type, approximate);
            const b = bound(c, type, approximate);
            const want = oracleBackward(c.x, c.dy, { hidden: c.d, intermediate: c.f, gate: c.gate, up: c.up, down: c.down }, c.tokens, {
              approximate,
              digits: 30,
            });
            for (const name of NAMES) {
              expect(got[name].length).toBe(want[name].length);
              for (let i = 0; i < want[name].length; i++) {
                const err = new Decimal(got[name][i]!).minus(want[name][i]!).abs();
                // + one unit in the oracle's 30th digit
                const allowed = new Decimal(b[name][i]!).plus(new Decimal(want[name][i]!).abs().times('1e-29'));
                expect(err.lte(allowed), `${name}[${i}]: |${got[name][i]} − ${want[name][i]}| > ${b[name][i]}`).toBe(true);
                if (b[name][i]! > 0) worst = Math.max(worst, err.div(b[name][i]!).toNumber());
              }
            }
          }),
          { numRuns: 12 },
        );
        expect(worst).toBeGreaterThan(0);
      });
    }
  }
});

describe('gemma2MlpBackward float32 against float64 (larger shapes)', () => {
  it('|ĝ32 − ĝ64| ≤ bound32 + bound64 for every output, and the bound is not vacuous', () => {
    fc.assert(
      fc.property(mlpCase(9, 48, 80), fc.constantFrom('none' as const, 'tanh' as const), (c, approximate) => {
        const g32 = backward(c, Float32Array, approximate);
        const g64 = backward(c, Float64Array, approximate);
        const b32 = bound(c, Float32Array, approximate);
        const b64 = bound(c, Float64Array, approximate);
        for (const name of NAMES) {
          for (let i = 0; i < g32[name].length; i++) {
            const err = Math.abs(g32[name][i]! - g64[name][i]!);
            expect(err, `${name}[${i}]`).toBeLessThanOrEqual(b32[name][i]! + b64[name][i]!);
            // float32 bounds are ~2^-24 of the magnitudes, far from "anything goes"
            expect(b32[name][i]!).toBeLessThan(1e-3 * (1 + Math.abs(g64[name][i]!)) * Math.max(c.tokens, c.f, c.d));
          }
        }
      }),
      { numRuns: 15 },
    );
  });
});

describe('gemma2MlpBackward and the forward pass', () => {
  it('each gradient matches a central difference of Σ dy⊙gemma2Mlp(x) (float64)', () => {
    const c = fc.sample(
      mlpCase(3, 5, 7).filter((k) => k.d >= 3 && k.f >= 3),
      { numRuns: 1 },
    )[0]!;
    for (const approximate of ['none', 'tanh'] as const) {
      const g = backward(c, Float64Array, approximate);
      const loss = (xs: number[], w: { gate: number[]; up: number[]; down: number[] }) => {
        const y = gemma2Mlp(
          Float64Array.from(xs),
          c.tokens,
          {
            hidden: c.d,
            intermediate: c.f,
            gate: Float64Array.from(w.gate),
            up: Float64Array.from(w.up),
            down: Float64Array.from(w.down),
          },
          { approximate },
        );
        return y.reduce((s, v, i) => s + v * c.dy[i]!, 0);
      };
      const h = 2 ** -17;
      const fd = (change: (xs: number[], w: { gate: number[]; up: number[]; down: number[] }, s: number) => void) => {
        const at = (s: number) => {
          const xs = [...c.x];
          const w = { gate: [...c.gate], up: [...c.up], down: [...c.down] };
          change(xs, w, s);
          return loss(xs, w);
        };
        return (at(h) - at(-h)) / (2 * h);
      };
      // truncation ≈ h²·|third derivative| ~ 1e-10, rounding ≈ 2^-52·|loss|/h ~ 1e-11
      const close = (a: number, b: number) => expect(Math.abs(a - b)).toBeLessThan(1e-7 * (1 + Math.abs(b)));
      for (let i = 0; i < c.x.length; i++)
        close(
          g.dx[i]!,
          fd((xs, _w, s) => (xs[i]! += s)),
        );
      for (let i = 0; i < c.gate.length; i++) {
        close(
          g.dGate[i]!,
          fd((_x, w, s) => (w.gate[i]! += s)),
        );
        close(
          g.dUp[i]!,
          fd((_x, w, s) => (w.up[i]! += s)),
        );
        close(
          g.dDown[i]!,
          fd((_x, w, s) => (w.down[i]! += s)),
        );
      }
    }
  });

  it(`sup |gelu″| ≤ GELU_GRAD_LIPSCHITZ = ${GELU_GRAD_LIPSCHITZ} (grid of step 1e−3 on [−8, 8]; |gelu‴| ≤ 2 bounds the gaps)`, () => {
    for (const approximate of ['none', 'tanh'] as const) {
      let worst = 0;
      const h = 1e-5;
      for (let x = -8; x <= 8; x += 1e-3) {
        const second = (geluGrad(x + h, { approximate }) - geluGrad(x - h, { approximate })) / (2 * h);
        worst = Math.max(worst, Math.abs(second));
      }
      expect(worst + 2 * 1e-3).toBeLessThanOrEqual(GELU_GRAD_LIPSCHITZ);
      expect(worst).toBeGreaterThan(0.797); // 2φ(0) = 0.79788: the supremum is met
    }
  });
});

describe('gemma2MlpBackward engines', () => {
  beforeAll(() => setRelaxedSimd('off'));
  afterAll(() => setRelaxedSimd('auto'));
  it('WebAssembly SIMD and plain TypeScript give bit-identical gradients (f32 and f64), scratch kept or not', () => {
    fc.assert(
      fc.property(mlpCase(7, 24, 40), fc.boolean(), (c, f64) => {
        const type = f64 ? Float64Array : Float32Array;
        const a = backward(c, type, 'tanh', 'wasm');
        const b = backward(c, type, 'tanh', 'js');
        for (const name of NAMES) expect(a[name]).toEqual(b[name]);
      }),
      { numRuns: 15 },
    );
    releaseGemma2MlpBackwardScratch();
  });

  it('1 and 2 threads give bit-identical gradients (f32 and f64, both forms), the worker taking whole row blocks', () => {
    // d ≥ 33 and 2f ≥ 97 put the split (on multiples of the row block, 32 rows for f32 and 16
    // for f64) inside dx's, [G | U]'s and the weight gradients' outputs: the worker computes some of each.
    fc.assert(
      fc.property(
        mlpCase(6, 56, 80).filter((k) => k.d >= 33 && k.f >= 49),
        fc.boolean(),
        fc.constantFrom('none' as const, 'tanh' as const),
        (c, f64, approximate) => {
          const type = f64 ? Float64Array : Float32Array;
          const one = backward(c, type, approximate, 'wasm', 1);
          const two = backward(c, type, approximate, 'wasm', 2);
          for (const name of NAMES) {
            for (let i = 0; i < one[name].length; i++) {
              if (!Object.is(one[name][i], two[name][i]))
                throw new Error(`${name}[${i}]: ${two[name][i]} with 2 threads, ${one[name][i]} with 1`);
            }
          }
        },
      ),
      { numRuns: 6 },
    );
    releaseGemma2MlpBackwardScratch();
  });

  it('a kept heap sized for more tokens gives the same results as a fresh one', () => {
    const [big] = fc.sample(
      mlpCase(1, 16, 24).filter((k) => k.d === 16 && k.f === 24),
      { numRuns: 1 },
    );
    const c = big!;
    const more = { ...c, tokens: 2, x: [...c.x, ...c.x], dy: [...c.dy, ...c.dy] };
    backward(more, Float32Array, 'tanh', 'wasm');
    const reused = backward(c, Float32Array, 'tanh', 'wasm');
    releaseGemma2MlpBackwardScratch();
    const fresh = backward(c, Float32Array, 'tanh', 'wasm');
    for (const name of NAMES) expect(reused[name]).toEqual(fresh[name]);
    releaseGemma2MlpBackwardScratch();
  });
});

describe('gemma2MlpBackward arguments', () => {
  const d = 2;
  const f = 3;
  const w = { hidden: d, intermediate: f, gate: new Float32Array(f * d), up: new Float32Array(f * d), down: new Float32Array(d * f) };
  const x = new Float32Array(2 * d);
  const dy = new Float32Array(2 * d);
  const cases: [string, () => unknown, RegExp][] = [
    [
      'dy of the wrong length',
      () => gemma2MlpBackward(x, new Float32Array(3), 2, w),
      /^gemma2MlpBackward: dy has length 3, expected tokens × hidden = 2 × 2 = 4$/,
    ],
    [
      'dy of another type',
      () => gemma2MlpBackward(x, new Float64Array(4) as never, 2, w),
      /^gemma2MlpBackward: dy is a Float64Array of length 4, expected a Float32Array$/,
    ],
    [
      'x of the wrong length',
      () => gemma2MlpBackward(new Float32Array(5), dy, 2, w),
      /^gemma2MlpBackward: x has length 5, expected tokens × hidden = 2 × 2 = 4$/,
    ],
    [
      'a non-finite weight',
      () => gemma2MlpBackward(x, dy, 2, { ...w, down: Float32Array.of(0, 0, 0, 0, Number.NaN, 0) }),
      /^gemma2MlpBackward: weights.down\[4\] is NaN, expected a finite number/,
    ],
    [
      'an infinite dy',
      () => gemma2MlpBackward(x, Float32Array.of(0, -Infinity, 0, 0), 2, w),
      /^gemma2MlpBackward: dy\[1\] is -Infinity, expected a finite number/,
    ],
    [
      'an output of the wrong length',
      () => gemma2MlpBackward(x, dy, 2, w, { dGate: new Float32Array(5) }),
      /^gemma2MlpBackward: options.dGate has length 5, expected intermediate × hidden = 3 × 2 = 6$/,
    ],
    [
      'two outputs sharing memory',
      () => {
        const o = new Float32Array(6);
        return gemma2MlpBackward(x, dy, 2, w, { dGate: o, dUp: o });
      },
      /^gemma2MlpBackward: options.dUp overlaps options.dGate/,
    ],
    [
      'an unknown engine',
      () => gemma2MlpBackward(x, dy, 2, w, { engine: 'gpu' as 'js' }),
      /^gemma2MlpBackward: options.engine is "gpu", expected 'wasm' or 'js'$/,
    ],
    [
      'a bad approximate',
      () => gemma2MlpBackward(x, dy, 2, w, { approximate: 'erf' as 'none' }),
      /options.approximate is "erf", expected 'none' or 'tanh'/,
    ],
  ];
  cases.push(
    [
      'zero threads',
      () => gemma2MlpBackward(x, dy, 2, w, { threads: 0 }),
      /^gemma2MlpBackward: options.threads is 0, expected an integer ≥ 1$/,
    ],
    [
      'more threads than the most',
      () => gemma2MlpBackward(x, dy, 2, w, { threads: 17 }),
      /^gemma2MlpBackward: options.threads is 17, expected at most 16$/,
    ],
  );
  for (const [name, call, message] of cases) it(`${name}: ${message.source}`, () => expect(call).toThrow(message));

  it('writes into the given outputs and returns them', () => {
    const out = { dx: new Float32Array(4), dGate: new Float32Array(6), dUp: new Float32Array(6), dDown: new Float32Array(6) };
    const r = gemma2MlpBackward(
      Float32Array.of(1, 2, 3, 4),
      Float32Array.of(1, 1, 1, 1),
      2,
      { ...w, gate: Float32Array.of(1, 0, 0, 1, 1, 1) },
      out,
    );
    for (const name of NAMES) expect(r[name]).toBe(out[name]);
  });
});
