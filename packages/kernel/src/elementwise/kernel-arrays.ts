/**
 * Kernel arrays: Float32Arrays that live in the kernel's shared WebAssembly
 * memory (./simd.ts kernelMemory), so that geluArray, geglu and gegluPacked
 * read and write their elements where they are, on every thread, instead of
 * copying them into that memory and back. The results are the same
 * correctly rounded float32s as for any other Float32Array; only the copies
 * go. (An ordinary Float32Array can be read by WebAssembly only after a copy
 * into its memory; for 2^20 elements `node bench/wasm-copy.mjs` measured
 * 0.15–0.17 ms each way into and out of a shared memory on the development
 * VM, best of 20 with the data in cache, on the calling thread.)
 *
 * A kernel array is an ordinary Float32Array over a SharedArrayBuffer: any
 * code can use it, subarrays of it are kernel arrays too, and elements are
 * zero when it is allocated. It stays allocated until released with
 * releaseKernelFloat32Array, like memory from malloc: its views (subarrays
 * included) must not be used after that, as the range is handed out again.
 * Where the engine has no WebAssembly SIMD or shared memory,
 * kernelFloat32Array returns an ordinary Float32Array (and releasing it does
 * nothing), so code that uses it runs everywhere.
 */
import { describe, fail } from '../validation.js';
import { freshViews, kernelMemory, kernelOffset, reserveKernelBytes } from './simd.js';

/** Live kernel arrays: byte offset → length in elements. */
const live = new Map<number, number>();

/**
 * A new Float32Array of `length` zeros in the kernel memory (see the module
 * comment), or an ordinary one where there is no kernel memory. Throws a
 * GegluError when the memory cannot grow that far (at most 2 GiB in all,
 * 256 MiB where the engine cannot reserve 2 GiB).
 */
export function kernelFloat32Array(length: number): Float32Array {
  const fn = 'kernelFloat32Array';
  if (typeof length !== 'number' || !Number.isSafeInteger(length) || length < 0) {
    fail(fn, `length is ${String(length)}, expected a non-negative integer`);
  }
  const k = kernelMemory();
  if (k === null || length === 0) return new Float32Array(length);
  const at = reserveKernelBytes(k, 4 * length, fn);
  live.set(at, length);
  const f32 = freshViews(k.instance).f32;
  const a = new Float32Array(f32.buffer, at, length);
  a.fill(0);
  return a;
}

/**
 * True when `a` is a view of the kernel memory (a kernel array or a subarray
 * of one), i.e. the kernels read and write it without copies.
 */
export function isKernelFloat32Array(a: unknown): boolean {
  return a instanceof Float32Array && kernelOffset(a) >= 0;
}

/**
 * Frees a kernel array from kernelFloat32Array (the whole array, not a
 * subarray); its views must not be used afterwards. Throws if `a` is not
 * one, or was already released. Ordinary Float32Arrays of length 0 or from
 * an engine without kernel memory are accepted and left alone.
 */
export function releaseKernelFloat32Array(a: Float32Array): void {
  const fn = 'releaseKernelFloat32Array';
  if (!(a instanceof Float32Array)) fail(fn, `a is ${describe(a)}, expected a Float32Array from kernelFloat32Array`);
  const k = kernelMemory();
  const at = kernelOffset(a);
  if (at < 0) {
    if (k === null || a.length === 0) return;
    fail(fn, 'a is not in the kernel memory, expected a Float32Array from kernelFloat32Array');
  }
  if (live.get(at) !== a.length) {
    fail(
      fn,
      `a (elements ${at / 4}–${at / 4 + a.length} of the kernel memory) is not a live array from kernelFloat32Array (released already, or a subarray of one)`,
    );
  }
  live.delete(at);
  k!.allocator.release(at);
}
