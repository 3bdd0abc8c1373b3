// The callers' recovery when a worker thread fails mid-job, against the built
// package (the worker is dist/elementwise/gelu-worker.js). Workers started by
// this file inherit GEGLU_TEST_WORKER_FAIL_BLOCK, so a worker that claims
// block 20 of a job, or a later one, throws there: the caller must finish the job itself, with
// the same float32s as one thread, and turn threads off. Vitest runs each
// test file in its own process, so the variable stays in this file.
import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

const dist = new URL('../../dist/index.js', import.meta.url);
type Kernel = typeof import('../../src/index.js');
process.env['GEGLU_TEST_WORKER_FAIL_BLOCK'] = '20';

async function threadsReady(k: Kernel, count: number): Promise<void> {
  k.setGeluThreads(count);
  k.geluArray(new Float32Array(2 ** 17)); // 11 blocks: no worker reaches block 20
  const deadline = Date.now() + 20_000;
  while (k.geluThreadsReady() < count && Date.now() < deadline) await new Promise((r) => setTimeout(r, 5));
  expect(k.geluThreadsReady()).toBe(count);
}

function firstDifference(a: Float32Array, b: Float32Array): number {
  for (let i = 0; i < a.length; i++) if (!Object.is(a[i], b[i])) return i;
  return -1;
}

describe.runIf(existsSync(dist))('a worker that fails mid-job (dist build)', () => {
  const n = 2 ** 20 + 3; // 86 blocks of 12288
  const x = new Float32Array(n);
  for (let i = 0; i < n; i++) x[i] = Math.sin(i * 0.618) * 14 + (i % 11 === 0 ? 1e-40 : 0);
  const up = new Float32Array(n);
  for (let i = 0; i < n; i++) up[i] = Math.cos(i * 0.3) * 2 ** ((i % 41) - 20);

  for (const approximate of ['none', 'tanh'] as const) {
    it(`kernel arrays in place (direct job), ${approximate}: the caller recomputes what is not done, same results, threads off`, async () => {
      const k = (await import(dist.href)) as Kernel;
      k.setGeluThreads(0);
      const want = k.geluArray(x, { approximate });
      const wantGeglu = k.geglu(x, up, { approximate });
      await threadsReady(k, 2);
      const a = k.kernelFloat32Array(n);
      a.set(x);
      k.geluArray(a, { approximate, out: a });
      expect(k.geluThreads()).toBe(0); // the pool was ended
      expect(firstDifference(a, want)).toBe(-1);
      await threadsReady(k, 2);
      const g = k.kernelFloat32Array(n);
      g.set(x);
      const u = k.kernelFloat32Array(n);
      u.set(up);
      k.geglu(g, u, { approximate, out: u });
      expect(k.geluThreads()).toBe(0);
      expect(firstDifference(u, wantGeglu)).toBe(-1);
      for (const arr of [a, g, u]) k.releaseKernelFloat32Array(arr);
    });
    it(`ordinary arrays (ring job), ${approximate}: the same`, async () => {
      const k = (await import(dist.href)) as Kernel;
      k.setGeluThreads(0);
      const want = k.geluArray(x, { approximate });
      await threadsReady(k, 2);
      const inPlace = x.slice();
      k.geluArray(inPlace, { approximate, out: inPlace });
      expect(k.geluThreads()).toBe(0);
      expect(firstDifference(inPlace, want)).toBe(-1);
    });
  }
});
