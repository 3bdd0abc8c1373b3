// The exhaustive proof shared by the bf16 and f16 test files (one file per format, so
// vitest runs them on separate workers): every one of the 65,536 patterns, both forms,
// against the oracle's correctly rounded result.
import { bf16ToBits, bitsToBf16, bitsToF16, f16ToBits } from '@geglu/float';
import { correctlyRounded } from '@geglu/oracle';
import { geluBf16Array, geluF16Array } from '../../src/index.js';

export type Half = 'bf16' | 'f16';

export const decode = (bits: number, format: Half): number => (format === 'bf16' ? bitsToBf16(bits) : bitsToF16(bits));
export const encode = (x: number, format: Half): number => (format === 'bf16' ? bf16ToBits(x) : f16ToBits(x));

/** All 65,536 patterns in order. */
export function allPatterns(): Uint16Array {
  const a = new Uint16Array(65536);
  for (let b = 0; b < 65536; b++) a[b] = b;
  return a;
}

/**
 * Patterns whose kernel result is not the oracle's correctly rounded pattern (a NaN
 * input must give some NaN; otherwise the bits must be equal, so ±0 differ).
 */
export function exhaustiveMismatches(format: Half, approximate: 'none' | 'tanh'): string[] {
  const fn = approximate === 'tanh' ? 'gelu-tanh' : 'gelu';
  const got = (format === 'bf16' ? geluBf16Array : geluF16Array)(allPatterns(), { approximate });
  const bad: string[] = [];
  for (let b = 0; b < 65536; b++) {
    const x = decode(b, format);
    const r = got[b]!;
    const ok = x !== x ? decode(r, format) !== decode(r, format) : r === encode(correctlyRounded(fn, x, format), format);
    if (!ok) bad.push(`${fn}(${format} 0x${b.toString(16)} = ${x}) gave 0x${r.toString(16)}`);
  }
  return bad;
}
