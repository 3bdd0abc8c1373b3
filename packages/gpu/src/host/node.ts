/**
 * How this package reaches gpu.js and its GL and WebGPU providers in Node;
 * ./browser.ts is a page's (package.json's "browser" field maps one to the
 * other in esbuild, Vite and webpack). Keep the two modules' exports the same:
 * ./browser.ts checks their names against this one.
 */
import { createRequire } from 'node:module';
export { execFile } from 'node:child_process';
import { pathToFileURL } from 'node:url';

// gpu.js is CommonJS; load it with require so its optional `gl` probe and
// module-level WebGPU singleton behave as in any Node program.
const require = createRequire(import.meta.url);

/** The GL modes gpu.js has here: headless-gl (the optional `gl` package). */
export const GL_BACKENDS = ['headlessgl'] as const;

/** gpu.js's exports (typed by the caller: its own typings do not cover what is used). */
export function requireGpuJs(): unknown {
  return require('gpu.js');
}

/** Loads the optional `gl` package, throwing its own error when it cannot (to say why headless-gl is unavailable). */
export function requireGl(): unknown {
  return require('gl');
}

/** The file URL of the `webgpu` package this package resolves, for a child process to import. */
export function webGpuModuleUrl(): string {
  // webgpu@0.6.2 is ESM with a "main" and no "exports": its package.json locates it
  const pkg = require.resolve('webgpu/package.json');
  return pathToFileURL(pkg.replace(/package\.json$/, (require(pkg) as { main?: string }).main ?? 'index.js')).href;
}

/** The `webgpu` package (Dawn for Node), which provides navigator.gpu where none exists. */
export async function importNodeWebGpu(): Promise<{ create: (flags: string[]) => unknown; globals: Record<string, unknown> }> {
  return (await import('webgpu')) as { create: (flags: string[]) => unknown; globals: Record<string, unknown> };
}

/**
 * The renderer behind a GL mode, or null where none is known. headless-gl
 * reports nothing more useful than its ANGLE build.
 */
export function glRenderer(_mode: string): string | null {
  return 'headless-gl (ANGLE, OpenGL ES)';
}
