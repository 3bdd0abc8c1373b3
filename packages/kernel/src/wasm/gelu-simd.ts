/**
 * Emits, at load time, the WebAssembly SIMD module of the fast float32 gelu
 * kernel. The module is written here instruction by instruction (no binary
 * blob, no toolchain): it is the same algorithm as fastGelu in
 * ../elementwise/fast.ts, two elements per f64x2 vector, with the identical
 * sequence of IEEE double operations, so its doubles are bit-identical to
 * the JavaScript kernel's (the tests compare both).
 *
 * Exported functions `gelu(in, up, out, pairs, table, flags, x0, sMax)` and
 * `geglu(…)` (same parameters) → flagged: for k < pairs, read the float32
 * pair at in + 8k (and at up + 8k for geglu), write the float32 pair at
 * out + 8k, and, when the rounding test fails for either element, append k
 * to the i32 list at `flags`; return the list's length. The caller
 * recomputes flagged pairs on the slower paths.
 *
 * Encoding reference: the WebAssembly core specification 2.0 (binary format,
 * §5) and the fixed-width SIMD proposal's opcode table.
 */

import { F64, I32, V128, section, sleb, uleb } from './encoding.js';

const SIMD = 0xfd;

function f64Bytes(x: number): number[] {
  return Array.from(new Uint8Array(new Float64Array([x]).buffer));
}

function vec(bytes: number[]): number[] {
  return [...uleb(bytes.length), ...bytes];
}


// Value types.

// Instruction helpers (opcode numbers from the spec's tables).
const op = {
  block: [0x02, 0x40],
  loop: [0x03, 0x40],
  if: [0x04, 0x40],
  end: [0x0b],
  br: (d: number) => [0x0c, ...uleb(d)],
  brIf: (d: number) => [0x0d, ...uleb(d)],
  get: (i: number) => [0x20, ...uleb(i)],
  set: (i: number) => [0x21, ...uleb(i)],
  tee: (i: number) => [0x22, ...uleb(i)],
  i32Store: (offset: number) => [0x36, 2, ...uleb(offset)],
  i32Const: (n: number) => [0x41, ...sleb(n)],
  i32Eqz: [0x45],
  i32GeU: [0x4f],
  i32Add: [0x6a],
  i32Mul: [0x6c],
  i32Shl: [0x74],
  simd: (code: number, ...imm: number[]) => [SIMD, ...uleb(code), ...imm],
};
const v128Const = (bytes: number[]) => op.simd(12, ...bytes);
const f64x2Const = (a: number) => v128Const([...f64Bytes(a), ...f64Bytes(a)]);
const load64Zero = (offset: number) => op.simd(93, 3, ...uleb(offset));
const load64Lane = (offset: number, lane: number) => op.simd(87, 3, ...uleb(offset), lane);
const store64Lane = (offset: number, lane: number) => op.simd(91, 3, ...uleb(offset), lane);
const f64x2Splat = op.simd(20);
const i32x4ExtractLane = (lane: number) => op.simd(27, lane);
const i32x4Eq = op.simd(55);
const f32x4Eq = op.simd(65);
const v128And = op.simd(78);
const f32x4DemoteF64x2Zero = op.simd(94);
const f64x2PromoteLowF32x4 = op.simd(95);
const f64x2Floor = op.simd(117);
const i32x4AllTrue = op.simd(163);
const f64x2Add = op.simd(240);
const f64x2Sub = op.simd(241);
const f64x2Mul = op.simd(242);
const f64x2Pmin = op.simd(246);
const f64x2Pmax = op.simd(247);
const i32x4TruncSatF64x2SZero = op.simd(252);

/** Coefficients per interval (degree 8) and intervals per unit of x, as in tables.generated.ts. */
export const SIMD_STRIDE = 9;
const PER_UNIT = 64;
const STRIDE_BYTES = SIMD_STRIDE * 8;

/** Vectors (pairs) per loop iteration: two independent Horner chains measured best (bench/simd-groups.mjs: 1 → 100, 2 → 118, 4 → 115, 8 → 100 Melem/s on the device machine). */
export const SIMD_GROUP = 2;

/**
 * The module's bytes; `band` is the rounding test's relative half-width,
 * `group` the vectors per loop iteration (bench/simd-groups.mjs compares them).
 * Tried and slower: loading coefficient pairs as whole vectors and picking
 * lanes with i8x16.shuffle (~20% slower than the two lane loads here).
 */
export function geluSimdModuleBytes(band: number, group = SIMD_GROUP): Uint8Array {
  const gelu = functionBody(band, group, false);
  const geglu = functionBody(band, group, true);
  const typeSec = section(1, [
    ...uleb(1),
    0x60,
    ...vec([I32, I32, I32, I32, I32, I32, F64, F64]),
    ...vec([I32]),
  ]);
  const funcSec = section(3, [...uleb(2), ...uleb(0), ...uleb(0)]);
  const memSec = section(5, [...uleb(1), 0x00, ...uleb(8)]); // 8 pages (512 KiB), no maximum
  const name = (s: string) => vec([...new TextEncoder().encode(s)]);
  const exportSec = section(7, [
    ...uleb(3),
    ...name('gelu'), 0x00, ...uleb(0),
    ...name('geglu'), 0x00, ...uleb(1),
    ...name('memory'), 0x02, ...uleb(0),
  ]);
  const codeSec = section(10, [...uleb(2), ...vec(gelu), ...vec(geglu)]);
  return new Uint8Array([0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, ...typeSec, ...funcSec, ...memSec, ...exportSec, ...codeSec]);
}

/**
 * One function's locals and code. Parameters: 0 in, 1 up, 2 out, 3 pairs,
 * 4 table, 5 flags (i32); 6 x0, 7 sMax (f64). `pairs` must be a multiple of
 * the group. gelu ignores `up`; geglu multiplies by it (y = (g·p)·u, the
 * same order as gegluElement32 in ../elementwise/fast.ts).
 */
function functionBody(band: number, group: number, withUp: boolean): number[] {
  const SIMD_GROUP = group;
  const [IN, UP, OUT, PAIRS, TABLE, FLAGS, X0, SMAX] = [0, 1, 2, 3, 4, 5, 6, 7];
  // i32 locals: 9 k, 10 nflag, then a0, a1 per group; v128 locals after them.
  const K = 8;
  const NFLAG = 9;
  const A0 = (g: number) => 10 + 2 * g;
  const A1 = (g: number) => 11 + 2 * g;
  const nI32 = 2 + 2 * SIMD_GROUP;
  const vBase = 8 + nI32;
  const [X0V, SMAXV] = [vBase, vBase + 1];
  const PER = 7; // v, s, t, p, y, r1, j per group
  const gv = (g: number, i: number) => vBase + 2 + PER * g + i;
  const V = (g: number) => gv(g, 0);
  const S = (g: number) => gv(g, 1);
  const T = (g: number) => gv(g, 2);
  const P = (g: number) => gv(g, 3);
  const Y = (g: number) => gv(g, 4);
  const R1 = (g: number) => gv(g, 5);
  const J = (g: number) => gv(g, 6);
  const nV128 = 2 + PER * SIMD_GROUP;

  // v128.load64_lane pops (address, vector): the lane-1 address goes on the
  // stack first, below the vector that load64_zero(a0) produces.
  const loadCoefficient = (g: number, m: number) => [
    ...op.get(A1(g)),
    ...op.get(A0(g)),
    ...load64Zero(m * 8),
    ...load64Lane(m * 8, 1),
  ];
  // Byte offset of group g's pair: in/out + 8·(k + g).
  const pairAddress = (base: number, g: number) => [
    ...op.get(base), ...op.get(K), ...op.i32Const(g), ...op.i32Add, ...op.i32Const(3), ...op.i32Shl, ...op.i32Add,
  ];

  const body: number[] = [
    ...op.get(X0), ...f64x2Splat, ...op.set(X0V),
    ...op.get(SMAX), ...f64x2Splat, ...op.set(SMAXV),
    ...op.block,
    ...op.loop,
    ...op.get(K), ...op.get(PAIRS), ...op.i32GeU, ...op.brIf(1),
  ];
  for (let g = 0; g < SIMD_GROUP; g++) {
    body.push(
      // v = promote(in[2(k+g)], in[2(k+g)+1])
      ...pairAddress(IN, g), ...load64Zero(0), ...f64x2PromoteLowF32x4, ...op.set(V(g)),
      // s = min(max((v − x0)·64, 0), sMax)
      ...op.get(V(g)), ...op.get(X0V), ...f64x2Sub, ...f64x2Const(PER_UNIT), ...f64x2Mul,
      ...f64x2Const(0), ...f64x2Pmax, ...op.get(SMAXV), ...f64x2Pmin, ...op.tee(S(g)),
      ...i32x4TruncSatF64x2SZero, ...op.set(J(g)),
      ...op.get(TABLE), ...op.get(J(g)), ...i32x4ExtractLane(0), ...op.i32Const(STRIDE_BYTES), ...op.i32Mul,
      ...op.i32Add, ...op.set(A0(g)),
      ...op.get(TABLE), ...op.get(J(g)), ...i32x4ExtractLane(1), ...op.i32Const(STRIDE_BYTES), ...op.i32Mul,
      ...op.i32Add, ...op.set(A1(g)),
      // t = 2·(s − floor(s)) − 1
      ...op.get(S(g)), ...op.get(S(g)), ...f64x2Floor, ...f64x2Sub, ...f64x2Const(2), ...f64x2Mul,
      ...f64x2Const(1), ...f64x2Sub, ...op.set(T(g)),
      ...loadCoefficient(g, SIMD_STRIDE - 1), ...op.set(P(g)),
    );
  }
  // Horner, highest coefficient first, same order as fastGelu; groups interleaved.
  for (let m = SIMD_STRIDE - 2; m >= 0; m--) {
    for (let g = 0; g < SIMD_GROUP; g++) {
      body.push(...op.get(P(g)), ...op.get(T(g)), ...f64x2Mul, ...loadCoefficient(g, m), ...f64x2Add, ...op.set(P(g)));
    }
  }
  for (let g = 0; g < SIMD_GROUP; g++) {
    body.push(
      // y = v·p (·u). The table's first interval is the constant NaN and its
      // last the constant 1, so x at or above the table's end (+∞ included)
      // gives x with no selects, and x below the table, NaN and −∞ give NaN,
      // which the flag test below sends to the fallback.
      ...op.get(V(g)), ...op.get(P(g)), ...f64x2Mul,
      ...(withUp ? [...pairAddress(UP, g), ...load64Zero(0), ...f64x2PromoteLowF32x4, ...f64x2Mul] : []),
      ...op.set(Y(g)),
      // r1 = float32(y·(1 + band)); r2 = float32(y·(1 − band))
      ...op.get(Y(g)), ...f64x2Const(1 + band), ...f64x2Mul, ...f32x4DemoteF64x2Zero, ...op.set(R1(g)),
      ...pairAddress(OUT, g), ...op.get(R1(g)), ...store64Lane(0, 0),
      ...op.get(R1(g)), ...op.get(Y(g)), ...f64x2Const(1 - band), ...f64x2Mul, ...f32x4DemoteF64x2Zero,
      ...i32x4Eq, ...op.get(R1(g)), ...op.get(R1(g)), ...f32x4Eq, ...v128And, ...i32x4AllTrue, ...op.i32Eqz,
      ...op.if,
      ...op.get(FLAGS), ...op.get(NFLAG), ...op.i32Const(2), ...op.i32Shl, ...op.i32Add,
      ...op.get(K), ...op.i32Const(g), ...op.i32Add, ...op.i32Store(0),
      ...op.get(NFLAG), ...op.i32Const(1), ...op.i32Add, ...op.set(NFLAG),
      ...op.end,
    );
  }
  body.push(
    ...op.get(K), ...op.i32Const(SIMD_GROUP), ...op.i32Add, ...op.set(K),
    ...op.br(0),
    ...op.end,
    ...op.end,
    ...op.get(NFLAG),
    ...op.end,
  );
  const locals = [...uleb(2), ...uleb(nI32), I32, ...uleb(nV128), V128];
  return [...locals, ...body];
}
