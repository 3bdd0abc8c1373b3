/**
 * The float64 MLP on WebAssembly SIMD (f64x2), used by `gemma2Mlp` for large
 * Float64Array calls: same kernel order as matmulTransposedF64, so the
 * results are bit-identical to the plain loop; one thread; the memory is kept
 * for the last shape and the weights re-copied every call (never stale), like
 * the float32 path of ./fast.ts.
 */
import { gegluActivation } from './activation.js';
import { matmulModuleBytes64, matmulWasm64, wasmApi, type TileFn } from './wasm.js';

const PAGE = 65536;
const MAX_PAGES = 65536;
/** Tokens per pass (never changes a result). */
const CHUNK = 32;

interface Plan64 {
  d: number;
  f: number;
  heap: Float64Array;
  tiles: Record<string, TileFn>;
  at: { gate: number; up: number; down: number; x: number; g: number; u: number; y: number };
}

let plan: Plan64 | undefined;

const align16 = (n: number) => Math.ceil(n / 16) * 16;

/** Bytes of WebAssembly memory a float64 plan for (d, f) needs; above 4 GiB the plain loop runs. */
export function f64PlanFits(d: number, f: number): boolean {
  return Math.ceil((8 * (3 * d * f + CHUNK * (2 * d + 2 * f)) + 64) / PAGE) <= MAX_PAGES;
}

function planFor(d: number, f: number): Plan64 {
  if (plan !== undefined && plan.d === d && plan.f === f) return plan;
  plan = undefined;
  const gate = 0;
  const up = align16(gate + 8 * f * d);
  const down = align16(up + 8 * f * d);
  const x = align16(down + 8 * d * f);
  const g = align16(x + 8 * CHUNK * d);
  const u = align16(g + 8 * CHUNK * f);
  const y = align16(u + 8 * CHUNK * f);
  const pages = Math.ceil((y + 8 * CHUNK * d) / PAGE);
  const api = wasmApi!;
  const memory = new api.Memory({ initial: pages, maximum: pages });
  const tiles = new api.Instance(new api.Module(matmulModuleBytes64(pages)), { env: { memory } }).exports as unknown as Record<string, TileFn>;
  plan = { d, f, heap: new Float64Array(memory.buffer), tiles, at: { gate, up, down, x, g, u, y } };
  return plan;
}

/** Frees the float64 plan's memory. */
export function releaseF64Plan(): void {
  plan = undefined;
}

/** y = MLP(x) for float64 arrays already validated by gemma2Mlp. */
export function gemma2MlpWasm64(
  x: Float64Array,
  tokens: number,
  d: number,
  f: number,
  gate: Float64Array,
  up: Float64Array,
  down: Float64Array,
  approximate: 'none' | 'tanh',
  out: Float64Array,
): Float64Array {
  const p = planFor(d, f);
  const { heap, tiles, at } = p;
  heap.set(gate, at.gate / 8);
  heap.set(up, at.up / 8);
  heap.set(down, at.down / 8);
  for (let t0 = 0; t0 < tokens; t0 += CHUNK) {
    const n = Math.min(CHUNK, tokens - t0);
    heap.set(x.subarray(t0 * d, (t0 + n) * d), at.x / 8);
    matmulWasm64(tiles, at.x, n, d, at.gate, f, at.g);
    matmulWasm64(tiles, at.x, n, d, at.up, f, at.u);
    const gs = heap.subarray(at.g / 8, at.g / 8 + n * f);
    gegluActivation(gs, heap.subarray(at.u / 8, at.u / 8 + n * f), approximate, gs);
    matmulWasm64(tiles, at.g, n, f, at.down, d, at.y);
    out.set(heap.subarray(at.y / 8, at.y / 8 + n * d), t0 * d);
  }
  return out;
}
