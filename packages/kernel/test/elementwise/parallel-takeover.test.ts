// The caller's take-over of a ring job (ordinary arrays) from a worker that is off its core,
// against the built package (the worker is dist/elementwise/gelu-worker.js). Workers started by
// this file sleep 30 ms when they claim block 20 of a job or a later one (setPoolForTests), as a
// worker whose core another process has: the caller must finish the job itself without waiting
// for it, with the same float32s as one thread, keep threads on, and run the calls that follow
// while the worker still sleeps on its own thread. Whether a worker claims such a block depends
// on when it wakes, so each case calls until a take-over happened, at most 30 times, checking every
// call's results. Vitest runs each test file in its own process, so the setting stays in this file.
import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

const dist = new URL('../../dist/index.js', import.meta.url);
type Kernel = typeof import('../../src/index.js');
const parallel = (await import(new URL('../../dist/elementwise/parallel.js', import.meta.url).href).catch(() => null)) as
  | typeof import('../../src/elementwise/parallel.js')
  | null;
parallel?.setPoolForTests({ pauseAtBlock: 20, pauseMs: 30, pastCores: true });

function firstDifference(a: Float32Array, b: Float32Array): number {
  for (let i = 0; i < a.length; i++) if (!Object.is(a[i], b[i])) return i;
  return -1;
}

describe.runIf(existsSync(dist) && parallel !== null)('a worker off its core mid-job (dist build)', () => {
  const n = 2 ** 20 + 3; // 86 blocks of 12288
  const x = new Float32Array(n);
  for (let i = 0; i < n; i++) x[i] = Math.sin(i * 0.618) * 14 + (i % 11 === 0 ? 1e-40 : 0);
  const up = new Float32Array(n);
  for (let i = 0; i < n; i++) up[i] = Math.cos(i * 0.3) * 2 ** ((i % 41) - 20);

  /** Calls until takeOvers() has grown, at most 30 times, checking each result; returns the calls made (31: none took over). */
  function untilATakeOver(call: () => Float32Array, want: Float32Array): number {
    const before = parallel!.takeOvers();
    for (let attempt = 1; attempt <= 30; attempt++) {
      const got = call();
      expect({ attempt, firstDifference: firstDifference(got, want) }).toEqual({ attempt, firstDifference: -1 });
      if (parallel!.takeOvers() > before) return attempt;
    }
    return 31;
  }

  for (const approximate of ['none', 'tanh'] as const) {
    it(`gelu and geglu on ordinary arrays, in place and not, ${approximate}: the caller finishes alone, same results, threads stay on and take blocks again`, async () => {
      const k = (await import(dist.href)) as Kernel;
      k.setGeluThreads(0);
      const want = k.geluArray(x, { approximate });
      const wantGeglu = k.geglu(x, up, { approximate });
      k.setGeluThreads(1);
      k.geluArray(new Float32Array(2 ** 17)); // 11 blocks: no worker reaches block 20
      const deadline = Date.now() + 20_000;
      while (k.geluThreadsReady() < 1 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 5));
      expect(k.geluThreadsReady()).toBe(1);

      const y = new Float32Array(n);
      const g = new Float32Array(n);
      const calls = [
        () => k.geluArray(x, { approximate, out: y }),
        () => {
          y.set(x);
          return k.geluArray(y, { approximate, out: y });
        },
      ];
      const gegluCalls = [
        () => k.geglu(x, up, { approximate, out: g }),
        () => {
          g.set(up);
          return k.geglu(x, g, { approximate, out: g });
        },
      ];
      for (const [call, expected] of [...calls.map((c) => [c, want] as const), ...gegluCalls.map((c) => [c, wantGeglu] as const)]) {
        expect(untilATakeOver(call, expected)).toBeLessThanOrEqual(30);
        expect(k.geluThreads()).toBe(1);
        // The worker sleeps on: the calls right after run on the calling thread (backing off, then
        // not waiting for a worker still inside the last job), with the same results.
        for (let i = 0; i < 3; i++) expect(firstDifference(call(), expected)).toBe(-1);
        // Once it is back, it takes blocks again: only a worker holding a block brings a take-over.
        await new Promise((r) => setTimeout(r, 40));
      }
    });
  }
});
