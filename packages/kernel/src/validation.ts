/**
 * Argument checking shared by every public function of `@geglu/kernel`.
 *
 * Every failure throws a GegluError (@geglu/float) whose message has the form
 * `<function>: <argument> <what it is>, expected <what it should be>`, e.g.
 * `gemma2Mlp: x has length 100, expected tokens × hidden = 2 × 64 = 128`
 * (the convention of docs/architecture.md). All checks run before any work,
 * so a rejected call never writes into a caller's output.
 *
 * The exported names and signatures are stable: other modules of the package
 * (elementwise, mlp, safetensors) import them.
 */

// The error class, the message shape and value formatting are @geglu/float's (one convention for
// every package); re-exported here so the kernel's modules and users keep importing them from here.
export { describe, fail, GegluError } from '@geglu/float';
import { describe, fail } from '@geglu/float';

/** A float array the kernel accepts. */
export type FloatArray = Float32Array | Float64Array;

/**
 * A dimension: a safe integer ≥ `min` (default 1). Rejects non-numbers,
 * NaN, ±Infinity, fractions, negatives and integers beyond 2^53 − 1.
 */
export function checkDimension(fn: string, name: string, value: unknown, min = 1): number {
  if (typeof value !== 'number' || !Number.isFinite(value)) {
    fail(fn, `${name} is ${describe(value)}, expected a finite integer ≥ ${min}`);
  }
  if (!Number.isInteger(value)) fail(fn, `${name} is ${describe(value)}, expected an integer ≥ ${min}`);
  if (!Number.isSafeInteger(value)) {
    fail(fn, `${name} is ${describe(value)}, expected a safe integer (≤ 2^53 − 1)`);
  }
  if (value < min) fail(fn, `${name} is ${describe(value)}, expected an integer ≥ ${min}`);
  return value;
}

/**
 * The product of already-checked dimensions, refusing products beyond
 * 2^53 − 1 (where element counts stop being exact) and beyond `limit`
 * (default 2^32 − 1, more elements than any typed array here can hold).
 * `names` label the factors in the message, e.g. ['tokens', 'hidden'].
 */
export function checkedProduct(fn: string, names: readonly string[], dims: readonly number[], limit = 2 ** 32 - 1): number {
  let product = 1;
  for (const d of dims) product *= d;
  if (!Number.isSafeInteger(product) || product > limit) {
    // BigInt so the message shows the exact product, not its rounded double.
    let exact = 1n;
    for (const d of dims) exact *= BigInt(d);
    fail(fn, `${names.join(' × ')} = ${dims.join(' × ')} = ${exact} elements, expected at most ${limit}`);
  }
  return product;
}

/** A Float32Array or Float64Array (any other type, including plain arrays, is refused), not detached. */
export function checkFloatArray(fn: string, name: string, value: unknown): FloatArray {
  if (!(value instanceof Float32Array) && !(value instanceof Float64Array)) {
    fail(fn, `${name} is ${describe(value)}, expected a Float32Array or Float64Array`);
  }
  checkNotDetached(fn, name, value);
  return value;
}

/**
 * Refuses a view of a detached buffer (transferred, or a non-shared
 * WebAssembly memory's buffer after it grew): it reads as length 0, which
 * would otherwise be a silently empty result. Only empty views are tested,
 * so the ordinary call pays one comparison.
 */
export function checkNotDetached(fn: string, name: string, value: ArrayBufferView & { length: number }): void {
  if (value.length !== 0) return;
  const buffer = value.buffer as ArrayBuffer & { detached?: boolean };
  let detached = buffer.detached;
  if (detached === undefined && !(buffer instanceof ArrayBuffer)) detached = false;
  if (detached === undefined) {
    // engines without ArrayBuffer.prototype.detached (V8 before 11.4, so Node 20): a view on a detached buffer cannot be made
    try {
      new Uint8Array(buffer, 0, 0);
      detached = false;
    } catch {
      detached = true;
    }
  }
  if (detached) {
    fail(
      fn,
      `${name} is a detached ${value.constructor.name} (its buffer was transferred, or the WebAssembly memory it viewed grew), expected an array with its elements`,
    );
  }
}

/**
 * Most float32 elements one call takes: the thread pool passes the element
 * count through an Int32Array control word (./elementwise/parallel.ts), so
 * 2^31 would wrap negative and end in a WebAssembly out-of-bounds trap.
 */
export const MAX_F32_ELEMENTS = 2 ** 31 - 1;

/** Refuses a Float32Array longer than MAX_F32_ELEMENTS before any work. */
export function checkF32Length(fn: string, name: string, value: FloatArray): void {
  if (value instanceof Float32Array && value.length > MAX_F32_ELEMENTS) {
    fail(fn, `${name} has length ${value.length}, expected at most ${MAX_F32_ELEMENTS} (2^31 − 1) float32 elements per call`);
  }
}

/** A typed array of exactly the given constructor. */
export function checkArrayType<T extends FloatArray>(
  fn: string,
  name: string,
  value: unknown,
  type: { new (n: number): T; name: string },
): T {
  if (!(value instanceof type)) fail(fn, `${name} is ${describe(value)}, expected a ${type.name}`);
  return value as T;
}

/**
 * `array.length === expected`; `formula` explains where `expected` comes
 * from (e.g. 'tokens × hidden = 2 × 64').
 */
export function checkLength(fn: string, name: string, array: { length: number }, expected: number, formula?: string): void {
  if (array.length !== expected) {
    const why = formula === undefined ? `${expected}` : `${formula} = ${expected}`;
    fail(fn, `${name} has length ${array.length}, expected ${why}`);
  }
}

/**
 * Buffer objects that are all views of one memory: the kernel memory
 * (./elementwise/simd.ts) adds each SharedArrayBuffer it has had (a shared
 * WebAssembly memory gets a new one each time it grows), so arrays on two of
 * them may overlap or be the same elements.
 */
export const kernelBuffers = new WeakSet<ArrayBufferLike>();

/**
 * True when `out` may share memory with one of `inputs` in a way
 * {@link overlaps} cannot see: two different SharedArrayBuffer objects can be
 * views of one memory (one received through postMessage, a shared
 * WebAssembly.Memory's buffer before and after grow), and JavaScript cannot
 * tell whether they are. Non-shared buffers cannot: a transfer or a grow
 * detaches the old one. Callers then compute into a fresh array and copy it
 * out, which is right whatever the aliasing; the ordinary call pays one
 * instanceof.
 */
export function mayShareUnseen(out: ArrayBufferView, inputs: readonly (ArrayBufferView | undefined)[]): boolean {
  if (typeof SharedArrayBuffer === 'undefined' || !(out.buffer instanceof SharedArrayBuffer)) return false;
  for (const input of inputs) {
    const b = input?.buffer;
    if (b instanceof SharedArrayBuffer && b !== out.buffer && !(kernelBuffers.has(b) && kernelBuffers.has(out.buffer))) return true;
  }
  return false;
}

/** True when `a` and `b` may be the same memory. */
function sameMemory(a: ArrayBufferLike, b: ArrayBufferLike): boolean {
  return a === b || (kernelBuffers.has(a) && kernelBuffers.has(b));
}

/** True when the byte ranges of two views share at least one byte. */
export function overlaps(a: ArrayBufferView, b: ArrayBufferView): boolean {
  if (!sameMemory(a.buffer, b.buffer)) return false;
  if (a.byteLength === 0 || b.byteLength === 0) return false;
  return a.byteOffset < b.byteOffset + b.byteLength && b.byteOffset < a.byteOffset + a.byteLength;
}

/**
 * Refuses an output that shares memory with any of `inputs`. Use it where
 * the function reads an input after it has started writing the output.
 */
export function checkNoAlias(fn: string, outName: string, out: ArrayBufferView, inputs: Readonly<Record<string, ArrayBufferView>>): void {
  for (const [name, input] of Object.entries(inputs)) {
    if (overlaps(out, input)) {
      fail(
        fn,
        `${outName} overlaps ${name} (bytes ${out.byteOffset}–${out.byteOffset + out.byteLength} ` +
          `and ${input.byteOffset}–${input.byteOffset + input.byteLength} of one buffer), ` +
          `expected separate memory`,
      );
    }
  }
}

/**
 * Allows an output that is exactly the same view range as an input (element
 * i is read before it is written) but refuses any partial overlap.
 */
export function checkInPlaceOrDisjoint(
  fn: string,
  outName: string,
  out: ArrayBufferView,
  inputs: Readonly<Record<string, ArrayBufferView>>,
): void {
  for (const [name, input] of Object.entries(inputs)) {
    const same =
      sameMemory(out.buffer, input.buffer) &&
      out.byteOffset === input.byteOffset &&
      out.byteLength === input.byteLength &&
      out.constructor === input.constructor;
    if (!same && overlaps(out, input)) {
      fail(fn, `${outName} partially overlaps ${name}, expected either the same array (in place) or separate memory`);
    }
  }
}

/** `options` is undefined or a plain object; returns an object to read from. */
export function checkOptions<T extends object>(fn: string, options: unknown): Partial<T> {
  if (options === undefined) return {};
  if (options === null || typeof options !== 'object' || Array.isArray(options)) {
    fail(fn, `options is ${describe(options)}, expected an object or undefined`);
  }
  return options as Partial<T>;
}

/** PyTorch's `approximate` option: 'none' | 'tanh', with the given default. */
export function checkApproximate(fn: string, value: unknown, fallback: 'none' | 'tanh'): 'none' | 'tanh' {
  if (value === undefined) return fallback;
  if (value !== 'none' && value !== 'tanh') {
    fail(fn, `options.approximate is ${describe(value)}, expected 'none' or 'tanh'`);
  }
  return value;
}

/** Index of the first NaN or ±Infinity, or -1. */
export function firstNonFinite(array: ArrayLike<number>): number {
  const n = array.length;
  // Blocks summed without a branch (v·0 is ±0 for finite v, NaN for ±∞ and NaN), searched only
  // when their sum is not zero: 40% faster than a test per element over the MLP's weights.
  for (let b = 0; b < n; b += 2048) {
    const e = Math.min(b + 2048, n);
    let s = 0;
    for (let i = b; i < e; i++) s += array[i]! * 0;
    if (s !== 0) {
      for (let i = b; i < e; i++) {
        const v = array[i]!;
        if (v - v !== 0) return i;
      }
    }
  }
  return -1;
}
