// The gelu pool's split workers (what a browser bundle gets: source-text
// workers that run only the WebAssembly kernel, the caller finishing their
// blocks), forced here in Node: the same bits as one thread, for gelu and
// geglu, both forms, ordinary and kernel arrays, in place and not.
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as k from '../../src/index.js';
import { setPoolForTests, splitBlocks } from '../../src/elementwise/parallel.js';
import { simdAvailable } from '../../src/elementwise/simd.js';

beforeAll(() => setPoolForTests({ split: true, pastCores: true }));
afterAll(() => {
  k.setGeluThreads(0);
  setPoolForTests({});
  k.setGeluThreads(1);
});

async function threadsReady(count: number): Promise<void> {
  k.setGeluThreads(count);
  k.geluArray(new Float32Array(2 ** 17));
  const deadline = Date.now() + 20_000;
  while (k.geluThreadsReady() < count && Date.now() < deadline) await new Promise((r) => setTimeout(r, 5));
  expect({ ready: k.geluThreadsReady(), of: k.geluThreads() }).toEqual({ ready: count, of: count });
}

/** Any NaN equals any NaN; otherwise bit for bit (±0 apart). */
function firstMismatch(a: Float32Array, b: Float32Array): number {
  for (let i = 0; i < a.length; i++) if (!(Object.is(a[i], b[i]) || (Number.isNaN(a[i]) && Number.isNaN(b[i])))) return i;
  return -1;
}

describe.skipIf(!simdAvailable())('split gelu workers', () => {
  it('gelu and geglu, both forms, 2 split workers: bit-identical to one thread on 2^19 + 7 inputs of every kind', async () => {
    const bits = fc.sample(fc.integer({ min: 0, max: 2 ** 32 - 1 }), { numRuns: 2 ** 19 + 7 });
    const x = new Float32Array(Uint32Array.from(bits).buffer);
    // half of the inputs in the tables' range, where flagged pairs come from
    for (let i = 0; i < x.length; i += 2) x[i] = Math.sin(i * 0.618) * 16;
    const up = x.slice().reverse();
    const want: Record<string, Float32Array> = {};
    k.setGeluThreads(0);
    for (const approximate of ['none', 'tanh'] as const) {
      want[`gelu ${approximate}`] = k.geluArray(x, { approximate });
      want[`geglu ${approximate}`] = k.geglu(x, up, { approximate });
    }
    await threadsReady(2);
    const before = splitBlocks();
    for (const approximate of ['none', 'tanh'] as const) {
      const inPlace = x.slice();
      k.geluArray(inPlace, { approximate, out: inPlace });
      const kx = k.kernelFloat32Array(x.length);
      kx.set(x);
      const got: Record<string, Float32Array> = {
        gelu: k.geluArray(x, { approximate }),
        'gelu in place': inPlace,
        'gelu kernel arrays': k.geluArray(kx, { approximate, out: kx }).slice(),
        geglu: k.geglu(x, up, { approximate }),
      };
      k.releaseKernelFloat32Array(kx);
      for (const [name, y] of Object.entries(got)) {
        const w = want[`${name.startsWith('geglu') ? 'geglu' : 'gelu'} ${approximate}`]!;
        const i = firstMismatch(w, y);
        expect({ name, approximate, i, x: x[i], got: y[i], want: w[i] }).toEqual({
          name,
          approximate,
          i: -1,
          x: x[-1],
          got: y[-1],
          want: w[-1],
        });
      }
    }
    expect(splitBlocks()).toBeGreaterThan(before);
  });
});
