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
 * - dgate, float32: p = dy·up is exact in float64 (24 + 24 significant bits),
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
import { geluGradArray } from '../elementwise/gelu-grad.js';
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
  const n = gate.length;
  const g64 = new Float64Array(Math.min(BLOCK, n));
  const f32 = gate instanceof Float32Array;
  for (let b = 0; b < n; b += BLOCK) {
    const m = Math.min(BLOCK, n - b);
    const gp = g64.subarray(0, m);
    if (f32) {
      for (let i = 0; i < m; i++) gp[i] = gate[b + i]!;
      geluGradArray(gp, { approximate, out: gp });
      // dy·up is exact in float64; one float64 rounding, then the float32 store rounds once more.
      for (let i = 0; i < m; i++) {
        const g = gp[i]!;
        dgate[b + i] = g === 0 ? timesZeroGrad(dy[b + i]!, up[b + i]!, g, Number.isFinite(gate[b + i]!)) : dy[b + i]! * up[b + i]! * g;
      }
    } else {
      geluGradArray(gate.subarray(b, b + m) as Float64Array, { approximate, out: gp });
      for (let i = 0; i < m; i++) dgate[b + i] = product64(dy[b + i]!, up[b + i]!, gp[i]!, gate[b + i]!);
    }
  }
}
