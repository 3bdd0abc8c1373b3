/**
 * A page's stand-in for ./node.ts: gpu.js's own browser bundle (its package's
 * "browser" field, dist/gpu-browser.js), WebGL 2 and WebGL 1 instead of
 * headless-gl, and the browser's navigator.gpu only.
 */
import * as gpuJs from 'gpu.js';
import type * as NodeHost from './node.js';

/** The GL modes gpu.js has in a browser, best first. */
export const GL_BACKENDS = ['webgl2', 'webgl'] as const;

/** gpu.js's exports (typed by the caller: its own typings do not cover what is used). */
export function requireGpuJs(): unknown {
  return gpuJs;
}

export function requireGl(): unknown {
  throw new Error("headless-gl (the 'gl' package) is a Node package; in a browser use 'webgl2' or 'webgl'");
}

/** No child processes in a page; the WebGPU probe runs only where navigator.gpu is missing (Node). */
export function execFile(): never {
  throw new Error('a browser page cannot start a process');
}

export function webGpuModuleUrl(): string {
  throw new Error('the webgpu npm package is for Node; a browser has navigator.gpu');
}

export async function importNodeWebGpu(): Promise<{ create: (flags: string[]) => unknown; globals: Record<string, unknown> }> {
  throw new Error('this browser has no navigator.gpu (WebGPU is off or unsupported here)');
}

interface RendererInfo {
  UNMASKED_RENDERER_WEBGL: number;
}
interface GlContext {
  getExtension(name: string): RendererInfo | null;
  getParameter(p: number): unknown;
  RENDERER: number;
}

/** The renderer a fresh canvas's context of that mode reports (unmasked where the browser allows), or null. */
export function glRenderer(mode: string): string | null {
  const doc = (globalThis as { document?: { createElement(tag: string): { getContext(kind: string): GlContext | null } } }).document;
  if (doc === undefined || mode === 'headlessgl') return null;
  const gl = doc.createElement('canvas').getContext(mode);
  if (gl === null) return null;
  const info = gl.getExtension('WEBGL_debug_renderer_info');
  return String(gl.getParameter(info === null ? gl.RENDERER : info.UNMASKED_RENDERER_WEBGL));
}

// Fails to compile when this module's exports and Node's differ in name.
const _sameNames: Record<keyof typeof NodeHost, unknown> = {
  GL_BACKENDS,
  requireGpuJs,
  requireGl,
  importNodeWebGpu,
  glRenderer,
  webGpuModuleUrl,
  execFile,
};
void _sameNames;
