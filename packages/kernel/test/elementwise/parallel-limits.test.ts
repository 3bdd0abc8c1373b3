// What an ordinary environment and an oversized thread count do to the gelu
// pool, against the built package (its workers are dist files). Nothing here
// calls setPoolForTests: the pool runs as users get it.
import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { describe, expect, it } from 'vitest';

const dist = new URL('../../dist/index.js', import.meta.url);
type Kernel = typeof import('../../src/index.js');

/** A fresh pool of `count` workers, started and warmed up (20 s at most). */
async function freshPool(k: Kernel, count: number): Promise<void> {
  k.setGeluThreads(0);
  k.setGeluThreads(count);
  k.geluArray(new Float32Array(2 ** 17));
  const deadline = Date.now() + 20_000;
  while (k.geluThreadsReady() < k.geluThreads() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 5));
}

describe.runIf(existsSync(dist))('gelu pool limits (dist build)', () => {
  it('setGeluThreads(64) starts at most availableParallelism() − 1 workers', async () => {
    const k = (await import(dist.href)) as Kernel;
    await freshPool(k, 64);
    expect(k.geluThreads()).toBe(Math.min(64, availableParallelism() - 1));
    k.setGeluThreads(1);
  });

  it.runIf(availableParallelism() > 1)(
    "GEGLU_TEST_WORKER_FAIL_BLOCK in the environment ('', '0', '12') changes nothing: 2^20 + 3-element calls keep their worker and their results",
    async () => {
      const k = (await import(dist.href)) as Kernel;
      const n = 2 ** 20 + 3; // 86 blocks: a ready worker claims some of every call
      const x = new Float32Array(n);
      for (let i = 0; i < n; i++) x[i] = Math.sin(i * 0.618) * 14;
      k.setGeluThreads(0);
      const want = k.geluArray(x, { approximate: 'tanh' });
      for (const value of ['', '0', '12']) {
        process.env.GEGLU_TEST_WORKER_FAIL_BLOCK = value; // workers copy the environment when they start
        await freshPool(k, 1);
        expect({ value, ready: k.geluThreadsReady() }).toEqual({ value, ready: 1 });
        for (let call = 0; call < 5; call++) {
          const got = k.geluArray(x, { approximate: 'tanh' });
          let bad = -1;
          for (let i = 0; i < n && bad < 0; i++) if (!Object.is(got[i], want[i])) bad = i;
          expect({ value, call, bad, workers: k.geluThreads() }).toEqual({ value, call, bad: -1, workers: 1 });
        }
      }
      delete process.env.GEGLU_TEST_WORKER_FAIL_BLOCK;
      k.setGeluThreads(1);
    },
  );
});
