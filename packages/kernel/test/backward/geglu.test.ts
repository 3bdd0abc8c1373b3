/**
 * gegluBackward against the oracle's correctly rounded dgate and dup.
 *
 * dup is geglu(gate, dy): bit-exact in float32. dgate's bound depends on the
 * accuracy δ of geluGrad (../../src/elementwise/gelu-grad.ts), which the test
 * measures per element against the oracle; the claim checked is the module's:
 * the result is within (δ + 2^-53(1 + δ)) (float32, before the final rounding)
 * or (δ + 2·2^-53 + 2^-104) (float64) of the true value, and float32 results are
 * ≤ 1 step from the correctly rounded one wherever δ ≤ 2^-26.
 */
import { Decimal, correctlyRoundedGegluBackward, exactDecimal } from '@geglu/oracle';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { geglu, gegluBackward } from '../../src/index.js';
import { dgateF32Js } from '../../src/backward/geglu.js';
import { EXACT_TABLE, TANH_TABLE } from '../../src/elementwise/fast.js';
import { simdAvailable } from '../../src/elementwise/simd.js';
import { geluGrad } from '../../src/elementwise/gelu-grad.js';
import { anyF32Bits, bitsOfF32, f32FromBits, f32In, stepsWithSign } from '../elementwise/helpers.js';

const D = Decimal.clone({ precision: 80 });
const ROOT = { none: -0.7517916243, tanh: -0.7524614 };
const u53 = 2 ** -53;

/** geluGrad's relative error at g, against the oracle's correctly rounded float64 gelu′ (+ that rounding). */
function geluGradError(g: number, approximate: 'none' | 'tanh'): number {
  const want = correctlyRoundedGegluBackward(approximate, g, 1, 1, 'f64').dgate;
  const got = geluGrad(g, { approximate });
  // an underflowed gelu′ must still carry its sign
  if (!Number.isFinite(g) || want === 0) return Object.is(got, want) ? 0 : Number.POSITIVE_INFINITY;
  return Math.abs(got - want) / Math.abs(want) + u53;
}

/** |computed − v| ≤ rel·|v| + abs, with v ≈ CR64(gelu′)·dy·up (relative 2^-53, added to rel). */
function withinBound(computed: number, g: number, u: number, dy: number, approximate: 'none' | 'tanh', rel: number, abs: number) {
  // the correctly rounded result (an overflow to ±∞ included) is within any bound
  if (Object.is(computed, correctlyRoundedGegluBackward(approximate, g, u, dy, format(computed)).dgate)) return true;
  if (!Number.isFinite(computed) || !Number.isFinite(rel)) return false;
  const gp = correctlyRoundedGegluBackward(approximate, g, 1, 1, 'f64').dgate;
  const v = new D(exactDecimal(gp)).times(exactDecimal(u)).times(exactDecimal(dy));
  const err = new D(exactDecimal(computed)).minus(v).abs();
  return err.lte(
    v
      .abs()
      .times(rel + u53)
      .plus(abs),
  );
}

/** The narrowest format holding x exactly (float32 values are checked as float32 results). */
const format = (x: number) => (Math.fround(x) === x ? 'f32' : 'f64');

const region = (approximate: 'none' | 'tanh') =>
  fc.oneof(f32In(-10, 10), f32In(ROOT[approximate] - 1e-3, ROOT[approximate] + 1e-3), f32In(-40, -10), f32In(-1e-30, 1e-30));

describe('gegluBackward float32 against the oracle', () => {
  for (const approximate of ['none', 'tanh'] as const) {
    it(`dup is correctly rounded and dgate within its bound, ≤ 1 step where geluGrad is accurate (${approximate})`, () => {
      let oneStep = 0;
      let total = 0;
      fc.assert(
        fc.property(
          fc.array(fc.tuple(region(approximate), f32In(-1e3, 1e3), f32In(-1e3, 1e3)), { minLength: 1, maxLength: 16 }),
          (rows) => {
            const gate = Float32Array.from(rows, (r) => r[0]);
            const up = Float32Array.from(rows, (r) => r[1]);
            const dy = Float32Array.from(rows, (r) => r[2]);
            const { dgate, dup } = gegluBackward(gate, up, dy, { approximate });
            for (let i = 0; i < gate.length; i++) {
              const want = correctlyRoundedGegluBackward(approximate, gate[i]!, up[i]!, dy[i]!, 'f32');
              expect(Object.is(dup[i], want.dup) || (Number.isNaN(dup[i]) && Number.isNaN(want.dup))).toBe(true);
              const delta = geluGradError(gate[i]!, approximate);
              if (delta === Number.POSITIVE_INFINITY) {
                // geluGrad's zero has the wrong sign: nothing to bound, but dgate is still its documented composition
                expect(Object.is(dgate[i], Math.fround(dy[i]! * up[i]! * geluGrad(gate[i]!, { approximate })))).toBe(true);
                continue;
              }
              const rel = delta + u53 * (1 + delta);
              // before the float32 store: within rel; the store adds half a float32 step (≤ 2^-24 relative, 2^-150 absolute)
              expect(withinBound(dgate[i]!, gate[i]!, up[i]!, dy[i]!, approximate, rel + 2 ** -24 * (1 + rel), 2 ** -150)).toBe(true);
              if (delta <= 2 ** -26) {
                const steps = stepsWithSign(dgate[i]!, want.dgate, 'f32');
                expect(steps).toBeLessThanOrEqual(1);
                total++;
                if (steps === 1) oneStep++;
              }
            }
          },
        ),
        { numRuns: 60 },
      );
      expect(total).toBeGreaterThan(300);
      // Not a tolerance: a 1-step result needs v within 2^-50 of a float32 midpoint.
      expect(oneStep).toBe(0);
    });
  }

  it('special values follow the IEEE products (gelu′(±∞) = 1 / −0, gelu′(±0) = ½)', () => {
    const gate = Float32Array.of(Infinity, -Infinity, 0, -0, NaN, 1, -Infinity, -3);
    const up = Float32Array.of(2, 2, 2, 2, 2, NaN, Infinity, 0);
    const dy = Float32Array.of(3, 3, 3, 3, 3, 1, 1, 1);
    const { dgate, dup } = gegluBackward(gate, up, dy);
    for (let i = 0; i < gate.length; i++) {
      const want = correctlyRoundedGegluBackward('none', gate[i]!, up[i]!, dy[i]!, 'f32');
      expect([dgate[i], dup[i]]).toEqual([want.dgate, want.dup]);
      expect(Object.is(dgate[i], want.dgate) || Number.isNaN(want.dgate)).toBe(true);
    }
  });
});

describe('gegluBackward float32: the rounding test on the tables against the float64 derivative', () => {
  // dgate's fast path (the forward tables' gelu′ and a band) must never return a float32 that the
  // float64-derivative composition fl32(fl64(dy·up·geluGrad(gate))) does not, unless the oracle
  // sides with the fast path there (the composition is ≤ 1 step, the fast path exact).
  const n = 2 ** 15;
  const anyValue = fc.oneof({ weight: 4, arbitrary: f32In(-1e3, 1e3) }, { weight: 1, arbitrary: anyF32Bits });
  for (const approximate of ['none', 'tanh'] as const) {
    it(`agrees bit for bit or is the oracle's where not (${approximate})`, () => {
      const gates = fc.oneof(
        { weight: 3, arbitrary: f32In(-12, 12) },
        { weight: 2, arbitrary: f32In(ROOT[approximate] - 1e-3, ROOT[approximate] + 1e-3) },
        { weight: 1, arbitrary: f32In(-16, -8) },
        { weight: 1, arbitrary: anyF32Bits },
      );
      const rows = fc.sample(fc.tuple(gates, anyValue, anyValue), { numRuns: n });
      const gate = Float32Array.from(rows, (r) => r[0]);
      const up = Float32Array.from(rows, (r) => r[1]);
      const dy = Float32Array.from(rows, (r) => r[2]);
      const { dgate } = gegluBackward(gate, up, dy, { approximate });
      let differ = 0;
      let compared = 0;
      for (let i = 0; i < n; i++) {
        const g = geluGrad(gate[i]!, { approximate });
        const p = dy[i]! * up[i]!;
        // zeros, NaN and overflowed products take the composition's special-value rules: judged elsewhere
        if (g === 0 || !Number.isFinite(p) || Number.isNaN(g)) continue;
        compared++;
        const composed = Math.fround(p * g);
        if (Object.is(dgate[i], composed)) continue;
        differ++;
        const want = correctlyRoundedGegluBackward(approximate, gate[i]!, up[i]!, dy[i]!, 'f32').dgate;
        expect(`${gate[i]} ${up[i]} ${dy[i]}: ${dgate[i]}`).toBe(`${gate[i]} ${up[i]} ${dy[i]}: ${want}`);
      }
      expect(compared).toBeGreaterThan(n * 0.9);
      // the composition is 1 step off only within 2^-50 of a midpoint: rare, not a tolerance
      expect(differ).toBeLessThan(8);
    });

    it(`gives the oracle's zero sign and value at the float32s around the root (${approximate})`, () => {
      // gelu′ changes sign between two of these; with |dy·up| = 2^-200 every dgate is a signed zero,
      // and with |dy·up| ≈ 1 the band (2^-41 of terms that cancel to ~1e-8 here) is too wide for a
      // float32 decision, so these go through the float64 derivative
      const around = Array.from({ length: 64 }, (_, i) => f32FromBits(bitsOfF32(Math.fround(ROOT[approximate])) + i - 32));
      const rows = around.flatMap((g) => [
        [g, 2 ** -100, 2 ** -100],
        [g, 2 ** -100, -(2 ** -100)],
        [g, 1, 1],
        [g, -3, 0.5],
      ]);
      const gate = Float32Array.from(rows, (r) => r[0]!);
      const up = Float32Array.from(rows, (r) => r[1]!);
      const dy = Float32Array.from(rows, (r) => r[2]!);
      const { dgate } = gegluBackward(gate, up, dy, { approximate });
      const show = (v: number) => (Object.is(v, -0) ? '-0' : String(v));
      const got = rows.map((r, i) => `${r.join(' ')}: ${show(dgate[i]!)}`);
      const want = rows.map((r) => `${r.join(' ')}: ${show(correctlyRoundedGegluBackward(approximate, r[0]!, r[1]!, r[2]!, 'f32').dgate)}`);
      expect(got).toEqual(want);
      const zeros = got.filter((_, i) => i % 4 === 0).map((s) => (s.endsWith(': -0') ? '-0' : s.endsWith(': 0') ? '+0' : s));
      expect(new Set(zeros)).toEqual(new Set(['-0', '+0']));
    });
  }
});

describe('gegluBackward float32: the WebAssembly kernels against the JavaScript test', () => {
  it.each(['none', 'tanh'] as const)(
    'give the same float32 for every element, specials, chunk edges and tails included (%s)',
    (approximate) => {
      expect(simdAvailable()).toBe(true);
      const special = fc.constantFrom(
        0,
        -0,
        Number.POSITIVE_INFINITY,
        Number.NEGATIVE_INFINITY,
        Number.NaN,
        2 ** -149,
        -(2 ** -149),
        3e38,
        -3e38,
      );
      const gates = fc.oneof(
        { weight: 6, arbitrary: f32In(-12, 12) },
        { weight: 2, arbitrary: f32In(ROOT[approximate] - 1e-3, ROOT[approximate] + 1e-3) },
        // each kernel's lower end (the tanh clamp, the exact table's start) and upper table end
        { weight: 1, arbitrary: f32In(-10.79, -10.77) },
        { weight: 1, arbitrary: f32In(-14.37, -14.35) },
        { weight: 1, arbitrary: f32In(7.4, 8.9) },
        { weight: 1, arbitrary: anyF32Bits },
        { weight: 1, arbitrary: special },
      );
      const values = fc.oneof(
        { weight: 8, arbitrary: f32In(-1e3, 1e3) },
        { weight: 1, arbitrary: anyF32Bits },
        { weight: 1, arbitrary: special },
      );
      // three chunks of the kernel's 8192 elements and a tail that is not a whole group
      const n = 3 * 8192 + 13;
      const rows = fc.sample(fc.tuple(gates, values, values), { numRuns: n });
      const gate = Float32Array.from(rows, (r) => r[0]);
      const up = Float32Array.from(rows, (r) => r[1]);
      const dy = Float32Array.from(rows, (r) => r[2]);
      const { dgate } = gegluBackward(gate, up, dy, { approximate });
      const js = new Float32Array(n);
      dgateF32Js(gate, up, dy, approximate === 'tanh' ? TANH_TABLE : EXACT_TABLE, js);
      const show = (v: number) => (Object.is(v, -0) ? '-0' : String(v));
      const differ = [];
      for (let i = 0; i < n; i++) {
        if (!Object.is(dgate[i], js[i]) && !(Number.isNaN(dgate[i]) && Number.isNaN(js[i]))) {
          differ.push(`${gate[i]} ${up[i]} ${dy[i]}: ${show(dgate[i]!)} vs ${show(js[i]!)}`);
        }
      }
      expect(differ).toEqual([]);
    },
  );
});

describe('gegluBackward where gelu′ underflows or dy·up overflows', () => {
  // gelu′ of a finite gate is never 0: where it underflows to ±0, ∞·it is still ±∞ (the oracle's
  // exact product), and an overflowed dy·up times gelu′(−∞) = −0 or an underflow is a zero, never NaN
  for (const approximate of ['none', 'tanh'] as const) {
    for (const [Type, format] of [
      [Float32Array, 'f32'],
      [Float64Array, 'f64'],
    ] as const) {
      it(`no NaN where the oracle has ±∞ or ±0 (${format}, ${approximate})`, () => {
        const rows: [number, number, number][] = [];
        for (const g of [-40, -100, -1e10, -3e38, Number.NEGATIVE_INFINITY]) {
          for (const [u, dy] of [
            [1, Number.POSITIVE_INFINITY],
            [-1, Number.POSITIVE_INFINITY],
            [Number.NEGATIVE_INFINITY, 2],
            [3e38, 3e38],
            [-3e38, 3e38],
          ]) {
            // float64: dy·up = ±1e600 overflows
            if (format === 'f64' && Math.abs(u!) === 3e38) rows.push([g, Math.sign(u!) * 1e300, 1e300]);
            rows.push([g, u!, dy!]);
          }
        }
        const gate = Type.from(rows.map((r) => r[0]));
        const { dgate } = gegluBackward(gate, Type.from(rows.map((r) => r[1])), Type.from(rows.map((r) => r[2])), { approximate });
        const show = (v: number) => (Object.is(v, -0) ? '-0' : String(v));
        const got = rows.map((_, i) => `${rows[i]!.map((v) => show(Type.of(v)[0]!)).join(' ')}: ${show(dgate[i]!)}`);
        const want = rows.map((_, i) => {
          const [g, u, dy] = [gate[i]!, Type.of(rows[i]![1])[0]!, Type.of(rows[i]![2])[0]!];
          return `${[g, u, dy].map(show).join(' ')}: ${show(correctlyRoundedGegluBackward(approximate, g, u, dy, format).dgate)}`;
        });
        // the float64 kernel loses a gelu′ that underflows float64 (module comment): compare where the oracle's result is 0, ±∞ or NaN
        const decided = want.map((w) => /: (-?0|-?Infinity|NaN)$/.test(w));
        expect(got.filter((_, i) => decided[i])).toEqual(want.filter((_, i) => decided[i]));
      });
    }
  }
});

describe('gegluBackward float64 against the oracle', () => {
  for (const approximate of ['none', 'tanh'] as const) {
    it(`dgate within (δ + 2·2^-53)·|v| and dup ≤ 1 step (${approximate})`, () => {
      const f64 = fc.oneof(
        fc.double({ min: -12, max: 12, noNaN: true }),
        fc.double({ min: ROOT[approximate] - 1e-6, max: ROOT[approximate] + 1e-6, noNaN: true }),
      );
      const factor = fc.oneof(fc.double({ min: -1e3, max: 1e3, noNaN: true }), fc.constantFrom(1e300, -1e-300, 3e-200));
      fc.assert(
        fc.property(fc.array(fc.tuple(f64, factor, factor), { minLength: 1, maxLength: 8 }), (rows) => {
          const gate = Float64Array.from(rows, (r) => r[0]);
          const up = Float64Array.from(rows, (r) => r[1]);
          const dy = Float64Array.from(rows, (r) => r[2]);
          const { dgate, dup } = gegluBackward(gate, up, dy, { approximate });
          for (let i = 0; i < gate.length; i++) {
            const want = correctlyRoundedGegluBackward(approximate, gate[i]!, up[i]!, dy[i]!, 'f64');
            expect(stepsWithSign(dup[i]!, want.dup, 'f64')).toBeLessThanOrEqual(1);
            const delta = geluGradError(gate[i]!, approximate);
            const rel = delta + 2 * u53 + 2 ** -104;
            // 2^-1074: the rounding of a result that underflows (dy·up below 2^-969 is scaled, not rounded twice)
            expect(withinBound(dgate[i]!, gate[i]!, up[i]!, dy[i]!, approximate, rel * (1 + 2 ** -50), 2 ** -1073)).toBe(true);
          }
        }),
        { numRuns: 40 },
      );
    });
  }
});

describe('gegluBackward float64 with dy·up beyond 2^1624', () => {
  // dy·up = ±1e600 is scaled, not overflowed: where gelu′(gate) is small enough (gate ≲ −36, exact
  // form; ≲ −20.8 tanh) the true dgate is a finite double, held to the same bound as above
  for (const approximate of ['none', 'tanh'] as const) {
    it(`dgate within (δ + 2·2^-53)·|v| (${approximate})`, () => {
      const gates = approximate === 'none' ? [-36, -37, -38, -38.4] : [-20.8, -21, -21.2];
      for (const g of gates) {
        for (const [u, dy] of [
          [1e300, 1e300],
          [-1e300, 1e300],
          [1.7e308, 1.7e308],
        ]) {
          const { dgate } = gegluBackward(Float64Array.of(g), Float64Array.of(u!), Float64Array.of(dy!), { approximate });
          const want = correctlyRoundedGegluBackward(approximate, g, u!, dy!, 'f64').dgate;
          if (!Number.isFinite(want)) {
            expect(dgate[0]).toBe(want);
            continue;
          }
          // withinBound takes an infinite result for a float32 one (where ±∞ may be right): not here
          expect(dgate[0]).not.toBe(Math.sign(want) * Number.POSITIVE_INFINITY);
          const rel = geluGradError(g, approximate) + 2 * u53 + 2 ** -104;
          expect(withinBound(dgate[0]!, g, u!, dy!, approximate, rel * (1 + 2 ** -50), 2 ** -1073)).toBe(true);
        }
      }
    });
  }
});

describe('gegluBackward and the forward pass', () => {
  it('dup is geglu(gate, dy) bit for bit, and dgate matches a central difference of geglu', () => {
    const n = 257;
    const gate = Float64Array.from({ length: n }, (_, i) => -6 + (12 * i) / n);
    const up = Float64Array.from({ length: n }, (_, i) => Math.cos(i));
    const dy = Float64Array.from({ length: n }, (_, i) => Math.sin(i * 0.7));
    for (const approximate of ['none', 'tanh'] as const) {
      const { dgate, dup } = gegluBackward(gate, up, dy, { approximate });
      expect(dup).toEqual(geglu(gate, dy, { approximate }));
      const h = 2 ** -18;
      const plus = geglu(
        gate.map((g) => g + h),
        up,
        { approximate },
      );
      const minus = geglu(
        gate.map((g) => g - h),
        up,
        { approximate },
      );
      for (let i = 0; i < n; i++) {
        // truncation ≈ h²·|gelu‴|·|up|/6 < 1e-11, rounding ≈ 2^-52·|gelu|/h < 1e-10
        expect(Math.abs(dgate[i]! - (dy[i]! * (plus[i]! - minus[i]!)) / (2 * h))).toBeLessThan(1e-9);
      }
    }
  });
});

describe('gegluBackward arguments', () => {
  const a = new Float32Array(4);
  it('names the argument, expected against actual', () => {
    expect(() => gegluBackward(a, new Float32Array(3), a)).toThrow(/^gegluBackward: up has length 3, expected gate.length = 4$/);
    expect(() => gegluBackward(a, a, new Float32Array(5))).toThrow(/^gegluBackward: dy has length 5, expected gate.length = 4$/);
    expect(() => gegluBackward(a, a, new Float64Array(4) as unknown as Float32Array)).toThrow(
      /^gegluBackward: dy is a Float64Array of length 4, expected a Float32Array like gate$/,
    );
    expect(() => gegluBackward([1] as unknown as Float32Array, a, a)).toThrow(
      /^gegluBackward: gate is .*expected a Float32Array or Float64Array$/,
    );
    expect(() => gegluBackward(a, a, a, { approximate: 'erf' as 'none' })).toThrow(
      /options.approximate is "erf", expected 'none' or 'tanh'/,
    );
    expect(() => gegluBackward(a, a, a, { dgate: new Float32Array(3) })).toThrow(
      /^gegluBackward: options.dgate has length 3, expected gate.length = 4$/,
    );
  });
  it('refuses outputs that overlap an input or each other', () => {
    const buf = new Float32Array(12);
    const gate = buf.subarray(0, 4);
    const up = buf.subarray(4, 8);
    const dy = buf.subarray(8, 12);
    expect(() => gegluBackward(gate, up, dy, { dgate: up })).toThrow(/^gegluBackward: options.dgate overlaps up/);
    const out = new Float32Array(4);
    expect(() => gegluBackward(gate, up, dy, { dgate: out, dup: out })).toThrow(/^gegluBackward: options.dgate overlaps options.dup/);
  });
  it('writes into the given outputs', () => {
    const dgate = new Float32Array(4);
    const dup = new Float32Array(4);
    const r = gegluBackward(Float32Array.of(1, 2, 3, 4), Float32Array.of(1, 1, 1, 1), Float32Array.of(1, 1, 1, 1), { dgate, dup });
    expect(r.dgate).toBe(dgate);
    expect(r.dup).toBe(dup);
    expect(dup[0]).toBe(Math.fround(0.8413447460685429));
  });
});
