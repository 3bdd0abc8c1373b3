// The callers' recovery when a worker thread fails mid-job, against the built
// package (the worker is dist/elementwise/gelu-worker.js). Workers started by
// this file are set up (setPoolForTests) so that a worker that claims block
// 12 of a job, or a later one, throws there: the caller must finish the job
// itself, with the same float32s as one thread, and turn threads off.
// Whether a worker gets such a block depends on when it wakes (on a loaded
// machine the caller may take them all), so each case calls until a worker
// has failed, at most 30 times, checking every call's results, and requires
// that one did. Vitest runs each test file in its own process, so the
// setting stays in this file.
import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { distIndex, distParallel, firstDifference } from './helpers.js';

const dist = distIndex;
type Kernel = typeof import('../../src/index.js');
await distParallel({ failAtBlock: 12, pastCores: true });

async function threadsReady(k: Kernel, count: number): Promise<void> {
  k.setGeluThreads(count);
  k.geluArray(new Float32Array(2 ** 17)); // 11 blocks: no worker reaches block 12
  const deadline = Date.now() + 20_000;
  while (k.geluThreadsReady() < count && Date.now() < deadline) await new Promise((r) => setTimeout(r, 5));
  expect(k.geluThreadsReady()).toBe(count);
}

describe.runIf(existsSync(dist))('a worker that fails mid-job (dist build)', () => {
  const n = 2 ** 20 + 3; // 86 blocks of 12288
  const x = new Float32Array(n);
  for (let i = 0; i < n; i++) x[i] = Math.sin(i * 0.618) * 14 + (i % 11 === 0 ? 1e-40 : 0);
  const up = new Float32Array(n);
  for (let i = 0; i < n; i++) up[i] = Math.cos(i * 0.3) * 2 ** ((i % 41) - 20);

  /**
   * Runs `call` on a fresh pool of 2 warmed-up workers until a worker has
   * failed in it (the pool is then ended), at most 30 times; checks each
   * result against `want`; returns the calls made (30 + 1: none failed).
   */
  async function untilAWorkerFails(k: Kernel, call: () => Float32Array, want: Float32Array): Promise<number> {
    for (let attempt = 1; attempt <= 30; attempt++) {
      await threadsReady(k, 2);
      const got = call();
      expect({ attempt, firstDifference: firstDifference(got, want) }).toEqual({ attempt, firstDifference: -1 });
      if (k.geluThreads() === 0) return attempt;
    }
    return 31;
  }

  for (const approximate of ['none', 'tanh'] as const) {
    it(`kernel arrays in place (direct jobs), ${approximate}: the caller recomputes what is not done, same results, threads off`, async () => {
      const k = (await import(dist.href)) as Kernel;
      k.setGeluThreads(0);
      const want = k.geluArray(x, { approximate });
      const wantGeglu = k.geglu(x, up, { approximate });
      const a = k.kernelFloat32Array(n);
      const gelu = () => {
        a.set(x);
        return k.geluArray(a, { approximate, out: a });
      };
      expect(await untilAWorkerFails(k, gelu, want)).toBeLessThanOrEqual(30);
      const g = k.kernelFloat32Array(n);
      g.set(x);
      const u = k.kernelFloat32Array(n);
      const geglu = () => {
        u.set(up);
        return k.geglu(g, u, { approximate, out: u });
      };
      expect(await untilAWorkerFails(k, geglu, wantGeglu)).toBeLessThanOrEqual(30);
      for (const arr of [a, g, u]) k.releaseKernelFloat32Array(arr);
    });
    it(`ordinary arrays in place (ring jobs), ${approximate}: the same`, async () => {
      const k = (await import(dist.href)) as Kernel;
      k.setGeluThreads(0);
      const want = k.geluArray(x, { approximate });
      const y = new Float32Array(n);
      const gelu = () => {
        y.set(x);
        return k.geluArray(y, { approximate, out: y });
      };
      expect(await untilAWorkerFails(k, gelu, want)).toBeLessThanOrEqual(30);
    });
  }
});
