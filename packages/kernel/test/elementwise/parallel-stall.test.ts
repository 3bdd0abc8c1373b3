// A worker off its core mid-job on ordinary arrays (a ring job), against the built package (the
// worker is dist/elementwise/gelu-worker.js). Workers started by this file sleep 60 ms when they
// claim block 20 of a job or a later one (setPoolForTests), as a worker whose core another process
// has: the caller must not wait for it but compute that block itself (steal), go on with the job
// (past the ring once it comes round to the stolen block's slot), give the same float32s as one
// thread, keep threads on, and run the calls that follow while the worker still sleeps on its own
// thread. Which block a worker claims first depends on when it wakes, so each case calls until a
// block early enough for the ring to come round was stolen, at most 30 times, checking every
// call's results. Vitest runs each test file in its own process, so the setting stays in this file.
import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { distIndex, distParallel, firstDifference } from './helpers.js';

const dist = distIndex;
type Kernel = typeof import('../../src/index.js');
const parallel = await distParallel({ pauseAtBlock: 20, pauseMs: 60, pastCores: true });

describe.runIf(existsSync(dist) && parallel !== null)('a worker off its core mid-job (dist build)', () => {
  // 342 blocks of 12288: the ring (32 slots) comes round to a stolen block's slot unless the
  // worker first claims a block within 32 of the end.
  const n = 2 ** 22 + 3;
  const x = new Float32Array(n);
  for (let i = 0; i < n; i++) x[i] = Math.sin(i * 0.618) * 14 + (i % 11 === 0 ? 1e-40 : 0);
  const up = new Float32Array(n);
  for (let i = 0; i < n; i++) up[i] = Math.cos(i * 0.3) * 2 ** ((i % 41) - 20);

  /**
   * Calls until a block was stolen early enough in the job for the ring to come round to its slot
   * (past-ring blocks), at most 30 times, checking each result; returns the calls made (31: none
   * was). A call may run on the calling thread alone (backing off, or the worker still asleep
   * inside the last job), or its worker may first claim a block near the end: the next try waits
   * for the worker to be back.
   */
  async function untilAStall(call: () => Float32Array, want: Float32Array): Promise<number> {
    for (let attempt = 1; attempt <= 30; attempt++) {
      const stolen = parallel!.stolenBlocks();
      const pastRing = parallel!.pastRingBlocks();
      const got = call();
      expect({ attempt, firstDifference: firstDifference(got, want) }).toEqual({ attempt, firstDifference: -1 });
      if (parallel!.stolenBlocks() > stolen && parallel!.pastRingBlocks() > pastRing) return attempt;
      await new Promise((r) => setTimeout(r, 70));
    }
    return 31;
  }

  for (const approximate of ['none', 'tanh'] as const) {
    it(`gelu and geglu on ordinary arrays, in place and not, ${approximate}: the caller steals the block and goes on, same results, threads stay on and take blocks again`, async () => {
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
        expect(await untilAStall(call, expected)).toBeLessThanOrEqual(30);
        expect(k.geluThreads()).toBe(1);
        // The worker sleeps on: the calls right after run on the calling thread (backing off, then
        // not waiting for a worker still inside the last job), with the same results.
        for (let i = 0; i < 3; i++) expect(firstDifference(call(), expected)).toBe(-1);
        // Once it is back, it takes blocks again.
        await new Promise((r) => setTimeout(r, 70));
      }
    });
  }
});
