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
 * + 1), within the 15 XMM registers V8 allocates on x64 (xmm15 is its scratch).
 *
 * A module may also carry tiles generated for one K, `tile_R_C_kK(x, w, out,
 * touch, ldo)`: every row and k-step is a constant offset (memarg immediate)
 * from one x and one w pointer, which leaves registers for a 3 × 3 float32
 * tile on the relaxed path (9 accumulators + 6 loaded vectors; V8 loads all
 * of a step's vectors before its multiply-adds). `touch` is an address whose
 * next 64-byte lines the tile reads, one per block of k-steps, and ignores.
 * The results are the general tiles' bits.
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
  /** Token rows of the large general tile (R of R × 2). */
  readonly tileRows: number;
  /**
   * Token rows × W rows of the largest tile specialised for one K (matmulSimdModuleBytes' fixedKs),
   * per path: each keeps its accumulators, the loaded vectors (and the plain path's product) in
   * the 15 XMM registers V8 allocates on x64, without spills. Neither shape fits in the other.
   */
  readonly fixedKTile: { readonly plain: readonly [number, number]; readonly relaxed: readonly [number, number] };
  /** k-steps per block sum (../mlp/matmul.ts LANE_BLOCK), for the driver, which runs from its source text. */
  readonly laneBlock: number;
  /**
   * W rows visited per block, so the block stays in L2 while all token tiles pass over it (never
   * changes a result); a multiple of the fixed-K tiles' widths that splits gemma-2's rows evenly.
   */
  readonly rowBlock: number;
}

export const MATMUL_LANES: Readonly<Record<MatmulLaneType, MatmulLanes>> = {
  f32: { type: 'f32', bytes: 4, tileRows: 4, fixedKTile: { plain: [4, 2], relaxed: [3, 3] }, laneBlock: LANE_BLOCK, rowBlock: 24 },
  f64: { type: 'f64', bytes: 8, tileRows: 2, fixedKTile: { plain: [2, 2], relaxed: [2, 2] }, laneBlock: LANE_BLOCK, rowBlock: 16 },
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

/**
 * Body of tile_R_C (`fixedK` undefined: K is the parameter) or tile_R_C_kK
 * (K = fixedK, its parameter ignored). Params: 0 x, 1 w, 2 out, 3 K, 4 ldo.
 *
 * With K fixed, every row and k-step is a constant offset from one x and one
 * w pointer (memarg immediates: no address arithmetic per load) and each
 * block of LANE_BLOCK k-steps is unrolled, so the loop runs once per block.
 * The operations on every accumulator, and their order, are the same as the
 * general tile's: the results are the same bits.
 */
function tileBody(lanes: MatmulLanes, R: number, C: number, relaxed: boolean, fixedK?: number): number[] {
  const o = OPS[lanes.type];
  const { bytes } = lanes;
  const shift = Math.log2(bytes);
  /** Vectors per output: the four lane sums fill one f32x4 or two f64x2. */
  const V = bytes / 4;
  /** Lanes per vector. */
  const L = 4 / V;
  const stepBytes = 16 * V;
  let next = 5;
  const p = next++; // general: byte offset into the rows; fixed K: x pointer
  const end = next++; // general: bytes·(K − K mod 4); fixed K: where the last whole block ends (x pointer)
  const blockEnd = next++; // general: where the current block of LANE_BLOCK steps ends; fixed K: w pointer
  const rem = next++; // general: K mod 4; fixed K: w pointer
  const pf = next++; // fixed K: the next cache line to touch
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
  const vload = (offset: number) => c.push(...simd(V128_LOAD), 4, ...uleb(offset)); // align hint 2^4
  // One k-step; load(row of x or w, its row index, vector h) pushes the vector.
  const step = (load: (isW: boolean, row: number, h: number) => void) => {
    for (let j = 0; j < C; j++) {
      for (let h = 0; h < V; h++) {
        load(true, j, h);
        set(wv[j * V + h]!);
      }
    }
    for (let r = 0; r < R; r++) {
      for (let h = 0; h < V; h++) {
        load(false, r, h);
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
  const zeroAcc = () => {
    for (const a of acc.flat()) {
      zero();
      set(a);
    }
  };
  // Block sums join the totals (./matmul.ts's order).
  const joinBlock = () => {
    for (let h = 0; h < V; h++) {
      for (let i = 0; i < R * C; i++) {
        get(tot[h]![i]!);
        get(acc[h]![i]!);
        c.push(...simd(o.vAdd));
        set(tot[h]![i]!);
      }
    }
  };
  /** k-steps until pointers[0] reaches blockEnd, each advancing every pointer by one step. */
  const stepLoop = (load: Parameters<typeof step>[0], pointers: number[]) => {
    c.push(op.loop, op.void);
    step(load);
    for (const ptr of pointers) {
      get(ptr);
      i32(stepBytes);
      c.push(op.i32add);
      set(ptr);
    }
    get(pointers[0]!);
    get(blockEnd);
    c.push(op.i32ltu, op.br_if, 0, op.end);
  };
  for (const a of tot.flat()) {
    zero();
    set(a);
  }
  /** Element l of the scalar tail (past the last whole k-step) of row `row` of x or w: pushes a base, returns the memarg offset. */
  let tailAddress: (isW: boolean, row: number, l: number) => number;
  /** K mod 4, where it is a constant. */
  let remFixed: number | undefined;
  if (fixedK === undefined) {
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
    i32(0);
    set(p);
    const load = (isW: boolean, row: number, h: number) => {
      get(isW ? wb[row]! : xb[row]!);
      get(p);
      c.push(op.i32add);
      vload(16 * h);
    };
    // Blocks of LANE_BLOCK k-steps: block sums start at +0, then join the totals.
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
    zeroAcc();
    stepLoop(load, [p]);
    joinBlock();
    c.push(op.br, 0, op.end, op.end);
    tailAddress = (isW, row, l) => {
      get(isW ? wb[row]! : xb[row]!);
      get(end);
      c.push(op.i32add);
      return bytes * l;
    };
  } else {
    const K = fixedK;
    const steps = Math.floor(K / 4);
    const blocks = Math.floor(steps / LANE_BLOCK);
    const restSteps = steps % LANE_BLOCK;
    remFixed = K % 4;
    const px = p;
    const pw = rem;
    get(0);
    set(px);
    get(1);
    set(pw);
    get(3);
    set(pf);
    // One k-step past the pointers per iteration: a straight run of steps lets TurboFan hoist
    // every load above the multiply-adds and spill; a loop keeps each step's loads with it.
    const block = (n: number) => {
      zeroAcc();
      get(px);
      i32(stepBytes * n);
      c.push(op.i32add);
      set(blockEnd);
      stepLoop(
        (isW, row, h) => {
          get(isW ? pw : px);
          vload(bytes * K * row + 16 * h);
        },
        [px, pw],
      );
      joinBlock();
    };
    if (blocks > 0) {
      get(0);
      i32(stepBytes * LANE_BLOCK * blocks);
      c.push(op.i32add);
      set(end);
      c.push(op.loop, op.void);
      // Touch one cache line of what the driver will need next (WebAssembly has no prefetch).
      get(pf);
      c.push(0x28, 2, 0, 0x1a); // i32.load, drop
      get(pf);
      i32(64);
      c.push(op.i32add);
      set(pf);
      block(LANE_BLOCK);
      get(px);
      get(end);
      c.push(op.i32ltu, op.br_if, 0, op.end);
    }
    if (restSteps > 0) block(restSteps);
    tailAddress = (isW, row, l) => {
      get(isW ? 1 : 0);
      return bytes * (K * row + 4 * steps + l);
    };
  }
  for (let r = 0; r < R; r++) {
    for (let j = 0; j < C; j++) {
      for (let l = 0; l < 4; l++) {
        get(tot[Math.floor(l / L)]![r * C + j]!);
        c.push(...simd(o.vExtract), l % L);
        set(lane[l]!);
      }
      for (let l = 0; l < (remFixed ?? 3); l++) {
        // if (rem > l) lane_l = lane_l + x[end + bytes·l]·w[end + bytes·l]
        if (remFixed === undefined) {
          get(rem);
          i32(l);
          c.push(op.i32gtu, op.if, op.void);
        }
        get(lane[l]!);
        const xOffset = tailAddress(false, r, l);
        c.push(o.load, o.align, ...uleb(xOffset));
        const wOffset = tailAddress(true, j, l);
        c.push(o.load, o.align, ...uleb(wOffset));
        c.push(o.mul, o.add);
        set(lane[l]!);
        if (remFixed === undefined) c.push(op.end);
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

/** [R, C, fixed K or undefined] of every tile of a module, with its export name. */
function tileShapes(
  lanes: MatmulLanes,
  fixedKs: readonly number[],
  relaxed: boolean,
): { R: number; C: number; K?: number; name: string }[] {
  const R = lanes.tileRows;
  const general = [
    [R, 2],
    [1, 2],
    [R, 1],
    [1, 1],
  ].map(([r, cc]) => ({ R: r!, C: cc!, name: `tile_${r}_${cc}` }));
  const down = (n: number) => Array.from({ length: n }, (_, i) => n - i);
  const [rows, cols] = lanes.fixedKTile[relaxed ? 'relaxed' : 'plain'];
  const fixed = [...new Set(fixedKs)].flatMap((K) =>
    down(rows).flatMap((r) => down(cols).map((cc) => ({ R: r, C: cc, K, name: `tile_${r}_${cc}_k${K}` }))),
  );
  return [...general, ...fixed];
}

/**
 * The module bytes; imports `env.memory` (shared when `shared`, `pages` initial and maximum).
 * Besides the general tiles it exports, for each K in `fixedKs`, tile_r_C_kK for r ≤ lanes.fixedKRows,
 * C ∈ {1, 2}: the same results, faster (matmulSimd picks them by K).
 */
export function matmulSimdModuleBytes(
  lanes: MatmulLanes,
  pages: number,
  shared: boolean,
  relaxed: boolean,
  fixedKs: readonly number[] = [],
): Uint8Array {
  for (const K of fixedKs) {
    if (!Number.isInteger(K) || K < 1 || K * lanes.bytes * lanes.fixedKTile[relaxed ? 'relaxed' : 'plain'][0] >= 2 ** 32) {
      throw new RangeError(`matmulSimdModuleBytes: fixed K is ${K}, expected a positive integer whose rows fit wasm32 offsets`);
    }
  }
  const tiles = tileShapes(lanes, fixedKs, relaxed);
  const type = section(1, vec([[0x60, ...vec([[I32], [I32], [I32], [I32], [I32]]), ...vec([])]]));
  const limits = [shared ? 0x03 : 0x01, ...uleb(pages), ...uleb(pages)];
  const imports = section(2, vec([[...str('env'), ...str('memory'), 0x02, ...limits]]));
  const funcs = section(3, vec(tiles.map(() => [0])));
  const exports = section(7, vec(tiles.map((t, i) => [...str(t.name), 0x00, ...uleb(i)])));
  const code = section(10, [...uleb(tiles.length), ...tiles.flatMap((t) => tileBody(lanes, t.R, t.C, relaxed, t.K))]);
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
  const fixed = tiles[`tile_1_1_k${k}`] !== undefined;
  // Fixed-K tiles exist for every shape up to the path's fixedKTile (the relaxed one where its
  // largest tile is there: the two shapes do not fit in each other); the general ones for
  // tileRows × 2, tileRows × 1, 1 × 2 and 1 × 1.
  const relaxedShape = lanes.fixedKTile.relaxed;
  const [R, C] = !fixed
    ? [lanes.tileRows, 2]
    : tiles[`tile_${relaxedShape[0]}_${relaxedShape[1]}_k${k}`] !== undefined
      ? relaxedShape
      : lanes.fixedKTile.plain;
  // byShape[r][c]: the r × c tile, looked up once here (not per call).
  const byShape: (TileFn | undefined)[][] = [];
  for (let r = 0; r <= R; r++) {
    byShape.push([]);
    for (let c = 0; c <= C; c++) byShape[r]!.push(fixed ? tiles[`tile_${r}_${c}_k${k}`] : tiles[`tile_${r}_${c}`]);
  }
  const bytes = lanes.bytes;
  const rowBytes = bytes * k;
  const rowBlock = lanes.rowBlock;
  // A fixed-K tile touches one 64-byte line per block of k-steps at its 4th argument: the calls
  // of one row block walk the next row block, so its first pass does not wait on main memory.
  // Where the next block is done (or there is none) a call touches its own first W row.
  const touch = fixed ? 64 * Math.floor(k / (4 * lanes.laneBlock)) : 0;
  for (let ob = o0; ob < o1; ob += rowBlock) {
    const oe = Math.min(ob + rowBlock, o1);
    const oeC = oe - ((oe - ob) % C);
    const nextEnd = w + Math.min(oe + rowBlock, o1) * rowBytes;
    let pf = w + oe * rowBytes;
    for (let t = 0; t < tokens; t += R) {
      const rows = Math.min(R, tokens - t);
      // Rows without a tile of their own height go one token at a time.
      const height = byShape[rows]![1] === undefined ? 1 : rows;
      const full = byShape[height]![C]!;
      const part = byShape[height]![oe - oeC];
      for (let tt = t; tt < t + rows; tt += height) {
        const xt = x + tt * rowBytes;
        const ot = out + bytes * tt * ldo;
        for (let o = ob; o < oe; o += C) {
          const wo = w + o * rowBytes;
          let arg = k;
          if (fixed) {
            arg = pf + touch <= nextEnd ? pf : wo;
            pf += touch;
          }
          (o < oeC ? full : part!)(xt, wo, ot + bytes * o, arg, ldo);
        }
      }
    }
  }
}
