// createGemma2Mlp with 2 threads in headless Chromium: Web Workers from a Blob
// URL in a crossOriginIsolated page (the page's main thread never blocks in
// Atomics.wait), one thread in a plain page; the same bits as Node either way.
// The same for the gelu pool (split workers: the page's caller finishes their blocks).
// The speed of 2 threads against 1 is printed, not asserted.
import * as kernel from '@geglu/kernel';
import { describe, expect, it } from 'vitest';
import { chromiumMissing, geluThreads, mlpThreads, withPage, type GeluThreadsInput, type MlpThreadsInput } from '../src/index.js';
import { useKernelPage } from './page.js';

const missing = chromiumMissing();
const GELU: GeluThreadsInput = { length: 2 ** 21, workers: 1, repeats: 5, startMs: 20_000 };
const INPUT: MlpThreadsInput = { hidden: 512, intermediate: 1536, tokens: 64, threads: 2, repeats: 5, startMs: 20_000, relaxedSimd: 'off' };

describe.skipIf(missing !== null)(`createGemma2Mlp threads in headless Chromium${missing ? ` (skipped: ${missing})` : ''}`, () => {
  const chromium = useKernelPage();

  it.each([true, false])(
    'crossOriginIsolated %s: Web Workers when isolated, one thread otherwise, the same bits as Node',
    async (isolated) => {
      const node = await mlpThreads({ ...INPUT, repeats: 1 }, kernel);
      expect(node.several).toEqual(node.one);
      const page = await withPage(chromium.browser, chromium.script, { isolated }, (p) => p.evaluate(mlpThreads, INPUT));
      expect(page.threads).toBe(isolated ? 2 : 1);
      expect(page.readyThreads).toBe(page.threads);
      expect(page.one).toEqual(node.one);
      expect(page.several).toEqual(node.one);
      // the page's own path (relaxed_madd where Chromium validates it): threads still change no bit
      const own = await withPage(chromium.browser, chromium.script, { isolated }, (p) =>
        p.evaluate(mlpThreads, { ...INPUT, relaxedSimd: 'auto' as const, repeats: 1 }),
      );
      expect(own.several).toEqual(own.one);
      console.log(
        `Chromium, crossOriginIsolated ${isolated}: Gemma 2 MLP ${INPUT.tokens}×${INPUT.hidden}→${INPUT.intermediate}, best of ${INPUT.repeats}: ` +
          `1 thread ${page.oneMs.toFixed(1)} ms, ${page.threads} thread${page.threads === 1 ? '' : 's'} ${page.severalMs.toFixed(1)} ms (${(page.oneMs / page.severalMs).toFixed(2)}×)`,
      );
    },
  );

  it.each([true, false])(
    'crossOriginIsolated %s: geluArray and geglu on the gelu pool when isolated, one thread otherwise, the same bits as Node',
    async (isolated) => {
      const node = await geluThreads({ ...GELU, repeats: 1 }, kernel);
      kernel.setGeluThreads(1);
      expect(node.several).toEqual(node.one);
      const page = await withPage(chromium.browser, chromium.script, { isolated }, (p) => p.evaluate(geluThreads, GELU));
      expect({ threads: page.threads, ready: page.ready }).toEqual(isolated ? { threads: 1, ready: 1 } : { threads: 0, ready: 0 });
      expect(page.one).toEqual(node.one);
      expect(page.several).toEqual(node.one);
      console.log(
        `Chromium, crossOriginIsolated ${isolated}: geluArray of ${GELU.length} float32, best of ${GELU.repeats}: ` +
          `1 thread ${page.oneMs.toFixed(1)} ms, ${1 + page.threads} thread${page.threads === 0 ? '' : 's'} ${page.severalMs.toFixed(1)} ms (${(page.oneMs / page.severalMs).toFixed(2)}×)`,
      );
    },
  );
});
