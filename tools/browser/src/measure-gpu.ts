/**
 * Measures gpu.js's modes in headless Chromium the way @geglu/gpu's
 * measure-error.js measures Node's backends (the same inputs, references,
 * regions and table: @geglu/gpu/measure): per function and input region, the
 * worst distance in float32 steps from the correctly rounded value, and the
 * NaN/∞ results for finite inputs. The page runs @geglu/gpu bundled for a
 * browser (SwiftShader's WebGL and WebGPU here); the references are computed
 * in Node and the page's results scored there.
 *
 *   node tools/browser/dist/measure-gpu.js [--samples N] [--backends webgl2,webgl,webgpu,webasm,cpu] [--oracle-check N] [--oracle all] [--json]
 */
import type { GeluOptions } from '@geglu/gpu';
import { parseMeasureArgs, runMeasurement, runScript, UsageError, type Measurable } from '@geglu/gpu/measure';
import { bundleForBrowser, CHROMIUM_PATH, chromiumMissing, launchChromium, withPage } from './chromium.js';

const PAGE_BACKENDS = ['webgl2', 'webgl', 'webgpu', 'webasm', 'cpu'];

// The page keeps one GegluGpu per backend (the functions passed to page.evaluate
// run there, so they reach it through globalThis, never through a closure); Node sends inputs and receives results as float32 bit patterns.
const ENTRY = `
import { GegluGpu } from '@geglu/gpu';
const open = new Map();
const f32 = (bits) => new Float32Array(new Uint32Array(bits).buffer);
const bitsOf = (a) => Array.from(new Uint32Array(a.buffer, a.byteOffset, a.length));
globalThis.geglu = {
  async open(backend) {
    try {
      const gpu = await GegluGpu.create({ backend });
      open.set(backend, gpu);
      return { backend: gpu.backend, device: gpu.device };
    } catch (e) {
      return { error: e.message };
    }
  },
  async run(backend, fn, bits, options) {
    const gpu = open.get(backend);
    return bitsOf(fn === 'gelu' ? await gpu.gelu(f32(bits), options) : await gpu[fn](f32(bits)));
  },
  async close(backend) {
    await open.get(backend)?.dispose();
    open.delete(backend);
  },
};
`;

interface PageApi {
  open(backend: string): Promise<{ backend: string; device: string } | { error: string }>;
  run(backend: string, fn: 'gelu' | 'erf' | 'erfc', bits: number[], options?: GeluOptions): Promise<number[]>;
  close(backend: string): Promise<void>;
}

async function main(): Promise<void> {
  const opts = parseMeasureArgs('measure-gpu', process.argv.slice(2), PAGE_BACKENDS.join(','));
  const unknown = opts.backends?.filter((b) => !PAGE_BACKENDS.includes(b));
  if (unknown?.length)
    throw new UsageError(`measure-gpu: --backends has ${unknown.join(', ')}, expected some of ${PAGE_BACKENDS.join(', ')}`);
  const missing = chromiumMissing();
  if (missing) throw new UsageError(`measure-gpu: ${missing}`);
  const script = await bundleForBrowser(ENTRY, new URL('.', import.meta.url).pathname);
  const browser = await launchChromium();
  try {
    console.log(`browser: Chromium ${browser.version()} (${CHROMIUM_PATH}), headless`);
    await withPage(browser, script, { isolated: false }, (page) =>
      runMeasurement(opts, async (measureOne) => {
        for (const backend of PAGE_BACKENDS) {
          if (opts.backends && !opts.backends.includes(backend)) continue;
          const opened = await page.evaluate((b) => (globalThis as unknown as { geglu: PageApi }).geglu.open(b), backend);
          if ('error' in opened) {
            console.log(`\n${backend}: skipped (${opened.error})`);
            continue;
          }
          const call = async (fn: 'gelu' | 'erf' | 'erfc', x: Float32Array, options?: GeluOptions) => {
            const bits = Array.from(new Uint32Array(x.buffer, x.byteOffset, x.length));
            const out = await page.evaluate(([b, f, xs, o]) => (globalThis as unknown as { geglu: PageApi }).geglu.run(b, f, xs, o), [
              backend,
              fn,
              bits,
              options,
            ] as const);
            return new Float32Array(new Uint32Array(out).buffer);
          };
          const gpu: Measurable = {
            gelu: (x, options) => call('gelu', x, options),
            erf: (x) => call('erf', x),
            erfc: (x) => call('erfc', x),
          };
          try {
            await measureOne(`${opened.backend} (Chromium)`, opened.device, gpu);
          } finally {
            await page.evaluate((b) => (globalThis as unknown as { geglu: PageApi }).geglu.close(b), backend);
          }
        }
      }),
    );
  } finally {
    await browser.close();
  }
}

await runScript(main);
