/**
 * The WebAssembly SIMD float32 kernel (../wasm/gelu-simd.ts), driven in
 * cache-sized chunks: copy a chunk into the module's memory, run, copy the
 * results out, and recompute the few flagged pairs with the double-double
 * path. Falls back to the JavaScript kernel when the engine lacks SIMD.
 *
 * Every thread runs on one shared memory, the kernel memory (kernelMemory):
 * the framed table at byte 0, the calling thread's chunk buffers above it,
 * then ranges handed out by a RangeAllocator (./allocator.ts): the worker
 * pool's ring (./parallel.ts) and the caller's kernel arrays
 * (./kernel-arrays.ts), whose elements the kernel reads and writes where
 * they are, with no copy.
 */
import { DGATE_GROUP, geluSimdModuleBytes, MAX_PAGES, SIGMOID_GROUP, SIMD_GROUP, SIMD_PER_UNIT, SIMD_STRIDE } from '../wasm/gelu-simd.js';
import { fail, kernelBuffers } from '../validation.js';
import { RangeAllocator } from './allocator.js';
import { wasmApi } from '../wasm/api.js';
import { relaxedSimdActive } from '../wasm/features.js';
import { FAST_BAND, type FastTable, EXACT_TABLE, gegluElement32, geluF32Range } from './fast.js';

/** Elements per chunk of the calling thread's own path: in, up and out take 32 KiB each. */
const CHUNK = 8192;
/**
 * The exact form's table as the table kernel reads it (the tanh form's
 * kernels use no table): two NaN intervals (x below the table, NaN, −∞ → NaN
 * → flagged → the JavaScript path), the table, and one constant-1 interval
 * (x at or above the table's end → x); the kernel clamps its index into that
 * range. At byte 0 of every memory the module runs on.
 */
const FRAMED_TABLE = framedTable(EXACT_TABLE);
if (EXACT_TABLE.stride !== SIMD_STRIDE || EXACT_TABLE.perUnit !== SIMD_PER_UNIT) {
  throw new Error(
    `the exact form's table (${EXACT_TABLE.stride} × 1/${EXACT_TABLE.perUnit}) does not match the table kernel (${SIMD_STRIDE} × 1/${SIMD_PER_UNIT})`,
  );
}
/** Bytes below which the framed table lies (whole 64 KiB pages). */
export const TABLES_END = Math.ceil(FRAMED_TABLE.byteLength / 65536) * 65536;
const IN_AT = TABLES_END;
const UP_AT = IN_AT + CHUNK * 4;
const OUT_AT = UP_AT + CHUNK * 4;
const FLAGS_AT = OUT_AT + CHUNK * 4;
/** The third input of the dgate kernel (dy). */
const DY_AT = FLAGS_AT + CHUNK * 2;
/** Bytes below which the allocator hands out nothing: tables, then one chunk's buffers and flags. */
export const RESERVED_END = DY_AT + CHUNK * 4;
const PAGE = 65536;

type Kernel = (
  inPtr: number,
  upPtr: number,
  outPtr: number,
  pairs: number,
  table: number,
  flags: number,
  x0: number,
  sMax: number,
) => number;

/** The table-free tanh kernel: (in, out, pairs, flags) → flagged. */
type SigmoidKernel = (inPtr: number, outPtr: number, pairs: number, flags: number) => number;
/** Its geglu form: (gate, up, out, pairs, flags) → flagged. */
type SigmoidGegluKernel = (inPtr: number, upPtr: number, outPtr: number, pairs: number, flags: number) => number;

/** GeGLU backward's tanh-form dgate kernel: (gate, up, dy, out, pairs, flags) → flagged. */
type DgateKernel = (gateAt: number, upAt: number, dyAt: number, outPtr: number, pairs: number, flags: number) => number;
/** The exact form's: (gate, up, dy, out, pairs, table, flags, x0, sMax) → flagged. */
type DgateTableKernel = (
  gateAt: number,
  upAt: number,
  dyAt: number,
  outPtr: number,
  pairs: number,
  table: number,
  flags: number,
  x0: number,
  sMax: number,
) => number;

/** A shared WebAssembly memory (the part of its API used here). */
export interface SimdMemory {
  readonly buffer: SharedArrayBuffer;
  grow(pages: number): number;
}

/**
 * The module's exports on one memory, with views of that memory. The views
 * cover the memory as it was when they were made: after the memory grows
 * (possibly on another thread), `freshViews` renews them.
 */
export interface SimdInstance {
  kernel: Kernel;
  tanhKernel: SigmoidKernel;
  gegluKernel: Kernel;
  gegluTanhKernel: SigmoidGegluKernel;
  dgateTanhKernel: DgateKernel;
  dgateExactKernel: DgateTableKernel;
  memory: SimdMemory;
  f32: Float32Array;
  i32: Int32Array;
}

/** The instance with views of the whole of its memory as it is now. */
export function freshViews(w: SimdInstance): SimdInstance {
  const buffer = w.memory.buffer;
  if (w.f32.buffer !== buffer) {
    w.f32 = new Float32Array(buffer);
    w.i32 = new Int32Array(buffer);
  }
  return w;
}

const wasm = wasmApi;

/** Compiled modules by path: with relaxed SIMD's multiply-add (true) or without. */
const compiled = new Map<boolean, object | null>();

/**
 * The compiled module for the multiply-add path modules take now
 * (relaxedSimdActive(), ../wasm/features.ts) or the one asked for, or null
 * when this engine has no WebAssembly, no SIMD or no shared memory (then the
 * JavaScript kernel runs instead).
 */
export function simdModule(relaxed = relaxedSimdActive()): object | null {
  let module = compiled.get(relaxed);
  if (module === undefined) {
    try {
      if (wasm === undefined) throw new Error('no WebAssembly');
      module = new wasm.Module(geluSimdModuleBytes(FAST_BAND, SIMD_GROUP, SIGMOID_GROUP, { relaxed })) as object;
    } catch {
      module = null;
    }
    compiled.set(relaxed, module);
  }
  return module;
}

/** A shared memory of `pages` 64 KiB pages for the module (fixed size, e.g. for tests). */
export function simdMemory(pages: number): SimdMemory {
  return new wasm!.Memory({ initial: pages, maximum: pages, shared: true }) as SimdMemory;
}

/** A table framed for the table kernel (see FRAMED_TABLE). */
export function framedTable(t: FastTable): Float64Array {
  const framed = new Float64Array(t.coeffs.length + 3 * SIMD_STRIDE);
  framed[0] = NaN;
  framed[SIMD_STRIDE] = NaN;
  framed.set(t.coeffs, 2 * SIMD_STRIDE);
  framed[framed.length - SIMD_STRIDE] = 1;
  return framed;
}

/**
 * Instantiates `module` on `memory`; with `writeTables` also writes the
 * framed table at the bottom of the memory (another instance on the same
 * memory, e.g. a worker's, finds it there).
 */
export function simdInstance(module: object, memory: SimdMemory, writeTables: boolean): SimdInstance {
  const inst = new wasm!.Instance(module, { env: { memory } });
  if (writeTables) new Float64Array(memory.buffer).set(FRAMED_TABLE);
  return {
    kernel: inst.exports.gelu as Kernel,
    tanhKernel: inst.exports.geluTanhSigmoid as SigmoidKernel,
    gegluKernel: inst.exports.geglu as Kernel,
    gegluTanhKernel: inst.exports.gegluTanhSigmoid as SigmoidGegluKernel,
    dgateTanhKernel: inst.exports.dgateTanhSigmoid as DgateKernel,
    dgateExactKernel: inst.exports.dgateExact as DgateTableKernel,
    memory,
    f32: new Float32Array(memory.buffer),
    i32: new Int32Array(memory.buffer),
  };
}

/**
 * The table kernel's clamp for the framed copy of the table (two NaN
 * intervals, the table, one constant-1 interval): the kernel takes the
 * nearest integer j to s = min(max((x − table.origin)·N, 0), sMax) as the
 * interval (N = table.perUnit), the same s as fastGelu's (./fast.ts):
 * interval j − 2 of the table; sMax is the constant-1 interval.
 */
export function kernelSMax(table: FastTable): number {
  return table.coeffs.length / SIMD_STRIDE + 2;
}

/**
 * Largest sizes, in pages, tried for the kernel memory's maximum, in order:
 * 2 GiB (byte offsets stay below 2^31, so they fit the worker pool's int32
 * control words), then 256 MiB where the engine cannot reserve that much.
 * A shared memory reserves its maximum's address space when it is created.
 */
export const KERNEL_MAX_PAGES = [32768, 4096] as const;
if (KERNEL_MAX_PAGES[0] > MAX_PAGES) throw new Error('KERNEL_MAX_PAGES exceeds the module import limit');

/** The kernel memory: the calling thread's instance on it and its allocator (its buffer objects: kernelBuffers). */
export interface KernelMemory {
  /** The first instance made on the memory (any instance serves for its views). */
  instance: SimdInstance;
  /** The calling thread's instances by multiply-add path (see kernelInstance). */
  instances: Map<boolean, SimdInstance>;
  allocator: RangeAllocator;
  /** Pages the memory may grow to. */
  maxPages: number;
}

/**
 * The calling thread's instance on the kernel memory of the module for the
 * path modules take now (relaxedSimdActive()), instantiated on first use of
 * that path; null when that module does not compile.
 */
export function kernelInstance(k: KernelMemory): SimdInstance | null {
  const relaxed = relaxedSimdActive();
  const have = k.instances.get(relaxed);
  if (have !== undefined) return have;
  const module = simdModule(relaxed);
  if (module === null) return null;
  const instance = simdInstance(module, k.instance.memory, false);
  k.instances.set(relaxed, instance);
  return instance;
}

let kernel: KernelMemory | null | undefined;

/** The kernel memory, made on first use; null when WebAssembly SIMD or shared memory is unavailable. */
export function kernelMemory(): KernelMemory | null {
  if (kernel !== undefined) return kernel;
  kernel = null;
  const relaxed = relaxedSimdActive();
  const module = simdModule(relaxed);
  if (module === null) return kernel;
  const initial = Math.ceil(RESERVED_END / PAGE);
  for (const maxPages of KERNEL_MAX_PAGES) {
    try {
      const memory = new wasm!.Memory({ initial, maximum: maxPages, shared: true }) as SimdMemory;
      const instance = simdInstance(module, memory, true);
      kernelBuffers.add(memory.buffer);
      kernel = { instance, instances: new Map([[relaxed, instance]]), allocator: new RangeAllocator(RESERVED_END), maxPages };
      break;
    } catch {
      // No room for this maximum (or no shared memory at all): try the next.
    }
  }
  return kernel;
}

/**
 * Allocates `bytes` of the kernel memory, growing it as needed, and returns
 * the offset; throws a GegluError (for `fn`) naming the sizes when the
 * memory cannot grow that far.
 */
export function reserveKernelBytes(k: KernelMemory, bytes: number, fn: string): number {
  if (bytes > k.maxPages * PAGE) {
    fail(fn, `cannot allocate ${bytes} bytes of kernel memory: the memory holds at most ${k.maxPages * PAGE}`);
  }
  const at = k.allocator.allocate(bytes);
  const memory = k.instance.memory;
  const needed = Math.ceil(k.allocator.high / PAGE);
  const pages = memory.buffer.byteLength / PAGE;
  if (needed > pages && (needed > k.maxPages || !grow(memory, needed - pages))) {
    k.allocator.release(at);
    fail(
      fn,
      `cannot allocate ${bytes} bytes of kernel memory: it would need ${needed * PAGE} bytes in all, and the memory holds at most ${k.maxPages * PAGE}`,
    );
  }
  kernelBuffers.add(freshViews(k.instance).f32.buffer);
  return at;
}

/** Grows `memory` by `pages`; false when the engine refuses. */
function grow(memory: SimdMemory, pages: number): boolean {
  try {
    memory.grow(pages);
    return true;
  } catch {
    return false;
  }
}

/**
 * Byte offset of `a`'s first element in the kernel memory, or −1 when `a`
 * is not a view of it (then the kernels copy its elements in and out).
 */
export function kernelOffset(a: Float32Array): number {
  return kernelBuffers.has(a.buffer) ? a.byteOffset : -1;
}

/**
 * Byte address of elements [c, c + n) of `a` for the kernel: where they are
 * when `a` is a kernel array (`aAt`, its kernelOffset, ≥ 0), else copied
 * into the chunk buffer at `bufferAt`.
 */
function chunkAt(f32: Float32Array, a: Float32Array, aAt: number, c: number, n: number, bufferAt: number): number {
  if (aAt >= 0) return aAt + 4 * c;
  f32.set(a.subarray(c, c + n), bufferAt / 4);
  return bufferAt;
}

/**
 * The calling thread's own instance (on the kernel memory) for the path
 * modules take now, or null when WebAssembly SIMD is unavailable.
 */
function load(): SimdInstance | null {
  const k = kernelMemory();
  return k === null ? null : kernelInstance(k);
}

/**
 * Pairs of `len` elements the kernel takes: whole groups of its vectors per
 * step (the table kernel SIMD_GROUP, the tanh kernels SIGMOID_GROUP); the
 * caller does the rest in JavaScript.
 */
export function kernelPairs(table: FastTable, len: number): number {
  const group = table.tanh ? SIGMOID_GROUP : SIMD_GROUP;
  return Math.floor(len / (2 * group)) * group;
}

/**
 * Float32 gelu of `len` elements at byte `inAt` of the instance's memory into
 * byte `outAt` (a different buffer), correctly rounded: the kernel, then the
 * flagged pairs and the tail past the last whole group in JavaScript. `flagsAt`:
 * room for len/2 int32s. Inputs are read from `inAt` only, so flagged pairs
 * are recomputed from their inputs. The tanh form runs the table-free sigmoid
 * kernel (no per-lane table loads; ../wasm/gelu-simd.ts sigmoidTanhBody has
 * its error bound), the exact form the table kernel. Each flagged element goes
 * through the fast test in JavaScript (for the exact form with bit-identical
 * doubles; for the tanh form the table test, an equally valid one), and only
 * an element that fails it pays for the double-double path.
 */
export function geluBlockSimd(w: SimdInstance, table: FastTable, inAt: number, outAt: number, len: number, flagsAt: number): void {
  const pairs = kernelPairs(table, len);
  const flagged = table.tanh
    ? w.tanhKernel(inAt, outAt, pairs, flagsAt)
    : w.kernel(inAt, 0, outAt, pairs, 0, flagsAt, table.origin, kernelSMax(table));
  geluBlockFinish(w, table, inAt, outAt, len, flagsAt, flagged);
}

/**
 * geluBlockSimd after its kernel call (which may have run on another thread,
 * ./parallel.ts's split workers): the `flagged` pairs listed at `flagsAt`
 * and the tail past the kernel's pairs, in JavaScript.
 */
export function geluBlockFinish(
  w: SimdInstance,
  table: FastTable,
  inAt: number,
  outAt: number,
  len: number,
  flagsAt: number,
  flagged: number,
): void {
  const pairs = kernelPairs(table, len);
  const { f32, i32 } = freshViews(w);
  const i = inAt / 4;
  const shift = (outAt - inAt) / 4;
  for (let f = 0; f < flagged; f++) {
    const k = i + 2 * i32[flagsAt / 4 + f]!;
    geluF32Range(f32, f32, table, k, k + 2, shift);
  }
  geluF32Range(f32, f32, table, i + 2 * pairs, i + len, shift);
}

/** True when the WebAssembly SIMD kernel is in use (false: the JavaScript kernel). */
export function simdAvailable(): boolean {
  return load() !== null;
}

/**
 * out[i] = float32 gelu(x[i]) for i in [start, end), correctly rounded, by
 * the SIMD kernel when available. `out` may be `x` (same indices).
 */
export function geluF32RangeSimd(x: Float32Array, out: Float32Array, table: FastTable, start: number, end: number): void {
  const w = load();
  if (w === null) {
    geluF32Range(x, out, table, start, end);
    return;
  }
  const f32 = freshViews(w).f32;
  // Kernel arrays (./kernel-arrays.ts) are read and written where they are.
  const xAt = kernelOffset(x);
  const outAt = kernelOffset(out);
  for (let c = start; c < end; c += CHUNK) {
    const n = Math.min(CHUNK, end - c);
    const inAt = chunkAt(f32, x, xAt, c, n, IN_AT);
    // In place, the kernel writes to the chunk buffer: flagged pairs are
    // recomputed from their inputs after it has run.
    const direct = outAt >= 0 && outAt + 4 * c !== inAt;
    geluBlockSimd(w, table, inAt, direct ? outAt + 4 * c : OUT_AT, n, FLAGS_AT);
    if (!direct) out.set(f32.subarray(OUT_AT / 4, OUT_AT / 4 + n), c);
  }
}

/**
 * out[i] = float32 geglu(gate[i], up[i]) (no biases) for all i, correctly
 * rounded, by the SIMD kernel when available; flagged pairs go through
 * gegluElement32 (the same fast test in JavaScript, then the double-double
 * path). `out` may be gate or up (same indices).
 */
export function gegluF32Simd(gate: Float32Array, up: Float32Array, out: Float32Array, table: FastTable): void {
  const w = load();
  const n = gate.length;
  if (w === null) {
    for (let i = 0; i < n; i++) out[i] = gegluElement32(gate[i]!, up[i]!, table);
    return;
  }
  const f32 = freshViews(w).f32;
  const gateAt = kernelOffset(gate);
  const upAt = kernelOffset(up);
  const outAt = kernelOffset(out);
  for (let c = 0; c < n; c += CHUNK) {
    const m = Math.min(CHUNK, n - c);
    const g = chunkAt(f32, gate, gateAt, c, m, IN_AT);
    const u = chunkAt(f32, up, upAt, c, m, UP_AT);
    const direct = outAt >= 0 && outAt + 4 * c !== g && outAt + 4 * c !== u;
    gegluBlockSimd(w, table, g, u, direct ? outAt + 4 * c : OUT_AT, m, FLAGS_AT);
    if (!direct) out.set(f32.subarray(OUT_AT / 4, OUT_AT / 4 + m), c);
  }
}

/**
 * Float32 geglu (no biases) of `len` elements, gates at byte `gateAt` and ups
 * at `upAt` of the instance's memory, into byte `outAt` (a third buffer):
 * the kernel (as in geluBlockSimd: the tanh form without tables, the exact
 * form with), then the flagged pairs and the tail through gegluElement32 (the
 * same fast test in JavaScript, then the double-double path).
 */
export function gegluBlockSimd(
  w: SimdInstance,
  table: FastTable,
  gateAt: number,
  upAt: number,
  outAt: number,
  len: number,
  flagsAt: number,
): void {
  const pairs = kernelPairs(table, len);
  const flagged = table.tanh
    ? w.gegluTanhKernel(gateAt, upAt, outAt, pairs, flagsAt)
    : w.gegluKernel(gateAt, upAt, outAt, pairs, 0, flagsAt, table.origin, kernelSMax(table));
  gegluBlockFinish(w, table, gateAt, upAt, outAt, len, flagsAt, flagged);
}

/** gegluBlockSimd after its kernel call, as geluBlockFinish is geluBlockSimd's. */
export function gegluBlockFinish(
  w: SimdInstance,
  table: FastTable,
  gateAt: number,
  upAt: number,
  outAt: number,
  len: number,
  flagsAt: number,
  flagged: number,
): void {
  const pairs = kernelPairs(table, len);
  const { f32, i32 } = freshViews(w);
  const g = gateAt / 4;
  const u = upAt / 4;
  const o = outAt / 4;
  for (let f = 0; f < flagged; f++) {
    const k = 2 * i32[flagsAt / 4 + f]!;
    f32[o + k] = gegluElement32(f32[g + k]!, f32[u + k]!, table);
    f32[o + k + 1] = gegluElement32(f32[g + k + 1]!, f32[u + k + 1]!, table);
  }
  for (let k = 2 * pairs; k < len; k++) f32[o + k] = gegluElement32(f32[g + k]!, f32[u + k]!, table);
}

/**
 * GeGLU backward's float32 dgate: out[i] = float32 dy[i]·up[i]·gelu′(gate[i]), chunk by chunk:
 * the SIMD kernel of the table's form (../wasm/gelu-simd.ts: the tanh form's
 * dgateTanhSigmoidBody, the exact form's dgateExactTail), correctly rounded where its rounding
 * test decides, and `element(table, gate, up, dy)` (the caller's float32 of the same, with the
 * caller's accuracy: ≤ 1 step for dgate, correctly rounded for gelu′) for every other element —
 * flagged pairs and the tail past the kernel's pairs — before the chunk is written out, so `out`
 * may be an input (in place). `up` and `dy` null stand for arrays of ones (then
 * out = gelu′(gate)). False, with nothing written, when WebAssembly SIMD is unavailable.
 */
export function dgateF32Simd(
  table: FastTable,
  gate: Float32Array,
  up: Float32Array | null,
  dy: Float32Array | null,
  out: Float32Array,
  element: (table: FastTable, gate: number, up: number, dy: number) => number,
): boolean {
  const w = load();
  if (w === null) return false;
  const f32 = freshViews(w).f32;
  const [gateAt, upAt, dyAt, outAt] = [gate, up, dy, out].map((a) => (a === null ? -1 : kernelOffset(a))) as [
    number,
    number,
    number,
    number,
  ];
  if (up === null) f32.fill(1, UP_AT / 4, UP_AT / 4 + CHUNK);
  if (dy === null) f32.fill(1, DY_AT / 4, DY_AT / 4 + CHUNK);
  const n = gate.length;
  for (let c = 0; c < n; c += CHUNK) {
    const m = Math.min(CHUNK, n - c);
    const g = chunkAt(f32, gate, gateAt, c, m, IN_AT);
    const u = up === null ? UP_AT : chunkAt(f32, up, upAt, c, m, UP_AT);
    const d = dy === null ? DY_AT : chunkAt(f32, dy, dyAt, c, m, DY_AT);
    const o = outAt >= 0 && outAt + 4 * c !== g && outAt + 4 * c !== u && outAt + 4 * c !== d ? outAt + 4 * c : OUT_AT;
    const group = table.tanh ? DGATE_GROUP : SIMD_GROUP;
    const pairs = Math.floor(m / (2 * group)) * group;
    const flagged = table.tanh
      ? w.dgateTanhKernel(g, u, d, o, pairs, FLAGS_AT)
      : w.dgateExactKernel(g, u, d, o, pairs, 0, FLAGS_AT, table.origin, kernelSMax(table));
    const { f32: h, i32 } = freshViews(w);
    const at = (k: number) => {
      h[o / 4 + k] = element(table, h[g / 4 + k]!, h[u / 4 + k]!, h[d / 4 + k]!);
    };
    for (let f = 0; f < flagged; f++) {
      const k = 2 * i32[FLAGS_AT / 4 + f]!;
      at(k);
      at(k + 1);
    }
    for (let k = 2 * pairs; k < m; k++) at(k);
    if (o === OUT_AT) out.set(h.subarray(OUT_AT / 4, OUT_AT / 4 + m), c);
  }
  return true;
}
