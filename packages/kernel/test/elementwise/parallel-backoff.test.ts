// Backing off to the calling thread when threads do not help (src/elementwise/back-off.ts, as
// src/elementwise/parallel.ts applies it), against the built package. Workers started by this file
// sleep 2 ms before every block they claim (setPoolForTests), as workers on a core that a busy process mostly has: in a ring job
// of 86 blocks the calling thread computes nearly all of them itself (a block takes ~40 µs), so
// the jobs must be judged unhelpful and the calls back off, with the same float32s as one thread
// throughout. Vitest runs each test file in its own process, so the setting stays in this file.
import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { distIndex, distParallel, firstDifference } from './helpers.js';

const dist = distIndex;
type Kernel = typeof import('../../src/index.js');
const parallel = await distParallel({ pauseAtBlock: 0, pauseMs: 2, pastCores: true });

describe.runIf(existsSync(dist) && parallel !== null)('workers that barely help (dist build)', () => {
  it('ring jobs whose caller computes nearly every block back off, with the same results', async () => {
    const k = (await import(dist.href)) as Kernel;
    const n = 2 ** 20 + 3;
    const x = new Float32Array(n);
    for (let i = 0; i < n; i++) x[i] = Math.sin(i * 0.618) * 14;
    k.setGeluThreads(0);
    const want = k.geluArray(x, { approximate: 'tanh' });
    k.setGeluThreads(1);
    k.geluArray(new Float32Array(2 ** 17));
    const deadline = Date.now() + 20_000;
    while (k.geluThreadsReady() < 1 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 5));
    expect(k.geluThreadsReady()).toBe(1);

    const before = parallel!.backOffs();
    const out = new Float32Array(n);
    let calls = 0;
    while (parallel!.backOffs() === before && calls < 10) {
      calls++;
      expect({ calls, firstDifference: firstDifference(k.geluArray(x, { approximate: 'tanh', out }), want) }).toEqual({
        calls,
        firstDifference: -1,
      });
      // Let the sleeping worker leave the job, so that the next call is a ring job again.
      await new Promise((r) => setTimeout(r, 5));
    }
    expect(parallel!.backOffs()).toBeGreaterThan(before);
    for (let i = 0; i < 3; i++) expect(firstDifference(k.geluArray(x, { approximate: 'tanh', out }), want)).toBe(-1);
    expect(k.geluThreads()).toBe(1);
  });
});
