// Published high-precision values (source named on each) and every special value.
import { describe, expect, it } from 'vitest';
import { correctlyRounded, Decimal, evaluate, exactDecimal, gelu, ORACLE_FUNCTIONS, type OracleFunction } from '../src/index.js';

/** Test arithmetic at 200 digits (the global Decimal keeps decimal.js's default 20). */
const D = Decimal.clone({ precision: 200 });

/**
 * |value − published| ≤ error + one unit in the published value's last digit (OEIS lists
 * the digits of a decimal expansion, i.e. truncated, so the true value is within one unit).
 */
function encloses(fn: OracleFunction, x: Decimal.Value, digits: number, published: string) {
  const e = evaluate(fn, x, { digits });
  const p = new Decimal(published);
  const lastDigit = new D(10).pow(p.e - p.sd() + 1);
  const gap = new D(e.value).minus(p).abs();
  expect(gap.lte(new D(e.error).plus(lastDigit)), `${fn}(${x}) = ${e.value} ± ${e.error}, published ${published}`).toBe(true);
  // The enclosure is also tight: within one unit of the requested digits.
  expect(e.error.lte(new Decimal(10).pow(e.value.e - digits + 1))).toBe(true);
}

describe('published values', () => {
  it('erf(1) matches OEIS A099286 to 60 digits', () => {
    // OEIS A099286, decimal expansion of erf(1).
    encloses('erf', 1, 60, '0.842700792949714869341220635082609259296066997966302908459937897');
  });
  it('erf(1) matches the 40 digits quoted in issue 3 and erfc(1) = 1 − erf(1)', () => {
    encloses('erf', '1', 40, '0.8427007929497148693412206350826092592961');
    encloses('erfc', '1', 40, '0.1572992070502851306587793649173907407039');
  });
  it('erf(0.5), erf(2) match Abramowitz & Stegun Table 7.1 (15 decimals)', () => {
    // A&S (1964), Table 7.1, "Error function": erf 0.5 and erf 2.0.
    encloses('erf', '0.5', 30, '0.520499877813047');
    encloses('erf', '2', 30, '0.995322265018953');
  });
  it('exp(1) matches OEIS A001113 (e) to 60 digits and exp(−1) its reciprocal', () => {
    // OEIS A001113, decimal expansion of e.
    encloses('exp', 1, 60, '2.71828182845904523536028747135266249775724709369995957496697');
    const e = new Decimal('2.71828182845904523536028747135266249775724709369995957496697');
    encloses('exp', -1, 55, Decimal.clone({ precision: 58 }).div(1, e).toString());
  });
  it('Φ(x) − ½ at x → 0 has slope 1/√(2π) = OEIS A231863', () => {
    // OEIS A231863, 1/sqrt(2·Pi) = 0.398942280401432677939946059934381868475858631164934657665925829…
    // Φ(h) = ½ + h/√(2π) − h³/(6√(2π)) + …; with h = 10^-30 the cubic term is below 10^-90.
    const h = new Decimal('1e-30');
    const e = evaluate('phi', h, { digits: 80 });
    const slope = new D(e.value).minus(0.5).div(h);
    expect(slope.minus('0.398942280401432677939946059934381868475858631164934657665925829').abs().lt('1e-45')).toBe(true);
  });
  it('gelu(x) = x·Φ(x) equals x·(1 + erf(x/√2))/2 at x = √2 (so erf(1) again, OEIS A099286)', () => {
    // x = √2 is not a decimal; take x = 1.414213562373095048801688724209698 (OEIS A002193, 34 digits)
    // and compare gelu(x)/x with (1 + erf(1))/2 to the precision the truncated x allows (Φ' < 0.4).
    const x = new Decimal('1.414213562373095048801688724209698');
    const g = gelu(x, { digits: 40 });
    const phi = new D(g).div(x);
    const expected = new D('0.842700792949714869341220635082609259296066997966302908459937897').plus(1).div(2);
    expect(phi.minus(expected).abs().lt('1e-33')).toBe(true);
  });
  it('gelu(1) = Φ(1) and Φ(−1) = 1 − Φ(1) match the one-sigma normal mass (erf(1/√2), OEIS A178647)', () => {
    // OEIS A178647: erf(1/√2) = 0.6826894921370858971704650912640758449558259334532…, the
    // "68–95–99.7 rule" one-sigma mass; Φ(±1) = (1 ± erf(1/√2))/2.
    const oneSigma = new D('0.6826894921370858971704650912640758449558259334532');
    encloses('gelu', 1, 45, oneSigma.plus(1).div(2).toFixed(49)); // ± 1e-49: truncated digits, halved, rounded
    encloses('phi', -1, 45, new D(1).minus(oneSigma).div(2).toFixed(49));
  });
});

describe('hard cases for the Ziv loop (results within 10^-45 relative of a rounding midpoint)', () => {
  it('σ(2^-52) = ½ + 2^-54 − 2^-156/48 + … lies just below the midpoint above ½: rounds to ½', () => {
    expect(correctlyRounded('sigmoid', 2 ** -52, 'f64')).toBe(0.5);
  });
  it('σ(−2^-53) = ½ − 2^-55 + 2^-159/48 − … lies just above the midpoint below ½: rounds to ½', () => {
    expect(correctlyRounded('sigmoid', -(2 ** -53), 'f64')).toBe(0.5);
  });
  it('exp(2^-53) = 1 + 2^-53 + 2^-107 + … lies just above the midpoint above 1: rounds to 1 + 2^-52', () => {
    expect(correctlyRounded('exp', 2 ** -53, 'f64')).toBe(1 + 2 ** -52);
  });
  it('exp(−2^-54) = 1 − 2^-54 + 2^-109 − … lies just above the midpoint below 1: rounds to 1', () => {
    expect(correctlyRounded('exp', -(2 ** -54), 'f64')).toBe(1);
  });
  it('f32: σ(2^-23) = ½ + 2^-25 − … just below the f32 midpoint above ½: rounds to ½', () => {
    expect(correctlyRounded('sigmoid', 2 ** -23, 'f32')).toBe(0.5);
  });
});

describe('special values (Object.is, so −0 ≠ +0)', () => {
  const geluLike = ['gelu', 'gelu-tanh', 'gelu-sigmoid'] as const;
  for (const format of ['f64', 'f32'] as const) {
    it(`gelu variants (${format}): NaN → NaN, +∞ → +∞, −∞ → −0, ±0 → ±0`, () => {
      for (const fn of geluLike) {
        expect(Number.isNaN(correctlyRounded(fn, NaN, format))).toBe(true);
        expect(correctlyRounded(fn, Infinity, format)).toBe(Infinity);
        expect(Object.is(correctlyRounded(fn, -Infinity, format), -0)).toBe(true);
        expect(Object.is(correctlyRounded(fn, 0, format), 0)).toBe(true);
        expect(Object.is(correctlyRounded(fn, -0, format), -0)).toBe(true);
      }
    });
    it(`erf, erfc, phi, exp, tanh, sigmoid (${format}) at ±0, ±∞, NaN`, () => {
      const table: [OracleFunction, number, number][] = [
        ['erf', 0, 0],
        ['erf', -0, -0],
        ['erf', Infinity, 1],
        ['erf', -Infinity, -1],
        ['erfc', 0, 1],
        ['erfc', -0, 1],
        ['erfc', Infinity, 0],
        ['erfc', -Infinity, 2],
        ['phi', 0, 0.5],
        ['phi', -0, 0.5],
        ['phi', Infinity, 1],
        ['phi', -Infinity, 0],
        ['exp', 0, 1],
        ['exp', -0, 1],
        ['exp', Infinity, Infinity],
        ['exp', -Infinity, 0],
        ['tanh', 0, 0],
        ['tanh', -0, -0],
        ['tanh', Infinity, 1],
        ['tanh', -Infinity, -1],
        ['sigmoid', 0, 0.5],
        ['sigmoid', -0, 0.5],
        ['sigmoid', Infinity, 1],
        ['sigmoid', -Infinity, 0],
      ];
      for (const [fn, x, y] of table) {
        expect(Object.is(correctlyRounded(fn, x, format), y), `${fn}(${Object.is(x, -0) ? '-0' : x})`).toBe(true);
      }
      for (const fn of ORACLE_FUNCTIONS) expect(Number.isNaN(correctlyRounded(fn, NaN, format))).toBe(true);
    });
  }
  it('gelu of subnormal inputs: x/2 when representable, ties broken upwards by the positive x² term', () => {
    const tiny = 2 ** -1074;
    expect(correctlyRounded('gelu', tiny, 'f64')).toBe(tiny); // 2^-1075 + δ rounds up
    expect(Object.is(correctlyRounded('gelu', -tiny, 'f64'), -0)).toBe(true); // −2^-1075 + δ → −0
    expect(correctlyRounded('gelu', 2 * tiny, 'f64')).toBe(tiny);
    expect(correctlyRounded('gelu', -3 * tiny, 'f64')).toBe(-tiny);
    expect(correctlyRounded('gelu', 3 * tiny, 'f64')).toBe(2 * tiny);
    expect(correctlyRounded('gelu-tanh', 2 ** -149, 'f32')).toBe(2 ** -149);
    expect(Object.is(correctlyRounded('gelu-sigmoid', -(2 ** -149), 'f32'), -0)).toBe(true);
  });
  it('huge inputs: gelu(1e300) = 1e300, gelu(−1e300) = −0, erf(±1e300) = ±1, exp(1e300) = +∞', () => {
    expect(correctlyRounded('gelu', 1e300, 'f64')).toBe(1e300);
    expect(Object.is(correctlyRounded('gelu', -1e300, 'f64'), -0)).toBe(true);
    expect(correctlyRounded('gelu-tanh', Number.MAX_VALUE, 'f64')).toBe(Number.MAX_VALUE);
    expect(correctlyRounded('erf', -1e300, 'f64')).toBe(-1);
    expect(correctlyRounded('exp', 1e300, 'f64')).toBe(Infinity);
    expect(correctlyRounded('exp', 100, 'f32')).toBe(Infinity);
  });
  it('evaluate beyond decimal.js range: gelu(−1e300) is −0 with error 1e-8980000000000000; exp(1e300) throws', () => {
    const e = evaluate('gelu', -1e300, { digits: 20 });
    expect(e.value.isZero() && e.value.isNeg()).toBe(true);
    expect(e.error.eq('1e-8980000000000000')).toBe(true);
    const p = evaluate('gelu', 1e300, { digits: 20 });
    expect(p.value.eq(new Decimal('1.0000000000000000525e300'))).toBe(true); // 1e300's exact double, 20 digits
    expect(() => evaluate('exp', 1e300, { digits: 20 })).toThrow(
      /^evaluate: x is 1\.0+1e\+300 for exp, expected at most .* \(decimal\.js's exponent range\)$/,
    );
  });
});

describe('no global configuration leaks in or out', () => {
  it("a caller's Decimal.set({ precision: 3, rounding: ROUND_DOWN, minE: −20, toExpNeg: −1 }) changes no result, and the oracle changes no global setting", () => {
    const before = { p: Decimal.precision, r: Decimal.rounding, minE: Decimal.minE, maxE: Decimal.maxE, neg: Decimal.toExpNeg };
    // Decimals are kept as objects and printed after the settings are restored, so only
    // values are compared (toString itself follows the caller's toExpNeg).
    const run = () => [
      correctlyRounded('gelu', -5.25, 'f64'),
      correctlyRounded('gelu', 2 ** -1074, 'f64'),
      correctlyRounded('erfc', 20, 'f32'),
      correctlyRounded('erfc', 20, 'f64'), // 5.4e-176: below the caller's minE, above ours
      evaluate('erf', '0.5', { digits: 30 }).value,
      gelu('-3', { approximate: 'tanh', digits: 25 }),
    ];
    const expected = run().map(String);
    expect(Decimal.precision).toBe(before.p);
    expect(Decimal.rounding).toBe(before.r);
    try {
      Decimal.set({ precision: 3, rounding: Decimal.ROUND_DOWN, minE: -20, toExpNeg: -1 });
      const got = run();
      Decimal.set({ precision: before.p, rounding: before.r, minE: before.minE, toExpNeg: before.neg });
      expect(got.map(String)).toEqual(expected);
    } finally {
      Decimal.set({ precision: before.p, rounding: before.r, minE: before.minE, maxE: before.maxE, toExpNeg: before.neg });
    }
  });
});

describe('returned Decimals carry 1400-digit precision', () => {
  it('sums of exact floats and products with a float stay exact (the arithmetic tests do on oracle values)', () => {
    const big = Decimal.clone({ precision: 3000 });
    const tiny = exactDecimal(2 ** -1074);
    const huge = exactDecimal(2 ** 1023);
    expect(tiny.plus(huge).eq(new big(tiny).plus(huge))).toBe(true); // 1383 digits, exact
    const v = evaluate('gelu', 2 ** -149, { digits: 100 }).value;
    const u = exactDecimal(Math.fround(-5.007445547128883e29));
    expect(v.times(u).eq(new big(v).times(u))).toBe(true);
    expect(Decimal.isDecimal(v)).toBe(true);
  });
});
