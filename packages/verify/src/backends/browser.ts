/**
 * Backends that run in headless Chromium (`geglu verify --browser`): the
 * kernel and gpu.js's browser modes, bundled for a browser with esbuild into
 * one crossOriginIsolated page that every such backend shares, opened on the
 * first and closed with the last. Values cross as bit patterns (float32 one
 * uint32 each, float64 two), so NaN payloads and −0 arrive as they are.
 */
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { browserMissing, bundleForBrowser, launchChromium, openPage, type Browser, type OpenPage } from '../browser/chromium.js';
import { loadGpu } from './modules.js';
import {
  BackendUnavailable,
  EVAL_FUNCTIONS,
  FORWARD_FUNCTIONS,
  type Backend,
  type BackendSession,
  type EvalFunction,
  type FloatFormat,
} from './types.js';

/** The page's API (globalThis.geglu), called through page.evaluate. */
const KERNEL_ENTRY = `
import * as kernel from '@geglu/kernel';
const f32 = (bits) => new Float32Array(new Uint32Array(bits).buffer);
const f64 = (words) => new Float64Array(new Uint32Array(words).buffer);
const words = (a) => Array.from(new Uint32Array(a.buffer, a.byteOffset, a.byteLength / 4));
const lanes = (dtype, w) => (dtype === 'f32' ? f32(w) : f64(w));
export const api = {
  crossOriginIsolated: () => globalThis.crossOriginIsolated === true,
  kernel(fn, dtype, x) {
    const a = lanes(dtype, x);
    if (fn === 'erf') return words(Float64Array.from(a, (v) => kernel.erf(v)));
    if (fn === 'erfc') return words(Float64Array.from(a, (v) => kernel.erfc(v)));
    const approximate = fn === 'gelu-tanh' || fn === 'gelu-tanh-grad' ? 'tanh' : 'none';
    if (fn === 'gelu-grad' || fn === 'gelu-tanh-grad') {
      if (dtype === 'f32') return words(kernel.geluGradArray(a, { approximate }));
      return words(Float64Array.from(a, (v) => kernel.geluGrad(v, { approximate })));
    }
    if (dtype === 'f32') return words(kernel.geluArray(a, { approximate }));
    return words(Float64Array.from(a, (v) => kernel.gelu(v, { approximate })));
  },
  kernelGeglu(approximate, dtype, g, u) {
    return words(kernel.geglu(lanes(dtype, g), lanes(dtype, u), { approximate }));
  },
  kernelMlp(approximate, dtype, x, tokens, w) {
    const weights = { hidden: w.hidden, intermediate: w.intermediate, gate: lanes(dtype, w.gate), up: lanes(dtype, w.up), down: lanes(dtype, w.down) };
    return words(kernel.gemma2Mlp(lanes(dtype, x), tokens, weights, { approximate }));
  },
};
`;

const GPU_ENTRY = `
import { GegluGpu } from '@geglu/gpu';
const open = new Map();
api.gpuOpen = async (backend) => {
  try {
    const gpu = await GegluGpu.create({ backend });
    if (gpu.backend !== backend) {
      await gpu.dispose();
      return { error: 'gpu.js ran ' + gpu.backend + ' instead of ' + backend };
    }
    open.set(backend, gpu);
    return { backend: gpu.backend, device: gpu.device };
  } catch (e) {
    return { error: String(e && e.message).split('\\n')[0] };
  }
};
api.gpu = async (backend, fn, x) => {
  const gpu = open.get(backend);
  const a = f32(x);
  const approximate = fn === 'gelu-tanh' ? 'tanh' : 'none';
  return words(fn === 'erf' ? await gpu.erf(a) : fn === 'erfc' ? await gpu.erfc(a) : await gpu.gelu(a, { approximate }));
};
api.gpuGeglu = async (backend, approximate, g, u) => words(await open.get(backend).geglu(f32(g), f32(u), { approximate }));
api.gpuMlp = async (backend, approximate, x, tokens, w) =>
  words(await open.get(backend).gemma2Mlp(f32(x), tokens, { hidden: w.hidden, intermediate: w.intermediate, gate: f32(w.gate), up: f32(w.up), down: f32(w.down) }, { approximate }));
api.gpuClose = async (backend) => {
  await open.get(backend)?.dispose();
  open.delete(backend);
};
`;

interface Shared {
  browser: Browser;
  opened: OpenPage;
  /** Why @geglu/gpu is not in the page, or null when it is. */
  gpuMissing: string | null;
  users: number;
}

let shared: Promise<Shared> | undefined;

async function startShared(): Promise<Shared> {
  const missing = await browserMissing();
  if (missing) throw new Error(missing);
  const gpu = await loadGpu();
  const gpuMissing = typeof gpu === 'string' ? gpu : null;
  const here = dirname(fileURLToPath(import.meta.url));
  const entry = `${KERNEL_ENTRY}${gpuMissing === null ? GPU_ENTRY : ''}\nglobalThis.geglu = api;\n`;
  const script = await bundleForBrowser(entry, here);
  const browser = await launchChromium();
  try {
    const opened = await openPage(browser, script, { isolated: true });
    return { browser, opened, gpuMissing, users: 0 };
  } catch (err) {
    await browser.close();
    throw err;
  }
}

/** The shared page, one more user; the last `release` closes it. */
async function acquire(id: string): Promise<Shared> {
  shared ??= startShared();
  let s: Shared;
  try {
    s = await shared;
  } catch (err) {
    throw new BackendUnavailable(id, `headless Chromium: ${(err as Error).message.split('\n')[0]}`);
  }
  s.users++;
  return s;
}

async function release(s: Shared): Promise<void> {
  if (--s.users > 0) return;
  shared = undefined;
  await s.opened.close();
  await s.browser.close();
}

type PageApi = Record<string, (...args: unknown[]) => unknown>;

/** Calls the page's api[name](...args). */
function call<T>(s: Shared, name: string, ...args: unknown[]): Promise<T> {
  return s.opened.page.evaluate(
    ([n, a]: readonly [string, unknown[]]) => (globalThis as unknown as { geglu: PageApi }).geglu[n]!(...a) as T,
    [name, args] as const,
  ) as Promise<T>;
}

const toWords = (dtype: FloatFormat, xs: Float64Array): number[] => {
  const a = dtype === 'f32' ? Float32Array.from(xs) : Float64Array.from(xs);
  return Array.from(new Uint32Array(a.buffer));
};
const fromWords = (dtype: FloatFormat, w: number[]): Float64Array => {
  const bits = new Uint32Array(w);
  return Float64Array.from(dtype === 'f32' ? new Float32Array(bits.buffer) : new Float64Array(bits.buffer));
};
const approximate = (fn: EvalFunction): 'none' | 'tanh' => (fn === 'gelu-tanh' ? 'tanh' : 'none');
const weightWords = (
  dtype: FloatFormat,
  w: { hidden: number; intermediate: number; gate: Float64Array; up: Float64Array; down: Float64Array },
) => ({
  hidden: w.hidden,
  intermediate: w.intermediate,
  gate: toWords(dtype, w.gate),
  up: toWords(dtype, w.up),
  down: toWords(dtype, w.down),
});

/** What the kernel computes over Float32Array (geluArray, geluGradArray); its f64 scalars also do erf and erfc. */
const F32_KERNEL_FUNCTIONS: readonly EvalFunction[] = ['gelu', 'gelu-tanh', 'gelu-grad', 'gelu-tanh-grad'];

function kernelBackend(dtype: 'f32' | 'f64'): Backend {
  const id = `kernel-${dtype}-browser` as const;
  return {
    id,
    kind: 'kernel',
    precision: dtype,
    dtypes: [dtype],
    functions: dtype === 'f32' ? F32_KERNEL_FUNCTIONS : EVAL_FUNCTIONS,
    toleranceOf: `kernel-${dtype}`,
    description: `@geglu/kernel bundled for a browser, in headless Chromium (a crossOriginIsolated page), gated on kernel-${dtype}'s bounds`,
    async open(): Promise<BackendSession> {
      const s = await acquire(id);
      const check = (fn: EvalFunction, d: FloatFormat) => {
        if (d !== dtype || (dtype === 'f32' && !F32_KERNEL_FUNCTIONS.includes(fn))) {
          throw new BackendUnavailable(id, `it does not evaluate ${fn} in ${d}`);
        }
      };
      return {
        ran: `${id} (Chromium ${s.browser.version()})`,
        async evaluate(fn, d, xs) {
          check(fn, d);
          return fromWords(dtype, await call<number[]>(s, 'kernel', fn, dtype, toWords(dtype, xs)));
        },
        async geglu(fn, d, gate, up) {
          return fromWords(d, await call<number[]>(s, 'kernelGeglu', approximate(fn), d, toWords(d, gate), toWords(d, up)));
        },
        async gemma2Mlp(x, tokens, w, fn, d) {
          return fromWords(d, await call<number[]>(s, 'kernelMlp', approximate(fn), d, toWords(d, x), tokens, weightWords(d, w)));
        },
        close: () => release(s),
      };
    },
  };
}

/** gpu.js modes in the page, with the tolerance rows their results are gated on. */
const GPU_MODES = [
  { mode: 'webgl2', id: 'gpu-webgl2', toleranceOf: 'gpu-webgl2' },
  { mode: 'webgl', id: 'gpu-webgl', toleranceOf: 'gpu-webgl' },
  { mode: 'webgpu', id: 'gpu-webgpu-browser', toleranceOf: 'gpu-webgpu-browser' },
  { mode: 'webasm', id: 'gpu-webasm-browser', toleranceOf: 'gpu-webasm' },
] as const;

function gpuBackend({ mode, id, toleranceOf }: (typeof GPU_MODES)[number]): Backend {
  return {
    id,
    kind: 'gpu',
    precision: 'f32',
    dtypes: ['f32'],
    functions: FORWARD_FUNCTIONS,
    toleranceOf,
    description: `@geglu/gpu on gpu.js's ${mode} mode in headless Chromium (SwiftShader here), float32${toleranceOf === id ? '' : `, gated on ${toleranceOf}'s bounds`}`,
    async open(): Promise<BackendSession> {
      const s = await acquire(id);
      if (s.gpuMissing !== null) {
        await release(s);
        throw new BackendUnavailable(id, s.gpuMissing);
      }
      const opened = await call<{ backend: string; device: string } | { error: string }>(s, 'gpuOpen', mode);
      if ('error' in opened) {
        await release(s);
        throw new BackendUnavailable(id, opened.error);
      }
      return {
        ran: `gpu-${opened.backend} in Chromium ${s.browser.version()} (${opened.device})`,
        async evaluate(fn, d, xs) {
          if (d !== 'f32') throw new BackendUnavailable(id, `it does not evaluate ${fn} in ${d}`);
          return fromWords('f32', await call<number[]>(s, 'gpu', mode, fn, toWords('f32', xs)));
        },
        async geglu(fn, _d, gate, up) {
          return fromWords('f32', await call<number[]>(s, 'gpuGeglu', mode, approximate(fn), toWords('f32', gate), toWords('f32', up)));
        },
        async gemma2Mlp(x, tokens, w, fn) {
          return fromWords(
            'f32',
            await call<number[]>(s, 'gpuMlp', mode, approximate(fn), toWords('f32', x), tokens, weightWords('f32', w)),
          );
        },
        async close() {
          await call(s, 'gpuClose', mode);
          await release(s);
        },
      };
    },
  };
}

/** The backends `geglu verify --browser` adds, in report order. */
export function browserBackends(): Backend[] {
  return [kernelBackend('f32'), kernelBackend('f64'), ...GPU_MODES.map(gpuBackend)];
}

/** Ids of browserBackends(). */
export const BROWSER_BACKEND_IDS = ['kernel-f32-browser', 'kernel-f64-browser', ...GPU_MODES.map((m) => m.id)] as const;
