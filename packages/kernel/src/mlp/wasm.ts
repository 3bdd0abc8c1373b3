/**
 * WebAssembly SIMD (f32x4) matmul tiles, emitted as bytes by this module —
 * the source of the binary is the code below; nothing prebuilt is shipped.
 *
 * Each exported function `tile_R_C(x, w, out, K, ldo)` computes an R × C block
 * of out = x·Wᵀ: out[r·ldo + c] = dot(x + r·K, w + c·K) (byte addresses of f32
 * rows in the shared linear memory, K elements per row). The dot product is
 * exactly the kernel order of ./matmul.ts: one f32x4 accumulator per output
 * (lane l sums k ≡ l mod 4, ascending), a scalar tail into lanes 0..2, then
 * fl(fl(s₀+s₁) + fl(s₂+s₃)); wasm f32 arithmetic is IEEE round-to-nearest with
 * subnormals (no flush-to-zero), so results equal the JavaScript path's bit for
 * bit. R·C accumulators plus R + C loaded vectors stay ≤ 14 of the 16 XMM
 * registers V8 allocates on x64 for the 4 × 2 tile.
 *
 * Binary format: WebAssembly Core Specification 2.0, §5 (binary encoding)
 * and the fixed-width SIMD proposal's opcode table (0xFD prefix, LEB128
 * sub-opcodes).
 */

import { F32, F64, I32, V128, section, sleb, uleb } from '../wasm/encoding.js';

function str(s: string): number[] {
  const b = [...new TextEncoder().encode(s)];
  return [...uleb(b.length), ...b];
}

function vec(items: number[][]): number[] {
  return [...uleb(items.length), ...items.flat()];
}

const op = {
  block: 0x02, loop: 0x03, if: 0x04, end: 0x0b, br: 0x0c, br_if: 0x0d, void: 0x40,
  get: 0x20, set: 0x21, tee: 0x22,
  i32const: 0x41, i32add: 0x6a, i32mul: 0x6c, i32and: 0x71, i32shl: 0x74, i32ltu: 0x49, i32geu: 0x4f, i32ges: 0x4e, i32gtu: 0x4b,
  f32load: 0x2a, f32store: 0x38, f32add: 0x92, f32mul: 0x94,
};
const simd = (sub: number) => [0xfd, ...uleb(sub)];
const V128_LOAD = 0x00;
const F32X4_EXTRACT = 0x1f;
const F32X4_ADD = 0xe4;
const F32X4_MUL = 0xe6;
const V128_CONST = 0x0c;

/** Body of tile_R_C. Params: 0 x, 1 w, 2 out, 3 K, 4 ldo. */
function tileBody(R: number, C: number, unroll: number): number[] {
  let next = 5;
  const p = next++; // byte offset into the rows
  const end = next++; // 4·(K − K mod 4)
  const endU = next++; // end − 16·(unroll − 1)
  const rem = next++; // K mod 4
  const xb = Array.from({ length: R }, () => next++);
  const wb = Array.from({ length: C }, () => next++);
  const firstV = next;
  const acc = Array.from({ length: R * C }, () => next++);
  const wv = Array.from({ length: C }, () => next++);
  const xv = next++;
  const firstF = next;
  const lane = [next++, next++, next++, next++];
  const locals = [
    [...uleb(firstV - 5), I32],
    [...uleb(firstF - firstV), V128],
    [...uleb(4), F32],
  ];
  const c: number[] = [];
  const get = (i: number) => c.push(op.get, ...uleb(i));
  const set = (i: number) => c.push(op.set, ...uleb(i));
  const i32 = (n: number) => c.push(op.i32const, ...sleb(n));
  // Row bases: x + r·K·4, w + j·K·4.
  for (let r = 0; r < R; r++) {
    get(0); get(3); i32(4 * r); c.push(op.i32mul, op.i32add); set(xb[r]!);
  }
  for (let j = 0; j < C; j++) {
    get(1); get(3); i32(4 * j); c.push(op.i32mul, op.i32add); set(wb[j]!);
  }
  get(3); i32(3); c.push(op.i32and); set(rem);
  get(3); i32(-4); c.push(op.i32and); i32(2); c.push(op.i32shl); set(end);
  for (const a of acc) {
    c.push(...simd(V128_CONST), ...new Array(16).fill(0));
    set(a);
  }
  i32(0); set(p);
  const load = (base: number, offset: number) => {
    get(base); get(p); c.push(op.i32add, ...simd(V128_LOAD), 4, ...uleb(offset)); // align hint 2^4
  };
  const step = (offset: number) => {
    for (let j = 0; j < C; j++) { load(wb[j]!, offset); set(wv[j]!); }
    for (let r = 0; r < R; r++) {
      load(xb[r]!, offset); set(xv);
      for (let j = 0; j < C; j++) {
        const a = acc[r * C + j]!;
        get(a); get(xv); get(wv[j]!); c.push(...simd(F32X4_MUL), ...simd(F32X4_ADD)); set(a);
      }
    }
  };
  // Unrolled main loop while p + 16·U ≤ end (signed: endU may be negative), then single steps;
  // both advance k in order, so every lane sees the same sequence of roundings.
  get(end); i32(-16 * (unroll - 1)); c.push(op.i32add); set(endU);
  c.push(op.block, op.void, op.loop, op.void);
  get(p); get(endU); c.push(op.i32ges, op.br_if, 1);
  for (let u = 0; u < unroll; u++) step(16 * u);
  get(p); i32(16 * unroll); c.push(op.i32add); set(p);
  c.push(op.br, 0, op.end, op.end);
  c.push(op.block, op.void, op.loop, op.void);
  get(p); get(end); c.push(op.i32geu, op.br_if, 1);
  step(0);
  get(p); i32(16); c.push(op.i32add); set(p);
  c.push(op.br, 0, op.end, op.end);
  for (let r = 0; r < R; r++) {
    for (let j = 0; j < C; j++) {
      const a = acc[r * C + j]!;
      for (let l = 0; l < 4; l++) { get(a); c.push(...simd(F32X4_EXTRACT), l); set(lane[l]!); }
      for (let l = 0; l < 3; l++) {
        // if (rem > l) lane_l = lane_l + x[end + 4l]·w[end + 4l]
        get(rem); i32(l); c.push(op.i32gtu, op.if, op.void);
        get(lane[l]!);
        get(xb[r]!); get(end); c.push(op.i32add, op.f32load, 2, ...uleb(4 * l));
        get(wb[j]!); get(end); c.push(op.i32add, op.f32load, 2, ...uleb(4 * l));
        c.push(op.f32mul, op.f32add); set(lane[l]!);
        c.push(op.end);
      }
      // out + 4·(r·ldo + j) ← (s0 + s1) + (s2 + s3)
      get(2); get(4); i32(4 * r); c.push(op.i32mul, op.i32add);
      get(lane[0]!); get(lane[1]!); c.push(op.f32add);
      get(lane[2]!); get(lane[3]!); c.push(op.f32add, op.f32add);
      c.push(op.f32store, 2, ...uleb(4 * j));
    }
  }
  c.push(op.end);
  const body = [...vec(locals), ...c];
  return [...uleb(body.length), ...body];
}

/**
 * k-steps of 4 per loop iteration. Unrolling by 2 or 4 (memarg offsets) measured slower on this
 * machine's V8 (about 20 against 32 GFLOP per CPU-second for the 4 × 2 tile, K = 2304), and the
 * tile's speed did not depend on K from 512 to 4608, so it is issue-bound, not L1-bound, and
 * k-blocking would not pay. Baking K into the module (row strides as memarg offsets, 2 address
 * adds per step instead of 6) measured no faster either (30–31 against 32); 4 × 3 tiles ran at
 * ~21 (register spills: 12 accumulators + 4 operands exceed what V8 keeps in XMM registers).
 */
export const UNROLL = 1;

/** Tile shapes compiled into the module, largest first. */
export const TILES = [
  [4, 2],
  [1, 2],
  [4, 1],
  [1, 1],
] as const;

/** The module bytes; imports `env.memory` (shared when `shared`, `pages` initial/maximum). */
export function matmulModuleBytes(
  pages: number,
  shared: boolean,
  tiles: readonly (readonly [number, number])[] = TILES,
  unroll = UNROLL,
): Uint8Array {
  const TILES = tiles;
  const type = section(1, vec([[0x60, ...vec([[I32], [I32], [I32], [I32], [I32]]), ...vec([])]]));
  const limits = shared ? [0x03, ...uleb(pages), ...uleb(pages)] : [0x01, ...uleb(pages), ...uleb(pages)];
  const imports = section(2, vec([[...str('env'), ...str('memory'), 0x02, ...limits]]));
  const funcs = section(3, vec(TILES.map(() => [0])));
  const exports = section(7, vec(TILES.map(([r, cc], i) => [...str(`tile_${r}_${cc}`), 0x00, ...uleb(i)])));
  const code = section(10, [...uleb(TILES.length), ...TILES.flatMap(([r, cc]) => tileBody(r, cc, unroll))]);
  return new Uint8Array([0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, ...type, ...imports, ...funcs, ...exports, ...code]);
}

/**
 * The slice of the WebAssembly JS API used here, typed locally: the
 * repository's tsconfig has no DOM lib and @types/node 20 does not declare
 * the WebAssembly namespace, and a global declaration could clash with other
 * modules of the package.
 */
export interface WasmMemory {
  readonly buffer: ArrayBuffer | SharedArrayBuffer;
}
interface WasmApi {
  Memory: new (d: { initial: number; maximum?: number; shared?: boolean }) => WasmMemory;
  Module: new (bytes: Uint8Array) => object;
  Instance: new (m: object, imports: object) => { exports: Record<string, unknown> };
  validate(bytes: Uint8Array): boolean;
}
export const wasmApi = (globalThis as unknown as { WebAssembly?: WasmApi }).WebAssembly;

export type TileFn = (x: number, w: number, out: number, k: number, ldo: number) => void;

/** Whether this runtime validates the module (WebAssembly SIMD present). */
let simdValidates: boolean | undefined;
export function wasmSimdAvailable(): boolean {
  if (simdValidates === undefined) {
    try {
      simdValidates = wasmApi !== undefined && wasmApi.validate(matmulModuleBytes(1, false));
    } catch {
      simdValidates = false;
    }
  }
  return simdValidates;
}

/**
 * out[t·ldo + o] for t < tokens, o ∈ [o0, o1): x·Wᵀ over wasm memory (byte
 * addresses). W rows are visited in blocks of `rowBlock` so the block stays in
 * L2 while all token tiles pass over it; the blocking never changes a result.
 */
export function matmulWasm(
  tiles: Readonly<Record<string, TileFn>>,
  x: number,
  tokens: number,
  k: number,
  w: number,
  o0: number,
  o1: number,
  out: number,
  ldo: number,
  rowBlock = 32,
): void {
  const t42 = tiles.tile_4_2!;
  const t12 = tiles.tile_1_2!;
  const t41 = tiles.tile_4_1!;
  const t11 = tiles.tile_1_1!;
  const rowBytes = 4 * k;
  const t4 = tokens - (tokens % 4);
  for (let ob = o0; ob < o1; ob += rowBlock) {
    const oe = Math.min(ob + rowBlock, o1);
    const oe2 = oe - ((oe - ob) % 2);
    for (let t = 0; t < tokens; t += 4) {
      const xt = x + t * rowBytes;
      const ot = out + 4 * t * ldo;
      if (t < t4) {
        for (let o = ob; o < oe2; o += 2) t42(xt, w + o * rowBytes, ot + 4 * o, k, ldo);
        if (oe2 < oe) t41(xt, w + oe2 * rowBytes, ot + 4 * oe2, k, ldo);
      } else {
        for (let tt = t; tt < tokens; tt++) {
          const xr = x + tt * rowBytes;
          const orow = out + 4 * tt * ldo;
          for (let o = ob; o < oe2; o += 2) t12(xr, w + o * rowBytes, orow + 4 * o, k, ldo);
          if (oe2 < oe) t11(xr, w + oe2 * rowBytes, orow + 4 * oe2, k, ldo);
        }
      }
    }
  }
}

// ---------------------------------------------------------------------------
// float64: the same kernel order with two f64x2 accumulators per output (lanes
// s₀,s₁ and s₂,s₃), so results equal matmulTransposedF64 bit for bit. Tiles are
// 2 × 2 (8 accumulators + 4 weight vectors + 1 x vector stay in registers).

const F64X2_EXTRACT = 0x21;
const F64X2_ADD = 0xf0;
const F64X2_MUL = 0xf2;
const op64 = { load: 0x2b, store: 0x39, add: 0xa0, mul: 0xa2 };

/** Body of tile_R_C over float64. Params: 0 x, 1 w, 2 out, 3 K, 4 ldo. */
function tileBody64(R: number, C: number): number[] {
  let next = 5;
  const p = next++;
  const end = next++; // 8·(K − K mod 4)
  const rem = next++;
  const xb = Array.from({ length: R }, () => next++);
  const wb = Array.from({ length: C }, () => next++);
  const firstV = next;
  const lo = Array.from({ length: R * C }, () => next++);
  const hi = Array.from({ length: R * C }, () => next++);
  const wLo = Array.from({ length: C }, () => next++);
  const wHi = Array.from({ length: C }, () => next++);
  const xv = next++;
  const firstF = next;
  const lane = [next++, next++, next++, next++];
  const locals = [
    [...uleb(firstV - 5), I32],
    [...uleb(firstF - firstV), V128],
    [...uleb(4), F64],
  ];
  const c: number[] = [];
  const get = (i: number) => c.push(op.get, ...uleb(i));
  const set = (i: number) => c.push(op.set, ...uleb(i));
  const i32 = (n: number) => c.push(op.i32const, ...sleb(n));
  for (let r = 0; r < R; r++) {
    get(0); get(3); i32(8 * r); c.push(op.i32mul, op.i32add); set(xb[r]!);
  }
  for (let j = 0; j < C; j++) {
    get(1); get(3); i32(8 * j); c.push(op.i32mul, op.i32add); set(wb[j]!);
  }
  get(3); i32(3); c.push(op.i32and); set(rem);
  get(3); i32(-4); c.push(op.i32and); i32(3); c.push(op.i32shl); set(end);
  for (const a of [...lo, ...hi]) {
    c.push(...simd(V128_CONST), ...new Array(16).fill(0));
    set(a);
  }
  i32(0); set(p);
  const load = (base: number, offset: number) => {
    get(base); get(p); c.push(op.i32add, ...simd(V128_LOAD), 4, ...uleb(offset));
  };
  c.push(op.block, op.void, op.loop, op.void);
  get(p); get(end); c.push(op.i32geu, op.br_if, 1);
  for (let j = 0; j < C; j++) {
    load(wb[j]!, 0); set(wLo[j]!);
    load(wb[j]!, 16); set(wHi[j]!);
  }
  for (let r = 0; r < R; r++) {
    for (const [half, acc, wv] of [[0, lo, wLo], [16, hi, wHi]] as const) {
      load(xb[r]!, half); set(xv);
      for (let j = 0; j < C; j++) {
        const a = acc[r * C + j]!;
        get(a); get(xv); get(wv[j]!); c.push(...simd(F64X2_MUL), ...simd(F64X2_ADD)); set(a);
      }
    }
  }
  get(p); i32(32); c.push(op.i32add); set(p);
  c.push(op.br, 0, op.end, op.end);
  for (let r = 0; r < R; r++) {
    for (let j = 0; j < C; j++) {
      const k = r * C + j;
      get(lo[k]!); c.push(...simd(F64X2_EXTRACT), 0); set(lane[0]!);
      get(lo[k]!); c.push(...simd(F64X2_EXTRACT), 1); set(lane[1]!);
      get(hi[k]!); c.push(...simd(F64X2_EXTRACT), 0); set(lane[2]!);
      get(hi[k]!); c.push(...simd(F64X2_EXTRACT), 1); set(lane[3]!);
      for (let l = 0; l < 3; l++) {
        get(rem); i32(l); c.push(op.i32gtu, op.if, op.void);
        get(lane[l]!);
        get(xb[r]!); get(end); c.push(op.i32add, op64.load, 3, ...uleb(8 * l));
        get(wb[j]!); get(end); c.push(op.i32add, op64.load, 3, ...uleb(8 * l));
        c.push(op64.mul, op64.add); set(lane[l]!);
        c.push(op.end);
      }
      get(2); get(4); i32(8 * r); c.push(op.i32mul, op.i32add);
      get(lane[0]!); get(lane[1]!); c.push(op64.add);
      get(lane[2]!); get(lane[3]!); c.push(op64.add, op64.add);
      c.push(op64.store, 3, ...uleb(8 * j));
    }
  }
  c.push(op.end);
  const body = [...vec(locals), ...c];
  return [...uleb(body.length), ...body];
}

export const TILES64 = [
  [2, 2],
  [1, 2],
  [2, 1],
  [1, 1],
] as const;

/** The float64 module (unshared memory: the float64 path runs on the calling thread). */
export function matmulModuleBytes64(pages: number): Uint8Array {
  const type = section(1, vec([[0x60, ...vec([[I32], [I32], [I32], [I32], [I32]]), ...vec([])]]));
  const imports = section(2, vec([[...str('env'), ...str('memory'), 0x02, 0x01, ...uleb(pages), ...uleb(pages)]]));
  const funcs = section(3, vec(TILES64.map(() => [0])));
  const exports = section(7, vec(TILES64.map(([r, cc], i) => [...str(`tile_${r}_${cc}`), 0x00, ...uleb(i)])));
  const code = section(10, [...uleb(TILES64.length), ...TILES64.flatMap(([r, cc]) => tileBody64(r, cc))]);
  return new Uint8Array([0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, ...type, ...imports, ...funcs, ...exports, ...code]);
}

/** matmulWasm for float64 rows (byte addresses; 2-token tiles). */
export function matmulWasm64(
  tiles: Readonly<Record<string, TileFn>>,
  x: number,
  tokens: number,
  k: number,
  w: number,
  outputs: number,
  out: number,
  rowBlock = 16,
): void {
  const t22 = tiles.tile_2_2!;
  const t12 = tiles.tile_1_2!;
  const t21 = tiles.tile_2_1!;
  const t11 = tiles.tile_1_1!;
  const rowBytes = 8 * k;
  const t2 = tokens - (tokens % 2);
  for (let ob = 0; ob < outputs; ob += rowBlock) {
    const oe = Math.min(ob + rowBlock, outputs);
    const oe2 = oe - ((oe - ob) % 2);
    for (let t = 0; t < tokens; t += 2) {
      const xt = x + t * rowBytes;
      const ot = out + 8 * t * outputs;
      if (t < t2) {
        for (let o = ob; o < oe2; o += 2) t22(xt, w + o * rowBytes, ot + 8 * o, k, outputs);
        if (oe2 < oe) t21(xt, w + oe2 * rowBytes, ot + 8 * oe2, k, outputs);
      } else {
        for (let o = ob; o < oe2; o += 2) t12(xt, w + o * rowBytes, ot + 8 * o, k, outputs);
        if (oe2 < oe) t11(xt, w + oe2 * rowBytes, ot + 8 * oe2, k, outputs);
      }
    }
  }
}
