// @geglu/gpu bundled for a browser by esbuild (its "browser" field swaps the
// Node host module for one using gpu.js's own browser bundle) runs every gpu.js
// mode in headless Chromium: cpu and webasm give Node's bits; webgl2, webgl
// and webgpu (SwiftShader here) run on the mode asked for and never return a
// non-finite value for a finite input. How far those are from the correctly
// rounded values is measured by src/measure-gpu.ts, not gated here.
import fc from 'fast-check';
import * as gpu from '@geglu/gpu';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bitsToF32 } from '@geglu/float';
import { bundleForBrowser, chromiumMissing, firstDifference, gpuCases, launchChromium, withPage, type GpuCaseRun } from '../src/index.js';

const missing = chromiumMissing();
const here = new URL('.', import.meta.url).pathname;
const EDGES = [
  0, 0x80000000, 1, 0x80000001, 0x007fffff, 0x807fffff, 0x00800000, 0x7f7fffff, 0xff7fffff, 0x7f800000, 0xff800000, 0x7fc00000, 0x3f800000,
  0xbf800000, 0xc0800000, 0xc1500000,
];

describe.skipIf(missing !== null)(`@geglu/gpu in headless Chromium${missing ? ` (skipped: ${missing})` : ''}`, () => {
  let browser: Browser;
  let runs: GpuCaseRun[];
  let xBits: number[];
  let script: string;
  beforeAll(async () => {
    xBits = [...EDGES, ...fc.sample(fc.integer({ min: 0, max: 2 ** 32 - 1 }), { numRuns: 4096 - EDGES.length })];
    script = await bundleForBrowser(`import * as gpu from '@geglu/gpu'; globalThis.geglu = { gpu };`, here);
    browser = await launchChromium();
    runs = await withPage(browser, script, { isolated: false }, (p) =>
      p.evaluate(gpuCases, { xBits, backends: ['webgpu', 'webgl2', 'webgl', 'webasm', 'cpu'] as gpu.ResolvedGpuBackend[] }),
    );
  });
  afterAll(async () => {
    await browser?.close();
  });

  it.each(['webgl2', 'webgl', 'webgpu', 'webasm', 'cpu'])('%s opens in Chromium and runs on that mode', (backend) => {
    const run = runs.find((r) => r.backend === backend)!;
    expect(run.error, `${backend}: ${run.error}`).toBeUndefined();
    expect(run.ran).toBe(backend);
    expect(run.device).toBeTruthy();
  });

  it.each(['webasm', 'cpu'] as const)('%s in Chromium equals the same backend in Node bit for bit', async (backend) => {
    const [node] = await gpuCases({ xBits, backends: [backend] }, gpu);
    const page = runs.find((r) => r.backend === backend)!;
    expect(node!.error).toBeUndefined();
    expect(firstDifference(node!.results!, page.results!)).toBeNull();
  });

  // geglu is left out: gelu(gate)·up overflows for large finite inputs, correctly.
  it.each(['webgl2', 'webgl', 'webgpu'])('%s gelu, erf and erfc never return a non-finite value for a finite input', (backend) => {
    const run = runs.find((r) => r.backend === backend)!;
    for (const [name, { words }] of Object.entries(run.results!)) {
      const bad = words.findIndex(
        (w, i) => Number.isFinite(bitsToF32(xBits[i]!)) && !Number.isFinite(bitsToF32(w)) && !name.startsWith('geglu'),
      );
      expect(bad, `${backend} ${name}: x = ${bitsToF32(xBits[bad] ?? 0)} gave ${bitsToF32(words[bad] ?? 0)}`).toBe(-1);
    }
  });

  it("the browser bundle's backends have webgl2 and webgl in place of Node's headless-gl", async () => {
    const page = await withPage(browser, script, { isolated: false }, (p) =>
      p.evaluate(() => (globalThis as unknown as { geglu: { gpu: typeof gpu } }).geglu.gpu.GPU_BACKENDS),
    );
    expect(page).toEqual(['webgpu', 'webgl2', 'webgl', 'webasm', 'cpu']);
  });
});
