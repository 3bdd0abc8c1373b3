// Runs against the built package (dist/), because the worker thread loads
// dist/elementwise/gelu-worker.js: this is also the check that threads work
// from the package as installed. Build first (pnpm --filter @geglu/kernel build).
import { existsSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';

const dist = new URL('../../dist/index.js', import.meta.url);
type Kernel = typeof import('../../src/index.js');

// Pools of 3 workers are tested on machines with fewer cores too (a pool
// otherwise starts at most availableParallelism() − 1: test/elementwise/parallel-limits.test.ts).
beforeAll(async () => {
  if (!existsSync(dist)) return;
  const parallel = (await import(
    new URL('../../dist/elementwise/parallel.js', import.meta.url).href
  )) as typeof import('../../src/elementwise/parallel.js');
  parallel.setPoolForTests({ pastCores: true });
});

/**
 * Sets `count` workers, starts them with one large call (they do not block
 * it) and waits until all have warmed up, so that the calls that follow are
 * shared among them; fails if they are not ready within 20 s.
 */
async function threadsReady(k: Kernel, count: number): Promise<void> {
  k.setGeluThreads(count);
  k.geluArray(new Float32Array(2 ** 17));
  const deadline = Date.now() + 20_000;
  while (k.geluThreadsReady() < count && Date.now() < deadline) await new Promise((r) => setTimeout(r, 5));
  expect({ ready: k.geluThreadsReady(), of: k.geluThreads() }).toEqual({ ready: count, of: count });
}

const SPECIALS = [NaN, Infinity, -Infinity, 0, -0, 1e-45, -1e-45, 3.4e38, -3.4e38, -10.78, -14.36, 4.995];

/** n elements f(i), except that every `period`-th, from `phase` on, is the next of SPECIALS. */
function withSpecials(n: number, period: number, phase: number, f: (i: number) => number): Float32Array {
  const x = new Float32Array(n);
  for (let i = 0; i < n; i++) x[i] = i % period === phase ? SPECIALS[((i / period) % SPECIALS.length) | 0]! : f(i);
  return x;
}

describe('geluArray on worker threads (dist build)', () => {
  it('dist/ exists (run the build before the tests)', () => {
    expect(existsSync(dist)).toBe(true);
  });
  it('gelu both forms (kernel f32, 2 threads) are bit-identical to one thread on 2^19 + 5 dense inputs, in place and not', async () => {
    const k = (await import(dist.href)) as Kernel;
    const x = new Float32Array(2 ** 19 + 5);
    for (let i = 0; i < x.length; i++) x[i] = Math.sin(i * 0.618) * 16 + (i % 7 === 0 ? 1e-40 : 0);
    for (const approximate of ['none', 'tanh'] as const) {
      k.setGeluThreads(0);
      const one = k.geluArray(x, { approximate });
      expect(k.geluThreads()).toBe(0);
      await threadsReady(k, 1);
      const two = k.geluArray(x, { approximate });
      const inPlace = x.slice();
      k.geluArray(inPlace, { approximate, out: inPlace });
      let bad = -1;
      for (let i = 0; i < x.length && bad < 0; i++) {
        if (!Object.is(one[i], two[i]) || !Object.is(one[i], inPlace[i])) bad = i;
      }
      expect(bad < 0 ? 'identical' : { i: bad, x: x[bad], one: one[bad], two: two[bad], inPlace: inPlace[bad] }).toBe('identical');
    }
  });
  it('back-to-back gelu and geglu calls of varied lengths, both forms, on 1 and 3 workers equal one thread, special values included', async () => {
    // Lengths around the thresholds: PARALLEL_MIN (2^17), whole blocks
    // (BLOCK = 12288), and arrays that wrap the ring (16 slots with 1 worker,
    // 24 with 3) several times; consecutive jobs, gelu and geglu alternating,
    // check that one job's counters, kind and done marks never leak into the next.
    const k = (await import(dist.href)) as Kernel;
    const lengths = [2 ** 17, 2 ** 17 + 1, 12288 * 16, 12288 * 16 + 11, 12288 * 40 - 3, 2 ** 20 + 7];
    const inputs = lengths.map((n, j) => withSpecials(n, 997, j, (i) => Math.sin(i * 0.618 + j) * 12));
    const ups = lengths.map((n, j) => withSpecials(n, 997, j + 500, (i) => Math.cos(i * 0.377) * 2 ** ((i % 61) - 30)));
    const forms = ['none', 'tanh'] as const;
    type Call = (x: Float32Array, j: number, approximate: 'none' | 'tanh', inPlace: boolean) => Float32Array;
    const calls: Array<[string, Call]> = [
      ['geluArray', (x, _j, approximate, inPlace) => (inPlace ? k.geluArray(x, { approximate, out: x }) : k.geluArray(x, { approximate }))],
      [
        'geglu',
        (x, j, approximate, inPlace) => (inPlace ? k.geglu(x, ups[j]!, { approximate, out: x }) : k.geglu(x, ups[j]!, { approximate })),
      ],
    ];
    k.setGeluThreads(0);
    const expected = calls.map(([, call]) => inputs.map((x, j) => forms.map((approximate) => call(x, j, approximate, false))));
    for (const threads of [1, 3]) {
      await threadsReady(k, threads);
      for (let round = 0; round < 2; round++) {
        inputs.forEach((x, j) => {
          forms.forEach((approximate, f) => {
            calls.forEach(([name, call], c) => {
              // Round 1 in place.
              const got = call(round === 0 ? x : x.slice(), j, approximate, round === 1);
              const want = expected[c]![j]![f]!;
              let bad = -1;
              for (let i = 0; i < x.length && bad < 0; i++) if (!Object.is(got[i], want[i])) bad = i;
              expect(
                bad < 0
                  ? 'identical'
                  : { name, threads, n: x.length, approximate, i: bad, x: x[bad], up: ups[j]![bad], got: got[bad], want: want[bad] },
              ).toBe('identical');
            });
          });
        });
      }
      expect(k.geluThreads()).toBe(threads);
    }
    k.setGeluThreads(1);
  });
  it('kernel arrays (no copies: the threads compute where the arrays are) equal one thread on ordinary arrays: gelu and geglu, both forms, 1 and 3 workers, in place and not, growing lengths', async () => {
    // Lengths that grow from call to call (the per-block map of done blocks
    // is reallocated), with a partial last block and JavaScript tails.
    const k = (await import(dist.href)) as Kernel;
    const parallel = (await import(
      new URL('../../dist/elementwise/parallel.js', import.meta.url).href
    )) as typeof import('../../src/elementwise/parallel.js');
    const lengths = [2 ** 17, 12288 * 16 + 11, 2 ** 20 + 7, 12288 * 40 - 3];
    const xs = lengths.map((n, j) => withSpecials(n, 991, j, (i) => Math.sin(i * 0.618 + j) * 12));
    const ups = lengths.map((n, j) => withSpecials(n, 991, j + 300, (i) => Math.cos(i * 0.377) * 2 ** ((i % 61) - 30)));
    const kernelCopy = (a: Float32Array) => {
      const c = k.kernelFloat32Array(a.length);
      c.set(a);
      return c;
    };
    k.setGeluThreads(0);
    const forms = ['none', 'tanh'] as const;
    const want = xs.map((x, j) => forms.map((approximate) => [k.geluArray(x, { approximate }), k.geglu(x, ups[j]!, { approximate })]));
    for (const threads of [1, 3]) {
      await threadsReady(k, threads);
      xs.forEach((x, j) => {
        forms.forEach((approximate, f) => {
          const [gelu, geglu] = want[j]![f]!;
          const kx = kernelCopy(x);
          const ku = kernelCopy(ups[j]!);
          const before = parallel.directJobs();
          const got: Record<string, Float32Array> = {
            gelu: k.geluArray(kx, { approximate, out: k.kernelFloat32Array(x.length) }),
            geglu: k.geglu(kx, ku, { approximate, out: k.kernelFloat32Array(x.length) }),
          };
          const inPlace = kernelCopy(x);
          got.geluInPlace = k.geluArray(inPlace, { approximate, out: inPlace });
          got.gegluOutUp = k.geglu(kx, ku, { approximate, out: ku });
          // Four direct jobs (no copies); then a kernel input with an ordinary
          // output, which goes through the ring (copies), right after them.
          expect(parallel.directJobs() - before).toBe(4);
          got.geluMixed = k.geluArray(kernelCopy(x), { approximate });
          expect(parallel.directJobs() - before).toBe(4);
          for (const [name, y] of Object.entries(got)) {
            const w = name.startsWith('gelu') && !name.startsWith('geglu') ? gelu! : geglu!;
            let bad = -1;
            for (let i = 0; i < x.length && bad < 0; i++) if (!Object.is(y[i], w[i])) bad = i;
            expect(bad < 0 ? 'identical' : { name, threads, n: x.length, approximate, i: bad, x: x[bad], got: y[bad], want: w[bad] }).toBe(
              'identical',
            );
          }
          expect(k.isKernelFloat32Array(kx)).toBe(true);
        });
      });
      expect(k.geluThreads()).toBe(threads);
    }
    k.setGeluThreads(1);
  });
  it('switching the multiply-add path (setRelaxedSimd) between calls restarts the pool on the other module, whose instance follows the memory as it grows; same results', async () => {
    // Under vitest.relaxed.config.ts 'off' and 'auto' are two modules, the calling thread has an
    // instance of each, and the pool runs one. A larger pool's ring, placed after the memory has
    // grown, lies beyond what an instance made before the growth saw: its views must follow.
    const k = (await import(dist.href)) as Kernel;
    const x = withSpecials(2 ** 18 + 3, 499, 7, (i) => Math.sin(i * 0.618) * 12);
    k.setGeluThreads(0);
    const want = k.geluArray(x, { approximate: 'tanh' });
    const paths: boolean[] = [];
    for (const mode of ['off', 'auto', 'off'] as const) {
      k.setRelaxedSimd(mode);
      paths.push(k.relaxedSimdPath().active);
      for (const threads of [1, 3]) {
        await threadsReady(k, threads);
        const got = k.geluArray(x, { approximate: 'tanh' });
        let bad = -1;
        for (let i = 0; i < x.length && bad < 0; i++) if (!Object.is(got[i], want[i])) bad = i;
        expect(bad < 0 ? 'identical' : { mode, threads, i: bad, x: x[bad], got: got[bad], want: want[bad] }).toBe('identical');
        // grows the kernel memory by 16 MiB before the next pool
        k.kernelFloat32Array(2 ** 22);
      }
    }
    const available = k.relaxedSimdPath().available;
    expect(paths).toEqual([false, available, false]);
    k.setRelaxedSimd('auto');
    k.setGeluThreads(1);
  });
  it('setGeluThreads rejects a count outside [0, 64] naming expected and actual', async () => {
    const k = (await import(dist.href)) as Kernel;
    expect(() => k.setGeluThreads(-1)).toThrow(/setGeluThreads: count is -1, expected an integer in \[0, 64\]/);
    expect(() => k.setGeluThreads(1.5)).toThrow(/count is 1.5/);
  });
});
