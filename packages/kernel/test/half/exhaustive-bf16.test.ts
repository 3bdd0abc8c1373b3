import { describe, expect, it } from 'vitest';
import { exhaustiveMismatches } from './exhaustive.js';

describe('bf16 gelu over all 65,536 inputs', () => {
  for (const approximate of ['none', 'tanh'] as const) {
    it(`geluBf16Array (bf16, approximate '${approximate}') is correctly rounded for every pattern (bits equal to the oracle's, ±0 distinct)`, () => {
      expect(exhaustiveMismatches('bf16', approximate)).toEqual([]);
    }, 240_000);
  }
});
