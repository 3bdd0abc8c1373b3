import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { decideF32, refErf, refErfc, refGelu, refGeluGrad, refGeluTanh, refGeluTanhGrad } from '../../src/sweep/reference.js';
import { loadOracle } from '../../src/backends/modules.js';

const oracleMod = await loadOracle();
const hasOracle = typeof oracleMod === 'string' ? false : typeof oracleMod.evaluate === 'function';
// eslint-disable-next-line @typescript-eslint/no-explicit-any
const O = oracleMod as any;

const f32 = new Float32Array(1);
const u32 = new Uint32Array(f32.buffer);
const fromBits = (b: number) => {
  u32[0] = b >>> 0;
  return f32[0]!;
};

/** Points per binade: the binade's first and last float, its middle, and one fast-check chosen mantissa. */
function binadePoints(minExp: number, maxExp: number, extra: number[]): number[] {
  const xs: number[] = [];
  for (let e = minExp; e <= maxExp; e++) {
    const biased = e + 127; // 0 = subnormals
    for (const mant of [0, 0x400000, 0x7fffff, extra[(e - minExp) % extra.length]!]) {
      if (biased === 0 && mant === 0) continue; // ±0: exact, in the special-values test
      for (const sign of [0, 0x80000000]) xs.push(fromBits(sign | (biased << 23) | mant));
    }
  }
  return xs;
}

describe.skipIf(!hasOracle)('sweep reference (f64 with a per-input error bound) against the oracle', () => {
  it('the constants are the f64 nearest to their exact values (oracle Decimal, 60 digits)', () => {
    const D = O.Decimal.clone({ precision: 60 });
    const pi = D.acos(-1);
    const near = (lit: number, exact: { toString(): string }) => expect(lit).toBe(Number(exact.toString()));
    near(1.5957691216057308, D.sqrt(new D(2).div(pi)).mul(2));
    near(0.07135481627260025, D.sqrt(new D(2).div(pi)).mul(2).mul('0.044715'));
    near(0.7071067811865476, new D(1).div(D.sqrt(2)));
    near(1.1283791670955126, new D(2).div(D.sqrt(pi)));
    near(0.5641895835477563, new D(1).div(D.sqrt(pi)));
  });
  for (const [fn, ref, lo, hi] of [
    ['gelu', refGelu, -40, 10],
    ['gelu-tanh', refGeluTanh, -40, 10],
    ['erf', refErf, -10, 10],
    ['erfc', refErfc, -10, 30],
    ['gelu-grad', refGeluGrad, -40, 10],
    ['gelu-tanh-grad', refGeluTanhGrad, -40, 10],
  ] as const) {
    it(`${fn}: |ref − exact| ≤ eps·|exact| at 4 points per f32 binade in [2^-149, 2^7), both signs, and decided roundings are correct`, () => {
      const extra = fc.sample(fc.integer({ min: 1, max: 0x7ffffe }), 16);
      const xs = binadePoints(-127, 6, extra);
      let decided = 0;
      for (const x of xs) {
        const { y, eps } = ref(x);
        const exact = O.evaluate(fn, x, { digits: 40 }).value;
        const err = exact.minus(O.exactDecimal(y)).abs();
        const bound = exact.abs().times(eps);
        // eps = 0 is claimed only where the rounding is decided analytically; then check the rounding itself
        if (eps === 0) expect(Math.fround(y), `${fn}(${x})`).toBe(O.correctlyRounded(fn, x, 'f32'));
        else expect(err.lte(bound), `${fn}(${x}): error ${err.toExponential(3)} > bound ${bound.toExponential(3)}`).toBe(true);
        const d = decideF32(y, eps);
        if (!Number.isNaN(d)) {
          decided++;
          expect(Object.is(d, O.correctlyRounded(fn, x, 'f32')), `${fn}(${x}) decided ${d}`).toBe(true);
        }
      }
      expect(decided).toBeGreaterThan(xs.length * 0.9);
    });
    it(`${fn}: the bound holds at 150 fast-check points in each method's interval, tails included ([${lo}, ${hi}])`, () => {
      fc.assert(
        fc.property(
          fc.float({ min: lo, max: hi, noNaN: true }).filter((x) => x !== 0),
          (x) => {
            const { y, eps } = ref(x);
            if (eps === 0) return Object.is(Math.fround(y), O.correctlyRounded(fn, x, 'f32'));
            const exact = O.evaluate(fn, x, { digits: 40 }).value;
            return exact.minus(O.exactDecimal(y)).abs().lte(exact.abs().times(eps));
          },
        ),
        { numRuns: 150 },
      );
    });
  }
  it('special values: NaN → NaN, +∞ → +∞, −∞ → −0, ±0 → ±0, both variants; derivatives +∞ → 1, −∞ → −0, ±0 → ½', () => {
    for (const ref of [refGelu, refGeluTanh]) {
      expect(ref(NaN).y).toBeNaN();
      expect(ref(Infinity).y).toBe(Infinity);
      expect(Object.is(ref(-Infinity).y, -0)).toBe(true);
      expect(Object.is(ref(-0).y, -0)).toBe(true);
      expect(Object.is(ref(0).y, 0)).toBe(true);
    }
    expect(refErf(NaN).y).toBeNaN();
    expect(refErfc(NaN).y).toBeNaN();
    expect([refErf(Infinity).y, refErf(-Infinity).y, refErfc(Infinity).y, refErfc(-Infinity).y]).toEqual([1, -1, 0, 2]);
    expect(Object.is(refErfc(Infinity).y, 0)).toBe(true);
    expect(Object.is(refErf(-0).y, -0) && Object.is(refErf(0).y, 0)).toBe(true);
    expect([refErfc(-0).y, refErfc(0).y]).toEqual([1, 1]);
    for (const ref of [refGeluGrad, refGeluTanhGrad]) {
      expect(ref(NaN).y).toBeNaN();
      expect([ref(Infinity).y, ref(0).y, ref(-0).y]).toEqual([1, 0.5, 0.5]);
      expect(Object.is(ref(-Infinity).y, -0)).toBe(true);
    }
  });

  it('derivatives near their roots: the bound holds on the 2^10 floats either side, and grows there rather than lie', () => {
    for (const [fn, ref, root] of [
      ['gelu-grad', refGeluGrad, -0.7517915246935645],
      ['gelu-tanh-grad', refGeluTanhGrad, -0.7524614220710163],
    ] as const) {
      f32[0] = root;
      const b0 = u32[0]!;
      for (let i = -1024; i <= 1024; i += 7) {
        const x = fromBits(b0 + i);
        const { y, eps } = ref(x);
        const exact = O.evaluate(fn, x, { digits: 40 }).value;
        expect(exact.minus(O.exactDecimal(y)).abs().lte(exact.abs().times(eps)), `${fn}(${x})`).toBe(true);
      }
    }
  });
});

describe.skipIf(!hasOracle)('sweep reference: the analytically decided regions, checked at their edges by the oracle', () => {
  const next = (x: number, dir: 1 | -1) => {
    f32[0] = x;
    u32[0] = u32[0]! + (Math.abs(x) === 0 ? 0 : dir);
    return f32[0]!;
  };
  // the first float32 inside each decided region, by bisection on the reference's own cutoffs
  const firstInside = (ref: typeof refGelu, lo: number, hi: number) => {
    // lo is decided analytically (eps 0), hi is not; shrink to adjacent floats
    let a = Math.fround(lo);
    let b = Math.fround(hi);
    for (let i = 0; i < 200 && next(a, a < b ? 1 : -1) !== b; i++) {
      const m = Math.fround((a + b) / 2);
      if (m === a || m === b) break;
      if (ref(m).eps === 0) a = m;
      else b = m;
    }
    return [a, b];
  };
  // each function's analytic claims far inside its decided tails (oracle values, not just agreement)
  const geluClaims = (ref: typeof refGelu) => {
    expect(Math.fround(ref(40).y)).toBe(40);
    expect(Object.is(Math.fround(ref(-40).y), -0)).toBe(true);
  };
  for (const [fn, ref, cuts, claims] of [
    [
      'gelu',
      refGelu,
      [
        [40, 5],
        [-40, -10],
        [2 ** -61, 2 ** -58],
        [-(2 ** -61), -(2 ** -58)],
      ],
      geluClaims,
    ],
    [
      'gelu-tanh',
      refGeluTanh,
      [
        [40, 5],
        [-40, -10],
        [2 ** -61, 2 ** -58],
        [-(2 ** -61), -(2 ** -58)],
      ],
      geluClaims,
    ],
    [
      'erf',
      refErf,
      [
        [10, 5],
        [-10, -5],
      ],
      (r: typeof refGelu) => expect([r(10).y, r(-10).y]).toEqual([1, -1]),
    ],
    [
      'erfc',
      refErfc,
      [
        [40, 20],
        [-10, -5],
      ],
      (r: typeof refGelu) => expect([r(40).y, r(-10).y]).toEqual([0, 2]),
    ],
    [
      'gelu-grad',
      refGeluGrad,
      [
        [40, 5],
        [-40, -10],
      ],
      (r: typeof refGelu) => expect([r(40).y, Object.is(r(-40).y, -0)]).toEqual([1, true]),
    ],
    [
      'gelu-tanh-grad',
      refGeluTanhGrad,
      [
        [40, 5],
        [-40, -10],
      ],
      (r: typeof refGelu) => expect([r(40).y, Object.is(r(-40).y, -0)]).toEqual([1, true]),
    ],
  ] as const) {
    it(`${fn}: the float32s on both sides of each cutoff (decided tails and tiny inputs) round as the oracle says`, () => {
      for (const [lo, hi] of cuts) {
        const [a, b] = firstInside(ref, lo, hi);
        expect(ref(a).eps, `${fn} cutoff near ${a}`).toBe(0);
        expect(ref(b).eps).toBeGreaterThan(0);
        for (const x of [a, next(a, a > 0 ? 1 : -1), next(a, a > 0 ? -1 : 1)]) {
          const r = ref(x);
          const got = r.eps === 0 ? Math.fround(r.y) : decideF32(r.y, r.eps);
          if (!Number.isNaN(got)) expect(Object.is(got, O.correctlyRounded(fn, x, 'f32')), `${fn}(${x})`).toBe(true);
        }
      }
      claims(ref);
      for (const x of [40, -40, 10, -10]) {
        const r = ref(x);
        if (r.eps === 0) expect(Object.is(Math.fround(r.y), O.correctlyRounded(fn, x, 'f32')), `${fn}(${x})`).toBe(true);
      }
    });
  }
});
