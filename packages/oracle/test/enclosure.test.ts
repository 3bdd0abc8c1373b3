// The error bounds themselves: every enclosure must contain mpmath's 60-digit value,
// at inputs on both sides of each algorithm boundary (test/fixtures/mpmath_values.jsonl,
// written by generate_mpmath_reference.py).
import { describe, expect, it } from 'vitest';
import { Decimal, evaluate, type OracleFunction } from '../src/index.js';
import { readJsonl } from './helpers.js';

const D = Decimal.clone({ precision: 200 });
const lines = readJsonl<{ fn: OracleFunction; x: string; value: string }>('mpmath_values.jsonl');

describe('enclosures contain mpmath 60-digit values', () => {
  for (const digits of [20, 45]) {
    it(`evaluate(fn, x, { digits: ${digits} }) encloses the reference (± half a unit of its 60th digit) for all ${lines.length} (fn, x) pairs, and is tight`, () => {
      const failures: string[] = [];
      for (const l of lines) {
        const e = evaluate(l.fn, l.x, { digits });
        const ref = new D(l.value);
        const refHalfUnit = ref.isZero() ? new D(0) : new D(10).pow(ref.e - 59).div(2);
        const gap = new D(e.value).minus(ref).abs();
        if (gap.gt(new D(e.error).plus(refHalfUnit))) failures.push(`${l.fn}(${l.x}): ${e.value} ± ${e.error} misses ${l.value}`);
        // Tight: within one unit of the requested digits (evaluate's contract).
        if (!e.value.isZero() && e.error.gt(new D(10).pow(e.value.e - digits + 1)))
          failures.push(`${l.fn}(${l.x}): error ${e.error} too wide`);
      }
      expect(failures).toEqual([]);
    });
  }
});
