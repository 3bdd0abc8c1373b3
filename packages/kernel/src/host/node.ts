/**
 * What the kernel needs from its host that is not plain JavaScript:
 * threads, file access and the core count. This is Node's; ./browser.ts is
 * the browser's, which bundlers substitute through package.json's "browser"
 * field map (esbuild and Vite with a browser platform, webpack). Keep the
 * two modules' exports the same: ./browser.ts checks its shape against this one.
 */
export { closeSync, existsSync, openSync, readSync } from 'node:fs';
export { open, stat, type FileHandle } from 'node:fs/promises';
export { availableParallelism } from 'node:os';
export { basename, dirname, join } from 'node:path';
export { fileURLToPath } from 'node:url';
export { Worker } from 'node:worker_threads';
import { setFlagsFromString } from 'node:v8';
import { Worker as ThreadWorker } from 'node:worker_threads';

/** Sets one V8 flag for the process; called only on a user's explicit request (wasm/features.ts). */
export function setV8Flag(flag: string): void {
  setFlagsFromString(flag);
}

/**
 * Node options a worker inherits, less a caller's --input-type
 * (node --input-type=module -e …), which would make a CommonJS worker source an ES module.
 * Undefined (inherit as is) when there is none to drop: an explicit list may not hold V8 flags
 * (node --experimental-wasm-relaxed-simd …), which Worker refuses there; V8's flags are
 * process-wide, so the ones dropped from an explicit list still hold in the worker.
 */
export function workerExecArgv(): string[] | undefined {
  if (!process.execArgv.some((a) => a.startsWith('--input-type'))) return undefined;
  return process.execArgv.filter((a) => !a.startsWith('--input-type') && !/^--(no-)?(experimental-)?wasm-/.test(a));
}

/** A worker started from source text (startSourceWorker). */
export interface SourceWorker {
  /** Calls `listener` if the worker dies of an uncaught error. */
  onError(listener: () => void): void;
  terminate(): void;
}

/**
 * Starts a worker thread running `body`, the text of a classic script (no
 * imports, no require) that finds its data in the constant `workerData`
 * (structured-cloned: SharedArrayBuffers, shared WebAssembly memories and
 * compiled modules arrive shared). Unref'd: it never keeps the process alive.
 * ./browser.ts starts a Web Worker from the same text.
 */
export function startSourceWorker(body: string, workerData: object): SourceWorker {
  const worker = new ThreadWorker(`'use strict';\nconst { workerData } = require('node:worker_threads');\n${body}`, {
    eval: true,
    execArgv: workerExecArgv(),
    workerData,
  });
  worker.unref();
  return {
    onError: (listener) => void worker.on('error', listener),
    terminate: () => void worker.terminate(),
  };
}

/**
 * Whether a worker can import the kernel's own modules by URL (new URL('./x.js', import.meta.url)):
 * in Node they are files; a browser bundle has no such sibling files.
 */
export const workersImportModules = true;
