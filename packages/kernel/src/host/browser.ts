/**
 * The browser's stand-in for ./node.ts (the "browser" field of package.json
 * maps one to the other). The kernel runs on one thread here: its threads
 * wait for workers with Atomics.wait, which a page's main thread may not call,
 * so workers are never started (the pool and the MLP engine see no workers
 * and compute on the calling thread, with the same results). Files are not
 * reachable by path: the functions that need them throw an Error saying so.
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
};
void _sameNames;
