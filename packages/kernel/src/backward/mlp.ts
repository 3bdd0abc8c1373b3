/**
 * Gemma 2 MLP backward pass. For the forward y = (gelu(x·W_gateᵀ) ⊙ (x·W_upᵀ))·W_downᵀ
 * (../mlp/gemma2.ts: x [T, d], W_gate and W_up [f, d], W_down [d, f], the checkpoint's
 * nn.Linear layout) and the incoming gradient dy [T, d]:
 *
 *     G = x·W_gateᵀ, U = x·W_upᵀ, A = gelu(G) ⊙ U        (recomputed, as the forward)
 *     dA = dy·W_down                                     [T, f]
 *     dG, dU = gegluBackward(G, U, dA)                   (../backward/geglu.ts)
 *     dx = dG·W_gate + dU·W_up                           [T, d]
 *     dW_gate = dGᵀ·x,  dW_up = dUᵀ·x                    [f, d]
 *     dW_down = dyᵀ·A                                    [d, f]
 *
 * ## Method
 *
 * Every product is the kernel's x·Wᵀ (rows of both operands contiguous, the kernel-order
 * dot product of ../mlp/matmul.ts) on the WebAssembly SIMD tiles of ../wasm/matmul-simd.ts
 * or in plain TypeScript, bit-identical (except where relaxed SIMD's multiply-add fuses: within
 * the same bound, as the forward's tiles). Operands that the layout does not give as rows
 * are transposed copies: W_down → [f, d] for dA; W_gate and W_up side by side → [d, 2f]
 * so that dx is ONE dot product of length 2f over [dG | dU]; x, dy, A and [dG | dU] → [·, T]
 * so that each weight gradient is a dot product over the T tokens, computed over all
 * tokens at once (no partial sums per chunk: the bound stays that of one dot product).
 * The transposes cost O(T·(d + f) + f·d) copies against the O(T·d·f) products.
 * Memory: 5·f·d weight copies plus T·(4d + 8f) activations, and 256 rows of scratch for
 * the weight gradients, in one WebAssembly memory (or plain arrays).
 *
 * ## Error bound
 *
 * `gemma2MlpBackwardErrorBound` (./mlp-bound.ts) evaluates it per output; derivation there.
 *
 * ## Why a function and not a method of createGemma2Mlp
 *
 * createGemma2Mlp's engine (../mlp/engine.ts) owns a memory laid out for forward passes
 * of 64-token chunks; the weight gradients need every token at once (their dot products
 * run over T) and transposed weights the forward never stores. So the backward pass is its
 * own function, like gemma2Mlp, that keeps its WebAssembly memory between calls of one
 * shape, with the forward's worker pool (../mlp/engine.ts createTilePool) over it when
 * `threads` > 1: each product's output rows are split over the threads in whole row
 * blocks, every output still one kernel-order dot product, so the bits do not depend on
 * the threads. The transposes, copies and the elementwise GeGLU backward stay on the
 * calling thread.
 */
import { createTilePool, shareableThreads } from '../mlp/engine.js';
import { MAX_THREADS } from '../mlp/create.js';
import { matmulTransposedFor } from '../mlp/matmul.js';
import { checkMlpCall, type Gemma2MlpWeights } from '../mlp/call.js';
import { gegluActivation } from '../mlp/activation.js';
import { wasmApi } from '../wasm/api.js';
import { relaxedSimdActive } from '../wasm/features.js';
import { MATMUL_LANES, matmulSimdAvailable, matmulSimdModuleBytes, type MatmulLanes, type TileFn } from '../wasm/matmul-simd.js';
import { checkArrayType, checkDimension, checkLength, checkNoAlias, checkOptions, describe, fail, firstNonFinite } from '../validation.js';
import { type TransposeFn, transposeSimdModuleBytes } from '../wasm/transpose-simd.js';
import { gegluBackwardInto } from './geglu.js';

export interface Gemma2MlpGradients<A extends Float32Array | Float64Array> {
  /** [tokens, hidden]. */
  readonly dx: A;
  /** [intermediate, hidden], the layout of weights.gate. */
  readonly dGate: A;
  /** [intermediate, hidden], the layout of weights.up. */
  readonly dUp: A;
  /** [hidden, intermediate], the layout of weights.down. */
  readonly dDown: A;
}

export interface Gemma2MlpBackwardOptions<A extends Float32Array | Float64Array> {
  /** 'tanh' (Gemma 2's, the default) or 'none'. */
  readonly approximate?: 'none' | 'tanh';
  /**
   * 'wasm' (default where WebAssembly SIMD validates and the memory fits) or 'js'; same results, except
   * where relaxed SIMD is active (setRelaxedSimd; Node 22's default) and its multiply-add fuses: within the same bound.
   */
  readonly engine?: 'wasm' | 'js';
  /**
   * Threads including the caller for the SIMD engine's products (default 1, at most 16, as
   * createGemma2Mlp); the results do not depend on it. The workers are kept with the scratch.
   */
  readonly threads?: number;
  /** Outputs (same type as x, the lengths above); allocated when absent. */
  readonly dx?: A;
  readonly dGate?: A;
  readonly dUp?: A;
  readonly dDown?: A;
}

/** From this many multiply-adds (T·d·f), calls run on the SIMD tiles (as gemma2Mlp's WASM_THRESHOLD). */
const WASM_THRESHOLD = 2 ** 22;
/** Rows of a weight gradient computed per pass before they are copied out. */
const GRAD_ROWS = 256;
const PAGE = 65536;
/** Longest a new heap waits for its workers to start (they compile the tiles and the activation). */
const WORKER_START_MS = 5000;
const MAX_PAGES = 65536;

/** Element offsets of every array in one heap (16-byte aligned). */
function layout(d: number, f: number, T: number, bytes: number) {
  const perVector = 16 / bytes;
  let at = 0;
  const take = (n: number) => {
    const here = at;
    at += Math.ceil(n / perVector) * perVector;
    return here;
  };
  const rows = Math.min(GRAD_ROWS, Math.max(2 * f, d));
  const L = {
    wgu: take(2 * f * d), // [W_gate; W_up] as [2f, d]
    wdT: take(f * d), // W_downᵀ [f, d]
    wguT: take(2 * f * d), // [W_gateᵀ | W_upᵀ] as [d, 2f]
    x: take(T * d),
    dy: take(T * d),
    gu: take(T * 2 * f), // [G | U] per token
    dA: take(T * f),
    a: take(T * f),
    dgu: take(T * 2 * f), // [dG | dU] per token
    dx: take(T * d),
    xT: take(d * T),
    dyT: take(d * T),
    aT: take(f * T),
    dguT: take(2 * f * T),
    rows: take(rows * Math.max(d, f)),
    rowCount: rows,
    elements: 0,
  };
  L.elements = at;
  return L;
}

type Layout = ReturnType<typeof layout>;

/** A heap holding every array, and x·Wᵀ and transposes over element offsets in it. */
interface Heap<A extends Float32Array | Float64Array> {
  readonly heap: A;
  readonly T: number;
  matmul(x: number, rows: number, k: number, w: number, outputs: number, out: number): void;
  /** A [rows, cols] block at src to [cols, rows] at dst. */
  transpose(src: number, rows: number, cols: number, dst: number): void;
  readonly engine: 'wasm-simd' | 'js';
  readonly threads: number;
  dispose(): void;
}

function jsHeap<A extends Float32Array | Float64Array>(lanes: MatmulLanes, elements: number, T: number): Heap<A> {
  const heap = (lanes.bytes === 4 ? new Float32Array(elements) : new Float64Array(elements)) as A;
  const mm = matmulTransposedFor<A>(lanes.bytes);
  const view = (at: number, n: number) => heap.subarray(at, at + n) as A;
  return {
    heap,
    T,
    engine: 'js',
    threads: 1,
    dispose: () => {},
    matmul: (x, rows, k, w, outputs, out) => mm(view(x, rows * k), rows, k, view(w, outputs * k), outputs, view(out, rows * outputs)),
    transpose: (src, rows, cols, dst) => transpose(heap, src, rows, cols, dst),
  };
}

function simdHeap<A extends Float32Array | Float64Array>(
  lanes: MatmulLanes,
  d: number,
  f: number,
  elements: number,
  T: number,
  relaxed: boolean,
  threads: number,
): Heap<A> {
  const api = wasmApi!;
  const pages = Math.ceil((elements * lanes.bytes) / PAGE);
  const shared = threads > 1;
  const memory = new api.Memory({ initial: pages, maximum: pages, shared });
  // Tiles generated for the products' lengths: d (G, U, dA), 2f (dx), T (the weight gradients).
  const module = new api.Module(matmulSimdModuleBytes(lanes, pages, shared, relaxed, [d, 2 * f, T]));
  const tiles = new api.Instance(module, { env: { memory } }).exports as unknown as Record<string, TileFn>;
  const simdTranspose = new api.Instance(new api.Module(transposeSimdModuleBytes(lanes.bytes, pages, shared)), { env: { memory } }).exports
    .transpose as TransposeFn;
  const pool = createTilePool('gemma2MlpBackward', lanes, module, memory, tiles, threads);
  // Once per kept heap: a call takes far longer than a worker's start, and a call that ran
  // before its workers were up would run on the caller alone.
  pool.waitUntilUp(WORKER_START_MS);
  const heap = (lanes.bytes === 4 ? new Float32Array(memory.buffer as ArrayBuffer) : new Float64Array(memory.buffer as ArrayBuffer)) as A;
  const e = lanes.bytes;
  const block = 16 / e;
  return {
    heap,
    T,
    engine: 'wasm-simd',
    threads,
    matmul: (x, rows, k, w, outputs, out) => pool.project(x * e, rows, k, w * e, outputs, out * e),
    transpose: (src, rows, cols, dst) => {
      simdTranspose(src * e, rows, cols, dst * e);
      // the edge rows and columns past whole blocks
      transposeEdges(heap, src, rows, cols, dst, rows - (rows % block), cols - (cols % block));
    },
    dispose: pool.dispose,
  };
}

/** Whether the SIMD heap for (d, f, T) fits a wasm32 memory. */
function fits(lanes: MatmulLanes, d: number, f: number, T: number): boolean {
  return Math.ceil((layout(d, f, T, lanes.bytes).elements * lanes.bytes) / PAGE) <= MAX_PAGES;
}

/**
 * The last SIMD heap per lane type and thread count, kept while (d, f) stay and T fits (pages
 * already committed, workers started): calls that alternate one and two threads (a benchmark
 * timing both side by side) would otherwise rebuild a heap and its workers on every call.
 */
const kept = new Map<string, { d: number; f: number; relaxed: boolean; heap: Heap<Float32Array | Float64Array> }>();

/** Frees the WebAssembly memory (and ends the workers) gemma2MlpBackward keeps between calls. */
export function releaseGemma2MlpBackwardScratch(): void {
  for (const k of kept.values()) k.heap.dispose();
  kept.clear();
}

/** Columns (and rows) per block of a transpose: 128 rows of 128 columns read stay in L1 while each column is written out contiguously. */
const TRANSPOSE_BLOCK = 128;

/**
 * dst[c·rows + r] = src[r·cols + c]: a [rows, cols] block to [cols, rows], within one heap,
 * in blocks, writing each output row contiguously (a row-by-row transpose of the
 * 18432 × 2304 weights misses the cache on every write).
 */
function transpose(h: Float32Array | Float64Array, src: number, rows: number, cols: number, dst: number): void {
  const B = TRANSPOSE_BLOCK;
  for (let c0 = 0; c0 < cols; c0 += B) {
    const c1 = Math.min(c0 + B, cols);
    for (let r0 = 0; r0 < rows; r0 += B) {
      const r1 = Math.min(r0 + B, rows);
      for (let c = c0; c < c1; c++) {
        const d = dst + c * rows;
        for (let r = r0; r < r1; r++) h[d + r] = h[src + r * cols + c]!;
      }
    }
  }
}

/** What a SIMD transpose of the [rowsDone, colsDone] corner leaves of {@link transpose}: the rows and the columns past it. */
function transposeEdges(
  h: Float32Array | Float64Array,
  src: number,
  rows: number,
  cols: number,
  dst: number,
  rowsDone: number,
  colsDone: number,
): void {
  for (let c = 0; c < cols; c++) {
    const d = dst + c * rows;
    for (let r = c < colsDone ? rowsDone : 0; r < rows; r++) h[d + r] = h[src + r * cols + c]!;
  }
}

function checkFinite(fn: string, name: string, a: Float32Array | Float64Array): void {
  const i = firstNonFinite(a);
  if (i >= 0) fail(fn, `${name}[${i}] is ${describe(a[i])}, expected a finite number (a gradient through it would be NaN)`);
}

/**
 * Gradients of the Gemma 2 MLP (see the module comment) for x [tokens, hidden] and
 * dy [tokens, hidden], weights as gemma2Mlp takes them. Float32Array or Float64Array
 * (all of one type). Non-finite values in x, dy or a weight are refused.
 */
export function gemma2MlpBackward<A extends Float32Array | Float64Array>(
  x: A,
  dy: A,
  tokens: number,
  weights: Gemma2MlpWeights<A>,
  options?: Gemma2MlpBackwardOptions<A>,
): Gemma2MlpGradients<A> {
  const fn = 'gemma2MlpBackward';
  const opts = checkOptions<Gemma2MlpBackwardOptions<A>>(fn, options);
  const c = checkMlpCall<A>(fn, x, tokens, weights, { approximate: opts.approximate });
  const { hidden: d, intermediate: f, tokens: T } = c;
  const type = c.x.constructor as { new (n: number): A; name: string };
  const dya = checkArrayType(fn, 'dy', dy, type);
  checkLength(fn, 'dy', dya, T * d, `tokens × hidden = ${T} × ${d}`);
  if (opts.engine !== undefined && opts.engine !== 'wasm' && opts.engine !== 'js') {
    fail(fn, `options.engine is ${describe(opts.engine)}, expected 'wasm' or 'js'`);
  }
  const threads = opts.threads === undefined ? 1 : checkDimension(fn, 'options.threads', opts.threads, 1);
  if (threads > MAX_THREADS) fail(fn, `options.threads is ${threads}, expected at most ${MAX_THREADS}`);
  const inputs: Record<string, A> = { x: c.x, dy: dya, 'weights.gate': c.gate, 'weights.up': c.up, 'weights.down': c.down };
  for (const [name, a] of Object.entries(inputs)) checkFinite(fn, name, a);
  const outs: Record<'dx' | 'dGate' | 'dUp' | 'dDown', A> = {} as never;
  const sizes = {
    dx: [T * d, `tokens × hidden = ${T} × ${d}`],
    dGate: [f * d, `intermediate × hidden = ${f} × ${d}`],
    dUp: [f * d, `intermediate × hidden = ${f} × ${d}`],
    dDown: [d * f, `hidden × intermediate = ${d} × ${f}`],
  } as const;
  for (const name of ['dx', 'dGate', 'dUp', 'dDown'] as const) {
    const given = opts[name];
    if (given === undefined) {
      outs[name] = new type(sizes[name][0]);
      continue;
    }
    const o = checkArrayType(fn, `options.${name}`, given, type);
    checkLength(fn, `options.${name}`, o, sizes[name][0], sizes[name][1]);
    checkNoAlias(fn, `options.${name}`, o, inputs);
    for (const [other, a] of Object.entries(outs)) checkNoAlias(fn, `options.${name}`, o, { [`options.${other}`]: a });
    outs[name] = o;
  }
  const lanes = MATMUL_LANES[c.x instanceof Float32Array ? 'f32' : 'f64'];
  const simd =
    opts.engine !== 'js' && matmulSimdAvailable() && fits(lanes, d, f, T) && (opts.engine === 'wasm' || T * d * f >= WASM_THRESHOLD);
  if (opts.engine === 'wasm' && !simd) {
    fail(
      fn,
      matmulSimdAvailable()
        ? `the arrays need more than 4 GiB of WebAssembly memory, expected at most 4 GiB (use engine 'js')`
        : `options.engine is 'wasm', but this runtime has no WebAssembly SIMD`,
    );
  }
  const L = layout(d, f, T, lanes.bytes);
  let h: Heap<A>;
  if (simd) {
    const usable = shareableThreads(threads);
    const key = `${lanes.type}/${usable}`;
    const k = kept.get(key);
    // the tiles use relaxed_madd where relaxed SIMD is active when they are built (wasm/features.ts)
    const relaxed = relaxedSimdActive();
    if (k !== undefined && k.d === d && k.f === f && k.relaxed === relaxed && k.heap.T >= T && k.heap.T <= 2 * T) {
      h = k.heap as Heap<A>;
    } else {
      k?.heap.dispose();
      kept.delete(key);
      h = simdHeap<A>(lanes, d, f, layout(d, f, T, lanes.bytes).elements, T, relaxed, usable);
      kept.set(key, { d, f, relaxed, heap: h });
    }
  } else {
    h = jsHeap<A>(lanes, L.elements, T);
  }
  // Offsets for T tokens inside a heap sized for h.T ≥ T: the layout of h.T, with T rows used.
  const at = layout(d, f, h.T, lanes.bytes);
  run(h, at, c.x, dya, c.gate, c.up, c.down, T, d, f, c.approximate, outs);
  return outs;
}

function run<A extends Float32Array | Float64Array>(
  h: Heap<A>,
  L: Layout,
  x: A,
  dy: A,
  gate: A,
  up: A,
  down: A,
  T: number,
  d: number,
  f: number,
  approximate: 'none' | 'tanh',
  outs: Record<'dx' | 'dGate' | 'dUp' | 'dDown', A>,
): void {
  // Every input is copied into the heap before any output is written, and the heap is this
  // module's own memory: outputs on a caller's shared memory cannot alias what is read.
  const m = h.heap;
  const view = (at: number, n: number) => m.subarray(at, at + n) as A;
  m.set(gate, L.wgu);
  m.set(up, L.wgu + f * d);
  // W_down [d, f] → [f, d], staged where [W_gateᵀ | W_upᵀ] goes next; then [W_gate; W_up] [2f, d] → [d, 2f].
  m.set(down, L.wguT);
  h.transpose(L.wguT, d, f, L.wdT);
  h.transpose(L.wgu, 2 * f, d, L.wguT);
  m.set(x, L.x);
  m.set(dy, L.dy);
  // Forward recompute and dA.
  h.matmul(L.x, T, d, L.wgu, 2 * f, L.gu);
  h.matmul(L.dy, T, d, L.wdT, f, L.dA);
  for (let t = 0; t < T; t++) {
    const g = view(L.gu + t * 2 * f, f);
    const u = view(L.gu + t * 2 * f + f, f);
    gegluActivation(g, u, approximate, view(L.a + t * f, f));
    gegluBackwardInto(g, u, view(L.dA + t * f, f), approximate, view(L.dgu + t * 2 * f, f), view(L.dgu + t * 2 * f + f, f), false);
  }
  h.matmul(L.dgu, T, 2 * f, L.wguT, d, L.dx);
  // Transposes over the tokens for the weight gradients (dot products of length T).
  h.transpose(L.x, T, d, L.xT);
  h.transpose(L.dy, T, d, L.dyT);
  h.transpose(L.a, T, f, L.aT);
  h.transpose(L.dgu, T, 2 * f, L.dguT);
  const copy = (dst: A, src: A) => dst.set(src);
  copy(outs.dx, view(L.dx, T * d));
  // dW_gate and dW_up: rows of [dGᵀ; dUᵀ] (2f rows) against xT (d rows), GRAD_ROWS at a time.
  for (let r0 = 0; r0 < 2 * f; r0 += L.rowCount) {
    const n = Math.min(L.rowCount, 2 * f - r0);
    h.matmul(L.dguT + r0 * T, n, T, L.xT, d, L.rows);
    for (let r = 0; r < n; r++) {
      const j = r0 + r;
      const dst = j < f ? outs.dGate.subarray(j * d, (j + 1) * d) : outs.dUp.subarray((j - f) * d, (j - f + 1) * d);
      copy(dst as A, view(L.rows + r * d, d));
    }
  }
  // dW_down: rows of dyᵀ (d rows) against Aᵀ (f rows).
  for (let r0 = 0; r0 < d; r0 += L.rowCount) {
    const n = Math.min(L.rowCount, d - r0);
    h.matmul(L.dyT + r0 * T, n, T, L.aT, f, L.rows);
    copy(outs.dDown.subarray(r0 * f, (r0 + n) * f) as A, view(L.rows, n * f));
  }
}
