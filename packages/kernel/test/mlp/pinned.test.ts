import { describe, expect, it } from 'vitest';
import * as kernel from '../../src/index.js';
// @ts-expect-error -- a plain ES module shared with the command that printed the hashes below
import { pinnedHashes } from './pinned-outputs.mjs';

/**
 * Printed by
 * `pnpm --filter @geglu/kernel build && node packages/kernel/test/mlp/pinned-outputs.mjs`.
 * Every path must keep these output bits: the kernel dot-product order is fixed.
 */
const PINNED = {
  'gemma2Mlp f32 plain tanh': '6cb3cf4a',
  'gemma2Mlp f32 simd tanh': '1871c502',
  'gemma2Mlp f64 plain tanh': '16663b90',
  'gemma2Mlp f64 simd tanh': 'e4268b61',
  'createGemma2Mlp {"threads":1} tanh': '6acb5fbb',
  'createGemma2Mlp {"threads":2} tanh': '6acb5fbb',
  'createGemma2Mlp {"engine":"js"} tanh': '6acb5fbb',
  'gemma2Mlp f32 plain none': '48abc249',
  'gemma2Mlp f32 simd none': 'cfdf6edd',
  'gemma2Mlp f64 plain none': '3451f926',
  'gemma2Mlp f64 simd none': '30282d34',
  'createGemma2Mlp {"threads":1} none': '28364a7a',
  'createGemma2Mlp {"threads":2} none': '28364a7a',
  'createGemma2Mlp {"engine":"js"} none': '28364a7a',
};

describe('Gemma 2 MLP output bits are pinned', () => {
  it('seeded calls on every path (plain, SIMD f32 and f64, 1 and 2 threads, engine js) hash as pinned', async () => {
    expect(await pinnedHashes(kernel)).toEqual(PINNED);
  });
});
