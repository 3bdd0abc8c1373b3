import { describe as suite, expect, it } from 'vitest';
import {
  GegluError,
  checkDimension,
  checkInPlaceOrDisjoint,
  checkNoAlias,
  checkedProduct,
  describe,
  firstNonFinite,
  overlaps,
} from '../../src/validation.js';

suite('validation helpers (shared by the whole kernel)', () => {
  it('describe is short and exact for the values errors quote', () => {
    expect(describe(-0)).toBe('-0');
    expect(describe(NaN)).toBe('NaN');
    expect(describe('x'.repeat(100))).toBe(JSON.stringify(`${'x'.repeat(40)}…`));
    expect(describe(new Float32Array(3))).toBe('a Float32Array of length 3');
    expect(describe(null)).toBe('null');
    expect(describe(10n)).toBe('10n');
    expect(describe({})).toBe('an object (Object)');
  });

  it('checkDimension accepts safe integers ≥ min and names everything else', () => {
    expect(checkDimension('f', 'n', 0, 0)).toBe(0);
    expect(checkDimension('f', 'n', 2 ** 53 - 1)).toBe(2 ** 53 - 1);
    for (const [v, m] of [
      [0, /n is 0, expected an integer ≥ 1/],
      [-0.5, /n is -0\.5, expected an integer/],
      [-Infinity, /n is -Infinity, expected a finite integer/],
      [2 ** 53, /expected a safe integer/],
      [null, /n is null/],
    ] as const) {
      expect(() => checkDimension('f', 'n', v)).toThrow(GegluError);
      expect(() => checkDimension('f', 'n', v)).toThrow(m);
    }
  });

  it('checkedProduct refuses products past 2^53 − 1 or the limit, quoting the exact product', () => {
    expect(checkedProduct('f', ['a', 'b'], [3, 5])).toBe(15);
    expect(() => checkedProduct('f', ['a', 'b'], [2 ** 27, 2 ** 27])).toThrow(
      /a × b = 134217728 × 134217728 = 18014398509481984 elements, expected at most 4294967295/,
    );
    expect(() => checkedProduct('f', ['a'], [17], 16)).toThrow(/expected at most 16/);
  });

  it('overlaps compares byte ranges of one buffer; empty views overlap nothing', () => {
    const buf = new ArrayBuffer(64);
    expect(overlaps(new Float32Array(buf, 0, 4), new Float32Array(buf, 12, 4))).toBe(true);
    expect(overlaps(new Float32Array(buf, 0, 4), new Float32Array(buf, 16, 4))).toBe(false);
    expect(overlaps(new Float32Array(buf, 0, 4), new Uint8Array(buf, 15, 1))).toBe(true);
    expect(overlaps(new Float32Array(buf, 0, 0), new Float32Array(buf, 0, 4))).toBe(false);
    expect(overlaps(new Float32Array(4), new Float32Array(4))).toBe(false);
  });

  it('checkNoAlias names both arrays; checkInPlaceOrDisjoint allows exactly the same view only', () => {
    const a = new Float32Array(8);
    expect(() => checkNoAlias('f', 'out', a.subarray(2, 4), { x: a })).toThrow(
      /f: out overlaps x \(bytes 8–16 and 0–32 of one buffer\), expected separate memory/,
    );
    expect(() => checkInPlaceOrDisjoint('f', 'out', a, { x: a })).not.toThrow();
    expect(() => checkInPlaceOrDisjoint('f', 'out', a.subarray(1), { x: a })).toThrow(/out partially overlaps x/);
    expect(() => checkInPlaceOrDisjoint('f', 'out', new Int32Array(a.buffer), { x: a })).toThrow(/partially overlaps/);
  });

  it('firstNonFinite finds NaN and ±Infinity, not −0 or subnormals', () => {
    expect(firstNonFinite([0, -0, 5e-324, 1])).toBe(-1);
    expect(firstNonFinite([1, 2, -Infinity, NaN])).toBe(2);
    expect(firstNonFinite(new Float32Array([NaN]))).toBe(0);
    // the first one across the 2048-element blocks it sums, and at a block's edges
    for (const at of [2047, 2048, 4095, 6000]) {
      const a = new Float32Array(6001).fill(-0);
      a[at] = Infinity;
      if (at < 6000) a[6000] = NaN;
      expect(firstNonFinite(a)).toBe(at);
    }
    expect(firstNonFinite(new Float64Array(5000).fill(1.7e308))).toBe(-1);
  });
});
