/**
 * GeGLU's backward pass: for out = gelu(gate)·up and the incoming gradient dy,
 *
 *     dgate = dy·up·gelu′(gate),   dup = dy·gelu(gate)
 *
 * elementwise over Float32Array or Float64Array.
 *
 * ## Method and bounds (per element, with v the exact real value)
 *
 * - dup is `geglu(gate, dy)` of ../elementwise: gelu(gate)·dy rounded once —
 *   correctly rounded in float32, ≤ 1 step in float64.
 * - dgate, float32: p = dy·up is exact in float64 (24 + 24 significant bits).
 *   A rounding test on p times the forward tables' gelu′ and its error band
 *   (dgateF32 below) gives the correctly rounded float32 for all but about one
 *   element in 2^16 (near float32 midpoints and near gelu′'s root). The rest:
 *   g′ = geluGrad(gate) in float64, q = fl64(p·g′), then one rounding to
 *   float32. With δ the relative error of g′, |q − v| ≤ (δ + 2^-53 + δ·2^-53)·|v|
 *   (g′ never underflows where a float32 product can be nonzero: |p| ≤ 2^256 and
 *   a result ≥ 2^-150 needs |g′| ≥ 2^-406). With geluGrad within 1 float64 step
 *   (δ ≤ 1.5·2^-52), q is within 2^-50 (relative) of v, so the float32 result is
 *   the correctly rounded one or its neighbour: ≤ 1 step, 0 unless v lies within
 *   2^-50 (relative) of a midpoint between float32 values.
 * - dgate, float64: fl(fl(dy·up)·g′). |r − v| ≤ (δ + 2·2^-53 + O(2^-104))·|v|, i.e.
 *   ≤ 2.5·2^-52·|v| (≤ 5 steps) with δ ≤ 1.5·2^-52, while dy·up neither
 *   overflows nor falls below 2^-969 (there it is scaled by a power of two first)
 *   and g′ is normal; where g′ is subnormal (gate ≲ −37.5 exact form), its own
 *   absolute error ≤ 1.5·2^-1074 scales with |dy·up|.
 * - Special values: IEEE products with gelu′(+∞) = 1, gelu′(−∞) = −0,
 *   gelu′(±0) = ½, NaN → NaN; a gelu′ that underflows to ±0 at a finite gate
 *   is still nonzero, so ±∞ times it is ±∞ (not NaN), as the oracle's exact product.
 */
import { geglu, gegluOneThread } from '../elementwise/array.js';
import { EXACT_TABLE, type FastTable, TANH_TABLE } from '../elementwise/fast.js';
import { dgateF32Simd } from '../elementwise/simd.js';
import { fastGeluGrad, fastGeluGradBand, geluGradArray } from '../elementwise/gelu-grad.js';
import { geluGrad64 } from '../elementwise/grad-cores.js';
import {
  type FloatArray,
  checkApproximate,
  checkF32Length,
  checkFloatArray,
  checkLength,
  checkNoAlias,
  checkNotDetached,
  checkOptions,
  describe,
  fail,
  mayShareUnseen,
} from '../validation.js';

/** Options of {@link gegluBackward}. */
export interface GegluBackwardOptions<T extends FloatArray> {
  /** 'none' (default, like geglu) or 'tanh'. */
  readonly approximate?: 'none' | 'tanh';
  /** Output for dgate: same type and length as gate, not overlapping any input or dup. */
  readonly dgate?: T;
  /** Output for dup: same type and length as gate, not overlapping any input or dgate. */
  readonly dup?: T;
}

export interface GegluGradients<T extends FloatArray> {
  readonly dgate: T;
  readonly dup: T;
}

/** Elements per pass of gelu′ into float64 scratch (bounds the scratch to 2 × 32 KiB). */
const BLOCK = 4096;
const SCALE_LOW = 2 ** -969;

function sameType<T extends FloatArray>(fn: string, name: string, value: unknown, like: T): T {
  if (!(value instanceof (like.constructor as typeof Float32Array | typeof Float64Array))) {
    fail(fn, `${name} is ${describe(value)}, expected a ${like.constructor.name} like gate`);
  }
  checkNotDetached(fn, name, value as T);
  checkLength(fn, name, value as T, like.length, 'gate.length');
  return value as T;
}

/**
 * dy·up·g′ where g′ = ±0: gelu′ of a finite gate is never 0, so there g′ is an underflow carrying
 * the sign, and an infinite dy or up times it is ±∞ (the exact product), not NaN. A finite dy·up
 * that overflowed times ±0 (an underflow, or gelu′(−∞) = −0) is the zero of the product's sign.
 */
function timesZeroGrad(dy: number, up: number, g: number, finiteGate: boolean): number {
  const p = dy * up;
  if (p !== Infinity && p !== -Infinity) return p * g;
  if (Number.isFinite(dy) && Number.isFinite(up)) return Math.sign(dy) * Math.sign(up) * g;
  return finiteGate ? (Object.is(g, -0) ? -p : p) : p * g;
}

/**
 * fl(fl(dy·up)·g′), with dy·up scaled by a power of two when it overflows or falls below 2^-969
 * (finite, nonzero operands).
 */
function product64(dy: number, up: number, g: number, gate: number): number {
  if (g === 0) return timesZeroGrad(dy, up, g, Number.isFinite(gate));
  const p = dy * up;
  const a = Math.abs(p);
  if (a >= SCALE_LOW && a < Infinity) return p * g;
  // NaN, zeros and infinities among the operands: the IEEE product is the answer.
  if (!Number.isFinite(dy) || !Number.isFinite(up) || dy === 0 || up === 0 || !Number.isFinite(g)) return p * g;
  if (a < Infinity) return dy * 2 ** 600 * up * g * 2 ** -600;
  // |dy·up| in [2^1024, 2^2048): both |dy|, |up| ≥ 1, so q = dy·up·2^-1200 is one rounding, in
  // [2^-176, 2^848]. 2^600 alone (|dy·up| up to 2^1448) would overflow again from 2^1624.
  const q = dy * 2 ** -600 * (up * 2 ** -600);
  const t = q * g;
  // t normal: one rounding, then exact scalings (or the overflow the true value has). Else g′ is
  // small: g′·2^600 is exact, and q·g′·2^600 (normal, below 2^-422) scales back exactly.
  return Math.abs(t) >= 2 ** -1022 ? t * 2 ** 600 * 2 ** 600 : q * (g * 2 ** 600) * 2 ** 600;
}

/**
 * GeGLU's gradients for out = gelu(gate)·up (see the module comment for the
 * method and the bound per element). gate, up and dy: arrays of one type and
 * length; returns { dgate, dup } of that type.
 */
export function gegluBackward<T extends FloatArray>(gate: T, up: T, dy: T, options?: GegluBackwardOptions<T>): GegluGradients<T> {
  const fn = 'gegluBackward';
  checkFloatArray(fn, 'gate', gate);
  sameType(fn, 'up', up, gate);
  sameType(fn, 'dy', dy, gate);
  checkF32Length(fn, 'gate', gate);
  const o = checkOptions<GegluBackwardOptions<T>>(fn, options);
  const approximate = checkApproximate(fn, o.approximate, 'none');
  const make = () => new (gate.constructor as new (n: number) => T)(gate.length);
  const dgate = o.dgate === undefined ? make() : sameType(fn, 'options.dgate', o.dgate, gate);
  const dup = o.dup === undefined ? make() : sameType(fn, 'options.dup', o.dup, gate);
  checkNoAlias(fn, 'options.dgate', dgate, { gate, up, dy, 'options.dup': dup });
  checkNoAlias(fn, 'options.dup', dup, { gate, up, dy });
  if (mayShareUnseen(dgate, [gate, up, dy, dup]) || mayShareUnseen(dup, [gate, up, dy])) {
    const r = gegluBackward(gate, up, dy, { approximate });
    dgate.set(r.dgate);
    dup.set(r.dup);
    return { dgate, dup };
  }
  gegluBackwardInto(gate, up, dy, approximate, dgate, dup, true);
  return { dgate, dup };
}

/**
 * The unchecked kernel of {@link gegluBackward} (the MLP's backward calls it on its
 * own buffers). `threads`: whether dup's geglu may use the elementwise thread pool.
 */
export function gegluBackwardInto<T extends FloatArray>(
  gate: T,
  up: T,
  dy: T,
  approximate: 'none' | 'tanh',
  dgate: T,
  dup: T,
  threads: boolean,
): void {
  if (threads) geglu(gate, dy, { approximate, out: dup });
  else gegluOneThread(gate, dy, { approximate, out: dup });
  if (gate instanceof Float32Array) {
    dgateF32(gate, up as Float32Array, dy as Float32Array, approximate === 'tanh' ? TANH_TABLE : EXACT_TABLE, dgate as Float32Array);
    return;
  }
  const n = gate.length;
  const gp = new Float64Array(Math.min(BLOCK, n));
  for (let b = 0; b < n; b += BLOCK) {
    const m = Math.min(BLOCK, n - b);
    const g = gp.subarray(0, m);
    geluGradArray(gate.subarray(b, b + m) as Float64Array, { approximate, out: g });
    for (let i = 0; i < m; i++) dgate[b + i] = product64(dy[b + i]!, up[b + i]!, g[i]!, gate[b + i]!);
  }
}

/** 1 + 2^-49: above f′(x) for x ≥ table.end, where 1 < f′(x) < 1 + 2^-50. */
const ABOVE_ONE = 1 + 2 ** -49;

/**
 * float32 dgate: p = dy·up (exact in float64) times gelu′(gate), correctly rounded where a
 * rounding test decides it, ≤ 1 step otherwise (module comment).
 *
 * For table.x0 ≤ gate < table.end the tables give y and a band with gelu′ inside
 * (y − band, y + band) and 0.85·band from either end, so fl(p·(y − band)) and fl(p·(y + band))
 * bracket p·gelu′: each float64 rounding moves them by at most 2^-53 of |p|·(|y| + band) ≤
 * |p|·band·2^-11.9 (|y| ≤ band·2^41) plus 2^-1075, and |p|·band ≥ 2^-298·2^-195 when p ≠ 0
 * (band ≥ 2^-41 times the terms' sum at x0, about 2^-187); p = ±0 gives exact zeros, and
 * p = ±∞ gives ±∞ of gelu′'s sign when both ends share it. Where both round to the same
 * float32 — the same zero included — rounding being monotone makes it the correctly rounded
 * result. For gate ≥ table.end, 1 < gelu′ < 1 + 2^-50 and the bracket is [p, p·(1 + 2^-49)].
 * Everything else (NaN operands, ∞·0, gates below the table or infinite, ends that straddle 0
 * or round apart near a midpoint or the root) goes through the float64 derivative, as the
 * float64 path does. Both forms first run a
 * WebAssembly kernel (../wasm/gelu-simd.ts dgateTanhSigmoidBody, dgateExactTail: the same kind
 * of test on their own evaluations and bands); the elements it leaves take the path above.
 */
function dgateF32(gate: Float32Array, up: Float32Array, dy: Float32Array, table: FastTable, dgate: Float32Array): void {
  if (dgateF32Simd(table, gate, up, dy, dgate, dgateElement32)) return;
  dgateF32Js(gate, up, dy, table, dgate);
}

/** One float32 dgate by the tables' rounding test, else the float64 derivative. */
function dgateElement32(table: FastTable, g: number, u: number, d: number): number {
  const r = dgateFast32(g, d * u, table);
  return r === r ? r : dgateSlow32(g, u, d, table.tanh);
}

/** float32 dgate by the tables' rounding test, or NaN where it does not decide (a decided result is never NaN). */
function dgateFast32(v: number, p: number, table: FastTable): number {
  let lo = Number.NaN;
  let hi = Number.NaN;
  if (v >= table.x0 && v < table.end) {
    const y = fastGeluGrad(table, v);
    lo = Math.fround(p * (y - fastGeluGradBand));
    hi = Math.fround(p * (y + fastGeluGradBand));
  } else if (v >= table.end && v < Number.POSITIVE_INFINITY) {
    lo = Math.fround(p);
    hi = Math.fround(p * ABOVE_ONE);
  }
  // lo === hi also holds for +0 and −0: the reciprocals tell them apart.
  return lo === hi && (lo !== 0 || 1 / lo === 1 / hi) ? lo : Number.NaN;
}

/** float32 dgate through the float64 derivative: ≤ 1 step (module comment). */
function dgateSlow32(v: number, u: number, d: number, tanh: boolean): number {
  const g = geluGrad64(v, tanh);
  return g === 0 ? timesZeroGrad(d, u, g, Number.isFinite(v)) : d * u * g;
}

/** dgateF32 in JavaScript (the exact form, or no WebAssembly SIMD); exported for the tests. */
export function dgateF32Js(gate: Float32Array, up: Float32Array, dy: Float32Array, table: FastTable, dgate: Float32Array): void {
  const undecided = new Int32Array(Math.min(BLOCK, gate.length));
  for (let b = 0; b < gate.length; b += BLOCK) {
    const end = Math.min(b + BLOCK, gate.length);
    let m = 0;
    for (let i = b; i < end; i++) {
      const r = dgateFast32(gate[i]!, dy[i]! * up[i]!, table);
      if (r === r) dgate[i] = r;
      else undecided[m++] = i;
    }
    // A pass of its own: with the float64 derivative inlined, V8 ran the loop above 2× slower.
    for (let k = 0; k < m; k++) {
      const i = undecided[k]!;
      dgate[i] = dgateSlow32(gate[i]!, up[i]!, dy[i]!, table.tanh);
    }
  }
}
