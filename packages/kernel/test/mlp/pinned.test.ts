import { describe, expect, it } from 'vitest';
import * as kernel from '../../src/index.js';
// @ts-expect-error -- a plain ES module shared with the command that printed the hashes below
import { pinnedHashes } from './pinned-outputs.mjs';

/**
 * Printed by
 * `pnpm --filter @geglu/kernel build && node packages/kernel/test/mlp/pinned-outputs.mjs`.
 * Every path must keep these output bits: the kernel dot-product order is fixed. They pin the
 * plain multiply-add path (pinnedHashes sets relaxed SIMD off; ./relaxed.test.ts covers the other).
 */
const PINNED = {
  'gemma2Mlp f32 plain tanh': '6cb3cf4a',
  'gemma2Mlp f32 simd tanh': 'a4a7ae97',
  'gemma2Mlp f64 plain tanh': '16663b90',
  'gemma2Mlp f64 simd tanh': 'b084f32f',
  'createGemma2Mlp {"threads":1} tanh': 'e756dedf',
  'createGemma2Mlp {"threads":2} tanh': 'e756dedf',
  'createGemma2Mlp {"engine":"js"} tanh': 'e756dedf',
  'gemma2Mlp f32 plain none': '48abc249',
  'gemma2Mlp f32 simd none': 'c1ce0dc0',
  'gemma2Mlp f64 plain none': '3451f926',
  'gemma2Mlp f64 simd none': '5c2a3c5b',
  'createGemma2Mlp {"threads":1} none': 'acf43d09',
  'createGemma2Mlp {"threads":2} none': 'acf43d09',
  'createGemma2Mlp {"engine":"js"} none': 'acf43d09',
};

describe('Gemma 2 MLP output bits are pinned', () => {
  it('seeded calls on every path (plain, SIMD f32 and f64, 1 and 2 threads, engine js) hash as pinned', async () => {
    expect(await pinnedHashes(kernel)).toEqual(PINNED);
  });
});
