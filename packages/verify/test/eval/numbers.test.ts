import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { formatInfo } from '@geglu/float';
import { formatNumber, numberSyntaxError, parseNumber, compareDecimalWithDouble } from '../../src/io/numbers.js';
import { halfCodec } from '../../src/sweep/half.js';

describe('number parsing for geglu eval', () => {
  it('accepts decimals, signed zeros and the special spellings', () => {
    expect(Object.is(parseNumber('-0', 'f32'), -0)).toBe(true);
    expect(Object.is(parseNumber('  -0.0e5\t', 'f64'), -0)).toBe(true);
    expect(parseNumber('.5', 'f64')).toBe(0.5);
    expect(parseNumber('7.', 'f64')).toBe(7);
    expect(parseNumber('-Infinity', 'f32')).toBe(-Infinity);
    expect(parseNumber('+inf', 'f64')).toBe(Infinity);
    expect(parseNumber('-INF', 'f64')).toBe(-Infinity);
    expect(parseNumber('nan', 'f32')).toBeNaN();
    expect(parseNumber('NaN', 'f64')).toBeNaN();
  });
  it('rejects what Number() would silently accept: empty, hex, binary, underscores, two numbers', () => {
    for (const bad of ['', '   ', '0x10', '0b1', '1_000', '1 2', 'e5', '1e', '--1', 'Infinityx', '١']) {
      expect(numberSyntaxError(bad), bad).not.toBeNull();
      expect(() => parseNumber(bad, 'f64')).toThrow(/is not a number/);
    }
    expect(numberSyntaxError('')).toBe('empty line, expected a number');
  });
  it('rounds a decimal just above the f32 midpoint 1 + 2^-24 up, where fround(Number(s)) rounds down', () => {
    // 1 + 2^-24 = 1.000000059604644775390625 exactly (a midpoint between the f32 values 1 and 1 + 2^-23)
    const above = '1.00000005960464477539062500001';
    expect(Math.fround(Number(above))).toBe(1); // the double-rounding trap
    expect(parseNumber(above, 'f32')).toBe(1 + 2 ** -23);
    expect(parseNumber('1.00000005960464477539062499999', 'f32')).toBe(1);
    expect(parseNumber('1.000000059604644775390625', 'f32')).toBe(1); // exact tie → even (1)
    expect(parseNumber('-1.00000005960464477539062500001', 'f32')).toBe(-(1 + 2 ** -23));
  });
  it('rounds at the f32 overflow midpoint 2^128 − 2^103 and at the underflow midpoint 2^-150 correctly', () => {
    const overflowMid = 2n ** 128n - 2n ** 103n;
    expect(parseNumber(`${overflowMid}`, 'f32')).toBe(Infinity); // tie: 2^128 has the even significand
    expect(parseNumber(`${overflowMid}.000000000000000000000000000000000001`, 'f32')).toBe(Infinity);
    expect(parseNumber(`${overflowMid - 1n}.9999999999999999999999999999999`, 'f32')).toBe(3.4028234663852886e38);
    expect(parseNumber(`-${overflowMid - 1n}`, 'f32')).toBe(-3.4028234663852886e38);
    // 2^-150 = 7.00649232162408535461864791644958065640130970938257885878534141944895541342930300743319094181060791015625e-46
    const tiny = '7.00649232162408535461864791644958065640130970938257885878534141944895541342930300743319094181060791015625e-46';
    expect(Object.is(parseNumber(tiny, 'f32'), 0)).toBe(true); // tie → even (0)
    expect(parseNumber(`${tiny.replace('e-46', '1e-46')}`, 'f32')).toBe(2 ** -149);
    expect(Object.is(parseNumber(`-${tiny}`, 'f32'), -0)).toBe(true);
  });
  it('f32 parsing equals exact rational rounding for decimals near random f32 midpoints (fast-check)', () => {
    const f = new Float32Array(1);
    const u = new Uint32Array(f.buffer);
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 0x7f7ffffe }), fc.constantFrom(-1n, 0n, 1n), fc.boolean(), (bits, nudge, neg) => {
        u[0] = bits;
        const lo = f[0]!;
        u[0] = bits + 1;
        const hi = f[0]!;
        const mid = (lo + hi) / 2; // exact in f64
        // exact decimal of the midpoint, nudged by 1e-60 relative, written out with BigInt
        const s = exactDecimal(mid, nudge);
        const want = nudge === 0n ? Math.fround(mid) : nudge > 0n ? hi : lo;
        const got = parseNumber((neg ? '-' : '') + s, 'f32');
        expect(got).toBe(neg ? -want : want);
      }),
    );
  });
  for (const format of ['bf16', 'f16'] as const) {
    const { toBits, fromBits } = halfCodec(format);
    const info = formatInfo(format);
    it(`${format} parsing equals exact rational rounding just around midpoints, ties to even (fast-check over all finite pairs)`, () => {
      const maxBits = toBits(info.maxFinite);
      fc.assert(
        fc.property(fc.integer({ min: 0, max: maxBits - 1 }), fc.constantFrom(-1n, 0n, 1n), fc.boolean(), (bits, nudge, neg) => {
          const lo = fromBits(bits);
          const hi = fromBits(bits + 1);
          const s = exactDecimal((lo + hi) / 2, nudge); // the midpoint is exact in f64
          // a tie goes to the even bit pattern
          const want = nudge === 0n ? (bits % 2 === 0 ? lo : hi) : nudge > 0n ? hi : lo;
          expect(parseNumber((neg ? '-' : '') + s, format)).toBe(neg ? -want : want);
        }),
      );
    });
    it(`${format} rounds at its overflow midpoint and at half its smallest subnormal`, () => {
      const over = (info.maxFinite + 2 ** (info.emax + 1)) / 2; // f16: 65520
      expect(parseNumber(exactDecimal(over, 0n), format)).toBe(Infinity); // tie: the largest finite is odd
      expect(parseNumber(exactDecimal(over, -1n), format)).toBe(info.maxFinite);
      expect(parseNumber(`-${exactDecimal(over, 1n)}`, format)).toBe(-Infinity);
      const half = info.minSubnormal / 2;
      expect(Object.is(parseNumber(exactDecimal(half, 0n), format), 0)).toBe(true);
      expect(parseNumber(exactDecimal(half, 1n), format)).toBe(info.minSubnormal);
      expect(Object.is(parseNumber(`-${exactDecimal(half, -1n)}`, format), -0)).toBe(true);
    });
  }
  it('f16 overflow midpoint is 65520 (DESIGN.md: values from 65520 up round to ∞)', () => {
    expect(parseNumber('65519.99999999', 'f16')).toBe(65504);
    expect(parseNumber('65520', 'f16')).toBe(Infinity);
  });
  it('compares a decimal with a double exactly', () => {
    expect(compareDecimalWithDouble('0.1', 0.1)).toBe(-1); // 0.1 (double) = 0.1000000000000000055511151231257827…
    expect(compareDecimalWithDouble('0.5', 0.5)).toBe(0);
    expect(compareDecimalWithDouble('500e-3', 0.5)).toBe(0);
  });
  it('formats the shortest round-trip string and keeps -0', () => {
    expect(formatNumber(-0)).toBe('-0');
    expect(formatNumber(0)).toBe('0');
    expect(formatNumber(Math.fround(0.1))).toBe('0.10000000149011612');
    expect(formatNumber(-Infinity)).toBe('-Infinity');
    expect(formatNumber(NaN)).toBe('NaN');
  });
});

/** The exact decimal expansion of a positive double m, plus nudge·10^-(digits+30) (BigInt arithmetic). */
function exactDecimal(m: number, nudge: bigint): string {
  const view = new DataView(new ArrayBuffer(8));
  view.setFloat64(0, m);
  const hi = view.getUint32(0);
  const biased = (hi >>> 20) & 0x7ff;
  let mant = (BigInt(hi & 0xfffff) << 32n) | BigInt(view.getUint32(4));
  if (biased !== 0) mant |= 1n << 52n;
  const e2 = (biased === 0 ? 1 : biased) - 1075;
  if (e2 >= 0) return `${(mant << BigInt(e2)) * 10n ** 40n + nudge}e-40`;
  // mant / 2^-e2 = mant·5^-e2 / 10^-e2
  const scaled = mant * 5n ** BigInt(-e2) * 10n ** 30n + nudge;
  return `${scaled}e-${-e2 + 30}`;
}
