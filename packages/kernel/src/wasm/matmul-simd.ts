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
import { F32, F64, I32, V128, section, sleb, uleb } from './encoding.js';

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
  f32: { valtype: F32, align: 2, load: 0x2a, store: 0x38, add: 0x92, mul: 0x94, vExtract: 0x1f, vAdd: 0xe4, vMul: 0xe6 },
  f64: { valtype: F64, align: 3, load: 0x2b, store: 0x39, add: 0xa0, mul: 0xa2, vExtract: 0x21, vAdd: 0xf0, vMul: 0xf2 },
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

/**
 * k-steps of 4 per loop iteration, tuned on the development VM (Node 20, V8 11.3);
 * bench/mlp-gemma2.ts prints the MLP's GFLOP per CPU-second. Unrolling the float32 tile by 2 or 4
 * (memarg offsets) is slower there (about 20 against 32 GFLOP per CPU-second for the 4 × 2 tile,
 * K = 2304), and the tile's speed did not depend on K from 512 to 4608, so it is issue-bound, not
 * L1-bound, and k-blocking would not pay. Baking K into the module (row strides as memarg offsets,
 * 2 address adds per step instead of 6) is no faster either (30–31 against 32); 4 × 3 tiles
 * run at ~21 (register spills: 12 accumulators + 4 operands exceed what V8 keeps in XMM registers).
 */
export const UNROLL = 1;

/** Body of tile_R_C. Params: 0 x, 1 w, 2 out, 3 K, 4 ldo. */
function tileBody(lanes: MatmulLanes, R: number, C: number, unroll: number): number[] {
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
  const endU = next++; // end − stepBytes·(unroll − 1)
  const rem = next++; // K mod 4
  const xb = Array.from({ length: R }, () => next++);
  const wb = Array.from({ length: C }, () => next++);
  const firstV = next;
  // acc[h][r·C + j]: vector h of output (r, j); wv[j·V + h]: vector h of W row j.
  const acc = Array.from({ length: V }, () => Array.from({ length: R * C }, () => next++));
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
  for (const a of acc.flat()) {
    c.push(...simd(V128_CONST), ...new Array(16).fill(0));
    set(a);
  }
  i32(0);
  set(p);
  const load = (base: number, offset: number) => {
    get(base);
    get(p);
    c.push(op.i32add, ...simd(V128_LOAD), 4, ...uleb(offset)); // align hint 2^4
  };
  const step = (offset: number) => {
    for (let j = 0; j < C; j++) {
      for (let h = 0; h < V; h++) {
        load(wb[j]!, offset + 16 * h);
        set(wv[j * V + h]!);
      }
    }
    for (let r = 0; r < R; r++) {
      for (let h = 0; h < V; h++) {
        load(xb[r]!, offset + 16 * h);
        set(xv);
        for (let j = 0; j < C; j++) {
          const a = acc[h]![r * C + j]!;
          get(a);
          get(xv);
          get(wv[j * V + h]!);
          c.push(...simd(o.vMul), ...simd(o.vAdd));
          set(a);
        }
      }
    }
  };
  // Unrolled main loop while p + stepBytes·U ≤ end (signed: endU may be negative), then single
  // steps; both advance k in order, so every lane sees the same sequence of roundings. The
  // single-step loop is emitted even at U = 1, where it never runs: without it the float32 tile
  // took ~5% more CPU time under Node 20's V8 (a projection of 64 tokens, K = 2304, interleaved
  // runs); we did not find why.
  get(end);
  i32(-stepBytes * (unroll - 1));
  c.push(op.i32add);
  set(endU);
  c.push(op.block, op.void, op.loop, op.void);
  get(p);
  get(endU);
  c.push(op.i32ges, op.br_if, 1);
  for (let u = 0; u < unroll; u++) step(stepBytes * u);
  get(p);
  i32(stepBytes * unroll);
  c.push(op.i32add);
  set(p);
  c.push(op.br, 0, op.end, op.end);
  c.push(op.block, op.void, op.loop, op.void);
  get(p);
  get(end);
  c.push(op.i32geu, op.br_if, 1);
  step(0);
  get(p);
  i32(stepBytes);
  c.push(op.i32add);
  set(p);
  c.push(op.br, 0, op.end, op.end);
  for (let r = 0; r < R; r++) {
    for (let j = 0; j < C; j++) {
      for (let l = 0; l < 4; l++) {
        get(acc[Math.floor(l / L)]![r * C + j]!);
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
export function matmulSimdModuleBytes(lanes: MatmulLanes, pages: number, shared: boolean, unroll = UNROLL): Uint8Array {
  const tiles = tileShapes(lanes);
  const type = section(1, vec([[0x60, ...vec([[I32], [I32], [I32], [I32], [I32]]), ...vec([])]]));
  const limits = [shared ? 0x03 : 0x01, ...uleb(pages), ...uleb(pages)];
  const imports = section(2, vec([[...str('env'), ...str('memory'), 0x02, ...limits]]));
  const funcs = section(3, vec(tiles.map(() => [0])));
  const exports = section(7, vec(tiles.map(([r, cc], i) => [...str(`tile_${r}_${cc}`), 0x00, ...uleb(i)])));
  const code = section(10, [...uleb(tiles.length), ...tiles.flatMap(([r, cc]) => tileBody(lanes, r, cc, unroll))]);
  return new Uint8Array([0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, ...type, ...imports, ...funcs, ...exports, ...code]);
}

export type TileFn = (x: number, w: number, out: number, k: number, ldo: number) => void;

let simdValidates: boolean | undefined;
/** Whether this runtime validates the tiles (WebAssembly SIMD present). */
export function matmulSimdAvailable(): boolean {
  if (simdValidates === undefined) {
    try {
      simdValidates = wasmApi?.validate(matmulSimdModuleBytes(MATMUL_LANES.f32, 1, false)) ?? false;
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
