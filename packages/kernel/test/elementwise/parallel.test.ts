// Runs against the built package (dist/), because the worker thread loads
// dist/elementwise/gelu-worker.js: this is also the check that threads work
// from the package as installed. Build first (pnpm --filter @geglu/kernel build).
import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

const dist = new URL('../../dist/index.js', import.meta.url);

describe('geluArray on worker threads (dist build)', () => {
  it('dist/ exists (run the build before the tests)', () => {
    expect(existsSync(dist)).toBe(true);
  });
  it('gelu both forms (kernel f32, 2 threads) are bit-identical to one thread on 2^19 + 5 dense inputs, in place and not', async () => {
    const k = (await import(dist.href)) as typeof import('../../src/index.js');
    const x = new Float32Array(2 ** 19 + 5);
    for (let i = 0; i < x.length; i++) x[i] = Math.sin(i * 0.618) * 16 + (i % 7 === 0 ? 1e-40 : 0);
    for (const approximate of ['none', 'tanh'] as const) {
      k.setGeluThreads(0);
      const one = k.geluArray(x, { approximate });
      expect(k.geluThreads()).toBe(0);
      k.setGeluThreads(1);
      const two = k.geluArray(x, { approximate });
      expect(k.geluThreads()).toBe(1);
      const inPlace = x.slice();
      k.geluArray(inPlace, { approximate, out: inPlace });
      let bad = -1;
      for (let i = 0; i < x.length && bad < 0; i++) {
        if (!Object.is(one[i], two[i]) || !Object.is(one[i], inPlace[i])) bad = i;
      }
      expect(bad < 0 ? 'identical' : { i: bad, x: x[bad], one: one[bad], two: two[bad], inPlace: inPlace[bad] }).toBe(
        'identical',
      );
    }
  });
  it('setGeluThreads rejects a count outside [0, 64] naming expected and actual', async () => {
    const k = (await import(dist.href)) as typeof import('../../src/index.js');
    expect(() => k.setGeluThreads(-1)).toThrow(/setGeluThreads: count is -1, expected an integer in \[0, 64\]/);
    expect(() => k.setGeluThreads(1.5)).toThrow(/count is 1.5/);
  });
});
