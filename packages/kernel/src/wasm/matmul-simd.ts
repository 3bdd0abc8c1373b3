/**
 * WebAssembly SIMD matmul tiles for float32 (f32x4) and float64 (f64x2) rows,
 * emitted as bytes by one generator parameterised by the lane type — the
 * source of the binary is the code below; nothing prebuilt is shipped.
 *
 * Each exported function `tile_R_C(x, w, out, K, ldo)` computes an R × C block
 * of out = x·Wᵀ: out[r·ldo + c] = dot(x + r·K, w + c·K) (byte addresses of
 * rows in linear memory, K elements per row). The dot product is exactly the
 * kernel order of ../mlp/matmul.ts: four lane sums per output (lane l sums
 * k ≡ l mod 4, ascending) held in one f32x4 or two f64x2 accumulators, a
 * scalar tail into lanes 0..2, then fl(fl(s₀+s₁) + fl(s₂+s₃)); wasm float
 * arithmetic is IEEE round-to-nearest with subnormals (no flush-to-zero), so
 * results equal the JavaScript loops bit for bit. Tiles are 4 × 2 (float32:
 * 8 accumulators + 2 weight vectors + 1 x vector) and 2 × 2 (float64: 8 + 4
 * + 1), within the 16 XMM registers V8 allocates on x64.
 *
 * Binary format: WebAssembly Core Specification 2.0, §5 (binary encoding)
 * and the fixed-width SIMD proposal's opcode table (0xFD prefix, LEB128
 * sub-opcodes).
 */
import { wasmApi } from './api.js';
import { LANE_BLOCK } from '../mlp/matmul.js';
import { F32, F64, I32, V128, section, sleb, uleb } from './encoding.js';
import { RELAXED_OPCODE } from './features.js';

/** The element type of a matmul's rows. */
export type MatmulLaneType = 'f32' | 'f64';

/** What the generator and the driver need to know of a lane type. */
export interface MatmulLanes {
  readonly type: MatmulLaneType;
  /** Bytes per element. */
  readonly bytes: 4 | 8;
  /** Token rows of the large tile (R of R × 2). */
  readonly tileRows: number;
  /** W rows visited per block, so the block stays in L2 while all token tiles pass over it (never changes a result). */
  readonly rowBlock: number;
}

export const MATMUL_LANES: Readonly<Record<MatmulLaneType, MatmulLanes>> = {
  f32: { type: 'f32', bytes: 4, tileRows: 4, rowBlock: 32 },
  f64: { type: 'f64', bytes: 8, tileRows: 2, rowBlock: 16 },
};

/** Scalar and vector opcodes per lane type (§5.4; SIMD sub-opcodes). */
const OPS = {
  f32: {
    valtype: F32,
    align: 2,
    load: 0x2a,
    store: 0x38,
    add: 0x92,
    mul: 0x94,
    vExtract: 0x1f,
    vAdd: 0xe4,
    vMul: 0xe6,
    vMadd: RELAXED_OPCODE.f32x4Madd,
  },
  f64: {
    valtype: F64,
    align: 3,
    load: 0x2b,
    store: 0x39,
    add: 0xa0,
    mul: 0xa2,
    vExtract: 0x21,
    vAdd: 0xf0,
    vMul: 0xf2,
    vMadd: RELAXED_OPCODE.f64x2Madd,
  },
} as const;

const op = {
  block: 0x02,
  loop: 0x03,
  if: 0x04,
  end: 0x0b,
  br: 0x0c,
  br_if: 0x0d,
  void: 0x40,
  get: 0x20,
  set: 0x21,
  i32const: 0x41,
  i32add: 0x6a,
  i32mul: 0x6c,
  i32and: 0x71,
  i32shl: 0x74,
  i32geu: 0x4f,
  i32ges: 0x4e,
  i32gtu: 0x4b,
  i32ltu: 0x49,
};
const simd = (sub: number) => [0xfd, ...uleb(sub)];
const V128_LOAD = 0x00;
const V128_CONST = 0x0c;

function str(s: string): number[] {
  const b = [...new TextEncoder().encode(s)];
  return [...uleb(b.length), ...b];
}

function vec(items: number[][]): number[] {
  return [...uleb(items.length), ...items.flat()];
}

/** Body of tile_R_C. Params: 0 x, 1 w, 2 out, 3 K, 4 ldo. */
function tileBody(lanes: MatmulLanes, R: number, C: number, relaxed: boolean): number[] {
  const o = OPS[lanes.type];
  const { bytes } = lanes;
  const shift = Math.log2(bytes);
  /** Vectors per output: the four lane sums fill one f32x4 or two f64x2. */
  const V = bytes / 4;
  /** Lanes per vector. */
  const L = 4 / V;
  const stepBytes = 16 * V;
  let next = 5;
  const p = next++; // byte offset into the rows
  const end = next++; // bytes·(K − K mod 4)
  const blockEnd = next++; // where the current block of LANE_BLOCK steps ends
  const rem = next++; // K mod 4
  const xb = Array.from({ length: R }, () => next++);
  const wb = Array.from({ length: C }, () => next++);
  const firstV = next;
  // acc[h][r·C + j]: vector h of output (r, j)'s block sums; tot likewise for the totals;
  // wv[j·V + h]: vector h of W row j.
  const acc = Array.from({ length: V }, () => Array.from({ length: R * C }, () => next++));
  const tot = Array.from({ length: V }, () => Array.from({ length: R * C }, () => next++));
  const wv = Array.from({ length: C * V }, () => next++);
  const xv = next++;
  const firstF = next;
  const lane = [next++, next++, next++, next++];
  const locals = [
    [...uleb(firstV - 5), I32],
    [...uleb(firstF - firstV), V128],
    [...uleb(4), o.valtype],
  ];
  const c: number[] = [];
  const get = (i: number) => c.push(op.get, ...uleb(i));
  const set = (i: number) => c.push(op.set, ...uleb(i));
  const i32 = (n: number) => c.push(op.i32const, ...sleb(n));
  const zero = () => c.push(...simd(V128_CONST), ...new Array(16).fill(0));
  // Row bases: x + r·K·bytes, w + j·K·bytes.
  for (let r = 0; r < R; r++) {
    get(0);
    get(3);
    i32(bytes * r);
    c.push(op.i32mul, op.i32add);
    set(xb[r]!);
  }
  for (let j = 0; j < C; j++) {
    get(1);
    get(3);
    i32(bytes * j);
    c.push(op.i32mul, op.i32add);
    set(wb[j]!);
  }
  get(3);
  i32(3);
  c.push(op.i32and);
  set(rem);
  get(3);
  i32(-4);
  c.push(op.i32and);
  i32(shift);
  c.push(op.i32shl);
  set(end);
  for (const a of tot.flat()) {
    zero();
    set(a);
  }
  i32(0);
  set(p);
  const load = (base: number, offset: number) => {
    get(base);
    get(p);
    c.push(op.i32add, ...simd(V128_LOAD), 4, ...uleb(offset)); // align hint 2^4
  };
  const step = () => {
    for (let j = 0; j < C; j++) {
      for (let h = 0; h < V; h++) {
        load(wb[j]!, 16 * h);
        set(wv[j * V + h]!);
      }
    }
    for (let r = 0; r < R; r++) {
      for (let h = 0; h < V; h++) {
        load(xb[r]!, 16 * h);
        set(xv);
        for (let j = 0; j < C; j++) {
          const a = acc[h]![r * C + j]!;
          if (relaxed) {
            // relaxed_madd(a, b, c) = a·b + c, fused or not as the engine chooses
            get(xv);
            get(wv[j * V + h]!);
            get(a);
            c.push(...simd(o.vMadd));
          } else {
            get(a);
            get(xv);
            get(wv[j * V + h]!);
            c.push(...simd(o.vMul), ...simd(o.vAdd));
          }
          set(a);
        }
      }
    }
  };
  // Blocks of LANE_BLOCK k-steps: block sums start at +0, then join the totals (./matmul.ts's order).
  c.push(op.block, op.void, op.loop, op.void);
  get(p);
  get(end);
  c.push(op.i32geu, op.br_if, 1);
  // blockEnd = min(p + LANE_BLOCK·stepBytes, end)
  get(p);
  i32(stepBytes * LANE_BLOCK);
  c.push(op.i32add);
  set(blockEnd);
  get(blockEnd);
  get(end);
  c.push(op.i32gtu, op.if, op.void);
  get(end);
  set(blockEnd);
  c.push(op.end);
  for (const a of acc.flat()) {
    zero();
    set(a);
  }
  c.push(op.loop, op.void);
  step();
  get(p);
  i32(stepBytes);
  c.push(op.i32add);
  set(p);
  get(p);
  get(blockEnd);
  c.push(op.i32ltu, op.br_if, 0, op.end);
  for (let h = 0; h < V; h++) {
    for (let i = 0; i < R * C; i++) {
      get(tot[h]![i]!);
      get(acc[h]![i]!);
      c.push(...simd(o.vAdd));
      set(tot[h]![i]!);
    }
  }
  c.push(op.br, 0, op.end, op.end);
  for (let r = 0; r < R; r++) {
    for (let j = 0; j < C; j++) {
      for (let l = 0; l < 4; l++) {
        get(tot[Math.floor(l / L)]![r * C + j]!);
        c.push(...simd(o.vExtract), l % L);
        set(lane[l]!);
      }
      for (let l = 0; l < 3; l++) {
        // if (rem > l) lane_l = lane_l + x[end + bytes·l]·w[end + bytes·l]
        get(rem);
        i32(l);
        c.push(op.i32gtu, op.if, op.void);
        get(lane[l]!);
        get(xb[r]!);
        get(end);
        c.push(op.i32add, o.load, o.align, ...uleb(bytes * l));
        get(wb[j]!);
        get(end);
        c.push(op.i32add, o.load, o.align, ...uleb(bytes * l));
        c.push(o.mul, o.add);
        set(lane[l]!);
        c.push(op.end);
      }
      // out + bytes·(r·ldo + j) ← (s0 + s1) + (s2 + s3)
      get(2);
      get(4);
      i32(bytes * r);
      c.push(op.i32mul, op.i32add);
      get(lane[0]!);
      get(lane[1]!);
      c.push(o.add);
      get(lane[2]!);
      get(lane[3]!);
      c.push(o.add, o.add);
      c.push(o.store, o.align, ...uleb(bytes * j));
    }
  }
  c.push(op.end);
  const body = [...vec(locals), ...c];
  return [...uleb(body.length), ...body];
}

/** Tile shapes of a module, largest first (the driver below uses all four). */
function tileShapes(lanes: MatmulLanes): [number, number][] {
  const R = lanes.tileRows;
  return [
    [R, 2],
    [1, 2],
    [R, 1],
    [1, 1],
  ];
}

/** The module bytes; imports `env.memory` (shared when `shared`, `pages` initial and maximum). */
export function matmulSimdModuleBytes(lanes: MatmulLanes, pages: number, shared: boolean, relaxed: boolean): Uint8Array {
  const tiles = tileShapes(lanes);
  const type = section(1, vec([[0x60, ...vec([[I32], [I32], [I32], [I32], [I32]]), ...vec([])]]));
  const limits = [shared ? 0x03 : 0x01, ...uleb(pages), ...uleb(pages)];
  const imports = section(2, vec([[...str('env'), ...str('memory'), 0x02, ...limits]]));
  const funcs = section(3, vec(tiles.map(() => [0])));
  const exports = section(7, vec(tiles.map(([r, cc], i) => [...str(`tile_${r}_${cc}`), 0x00, ...uleb(i)])));
  const code = section(10, [...uleb(tiles.length), ...tiles.flatMap(([r, cc]) => tileBody(lanes, r, cc, relaxed))]);
  return new Uint8Array([0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, ...type, ...imports, ...funcs, ...exports, ...code]);
}

export type TileFn = (x: number, w: number, out: number, k: number, ldo: number) => void;

let simdValidates: boolean | undefined;
/** Whether this runtime validates the tiles (WebAssembly SIMD present). */
export function matmulSimdAvailable(): boolean {
  if (simdValidates === undefined) {
    try {
      simdValidates = wasmApi?.validate(matmulSimdModuleBytes(MATMUL_LANES.f32, 1, false, false)) ?? false;
    } catch {
      simdValidates = false;
    }
  }
  return simdValidates;
}

/**
 * out[t·ldo + o] for t < tokens, o ∈ [o0, o1): x·Wᵀ over wasm memory (byte
 * addresses), with the tiles of a module for `lanes`. W rows are visited in
 * blocks of lanes.rowBlock; the blocking never changes a result.
 *
 * Self-contained (no reference outside its parameters): the MLP's worker
 * threads run it from its source text.
 */
export function matmulSimd(
  tiles: Readonly<Record<string, TileFn>>,
  lanes: MatmulLanes,
  x: number,
  tokens: number,
  k: number,
  w: number,
  o0: number,
  o1: number,
  out: number,
  ldo: number,
): void {
  const R = lanes.tileRows;
  const bytes = lanes.bytes;
  const rowBlock = lanes.rowBlock;
  const tR2 = tiles[`tile_${R}_2`]!;
  const t12 = tiles.tile_1_2!;
  const tR1 = tiles[`tile_${R}_1`]!;
  const t11 = tiles.tile_1_1!;
  const rowBytes = bytes * k;
  const tFull = tokens - (tokens % R);
  for (let ob = o0; ob < o1; ob += rowBlock) {
    const oe = Math.min(ob + rowBlock, o1);
    const oe2 = oe - ((oe - ob) % 2);
    for (let t = 0; t < tokens; t += R) {
      const xt = x + t * rowBytes;
      const ot = out + bytes * t * ldo;
      if (t < tFull) {
        for (let o = ob; o < oe2; o += 2) tR2(xt, w + o * rowBytes, ot + bytes * o, k, ldo);
        if (oe2 < oe) tR1(xt, w + oe2 * rowBytes, ot + bytes * oe2, k, ldo);
      } else {
        for (let tt = t; tt < tokens; tt++) {
          const xr = x + tt * rowBytes;
          const orow = out + bytes * tt * ldo;
          for (let o = ob; o < oe2; o += 2) t12(xr, w + o * rowBytes, orow + bytes * o, k, ldo);
          if (oe2 < oe) t11(xr, w + oe2 * rowBytes, orow + bytes * oe2, k, ldo);
        }
      }
    }
  }
}
