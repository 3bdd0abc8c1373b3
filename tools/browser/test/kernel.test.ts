// @geglu/kernel bundled for a browser by esbuild (the package's "browser" field
// swaps its Node host module for the browser's; esbuild refuses a node: import
// for a browser) runs in headless Chromium and
// gives the same bits as in Node: on one thread in a plain page, and in a
// crossOriginIsolated page (SharedArrayBuffer present), where the gelu pool starts
// (test/mlp-threads.test.ts checks the calls its workers take part in).
import fc from 'fast-check';
import * as kernel from '@geglu/kernel';
import { describe, expect, it } from 'vitest';
import { chromiumMissing, firstDifference, kernelCases, withPage, type KernelCaseInput } from '../src/index.js';
import { useKernelPage } from './page.js';

const missing = chromiumMissing();

// Bit patterns: the edges of every region, then seeded random patterns over all
// 2^32 (NaN payloads, ±∞, subnormals included); over 2^17 of them, so that
// geluArray takes its threaded path where there are threads.
const EDGES = [
  0, 0x80000000, 1, 0x80000001, 0x007fffff, 0x807fffff, 0x00800000, 0x80800000, 0x7f7fffff, 0xff7fffff, 0x7f800000, 0xff800000, 0x7fc00000,
  0xffc00001, 0x3f800000, 0xbf800000, 0xc0800000, 0xc1500000,
];
function input(): KernelCaseInput {
  const random = fc.sample(fc.integer({ min: 0, max: 2 ** 32 - 1 }), { numRuns: 2 ** 18 - EDGES.length });
  return { xBits: [...EDGES, ...random], tokens: 3, hidden: 64, intermediate: 96 };
}

describe.skipIf(missing !== null)(`@geglu/kernel in headless Chromium${missing ? ` (skipped: ${missing})` : ''}`, () => {
  const chromium = useKernelPage();

  it.each([false, true])('crossOriginIsolated %s: every workload equals Node bit for bit', async (isolated) => {
    const data = input();
    const node = kernelCases(data, kernel);
    const page = await withPage(chromium.browser, chromium.script, { isolated }, async (p) => ({
      isolated: await p.evaluate(() => (globalThis as unknown as { crossOriginIsolated: boolean }).crossOriginIsolated),
      results: await p.evaluate(kernelCases, data),
      threads: await p.evaluate(() => (globalThis as unknown as { geglu: { kernel: typeof kernel } }).geglu.kernel.geluThreads()),
    }));
    expect(page.isolated).toBe(isolated);
    // the default of one worker, started by the first large call where threads can exist
    expect(page.threads).toBe(isolated ? 1 : 0);
    expect(Object.keys(page.results)).toEqual(Object.keys(node));
    expect(firstDifference(node, page.results)).toBeNull();
  });

  it('reading a safetensors file by path says a browser has no file system', async () => {
    const message = await withPage(chromium.browser, chromium.script, { isolated: false }, (p) =>
      p.evaluate(() =>
        (globalThis as unknown as { geglu: { kernel: typeof kernel } }).geglu.kernel.readSafetensorsHeader('/model.safetensors').then(
          () => 'read',
          (e: Error) => e.message,
        ),
      ),
    );
    expect(message).toMatch(/in a browser: .*needs a file system/);
  });
});
