/**
 * Emits, at load time, the WebAssembly SIMD module of the fast float32 gelu
 * kernel. The module is written here instruction by instruction (no binary
 * blob, no toolchain). The table kernel is the same algorithm as fastGelu in
 * ../elementwise/fast.ts on the exact form's table, two elements per f64x2
 * vector. Built without relaxed SIMD it performs the identical sequence of
 * IEEE double operations, so its doubles are bit-identical to the JavaScript
 * kernel's. Built with it (`relaxed`), each Horner step p·t + c is one
 * `f64x2.relaxed_madd`, which the engine may fuse or not, so its doubles may
 * differ from the JavaScript kernel's in the last bits. What holds on both
 * paths: every float32 the kernel does not flag passed the rounding test,
 * whose band exceeds the error bound of either evaluation (fast.ts FAST_BAND
 * has the bound for every mixture of fused and unfused steps), so it is the
 * correctly rounded float32, as is every float32 of the JavaScript kernel;
 * the float32 results of the two are therefore identical, and the tests
 * compare them on both paths.
 *
 * Exported functions `gelu(in, up, out, pairs, table, flags, x0, sMax)` and
 * `geglu(…)` (same parameters) → flagged: for k < pairs, read the float32
 * pair at in + 8k (and at up + 8k for geglu), write the float32 pair at
 * out + 8k, and, when the rounding test fails for either element, append k
 * to the i32 list at `flags`; return the list's length. The caller
 * recomputes flagged pairs on the slower paths.
 *
 * A third function, `geluTanhSigmoid(in, out, pairs, flags)`, computes the
 * tanh form without tables as x/(1 + e^{-2u}) (see sigmoidTanhBody for the
 * method and its error bound, which holds with or without relaxed SIMD's
 * multiply-add). Its doubles differ from fastGelu's, but it
 * applies the same rounding test, so every float32 it does not flag is the
 * correctly rounded one, i.e. the same float32 the JavaScript kernel gives.
 * `gegluTanhSigmoid(in, up, out, pairs, flags)` is the same for geglu's tanh
 * form: y·u, one more rounding (u = 2^-53) inside the same test.
 *
 * `dgateTanhSigmoid(gate, up, dy, out, pairs, flags)` is GeGLU backward's float32
 * dgate = dy·up·gelu′(gate) for the tanh form on the same exponential, with its own
 * rounding test (dgateTanhSigmoidBody has the method and the bound), and
 * `dgateExact(gate, up, dy, out, pairs, table, flags, x0, sMax)` the exact form's, Φ from
 * the table kernel and φ from the same base-2 exponential (dgateExactTail).
 *
 * The module imports its memory (`env.memory`, shared, MIN_PAGES to
 * MAX_PAGES pages); ../elementwise/simd.ts lays out the table and buffers.
 *
 * Encoding reference: the WebAssembly core specification 2.0 (binary format,
 * §5) and the fixed-width SIMD proposal's opcode table.
 */

import { F64, I32, V128, op, section, uleb } from './encoding.js';
import { ROUND_MAGIC } from '../elementwise/fast.js';
import {
  EXP2_RATIONAL_Q,
  EXP2_RATIONAL_W0,
  GRAD_TANH_C1,
  GRAD_TANH_C3,
  INV_SQRT_2PI_HI,
  NEG_HALF_LOG2E,
  TANH_EXP2_B1,
  TANH_EXP2_B3,
} from '../elementwise/constants.js';
import { TANH_X0 } from '../elementwise/tables.generated.js';
import { SIGMOID_B_MIN, SIGMOID_X_MIN } from '../elementwise/sigmoid-tanh.js';
import { RELAXED_OPCODE } from './features.js';

function f64Bytes(x: number): number[] {
  return Array.from(new Uint8Array(new Float64Array([x]).buffer));
}

function vec(bytes: number[]): number[] {
  return [...uleb(bytes.length), ...bytes];
}

const v128Const = (bytes: number[]) => op.simd(12, ...bytes);
const f64x2Const = (a: number) => v128Const([...f64Bytes(a), ...f64Bytes(a)]);
const load64Zero = (offset: number) => op.simd(93, 3, ...uleb(offset));
const v128Load = (offset: number) => op.simd(0, 3, ...uleb(offset));
const v128Store = (offset: number) => op.simd(11, 3, ...uleb(offset));
const i8x16Shuffle = (lanes: number[]) => op.simd(13, ...lanes);
/** Shuffle lanes: the high 8 bytes of both operands, and the low 8 bytes. */
const HIGH_HALVES = [8, 9, 10, 11, 12, 13, 14, 15, 24, 25, 26, 27, 28, 29, 30, 31];
const LOW_HALVES = [0, 1, 2, 3, 4, 5, 6, 7, 16, 17, 18, 19, 20, 21, 22, 23];
const store64Lane = (offset: number, lane: number) => op.simd(91, 3, ...uleb(offset), lane);
const f64x2Splat = op.simd(20);
const i64x2Const = (a: bigint) => v128Const(Array.from(new Uint8Array(new BigInt64Array([a, a]).buffer)));
const i64x2Shl = op.simd(203);
const i64x2Add = op.simd(206);
const f64x2Div = op.simd(243);
const i32x4ExtractLane = (lane: number) => op.simd(27, lane);
const f32x4Eq = op.simd(65);
const v128And = op.simd(78);
const f32x4DemoteF64x2Zero = op.simd(94);
const f64x2PromoteLowF32x4 = op.simd(95);
const i32x4AllTrue = op.simd(163);
const f64x2Add = op.simd(240);
const f64x2Sub = op.simd(241);
const f64x2Mul = op.simd(242);
const f64x2Pmin = op.simd(246);
const f64x2Pmax = op.simd(247);
const i32x4MinU = op.simd(183);
const i32x4Splat = op.simd(17);
const i32TruncF64S = [0xaa];
const f64x2RelaxedMadd = op.simd(RELAXED_OPCODE.f64x2Madd);
const i32x4Eq = op.simd(55);
const f64x2Eq = op.simd(71);
const v128Bitselect = op.simd(82);
const f64x2Abs = op.simd(236);

/**
 * a·b + c on f64x2 operands (each an instruction sequence pushing one
 * vector): `f64x2.relaxed_madd` when `relaxed`, which the engine may fuse
 * (one rounding) or not (two), per instruction; f64x2.mul then f64x2.add
 * otherwise (two roundings, always).
 */
function madd(relaxed: boolean, a: number[], b: number[], c: number[]): number[] {
  return relaxed ? [...a, ...b, ...c, ...f64x2RelaxedMadd] : [...a, ...b, ...f64x2Mul, ...c, ...f64x2Add];
}

/** Pair g of a step (8 bytes at ptr + kb + 8·g) as an f64x2: two float32s loaded and promoted. */
function loadPairF64(ptr: number, kb: number, g: number): number[] {
  return [...op.get(ptr), ...op.get(kb), ...op.i32Add, ...load64Zero(8 * g), ...f64x2PromoteLowF32x4];
}

/** A kernel loop's head: leave the loop when k ≥ pairs, else kb = 8·k. */
function loopHead(K: number, PAIRS: number, KB: number): number[] {
  return [
    ...op.block,
    ...op.loop,
    ...op.get(K),
    ...op.get(PAIRS),
    ...op.i32GeU,
    ...op.brIf(1),
    ...op.get(K),
    ...op.i32Const(3),
    ...op.i32Shl,
    ...op.set(KB),
  ];
}

/**
 * One branch for the group: when any of its test masks (the v128 locals mask(g)) is not all
 * ones, every pair of the group is appended to the i32 list at `FLAGS` (the fallback retests
 * each element).
 */
function flagGroup(group: number, mask: (g: number) => number, L: { FLAGS: number; NFLAG: number; K: number }): number[] {
  const { FLAGS, NFLAG, K } = L;
  const out: number[] = [];
  for (let g = 0; g < group; g++) out.push(...op.get(mask(g)), ...(g > 0 ? v128And : []));
  out.push(...i32x4AllTrue, ...op.i32Eqz, ...op.if);
  for (let g = 0; g < group; g++) {
    out.push(
      ...op.get(FLAGS),
      ...op.get(NFLAG),
      ...op.i32Const(2),
      ...op.i32Shl,
      ...op.i32Add,
      ...op.get(K),
      ...op.i32Const(g),
      ...op.i32Add,
      ...op.i32Store(0),
      ...op.get(NFLAG),
      ...op.i32Const(1),
      ...op.i32Add,
      ...op.set(NFLAG),
    );
  }
  out.push(...op.end);
  return out;
}

/** A kernel loop's end: k += group, the back edge, and the function's end returning the flag count. */
function loopEnd(K: number, group: number, NFLAG: number): number[] {
  return [...op.get(K), ...op.i32Const(group), ...op.i32Add, ...op.set(K), ...op.br(0), ...op.end, ...op.end, ...op.get(NFLAG), ...op.end];
}

/** 2^k from t = b + 1.5·2^52 (k in its low bits): bits((t << 52) + bits(1.0)); the shift leaves k's two's complement in the exponent field (the 2^51 of t shifts out). */
function twoToK(t: number, expOne: number): number[] {
  return [...op.get(t), ...op.i32Const(52), ...i64x2Shl, ...op.get(expOne), ...i64x2Add];
}

/** The dgate kernels' band: (|first| + |second|)·2^-41 for a nonnegative first term (cBand holds 2^-41). */
function bandOf(first: number, second: number, cBand: number): number[] {
  return [...op.get(first), ...op.get(second), ...f64x2Abs, ...f64x2Add, ...op.get(cBand), ...f64x2Mul];
}

/**
 * Steps 3 and 4 of ../elementwise/sigmoid-tanh.ts on the exponent b (in local `b`, and once
 * more on the stack): t = b + 1.5·2^52 (k in its low bits), b ← f = b − (t − 1.5·2^52), z = f².
 */
function reduceExponent(b: number, magic: number, t: number, z: number): number[] {
  return [
    ...op.get(b),
    ...op.get(magic),
    ...f64x2Add,
    ...op.tee(t),
    ...op.get(magic),
    ...f64x2Sub,
    ...f64x2Sub,
    ...op.tee(b),
    ...op.get(b),
    ...f64x2Mul,
    ...op.set(z),
  ];
}

/** w ← ((Q4·z + Q3)·z + Q2)·z + Q1 for every vector of the group, step by step (the rational's polynomial before its ·z + W0). */
function rationalSteps(
  each: (f: (g: number) => number[]) => void,
  relaxed: boolean,
  z: (g: number) => number,
  w: (g: number) => number,
  cQ: (m: number) => number,
): void {
  each((g) => [...madd(relaxed, op.get(z(g)), op.get(cQ(3)), op.get(cQ(2))), ...op.set(w(g))]);
  for (const m of [1, 0]) each((g) => [...madd(relaxed, op.get(w(g)), op.get(z(g)), op.get(cQ(m))), ...op.set(w(g))]);
}

/**
 * The dgate kernels' test for vector g, y and band in locals: p = dy·up (exact) into `p`;
 * lo = float32(p·(y − band)) stored at out + kb + 8·g and kept in `lo`; hi = float32(p·(y + band))
 * into `hi`; the mask (lo = hi as bits, so +0 and −0 differ, and as floats, so NaN fails)
 * into `mask`. Lanes 2 and 3 of the demoted vectors are 0 in both. With `doubles`, y and the
 * band are stored instead (tests).
 */
function dgateTest(
  g: number,
  L: { UP: number; DY: number; OUT: number; KB: number },
  v: { p: number; y: number; band: number; lo: number; hi: number; mask: number },
  doubles: boolean,
): number[] {
  const get = op.get;
  if (doubles) {
    // For the tests only (`dgateDoubles`): y and the band themselves, 32 bytes per pair at out + 32k, no test.
    const at = [...get(L.OUT), ...get(L.KB), ...op.i32Const(2), ...op.i32Shl, ...op.i32Add];
    return [...at, ...get(v.y), ...v128Store(32 * g), ...at, ...get(v.band), ...v128Store(32 * g + 16)];
  }
  return [
    ...loadPairF64(L.DY, L.KB, g),
    ...loadPairF64(L.UP, L.KB, g),
    ...f64x2Mul,
    ...op.tee(v.p),
    ...get(v.y),
    ...get(v.band),
    ...f64x2Sub,
    ...f64x2Mul,
    ...f32x4DemoteF64x2Zero,
    ...op.set(v.lo),
    ...get(L.OUT),
    ...get(L.KB),
    ...op.i32Add,
    ...get(v.lo),
    ...store64Lane(8 * g, 0),
    ...get(v.p),
    ...get(v.y),
    ...get(v.band),
    ...f64x2Add,
    ...f64x2Mul,
    ...f32x4DemoteF64x2Zero,
    ...op.tee(v.hi),
    ...get(v.lo),
    ...i32x4Eq,
    ...get(v.hi),
    ...get(v.lo),
    ...f32x4Eq,
    ...v128And,
    ...op.set(v.mask),
  ];
}

/** Page limits (64 KiB pages) of the imported `env.memory` the module accepts. */
export const MIN_PAGES = 1;
export const MAX_PAGES = 65536;

/** Coefficients per interval (degree 5) and intervals per unit of x, as in tables.generated.ts. */
export const SIMD_STRIDE = 6;
export const SIMD_PER_UNIT = 256;
const PER_UNIT = SIMD_PER_UNIT;
const STRIDE_BYTES = SIMD_STRIDE * 8;

/**
 * Vectors (pairs) per loop iteration of the table kernel (independent Horner
 * chains, one rounding-test branch per group). Tuned on the 2-core development
 * VM (AMD EPYC, Node 20), kernel only, one thread: 6 was ahead of 4 by 5–15% on
 * uniform [−10, 10] inputs and level with it on 6·sin inputs.
 * `node bench/simd-groups.mjs [--uniform]` compares the group sizes.
 */
export const SIMD_GROUP = 6;

/**
 * The module's bytes; `band` is the rounding test's relative half-width,
 * `group` the vectors per loop iteration of the table kernel and
 * `sigmoidGroup` of the tanh sigmoid kernel (bench/simd-groups.mjs compares them);
 * `sigmoidDoubles` (tests only) makes the sigmoid kernels store their float64
 * y, 16 bytes per pair, instead of rounding and testing it, and `dgateDoubles`
 * the dgate kernels their y and band, 32 bytes per pair; `relaxed` makes
 * the polynomial and rational evaluations use `f64x2.relaxed_madd` (relaxed
 * SIMD: the caller checks that the engine validates it, ./features.ts);
 * `dgateGroup` the vectors per loop iteration of the dgate kernel.
 */
export function geluSimdModuleBytes(
  band: number,
  group = SIMD_GROUP,
  sigmoidGroup = SIGMOID_GROUP,
  options: { sigmoidDoubles?: boolean; dgateDoubles?: boolean; relaxed?: boolean; dgateGroup?: number } = {},
): Uint8Array {
  const relaxed = options.relaxed === true;
  const doubles = options.sigmoidDoubles === true;
  const gelu = functionBody(band, group, 'gelu', relaxed);
  const geglu = functionBody(band, group, 'geglu', relaxed);
  const dgateDoubles = options.dgateDoubles === true;
  const dgateExact = functionBody(band, group, 'dgate', relaxed, dgateDoubles);
  const sigmoid = sigmoidTanhBody(band, sigmoidGroup, false, doubles, relaxed);
  const sigmoidGeglu = sigmoidTanhBody(band, sigmoidGroup, true, doubles, relaxed);
  const dgate = dgateTanhSigmoidBody(band, options.dgateGroup ?? DGATE_GROUP, relaxed, dgateDoubles);
  const typeSec = section(1, [
    ...uleb(5),
    0x60,
    ...vec([I32, I32, I32, I32, I32, I32, F64, F64]),
    ...vec([I32]),
    0x60,
    ...vec([I32, I32, I32, I32]),
    ...vec([I32]),
    0x60,
    ...vec([I32, I32, I32, I32, I32]),
    ...vec([I32]),
    0x60,
    ...vec([I32, I32, I32, I32, I32, I32]),
    ...vec([I32]),
    0x60,
    ...vec([I32, I32, I32, I32, I32, I32, I32, F64, F64]),
    ...vec([I32]),
  ]);
  const funcSec = section(3, [...uleb(6), ...uleb(0), ...uleb(0), ...uleb(1), ...uleb(2), ...uleb(3), ...uleb(4)]);
  const name = (s: string) => vec([...new TextEncoder().encode(s)]);
  // The memory is imported, shared (limits flag 3: shared, with a maximum):
  // the parallel path's threads all run on one memory, and engines copy out of
  // a shared memory far faster. In Node 20 (V8 11.3) TypedArray.prototype.set
  // from a view of an unshared WebAssembly memory ran ~7x slower than from a
  // shared one (bench/wasm-copy.mjs), and every chunk's results are copied out.
  const importSec = section(2, [...uleb(1), ...name('env'), ...name('memory'), 0x02, 0x03, ...uleb(MIN_PAGES), ...uleb(MAX_PAGES)]);
  const exportSec = section(7, [
    ...uleb(6),
    ...name('gelu'),
    0x00,
    ...uleb(0),
    ...name('geglu'),
    0x00,
    ...uleb(1),
    ...name('geluTanhSigmoid'),
    0x00,
    ...uleb(2),
    ...name('gegluTanhSigmoid'),
    0x00,
    ...uleb(3),
    ...name('dgateTanhSigmoid'),
    0x00,
    ...uleb(4),
    ...name('dgateExact'),
    0x00,
    ...uleb(5),
  ]);
  const codeSec = section(10, [
    ...uleb(6),
    ...vec(gelu),
    ...vec(geglu),
    ...vec(sigmoid),
    ...vec(sigmoidGeglu),
    ...vec(dgate),
    ...vec(dgateExact),
  ]);
  return new Uint8Array([0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, ...typeSec, ...importSec, ...funcSec, ...exportSec, ...codeSec]);
}

/**
 * One function's locals and code. Parameters: 0 in, 1 up, 2 out, 3 pairs,
 * 4 table, 5 flags (i32); 6 x0, 7 sMax (f64). `pairs` must be a multiple of
 * the group. gelu ignores `up`; geglu multiplies by it (y = (g·p)·u, the
 * same order as gegluElement32 in ../elementwise/fast.ts). `dgate`
 * (dgateExact, see dgateExactTail) takes a third input, dy, after up, and
 * the other parameters follow one place later.
 */
function functionBody(band: number, group: number, kind: 'gelu' | 'geglu' | 'dgate', relaxed: boolean, doubles = false): number[] {
  const SIMD_GROUP = group;
  const withUp = kind === 'geglu';
  const d = kind === 'dgate' ? 1 : 0;
  const [IN, UP, DY] = [0, 1, 2];
  const [OUT, PAIRS, TABLE, FLAGS, X0, SMAX] = [2, 3, 4, 5, 6, 7].map((i) => i + d);
  // i32 locals: k, nflag, kb = 8·k (the byte offset of pair k), then
  // a0, a1 per group; v128 locals after them.
  const K = 8 + d;
  const NFLAG = 9 + d;
  const KB = 10 + d;
  const A0 = (g: number) => 11 + d + 2 * g;
  const A1 = (g: number) => 12 + d + 2 * g;
  const nI32 = 3 + 2 * SIMD_GROUP;
  const vBase = 8 + d + nI32;
  // Loop constants in locals (V8 materializes a v128.const at every use).
  const [X0V, SMAXV, JMAXV, CPER, C0, CMAGIC, CHI, CLO] = [0, 1, 2, 3, 4, 5, 6, 7].map((i) => vBase + i);
  // dgate's own: −log2(e)/2, the clamp of b, W0, 1/√(2π), the band, bits(1.0), Q1..Q4.
  const DGATE_CONSTS = [NEG_HALF_LOG2E, SIGMOID_B_MIN, EXP2_RATIONAL_W0, INV_SQRT_2PI_HI, band];
  const dc = (i: number) => vBase + 8 + i;
  const [CHALF_LOG2E, CBMIN, CW0, CINV, CBAND, CEXPONE] = [0, 1, 2, 3, 4, 5].map(dc);
  const CQ = (m: number) => dc(6 + m);
  const CONSTS = 8 + (d ? 10 : 0);
  // s, t, p, y, r1, j per group. x itself is not held in a local: it is
  // loaded and promoted again for y = x·p, since a v kept live through Horner
  // made V8 spill vectors to the stack (about 50 stack loads and stores per
  // four pairs in V8's listing of the loop).
  const PER = 6;
  const gv = (g: number, i: number) => vBase + CONSTS + PER * g + i;
  const S = (g: number) => gv(g, 0);
  const T = (g: number) => gv(g, 1);
  const P = (g: number) => gv(g, 2);
  const Y = (g: number) => gv(g, 3);
  const R1 = (g: number) => gv(g, 4);
  const J = (g: number) => gv(g, 5);
  const nV128 = CONSTS + PER * SIMD_GROUP;

  // Coefficients m and m + 1 of both lanes' intervals: one 16-byte load per
  // lane (into r1 and y, free until the product), then the lanes regrouped by
  // i8x16.shuffle: [c_{m+1}(j0), c_{m+1}(j1)] and [c_m(j0), c_m(j1)]. (Two
  // loads and two shuffles per two coefficients; loading each lane's
  // coefficient separately, load64_zero + load64_lane, ran ~5% slower.)
  const loadPair = (g: number, m: number) => [
    ...op.get(A0(g)),
    ...v128Load(m * 8),
    ...op.set(R1(g)),
    ...op.get(A1(g)),
    ...v128Load(m * 8),
    ...op.set(Y(g)),
  ];
  const upper = (g: number) => [...op.get(R1(g)), ...op.get(Y(g)), ...i8x16Shuffle(HIGH_HALVES)];
  const lower = (g: number) => [...op.get(R1(g)), ...op.get(Y(g)), ...i8x16Shuffle(LOW_HALVES)];
  const hornerStep = (g: number, c: number[]) => [...madd(relaxed, op.get(P(g)), op.get(T(g)), c), ...op.set(P(g))];

  const body: number[] = [
    ...op.get(X0),
    ...f64x2Splat,
    ...op.set(X0V),
    ...op.get(SMAX),
    ...f64x2Splat,
    ...op.set(SMAXV),
    ...op.get(SMAX),
    ...i32TruncF64S,
    ...i32x4Splat,
    ...op.set(JMAXV),
    ...f64x2Const(PER_UNIT),
    ...op.set(CPER),
    ...f64x2Const(0),
    ...op.set(C0),
    ...f64x2Const(ROUND_MAGIC),
    ...op.set(CMAGIC),
    ...f64x2Const(1 + band),
    ...op.set(CHI),
    ...f64x2Const(1 - band),
    ...op.set(CLO),
    ...(d
      ? [
          ...DGATE_CONSTS.flatMap((c, i) => [...f64x2Const(c), ...op.set(dc(i))]),
          ...i64x2Const(0x3ff0000000000000n),
          ...op.set(CEXPONE),
          ...EXP2_RATIONAL_Q.flatMap((q, m) => [...f64x2Const(q), ...op.set(CQ(m))]),
        ]
      : []),
    ...loopHead(K, PAIRS, KB),
  ];
  for (let g = 0; g < SIMD_GROUP; g++) {
    body.push(
      // v = promote(in[2(k+g)], in[2(k+g)+1])
      ...loadPairF64(IN, KB, g),
      // s = min(max((v − x0)·256, 0), sMax); the nearest integer j to s is the
      // interval of the framed table (x0 and sMax: ../elementwise/simd.ts)
      ...op.get(X0V),
      ...f64x2Sub,
      ...op.get(CPER),
      ...f64x2Mul,
      ...op.get(C0),
      ...f64x2Pmax,
      ...op.get(SMAXV),
      ...f64x2Pmin,
      ...op.tee(S(g)),
      // r = s + 1.5·2^52 holds j in its low 32 bits (0 ≤ s < 2^31); t = 2·(s − j) ∈ [−1, 1]
      ...op.get(CMAGIC),
      ...f64x2Add,
      ...op.tee(J(g)),
      ...op.get(CMAGIC),
      ...f64x2Sub,
      ...op.set(T(g)),
      ...op.get(S(g)),
      ...op.get(T(g)),
      ...f64x2Sub,
      ...op.tee(T(g)),
      ...op.get(T(g)),
      ...f64x2Add,
      ...op.set(T(g)),
      // j = min_u(j, sMax): NaN passes the clamps above and leaves arbitrary
      // low bits; its y is NaN in any interval
      ...op.get(J(g)),
      ...op.get(JMAXV),
      ...i32x4MinU,
      ...op.set(J(g)),
      ...op.get(TABLE),
      ...op.get(J(g)),
      ...i32x4ExtractLane(0),
      ...op.i32Const(STRIDE_BYTES),
      ...op.i32Mul,
      ...op.i32Add,
      ...op.set(A0(g)),
      ...op.get(TABLE),
      ...op.get(J(g)),
      ...i32x4ExtractLane(2),
      ...op.i32Const(STRIDE_BYTES),
      ...op.i32Mul,
      ...op.i32Add,
      ...op.set(A1(g)),
      ...loadPair(g, SIMD_STRIDE - 2),
      ...upper(g),
      ...op.set(P(g)),
    );
  }
  // Horner, highest coefficient first, same order as fastGelu; groups interleaved.
  for (let g = 0; g < SIMD_GROUP; g++) body.push(...hornerStep(g, lower(g)));
  for (let m = SIMD_STRIDE - 4; m >= 0; m -= 2) {
    for (let g = 0; g < SIMD_GROUP; g++) body.push(...loadPair(g, m), ...hornerStep(g, upper(g)));
    for (let g = 0; g < SIMD_GROUP; g++) body.push(...hornerStep(g, lower(g)));
  }
  if (d) {
    body.push(
      ...dgateExactTail(
        { IN, UP, DY, OUT, KB, group: SIMD_GROUP, relaxed, doubles },
        { P, S, T, J, Y, R1 },
        { CMAGIC, CHALF_LOG2E, CBMIN, CW0, CINV, CBAND, CEXPONE, CQ },
      ),
    );
  }
  for (let g = 0; g < SIMD_GROUP && !d; g++) {
    body.push(
      // y = v·p (·u), v loaded and promoted again. The table's first two intervals are the constant NaN and
      // its last the constant 1, so x at or above the table's end (+∞ included)
      // gives x with no selects, and x below the table, NaN and −∞ give NaN,
      // which the flag test below sends to the fallback.
      ...loadPairF64(IN, KB, g),
      ...op.get(P(g)),
      ...f64x2Mul,
      ...(withUp ? [...loadPairF64(UP, KB, g), ...f64x2Mul] : []),
      ...op.set(Y(g)),
      // r1 = float32(y·(1 + band)) is stored; the pair passes if
      // r2 = float32(y·(1 − band)) equals it as float32s (f32x4.eq: false for
      // NaN, and ±0 cannot meet, both having y's sign), lanes 2 and 3 being 0 in both
      ...op.get(Y(g)),
      ...op.get(CHI),
      ...f64x2Mul,
      ...f32x4DemoteF64x2Zero,
      ...op.set(R1(g)),
      ...op.get(OUT),
      ...op.get(KB),
      ...op.i32Add,
      ...op.get(R1(g)),
      ...store64Lane(8 * g, 0),
      ...op.get(R1(g)),
      ...op.get(Y(g)),
      ...op.get(CLO),
      ...f64x2Mul,
      ...f32x4DemoteF64x2Zero,
      ...f32x4Eq,
      ...op.set(T(g)),
    );
  }
  if (!(d && doubles)) body.push(...flagGroup(SIMD_GROUP, T, { FLAGS, NFLAG, K }));
  body.push(...loopEnd(K, SIMD_GROUP, NFLAG));
  const locals = [...uleb(2), ...uleb(nI32), I32, ...uleb(nV128), V128];
  return [...locals, ...body];
}

/**
 * The exact form's dgate after the table's Horner steps (functionBody with kind 'dgate',
 * exported as `dgateExact(gate, up, dy, out, pairs, table, flags, x0, sMax)` → flagged):
 * dy·up·gelu′(x) with gelu′(x) = Φ(x) + x·φ(x).
 *
 * ## Method
 *
 * - Φ(x): the table's p, as the forward kernel computes it (the framed table's NaN intervals
 *   flag x below the table, −∞ and NaN; its constant-1 interval gives Φ = 1 from the table's
 *   end up, where 1 − Φ < 2^-60).
 * - x·φ(x) = x·e^{−x²/2}/√(2π) in base 2: b = max(x²·(−log2(e)/2), −1010) (x² exact: x is a
 *   float32), then steps 3–5 of ../elementwise/sigmoid-tanh.ts: k, f = b − k, the rational
 *   2^f = (w + f)/(w − f), so t = ((x·(1/√(2π)))·(N·2^k))/D, N·2^k exact.
 * - y = p + t, w = p + |t|; the pair passes when float32(dy·up·(y ∓ 2^-41·w)) agree as bits
 *   and as floats (dgateTanhSigmoidBody's test).
 *
 * ## Error bound (u = 2^-53), x in the table
 *
 * p: < 2^-45.05·p for any mixture of fused and unfused Horner steps (../elementwise/fast.ts).
 * t: b is within 2u·|b| (the constant's rounding and the product's), so 2^b within
 * ln 2·2u·|b| ≤ 206.2u relative (|b| ≤ 14.36²/(2 ln 2) = 148.8 at the table's start); 2^f
 * within 2^-49.30 + 0.74u, N and D u each, the two products and the division 3u, and
 * 1/√(2π) itself u: < 226u = 2^-45.18 in all. So |y − gelu′| ≤ 2^-45.05·p + 2^-45.18·|t| + u·w
 * < 2^-44.9·w, 2^-3.9 of the band. Above the table's end Φ = 1 is within 2^-60, and t's
 * error, no longer within 226u relative as |b| grows past 148.8, is below 2^-140 of the
 * band absolutely (|t| < 2^-146 there; b clamps from x ≈ 37.4); x = +∞ makes t = ∞, w = ∞
 * and y ± band NaN: flagged.
 */
function dgateExactTail(
  a: { IN: number; UP: number; DY: number; OUT: number; KB: number; group: number; relaxed: boolean; doubles: boolean },
  v: Record<'P' | 'S' | 'T' | 'J' | 'Y' | 'R1', (g: number) => number>,
  c: Record<'CMAGIC' | 'CHALF_LOG2E' | 'CBMIN' | 'CW0' | 'CINV' | 'CBAND' | 'CEXPONE', number> & { CQ: (m: number) => number },
): number[] {
  const { IN, UP, DY, OUT, KB, group, relaxed, doubles } = a;
  const { P, S, T, J, Y, R1 } = v;
  const get = op.get;
  const out: number[] = [];
  const each = (f: (g: number) => number[]) => {
    for (let g = 0; g < group; g++) out.push(...f(g));
  };
  // x into Y; b = max(x²·(−log2(e)/2), −1010), into S; t = b + 1.5·2^52; f = b − (t − 1.5·2^52), into S; z = f², into J
  each((g) => [
    ...loadPairF64(IN, KB, g),
    ...op.tee(Y(g)),
    ...get(Y(g)),
    ...f64x2Mul,
    ...get(c.CHALF_LOG2E),
    ...f64x2Mul,
    ...get(c.CBMIN),
    ...f64x2Pmax,
    ...op.tee(S(g)),
    ...reduceExponent(S(g), c.CMAGIC, T(g), J(g)),
  ]);
  // w = (((Q4·z + Q3)·z + Q2)·z + Q1)·z + W0, into R1
  rationalSteps(each, relaxed, J, R1, c.CQ);
  each((g) => [...madd(relaxed, get(R1(g)), get(J(g)), get(c.CW0)), ...op.set(R1(g))]);
  // t = ((x·(1/√(2π)))·((w + f)·2^k))/(w − f), into S
  each((g) => [
    ...get(Y(g)),
    ...get(c.CINV),
    ...f64x2Mul,
    ...get(R1(g)),
    ...get(S(g)),
    ...f64x2Add,
    ...twoToK(T(g), c.CEXPONE),
    ...f64x2Mul,
    ...f64x2Mul,
    ...get(R1(g)),
    ...get(S(g)),
    ...f64x2Sub,
    ...f64x2Div,
    ...op.set(S(g)),
  ]);
  // y = Φ + t, into Y; band = (Φ + |t|)·2^-41, into R1
  each((g) => [...get(P(g)), ...get(S(g)), ...f64x2Add, ...op.set(Y(g)), ...bandOf(P(g), S(g), c.CBAND), ...op.set(R1(g))]);
  // p = dy·up, into S; lo into J; hi and then the test's mask into T
  each((g) => dgateTest(g, { UP, DY, OUT, KB }, { p: S(g), y: Y(g), band: R1(g), lo: J(g), hi: T(g), mask: T(g) }, doubles));
  return out;
}

/**
 * Vectors per loop iteration of the sigmoid-form tanh kernel (independent
 * dependency chains, one shared rounding-test branch). Tuned like SIMD_GROUP:
 * on the development VM 4, 6 and 8 were within its noise of each other, and 6
 * had the fastest runs. `node bench/simd-groups.mjs [--uniform]` compares them.
 */
export const SIGMOID_GROUP = 6;

/**
 * The tanh form without tables: gelu(x) = x / (1 + e^a) in base 2, the
 * double operations of ../elementwise/sigmoid-tanh.ts sigmoidTanhGelu on two
 * lanes (that module has the method, its error bound, < 2^-44.19 relative
 * where float32 results are not −0, and the special cases), `group` f64x2
 * vectors per step. Exported as `geluTanhSigmoid(in, out, pairs, flags)` →
 * flagged, with the same in/out/flags contract as `gelu` (`pairs` a multiple
 * of the group). No selects: the two clamps (pmax) make +∞, −∞ and x < −16
 * come out right, and NaN, which passes them, fails the rounding test.
 *
 * Constants are held in locals set before the loop rather than v128.const
 * in the loop body (V8 materializes each 128-bit constant at every use),
 * and the group's rounding tests share one branch: when any of them fails,
 * all the group's pairs are flagged (the fallback retests each element).
 * Base 2, with the ln 2 factors folded into the constants, takes 34 vector
 * operations per pair, loads, stores and the rounding test included; base e,
 * with a Cody–Waite reduction and five series terms, takes 41.
 *
 * With `relaxed`, six multiply-adds become `f64x2.relaxed_madd` (six operations
 * fewer per pair; `node bench/simd-op-count.mjs` counts both builds): v²·B3 + B1, the four steps of w, and N·2^k + D (an exact product,
 * so that one rounds the same either way). Fused or not, each is at most the
 * two roundings the bound in ../elementwise/sigmoid-tanh.ts counts for it;
 * its doubles then match sigmoidTanhGelu only where every madd did not fuse.
 */
function sigmoidTanhBody(band: number, group: number, withUp: boolean, doubles: boolean, relaxed: boolean): number[] {
  // Parameters (in, out, pairs, flags), or (in, up, out, pairs, flags) with `withUp`.
  const p = withUp ? 1 : 0;
  const [IN, UP, OUT, PAIRS, FLAGS] = [0, 1, 1 + p, 2 + p, 3 + p];
  const K = 4 + p;
  const NFLAG = 5 + p;
  const KB = 6 + p; // 8·k, the byte offset of pair k
  const vBase = 7 + p;
  const consts: number[][] = [];
  const pre: number[] = [];
  const constLocal = (bytes: number[]) => {
    const i = vBase + consts.length;
    consts.push(bytes);
    pre.push(...bytes, ...op.set(i));
    return i;
  };
  const cf = (x: number) => constLocal(f64x2Const(x));
  const [cVmin, cB3, cB1, cBmin, cMagic, cW0, cBandHi, cBandLo] = [
    SIGMOID_X_MIN,
    TANH_EXP2_B3,
    TANH_EXP2_B1,
    SIGMOID_B_MIN,
    ROUND_MAGIC,
    EXP2_RATIONAL_W0,
    1 + band,
    1 - band,
  ].map(cf);
  const cQ = EXP2_RATIONAL_Q.map(cf);
  const cExpOne = constLocal(i64x2Const(0x3ff0000000000000n));
  const cOne = withUp ? cf(1) : -1;
  const PER = 5; // v, b (then f), t (later the test mask), p (then w, D), y (z, then N, then y)
  const gBase = vBase + consts.length;
  const gv = (g: number, i: number) => gBase + PER * g + i;
  const V = (g: number) => gv(g, 0);
  const A = (g: number) => gv(g, 1);
  const T = (g: number) => gv(g, 2);
  const P = (g: number) => gv(g, 3);
  const Y = (g: number) => gv(g, 4);
  const nV128 = consts.length + PER * group;
  const get = op.get;
  const body: number[] = [...pre, ...loopHead(K, PAIRS, KB)];
  // Each step for all the group's vectors before the next (independent chains).
  const each = (f: (g: number) => number[]) => {
    for (let g = 0; g < group; g++) body.push(...f(g));
  };
  // v = max(promote(in pair), −16); b = max(v·(v·v·B3 + B1), −1010)
  each((g) => [
    ...loadPairF64(IN, KB, g),
    ...get(cVmin),
    ...f64x2Pmax,
    ...op.tee(V(g)),
    ...madd(relaxed, [...get(V(g)), ...get(V(g)), ...f64x2Mul], get(cB3), get(cB1)),
    ...f64x2Mul,
    ...get(cBmin),
    ...f64x2Pmax,
    ...op.set(A(g)),
  ]);
  // t = b + 1.5·2^52 (k in its low bits); f = b − (t − 1.5·2^52), into b; z = f², into y
  each((g) => [...get(A(g)), ...reduceExponent(A(g), cMagic, T(g), Y(g))]);
  // p = ((Q4·z + Q3)·z + Q2)·z + Q1
  rationalSteps(each, relaxed, Y, P, (m) => cQ[m]!);
  // w = p·z + W0; N = w + f, into y; D = w − f, into p
  each((g) => [
    ...madd(relaxed, get(P(g)), get(Y(g)), get(cW0)),
    ...op.tee(P(g)),
    ...get(A(g)),
    ...f64x2Add,
    ...op.set(Y(g)),
    ...get(P(g)),
    ...get(A(g)),
    ...f64x2Sub,
    ...op.set(P(g)),
  ]);
  // y = v·D / (N·2^k + D), 2^k = bits((t << 52) + bits(1.0)): the shift
  // leaves k's two's complement in the exponent field (the 2^51 of t shifts out).
  each((g) => [
    ...get(V(g)),
    ...get(P(g)),
    ...f64x2Mul,
    ...madd(relaxed, get(Y(g)), twoToK(T(g), cExpOne), get(P(g))),
    ...f64x2Div,
    ...op.set(Y(g)),
  ]);
  if (withUp) {
    // geglu: y = y·(u·((g − g) + 1)). The factor is 1 for finite g and NaN for
    // g = ±∞ (flagged: the clamp made gelu(−∞) a tiny y, and tiny·∞ is not
    // gelu(−∞)·∞ = NaN); multiplying keeps the sign of a zero u or y.
    each((g) => [
      ...get(Y(g)),
      ...get(UP),
      ...get(KB),
      ...op.i32Add,
      ...load64Zero(8 * g),
      ...f64x2PromoteLowF32x4,
      ...get(IN),
      ...get(KB),
      ...op.i32Add,
      ...load64Zero(8 * g),
      ...f64x2PromoteLowF32x4,
      ...op.tee(T(g)),
      ...get(T(g)),
      ...f64x2Sub,
      ...get(cOne),
      ...f64x2Add,
      ...f64x2Mul,
      ...f64x2Mul,
      ...op.set(Y(g)),
    ]);
  }
  if (doubles) {
    // For the tests only (`sigmoidDoubles`): y itself, 16 bytes per pair at
    // out + 16k, no rounding test, nothing flagged.
    each((g) => [...get(OUT), ...get(KB), ...get(KB), ...op.i32Add, ...op.i32Add, ...get(Y(g)), ...v128Store(16 * g)]);
  } else {
    // Rounding test as in functionBody: r1 = float32(y·(1 + band)) is stored,
    // and the pair passes if r1 = float32(y·(1 − band)) as float32s (f32x4.eq).
    each((g) => [
      ...get(Y(g)),
      ...get(cBandHi),
      ...f64x2Mul,
      ...f32x4DemoteF64x2Zero,
      ...op.set(A(g)),
      ...get(OUT),
      ...get(KB),
      ...op.i32Add,
      ...get(A(g)),
      ...store64Lane(8 * g, 0),
      ...get(A(g)),
      ...get(Y(g)),
      ...get(cBandLo),
      ...f64x2Mul,
      ...f32x4DemoteF64x2Zero,
      ...f32x4Eq,
      ...op.set(T(g)),
    ]);
    body.push(...flagGroup(group, T, { FLAGS, NFLAG, K }));
  }
  body.push(...loopEnd(K, group, NFLAG));
  return [...uleb(2), ...uleb(3), I32, ...uleb(nV128), V128, ...body];
}

/**
 * Vectors per loop iteration of the dgate kernel: in `node bench/simd-groups.mjs --uniform` on the
 * development VM 6 and 8 were level and ahead of 4 by ~15%.
 */
export const DGATE_GROUP = 6;

/**
 * GeGLU backward's float32 dgate for the tanh form, dy·up·gelu′(gate), without tables:
 * exported as `dgateTanhSigmoid(gate, up, dy, out, pairs, flags)` → flagged, the contract of
 * `gegluTanhSigmoid` with a third input.
 *
 * ## Method
 *
 * gelu′(x) = s + x·s·m·c with s = σ(2u) = 1/(1 + e^a), m = 1 − s = e^a/(1 + e^a),
 * c = C1 + C3·x² (../elementwise/constants.ts GRAD_TANH_C1, GRAD_TANH_C3). Steps 1–4 of
 * sigmoidTanhBody give N, D and 2^k with e^a ≈ q = N·2^k/D, clamping x at TANH_X0 (not −16);
 * then E = N·2^k + D, r = 1/E, s = D·r and m = N·2^k·r (no cancellation in 1 − s),
 * y = s + ((v·s)·m)·c, and w = s + |((v·s)·m)·c|. With p = dy·up (exact: two float32s), the
 * pair passes when float32(p·(y − 2^-41·w)) and float32(p·(y + 2^-41·w)) are equal — as bits,
 * so that a +0 and a −0 do not pass, and as floats, so that NaNs do not — and the first is
 * stored: rounding is monotone, so it is the correctly rounded p·gelu′ when the band holds it
 * (as ../backward/geglu.ts dgateF32 argues for its own band).
 *
 * ## Error bound (u = 2^-53), x ≥ TANH_X0
 *
 * q's relative error δ is sigmoidTanhBody's for e^a: ≤ 4.0001u·|a| + 2^-49.30 + 0.74u, plus u
 * for each of N and D. As functions of q, s and m move by δ·(1 − s) and δ·s relative
 * (d ln s/d ln q = −(1 − s), d ln m/d ln q = s); E, r, s, m add u each (3u on s and on m);
 * c is within 6u (C1 = 2·√(2/π)'s one rounding; C3 = 6·0.044715·√(2/π)'s four, from the two
 * constants and two products; then x²·C3 and the sum, fused or not); the three products of
 * the second term add 3u. So |y − gelu′| ≤ (δ(1 − s) + 3u)·s + (δ + 15u)·|t| + u·w
 * ≤ (δ + 16u)·w, t the second term.
 * - x ∈ [TANH_X0, 0]: |a| ≤ 106.6, δ + 16u ≤ 458.3u < 2^-44.15.
 * - x > 0: 1 − s < e^{-|a|}, so δ(1 − s) ≤ 4.0001u·|a|e^{-|a|} + … < 1.5u + 2^-49.3, and
 *   δ·|t| = δ·s·|x|·c·m ≤ s·4.0001u·max(|a|·x·c·e^{-|a|}) + … < 2.5u·s + 2^-49.3·|t|
 *   (the maximum, ≈ 0.6, near x = 1.4); where b is clamped (x ≳ 21.06) m is off by
 *   < 2^-1009 absolute, times x·s·c < 2^386: negligible.
 * In all |y − gelu′| < 2^-44.15·w, 2^-3.15 of the band: margins as dgateF32's.
 *
 * ## Special cases
 *
 * x below TANH_X0, −∞ and NaN: y is replaced by NaN (the bitselect on x = max(x, TANH_X0)),
 * so the pair is flagged. +∞: c = ∞ and w = ∞, y ± band is NaN: flagged. dy·up = ±∞: p·(y ± band)
 * = ±∞ with the sign of gelu′ (y ± band do not straddle 0 when they round to one float32) —
 * the exact result. dy·up = ±0: a zero of the exact product's sign.
 */
function dgateTanhSigmoidBody(band: number, group: number, relaxed: boolean, doubles: boolean): number[] {
  const [GATE, UP, DY, OUT, PAIRS, FLAGS] = [0, 1, 2, 3, 4, 5];
  const K = 6;
  const NFLAG = 7;
  const KB = 8;
  const vBase = 9;
  const consts: number[][] = [];
  const pre: number[] = [];
  const constLocal = (bytes: number[]) => {
    const i = vBase + consts.length;
    consts.push(bytes);
    pre.push(...bytes, ...op.set(i));
    return i;
  };
  const cf = (x: number) => constLocal(f64x2Const(x));
  const [cXlow, cB3, cB1, cBmin, cMagic, cW0, cOne, cC1, cC3, cBand, cNaN] = [
    TANH_X0,
    TANH_EXP2_B3,
    TANH_EXP2_B1,
    SIGMOID_B_MIN,
    ROUND_MAGIC,
    EXP2_RATIONAL_W0,
    1,
    GRAD_TANH_C1,
    GRAD_TANH_C3,
    band,
    Number.NaN,
  ].map(cf);
  const cQ = EXP2_RATIONAL_Q.map(cf);
  const cExpOne = constLocal(i64x2Const(0x3ff0000000000000n));
  // Per vector: v (then y), x² (then c), b (then f, then t), t (then the mask), p (w, D, s),
  // z (N, then N·2^k), r, then m.
  const PER = 8;
  const gBase = vBase + consts.length;
  const gv = (g: number, i: number) => gBase + PER * g + i;
  const [V, X2, A, T, P, Z, R, MASK] = [0, 1, 2, 3, 4, 5, 6, 7].map((i) => (g: number) => gv(g, i));
  const nV128 = consts.length + PER * group;
  const get = op.get;
  const body: number[] = [...pre, ...loopHead(K, PAIRS, KB)];
  const each = (f: (g: number) => number[]) => {
    for (let g = 0; g < group; g++) body.push(...f(g));
  };
  // x = promote(gate pair); v = max(x, TANH_X0); mask = (v = x), false below TANH_X0 and for NaN;
  // x² into X2; b = max(v·(x²·B3 + B1), −1010)
  each((g) => [
    ...loadPairF64(GATE, KB, g),
    ...op.tee(A(g)),
    ...get(cXlow),
    ...f64x2Pmax,
    ...op.tee(V(g)),
    ...get(A(g)),
    ...f64x2Eq,
    ...op.set(MASK(g)),
    ...get(V(g)),
    ...get(V(g)),
    ...f64x2Mul,
    ...op.set(X2(g)),
    ...get(V(g)),
    ...madd(relaxed, get(X2(g)), get(cB3), get(cB1)),
    ...f64x2Mul,
    ...get(cBmin),
    ...f64x2Pmax,
    ...op.set(A(g)),
  ]);
  // t = b + 1.5·2^52 (k in its low bits); f = b − (t − 1.5·2^52), into A; z = f²
  each((g) => [...get(A(g)), ...reduceExponent(A(g), cMagic, T(g), Z(g))]);
  // w = (((Q4·z + Q3)·z + Q2)·z + Q1)·z + W0, into P
  rationalSteps(each, relaxed, Z, P, (m) => cQ[m]!);
  each((g) => [...madd(relaxed, get(P(g)), get(Z(g)), get(cW0)), ...op.set(P(g))]);
  // N·2^k = (w + f)·bits((t << 52) + bits(1.0)), exact, into Z; D = w − f, into P;
  // r = 1/(N·2^k + D)
  each((g) => [
    ...get(P(g)),
    ...get(A(g)),
    ...f64x2Add,
    ...twoToK(T(g), cExpOne),
    ...f64x2Mul,
    ...op.set(Z(g)),
    ...get(P(g)),
    ...get(A(g)),
    ...f64x2Sub,
    ...op.set(P(g)),
    ...get(cOne),
    ...get(Z(g)),
    ...get(P(g)),
    ...f64x2Add,
    ...f64x2Div,
    ...op.set(R(g)),
  ]);
  // s = D·r, into P; t = ((v·s)·(N·2^k·r))·(x²·C3 + C1), into A
  each((g) => [
    ...get(P(g)),
    ...get(R(g)),
    ...f64x2Mul,
    ...op.tee(P(g)),
    ...get(V(g)),
    ...f64x2Mul,
    ...get(Z(g)),
    ...get(R(g)),
    ...f64x2Mul,
    ...f64x2Mul,
    ...madd(relaxed, get(X2(g)), get(cC3), get(cC1)),
    ...f64x2Mul,
    ...op.set(A(g)),
  ]);
  // y = s + t (NaN where the mask is off), into V; band = (s + |t|)·2^-41, into X2
  each((g) => [
    ...get(P(g)),
    ...get(A(g)),
    ...f64x2Add,
    ...get(cNaN),
    ...get(MASK(g)),
    ...v128Bitselect,
    ...op.set(V(g)),
    ...bandOf(P(g), A(g), cBand),
    ...op.set(X2(g)),
  ]);
  // p = dy·up, into P; lo into A; hi into Z; the test's mask into T
  each((g) => dgateTest(g, { UP, DY, OUT, KB }, { p: P(g), y: V(g), band: X2(g), lo: A(g), hi: Z(g), mask: T(g) }, doubles));
  if (!doubles) body.push(...flagGroup(group, T, { FLAGS, NFLAG, K }));
  body.push(...loopEnd(K, group, NFLAG));
  return [...uleb(2), ...uleb(3), I32, ...uleb(nV128), V128, ...body];
}
