// roundDecimal (f64, f32, bf16, f16), stepDistance, ulpError, exactDecimal: exact float helpers.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Decimal, exactDecimal, roundDecimal, stepDistance, ulpError } from '../src/index.js';
import { nextUp } from './helpers.js';
import { bitsToBf16, bitsToF16, bitsToF64, roundToFormat } from '@geglu/float';

const D = Decimal.clone({ precision: 1200 });
const pow2 = (k: number) => new D(2).pow(k);

describe('exactDecimal', () => {
  it('gives the exact binary value: 0.1 is 0.1000000000000000055511151231257827021181583404541015625', () => {
    // 0.1 = 3602879701896397·2^-55 exactly.
    expect(exactDecimal(0.1).toFixed()).toBe('0.1000000000000000055511151231257827021181583404541015625');
    expect(exactDecimal(2 ** -1074).eq(pow2(-1074))).toBe(true);
    expect(exactDecimal(-(2 ** 1023)).eq(pow2(1023).neg())).toBe(true);
    expect(exactDecimal(-0).isNeg() && exactDecimal(-0).isZero()).toBe(true);
  });
  it('round-trips every finite double through roundDecimal (f64)', () => {
    const anyDouble = fc.bigInt({ min: 0n, max: (1n << 64n) - 1n }).map((b) => new Float64Array(new BigUint64Array([b]).buffer)[0]!);
    fc.assert(
      fc.property(anyDouble, (x) => {
        fc.pre(!Number.isNaN(x));
        expect(Object.is(roundDecimal(exactDecimal(x), 'f64'), x)).toBe(true);
      }),
    );
  });
});

describe('roundDecimal', () => {
  it('ties go to even: 1 + 2^-53 → 1, 1 + 3·2^-53 → 1 + 2^-51; f32 1 + 2^-24 → 1', () => {
    expect(roundDecimal(new D(1).plus(pow2(-53)), 'f64')).toBe(1);
    expect(roundDecimal(new D(1).plus(pow2(-53).times(3)), 'f64')).toBe(1 + 2 ** -51);
    expect(roundDecimal(new D(1).plus(pow2(-24)), 'f32')).toBe(1);
    expect(roundDecimal(new D(1).plus(pow2(-24)).plus(pow2(-80)), 'f32')).toBe(1 + 2 ** -23);
  });
  it('subnormals: half the smallest subnormal rounds to 0 (tie, even), just above it to 2^-1074; the sign of zero follows the value', () => {
    expect(Object.is(roundDecimal(pow2(-1075), 'f64'), 0)).toBe(true);
    expect(roundDecimal(pow2(-1075).plus(pow2(-1200)), 'f64')).toBe(2 ** -1074);
    expect(Object.is(roundDecimal(pow2(-1075).neg(), 'f64'), -0)).toBe(true);
    expect(Object.is(roundDecimal(new D('-1e-400'), 'f64'), -0)).toBe(true);
    expect(roundDecimal(pow2(-1074).times(3).div(2), 'f64')).toBe(2 * 2 ** -1074); // 1.5 units: tie to even 2
    expect(roundDecimal(pow2(-150).plus(pow2(-200)), 'f32')).toBe(2 ** -149);
    expect(Object.is(roundDecimal(pow2(-150), 'f32'), 0)).toBe(true);
  });
  it('overflow: the midpoint between the largest finite and 2^1024 rounds to Infinity, just below it to MAX_VALUE', () => {
    const mid = pow2(1024).minus(pow2(970));
    expect(roundDecimal(mid, 'f64')).toBe(Infinity);
    expect(roundDecimal(mid.minus(1), 'f64')).toBe(Number.MAX_VALUE);
    expect(roundDecimal(mid.neg(), 'f64')).toBe(-Infinity);
    const mid32 = pow2(128).minus(pow2(103));
    expect(roundDecimal(mid32, 'f32')).toBe(Infinity);
    expect(roundDecimal(mid32.minus(1), 'f32')).toBe(3.4028234663852886e38);
    expect(roundDecimal(new D('1e400'), 'f64')).toBe(Infinity);
  });
  it('NaN, ±Infinity and ±0 Decimals map to the same floats', () => {
    expect(Number.isNaN(roundDecimal(new Decimal(NaN), 'f64'))).toBe(true);
    expect(roundDecimal(new Decimal(-Infinity), 'f32')).toBe(-Infinity);
    expect(Object.is(roundDecimal(new Decimal(-0), 'f32'), -0)).toBe(true);
  });
  it('f32 rounding of a decimal is never off by the double rounding of Math.fround(Number(...))', () => {
    // 1 + 2^-24 + 2^-60: as a double it becomes 1 + 2^-24 (a tie for f32), but the exact value is above it.
    expect(roundDecimal(new D(1).plus(pow2(-24)).plus(pow2(-60)), 'f32')).toBe(1 + 2 ** -23);
  });
});

describe('stepDistance', () => {
  it('0 for identical values, 1 for neighbours, symmetric', () => {
    expect(stepDistance(1, 1, 'f64')).toBe(0);
    expect(stepDistance(1, nextUp(1, 'f64'), 'f64')).toBe(1);
    expect(stepDistance(nextUp(1, 'f64'), 1, 'f64')).toBe(1);
    expect(stepDistance(1, 1 + 2 ** -23, 'f32')).toBe(1);
    expect(stepDistance(1, 2, 'f32')).toBe(2 ** 23);
  });
  it('across zero and subnormals: −0 vs +0 is 0, smallest subnormal vs either zero is 1, −tiny vs +tiny is 2', () => {
    const t = 2 ** -1074;
    expect(stepDistance(-0, 0, 'f64')).toBe(0);
    expect(stepDistance(t, 0, 'f64')).toBe(1);
    expect(stepDistance(t, -0, 'f64')).toBe(1);
    expect(stepDistance(-t, t, 'f64')).toBe(2);
    expect(stepDistance(2 ** -1022, 2 ** -1022 - t, 'f64')).toBe(1); // smallest normal vs largest subnormal
    expect(stepDistance(-(2 ** -149), 2 ** -149, 'f32')).toBe(2);
    expect(stepDistance(0, 2 ** -126, 'f32')).toBe(2 ** 23);
  });
  it('infinity is one step beyond the largest finite; NaN is 0 from NaN and Infinity from anything else', () => {
    expect(stepDistance(Number.MAX_VALUE, Infinity, 'f64')).toBe(1);
    expect(stepDistance(3.4028234663852886e38, Infinity, 'f32')).toBe(1);
    expect(stepDistance(NaN, NaN, 'f64')).toBe(0);
    expect(stepDistance(NaN, 1, 'f32')).toBe(Infinity);
  });
  it('equals the number of nextUp steps for random nearby f64 pairs', () => {
    fc.assert(
      fc.property(fc.double({ noNaN: true, noDefaultInfinity: true }), fc.integer({ min: 0, max: 20 }), (x, k) => {
        let y = x;
        for (let i = 0; i < k && y !== Infinity; i++) y = nextUp(y, 'f64');
        fc.pre(y !== Infinity && !Object.is(x, -0));
        // nextUp(−0) = +tiny as IEEE's nextUp, so a walk from −0 counts like one from +0.
        expect(stepDistance(x, y, 'f64')).toBe(k);
      }),
    );
  });
});

describe('ulpError', () => {
  it('is |computed − exact|/ulp(exact): 0 when equal, 0.5 at a midpoint, 1 at the neighbour', () => {
    expect(ulpError(1, new D(1), 'f64')).toBe(0);
    expect(ulpError(1, new D(1).plus(pow2(-53)), 'f64')).toBe(0.5);
    expect(ulpError(nextUp(1, 'f64'), new D(1), 'f64')).toBe(1);
    // Just below 1 the spacing is 2^-53, so 1 is two ulps from 1 − 2^-52.
    expect(ulpError(1, new D(1).minus(pow2(-52)), 'f64')).toBe(2);
    expect(ulpError(1, new D(1).plus(pow2(-24)), 'f32')).toBe(0.5);
  });
  it('uses the subnormal spacing below 2^emin and for an exact 0', () => {
    expect(ulpError(2 ** -1074, new D(0), 'f64')).toBe(1);
    expect(ulpError(0, pow2(-1076), 'f64')).toBe(0.25);
    expect(ulpError(2 ** -149, new D(0), 'f32')).toBe(1);
  });
  it('handles non-finite values: equal infinities 0, otherwise Infinity', () => {
    expect(ulpError(Infinity, new Decimal(Infinity), 'f64')).toBe(0);
    expect(ulpError(Infinity, new D('1e400'), 'f64')).toBe(Infinity);
    expect(ulpError(NaN, new Decimal(NaN), 'f64')).toBe(0);
    expect(ulpError(1, new Decimal(NaN), 'f64')).toBe(Infinity);
  });
  it('a correctly rounded value has ulpError ≤ 0.5 (random decimals in f64 and f32)', () => {
    fc.assert(
      fc.property(fc.double({ min: -1e30, max: 1e30, noNaN: true }), fc.double({ min: -1, max: 1, noNaN: true }), (a, b) => {
        const exact = exactDecimal(a).plus(new D(b).times(exactDecimal(a)).times('1e-15'));
        for (const f of ['f64', 'f32'] as const) expect(ulpError(roundDecimal(exact, f), exact, f)).toBeLessThanOrEqual(0.5);
      }),
    );
  });
});

describe('roundDecimal to bf16 and f16 (one rounding from the exact value)', () => {
  const anyDouble = fc.bigInt({ min: 0n, max: (1n << 64n) - 1n }).map(bitsToF64);

  it.each(['bf16', 'f16'] as const)('%s: agrees with @geglu/float rounding the exact value of any double', (format) => {
    fc.assert(
      fc.property(anyDouble, (x) => {
        fc.pre(Number.isFinite(x));
        expect(Object.is(roundDecimal(exactDecimal(x), format), roundToFormat(x, format))).toBe(true);
      }),
      { numRuns: 2000 },
    );
  });

  it.each([
    ['bf16', 0x3f80],
    ['f16', 0x3c00],
  ] as const)('%s: a hair above or below a midpoint, far beyond double precision, decides the side', (format, one) => {
    const from = format === 'bf16' ? bitsToBf16 : bitsToF16;
    // 1 and its successor: 1 + 2^-7 (bf16), 1 + 2^-10 (f16); their midpoint ties to the even 1
    const mid = new D(exactDecimal(from(one))).plus(exactDecimal(from(one + 1))).div(2);
    expect(roundDecimal(mid, format)).toBe(1);
    expect(roundDecimal(mid.plus('1e-100'), format)).toBe(from(one + 1));
    expect(roundDecimal(mid.minus('1e-100').neg(), format)).toBe(-1);
  });

  it('f16 overflows from 65520 (the midpoint above 65504) and keeps the sign of an underflow', () => {
    expect(roundDecimal(new Decimal('65519.99999999999999999999'), 'f16')).toBe(65504);
    expect(roundDecimal(new Decimal(65520), 'f16')).toBe(Infinity);
    expect(Object.is(roundDecimal(new Decimal('-1e-30'), 'f16'), -0)).toBe(true);
    expect(roundDecimal(pow2(-133), 'bf16')).toBe(2 ** -133);
  });
});
