import { bitsToBf16, bitsToF16, bitsToF32, bitsToF64, compareResult } from '@geglu/float';
import type { KernelCaseOutput } from './kernel-cases.js';

/**
 * The first result of `got` that is not the same as `want`'s (bit for bit, any
 * NaN equal to any NaN: a page's engine may quiet a signalling NaN), as a
 * sentence, or null when every result matches.
 */
export function firstDifference(want: KernelCaseOutput, got: KernelCaseOutput): string | null {
  for (const [name, { format, words }] of Object.entries(want)) {
    const other = got[name];
    if (other === undefined) return `${name}: missing`;
    if (other.format !== format || other.words.length !== words.length) {
      return `${name}: ${other.words.length} ${other.format} words, expected ${words.length} ${format}`;
    }
    const step = format === 'f64' ? 2 : 1;
    for (let i = 0; i < words.length; i += step) {
      const a = wordValue(format, words, i);
      const b = wordValue(format, other.words, i);
      if (!compareResult(b, a, format).matches) return `${name}: element ${i / step}: expected ${String(a)}, got ${String(b)}`;
    }
  }
  return null;
}

function wordValue(format: KernelCaseOutput[string]['format'], words: readonly number[], i: number): number {
  switch (format) {
    case 'f32':
      return bitsToF32(words[i]!);
    case 'f64':
      return bitsToF64((BigInt(words[i + 1]!) << 32n) | BigInt(words[i]!));
    case 'bf16':
      return bitsToBf16(words[i]!);
    case 'f16':
      return bitsToF16(words[i]!);
  }
}
