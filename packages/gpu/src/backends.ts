/**
 * Backend discovery: which gpu.js modes can run here, and why not.
 *
 * WebGPU in Node comes from the `webgpu` npm package (Dawn). gpu.js reads
 * `navigator.gpu`, so while a WebGPU GegluGpu is alive this module installs
 * `navigator.gpu` (and the WebGPU globals gpu.js uses, e.g. GPUBufferUsage)
 * and removes it again when the last one is disposed: the object returned by
 * webgpu's `create` keeps Node's event loop alive while referenced.
 * A `navigator.gpu` that was already present (a browser, or a caller's own
 * setup) is used as is and never removed.
 *
 * Dawn writes its warnings from native code to file descriptor 2 (with no
 * driver: three lines, one naming a path on the machine that built the
 * `webgpu` package), which JavaScript cannot redirect in-process. So before
 * loading Dawn here, a short child process asks it for an adapter with its
 * stderr captured; Dawn is loaded in this process only when the child found
 * one, and otherwise the reason is Dawn's messages in one line.
 */
import { execFile, GL_BACKENDS, glRenderer, importNodeWebGpu, requireGl, requireGpuJs, webGpuModuleUrl } from './host/node.js';

/** gpu.js's modes: 'headlessgl' runs in Node only, 'webgl2' and 'webgl' in a browser only. */
export type GpuBackendName = 'auto' | 'webgpu' | 'webgl2' | 'webgl' | 'headlessgl' | 'webasm' | 'cpu';
export type ResolvedGpuBackend = Exclude<GpuBackendName, 'auto'>;

/** The backends of this host (Node or a browser bundle), in 'auto' order. */
export const GPU_BACKENDS: readonly ResolvedGpuBackend[] = ['webgpu', ...GL_BACKENDS, 'webasm', 'cpu'];
export const AUTO_ORDER: readonly ResolvedGpuBackend[] = GPU_BACKENDS;

export interface BackendAvailability {
  backend: ResolvedGpuBackend;
  available: boolean;
  /** Why it is unavailable; absent when available. */
  reason?: string;
  /** Device description when available, e.g. the WebGPU adapter ("llvmpipe …"). */
  device?: string;
}

// biome-ignore lint/suspicious/noExplicitAny: gpu.js ships no types for its CommonJS entry
export type GpuJs = any;
let gpuJs: GpuJs | null = null;
export function loadGpuJs(): GpuJs {
  if (gpuJs === null) gpuJs = requireGpuJs() as GpuJs;
  return gpuJs;
}

interface NavigatorState {
  owned: boolean;
  refs: number;
  previous: PropertyDescriptor | undefined;
}
let navState: NavigatorState | null = null;

function currentNavigatorGpu(): unknown {
  const nav = (globalThis as { navigator?: { gpu?: unknown } }).navigator;
  return nav?.gpu;
}

/** What the child process found: the adapter's description, or why there is none. */
export type WebGpuChildProbe = { adapter: true; device: string } | { adapter: false; reason: string };

const CHILD_PROBE = `
const { create } = await import(process.env.GEGLU_WEBGPU_MODULE);
const adapter = await create([]).requestAdapter();
const info = adapter ? Object.fromEntries(['vendor', 'architecture', 'device', 'description'].map((k) => [k, adapter.info[k]])) : null;
process.stdout.write(JSON.stringify({ info }));
process.exit(0);
`;

/** Dawn's stderr as one line: its messages, " / " between them, without "Warning: " or source locations on its build machine. */
export function summarizeDawnStderr(stderr: string): string {
  const lines = stderr
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '' && !/^at\s/.test(l))
    .map((l) => l.replace(/^Warning:\s*/, ''));
  return [...new Set(lines)].join(' / ');
}

const NO_ADAPTER_HINT =
  'no usable Vulkan/Metal/D3D12 driver; see the @geglu/gpu README: Mesa lavapipe from bookworm-backports on Debian 12, the EGL Vulkan ICD on headless NVIDIA';

let childProbe: Promise<WebGpuChildProbe> | null = null;

/**
 * Asks Dawn for an adapter in a child process (once per process), capturing
 * its stderr. The `webgpu` module is the one this package resolves.
 */
export function probeWebGpuInChild(): Promise<WebGpuChildProbe> {
  childProbe ??= (async (): Promise<WebGpuChildProbe> => {
    let moduleUrl: string;
    try {
      moduleUrl = webGpuModuleUrl();
    } catch (e) {
      return {
        adapter: false,
        reason: `the 'webgpu' npm package (Dawn for Node) is not installed: ${(e as Error).message.split('\n')[0]}`,
      };
    }
    return new Promise((resolve) => {
      execFile(
        process.execPath,
        ['--input-type=module', '-e', CHILD_PROBE],
        { env: { ...process.env, GEGLU_WEBGPU_MODULE: moduleUrl }, timeout: 30_000, maxBuffer: 1 << 20 },
        (err, stdout, stderr) => {
          const dawn = summarizeDawnStderr(stderr);
          let info: Record<string, unknown> | null | undefined;
          try {
            // the answer is the child's last line (anything a driver prints on stdout comes before it)
            info = (JSON.parse(stdout.trim().split('\n').at(-1) ?? '') as { info: Record<string, unknown> | null }).info;
          } catch {
            info = undefined;
          }
          if (info) resolve({ adapter: true, device: describeAdapterInfo(info) });
          else if (info === null)
            resolve({ adapter: false, reason: `no WebGPU adapter (${NO_ADAPTER_HINT})${dawn ? `; Dawn: ${dawn}` : ''}` });
          else {
            const why =
              err && (err as { killed?: boolean }).killed
                ? 'timed out after 30 s'
                : `exited with ${err ? String((err as { code?: unknown }).code ?? err.message) : 'no answer'}`;
            resolve({ adapter: false, reason: `the WebGPU probe (a child node process) ${why}${dawn ? `: ${dawn}` : ''}` });
          }
        },
      );
    });
  })();
  return childProbe;
}

/**
 * Makes `navigator.gpu` available (installing webgpu's if absent) and takes a
 * reference; pair with releaseWebGpu(). Throws with the reason on failure,
 * among them no adapter (found by probeWebGpuInChild, Dawn not loaded here).
 */
export async function acquireWebGpu(): Promise<void> {
  if (navState !== null) {
    navState.refs++;
    return;
  }
  if (currentNavigatorGpu()) {
    navState = { owned: false, refs: 1, previous: undefined };
    return;
  }
  const probe = await probeWebGpuInChild();
  if (!probe.adapter) throw new Error(probe.reason);
  let mod: { create: (flags: string[]) => unknown; globals: Record<string, unknown> };
  try {
    mod = await importNodeWebGpu();
  } catch (e) {
    throw new Error(`the 'webgpu' npm package (Dawn for Node) failed to load: ${(e as Error).message}`);
  }
  let gpu: unknown;
  try {
    gpu = mod.create([]);
  } catch (e) {
    throw new Error(`webgpu's create() failed: ${(e as Error).message}`);
  }
  for (const [k, v] of Object.entries(mod.globals)) {
    if (!(k in globalThis)) (globalThis as Record<string, unknown>)[k] = v;
  }
  const previous = Object.getOwnPropertyDescriptor(globalThis, 'navigator');
  const base = (globalThis as { navigator?: object }).navigator;
  const nav = Object.create(base ?? null, { gpu: { value: gpu, configurable: true, enumerable: true } });
  Object.defineProperty(globalThis, 'navigator', { value: nav, configurable: true, writable: true });
  navState = { owned: true, refs: 1, previous };
}

/** Drops a reference taken by acquireWebGpu; the last one destroys the device and removes navigator.gpu. */
export async function releaseWebGpu(): Promise<void> {
  if (navState === null) return;
  navState.refs--;
  if (navState.refs > 0) return;
  const state = navState;
  navState = null;
  try {
    await loadGpuJs().WebGPUContext.destroy();
  } catch {
    // a device that never came up has nothing to destroy
  }
  if (state.owned) {
    if (state.previous) Object.defineProperty(globalThis, 'navigator', state.previous);
    else delete (globalThis as { navigator?: unknown }).navigator;
  }
}

function describeAdapterInfo(info: Record<string, unknown> | undefined): string {
  if (!info) return 'unknown WebGPU adapter';
  const parts = ['vendor', 'architecture', 'device', 'description']
    .map((k) => info[k])
    .filter((v): v is string => typeof v === 'string' && v.length > 0);
  return parts.length > 0 ? [...new Set(parts)].join(' / ') : 'unnamed WebGPU adapter';
}

/** Checks WebGPU for real (an adapter must answer); returns its description. Holds no reference afterwards. */
export async function probeWebGpu(): Promise<BackendAvailability> {
  if (navState === null && !currentNavigatorGpu()) {
    // Dawn would be installed by this package: the child's answer is the answer, and Dawn's
    // start-up warnings (printed once per create()) are not repeated for a probe here
    const p = await probeWebGpuInChild();
    return p.adapter ? { backend: 'webgpu', available: true, device: p.device } : { backend: 'webgpu', available: false, reason: p.reason };
  }
  try {
    await acquireWebGpu();
  } catch (e) {
    return { backend: 'webgpu', available: false, reason: (e as Error).message };
  }
  try {
    const nav = (globalThis as { navigator?: { gpu?: { requestAdapter(): Promise<unknown> } } }).navigator;
    const adapter = (await nav!.gpu!.requestAdapter()) as { info?: Record<string, unknown> } | null;
    if (!adapter) {
      return {
        backend: 'webgpu',
        available: false,
        reason: `navigator.gpu is present but requestAdapter() returned null (${NO_ADAPTER_HINT})`,
      };
    }
    return { backend: 'webgpu', available: true, device: describeAdapterInfo(adapter.info) };
  } catch (e) {
    return { backend: 'webgpu', available: false, reason: `requestAdapter() failed: ${(e as Error).message}` };
  } finally {
    await releaseWebGpu();
  }
}

export function probeHeadlessGl(): BackendAvailability {
  let GPU: GpuJs;
  try {
    GPU = loadGpuJs().GPU;
  } catch (e) {
    return { backend: 'headlessgl', available: false, reason: `gpu.js failed to load: ${(e as Error).message}` };
  }
  if (!GPU.isHeadlessGLSupported) {
    let why = "the optional 'gl' package (headless-gl) did not load or could not create a context";
    try {
      requireGl();
    } catch (e) {
      why = `the optional 'gl' package (headless-gl) is not loadable: ${(e as Error).message.split('\n')[0]}`;
    }
    return { backend: 'headlessgl', available: false, reason: why };
  }
  return { backend: 'headlessgl', available: true, device: glRenderer('headlessgl') ?? 'headless-gl' };
}

/** WebGL 2 or WebGL 1 in a browser: gpu.js's check, and the renderer (e.g. SwiftShader) the page gets. */
export function probeWebGl(backend: 'webgl2' | 'webgl'): BackendAvailability {
  if (!(GL_BACKENDS as readonly string[]).includes(backend)) {
    return { backend, available: false, reason: `gpu.js's '${backend}' mode runs in a browser bundle of this package, not in Node` };
  }
  const GPU = loadGpuJs().GPU;
  if (!(backend === 'webgl2' ? GPU.isWebGL2Supported : GPU.isWebGLSupported)) {
    return { backend, available: false, reason: `this browser gives no ${backend} context` };
  }
  return { backend, available: true, device: glRenderer(backend) ?? backend };
}

export function probeWebAsm(): BackendAvailability {
  const GPU = loadGpuJs().GPU;
  if (!GPU.isWebAssemblySupported) {
    return { backend: 'webasm', available: false, reason: 'WebAssembly is not supported by this JavaScript engine' };
  }
  const simd = Boolean(loadGpuJs().WebAssemblyKernel.isSIMDSupported);
  return { backend: 'webasm', available: true, device: `WebAssembly${simd ? ' SIMD (f32x4)' : ' (no SIMD)'} on the CPU` };
}

export function probeCpu(): BackendAvailability {
  return { backend: 'cpu', available: true, device: 'JavaScript on the CPU (float64 arithmetic, float32 output)' };
}

export async function probeBackend(backend: ResolvedGpuBackend): Promise<BackendAvailability> {
  switch (backend) {
    case 'webgpu':
      return probeWebGpu();
    case 'webgl2':
    case 'webgl':
      return probeWebGl(backend);
    case 'headlessgl':
      return probeHeadlessGl();
    case 'webasm':
      return probeWebAsm();
    case 'cpu':
      return probeCpu();
  }
}

/** Every concrete backend with whether it can run here and, if not, why. */
export async function availableGpuBackends(): Promise<BackendAvailability[]> {
  const out: BackendAvailability[] = [];
  for (const b of GPU_BACKENDS) out.push(await probeBackend(b));
  return out;
}
