/**
 * The browser's stand-in for ./node.ts (the "browser" field of package.json
 * maps one to the other). Workers started from source text
 * (startSourceWorker: the MLP engine's) are Web Workers from a Blob URL, so a
 * bundle needs no worker file beside it; they exist only where
 * SharedArrayBuffer does (a crossOriginIsolated page, or a worker of one).
 * Workers that load a module file (the gelu pool's, ./node.ts Worker) do not
 * start here. Files are not reachable by path: the functions that need them
 * throw an Error saying so.
 */
import type * as NodeHost from './node.js';

function noFiles(what: string): never {
  throw new Error(
    `@geglu/kernel in a browser: ${what} needs a file system (Node); the safetensors readers also take the file's bytes (ArrayBuffer, typed array, Blob or Response)`,
  );
}

export function existsSync(_path: string): boolean {
  return false;
}

export function openSync(path: string, _flags: string): number {
  return noFiles(`opening ${JSON.stringify(path)}`);
}

export function readSync(_fd: number, _buffer: Uint8Array, _offset: number, _length: number, _position: number | null): number {
  return noFiles('reading a file');
}

export function closeSync(_fd: number): void {}

export async function open(path: string, _flags: string): Promise<NodeHost.FileHandle> {
  return noFiles(`opening ${JSON.stringify(path)}`);
}

export async function stat(path: string): Promise<Awaited<ReturnType<typeof NodeHost.stat>>> {
  return noFiles(`reading ${JSON.stringify(path)}`);
}

/** A browser has no V8 flags to set: relaxed SIMD is on where the browser ships it. */
export function setV8Flag(_flag: string): void {}

export function availableParallelism(): number {
  const n = (globalThis as { navigator?: { hardwareConcurrency?: number } }).navigator?.hardwareConcurrency;
  return typeof n === 'number' && n >= 1 ? n : 1;
}

function parts(path: string): string[] {
  return path.split('/');
}

export function basename(path: string): string {
  return (
    parts(path)
      .filter((p) => p !== '')
      .pop() ?? ''
  );
}

export function dirname(path: string): string {
  const p = parts(path.replace(/\/+$/, ''));
  p.pop();
  const d = p.join('/');
  return d === '' ? (path.startsWith('/') ? '/' : '.') : d;
}

export function join(...segments: string[]): string {
  return segments
    .filter((s) => s !== '')
    .join('/')
    .replace(/\/+/g, '/');
}

export function fileURLToPath(url: URL | string): string {
  return noFiles(`the file URL ${String(url)}`);
}

/** A Worker that cannot start: in a browser the kernel stays on the calling thread. */
export class Worker {
  constructor(_url: URL | string, _options?: unknown) {
    throw new Error('@geglu/kernel in a browser runs on one thread (worker threads are a Node feature here)');
  }
  unref(): void {}
  on(_event: string, _listener: (...args: unknown[]) => void): this {
    return this;
  }
  async terminate(): Promise<number> {
    return 0;
  }
}

export function workerExecArgv(): string[] | undefined {
  return [];
}

interface WebWorker {
  postMessage(message: unknown): void;
  addEventListener(type: 'error', listener: () => void): void;
  terminate(): void;
}
interface WebGlobals {
  Worker?: new (url: string) => WebWorker;
  Blob: new (parts: string[], options: { type: string }) => object;
  URL: { createObjectURL(blob: object): string; revokeObjectURL(url: string): void };
}

/**
 * A Web Worker running `body` (see ./node.ts startSourceWorker): a Blob URL
 * holds the script, which takes `workerData` from its first message. Throws
 * where there are no Web Workers or no SharedArrayBuffer (a page that is not
 * crossOriginIsolated): the callers then stay on one thread.
 */
export function startSourceWorker(body: string, workerData: object): NodeHost.SourceWorker {
  const web = globalThis as unknown as WebGlobals;
  if (typeof web.Worker !== 'function') throw new Error('@geglu/kernel in a browser: this context has no Web Workers');
  if (typeof SharedArrayBuffer !== 'function') {
    throw new Error('@geglu/kernel in a browser: threads need SharedArrayBuffer (a crossOriginIsolated page)');
  }
  const text = `'use strict';\nself.onmessage = (event) => {\nself.onmessage = null;\nconst workerData = event.data;\n${body}\n};\n`;
  const url = web.URL.createObjectURL(new web.Blob([text], { type: 'text/javascript' }));
  const worker = new web.Worker(url);
  worker.postMessage(workerData);
  return {
    onError: (listener) => worker.addEventListener('error', listener),
    terminate: () => {
      worker.terminate();
      web.URL.revokeObjectURL(url);
    },
  };
}

/** A bundle has no module files beside it for a worker to import. */
export const workersImportModules = false;

// Fails to compile when this module's exports and Node's differ in name.
const _sameNames: Record<keyof typeof NodeHost, unknown> = {
  closeSync,
  existsSync,
  open,
  openSync,
  readSync,
  stat,
  availableParallelism,
  basename,
  dirname,
  join,
  fileURLToPath,
  Worker,
  workerExecArgv,
  setV8Flag,
  startSourceWorker,
  workersImportModules,
};
void _sameNames;
