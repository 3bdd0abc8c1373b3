/**
 * Accurate gelu cores: each leaves gelu(x) = 2^rk·(rh + rl) in the dd
 * registers of ./dd.ts with relative error below 2^-90, for a finite x.
 * The scalar functions round that once to f64 or f32, and the fast array
 * kernels fall back to these for the rare inputs whose fast result lies too
 * close to a rounding boundary.
 */
import {
  GELU_TANH_A_HI,
  GELU_TANH_A_LO,
  INV_SQRT_2PI_HI,
  INV_SQRT2_HI,
  INV_SQRT2_LO,
  SQRT_2_OVER_PI_HI,
  SQRT_2_OVER_PI_LO,
} from './constants.js';
import * as dd from './dd.js';

/** Below this |x| both gelus are x/2 + x²/√(2π) to relative 2^-118. */
export const GELU_TINY = 2 ** -60;
/** At or above this x, exact gelu rounds to x in f64 and f32: x·erfc(x/√2)/2 < 2^-1000·x. */
export const GELU_EXACT_IDENTITY = 40;
/** At or below this x, exact gelu underflows to −0 in f64: |gelu(−40)| < 2^-1100. */
export const GELU_EXACT_ZERO = -40;
/** At or above this x, tanh gelu rounds to x: x·e^{−2u} ≤ e^{−87}·x at x = 10. */
export const GELU_TANH_IDENTITY = 10;
/** At or below this x, tanh gelu underflows to −0 in f64: |x|·e^{2u} < e^{−1150} at x = −25. */
export const GELU_TANH_ZERO = -25;
/**
 * For geglu in f64, gelu(g) is needed below the thresholds above: a product
 * with |u| up to 2^1024 is nonzero while |gelu(g)| ≥ 2^-2100. At or below
 * these x, |gelu(x)| < 2^-2100 (exact: 0.29·2^-2103 at −54; tanh: 23.8·2^-2204
 * at −27.5, both printed by the double-double cores), so every product rounds to
 * a signed zero. Between them and the f64 thresholds the cores run as usual
 * (their scale k carries the exponent below the double range).
 */
export const GEGLU_EXACT_ZERO = -54;
export const GEGLU_TANH_ZERO = -27.5;

let h = 0;
let l = 0;
let k = 0;

/**
 * Relative stand-in for a positive-x deficit x − gelu(x) too small to carry
 * (below 2^-1000): far below what any rounding but an exact tie can see (a
 * product of two doubles is at least 2^-106 relative from a float boundary
 * it does not sit on), yet large enough that it times any scaled u stays a
 * normal double, so geglu's rounding still sees its sign.
 */
export const TAIL_STAND_IN = 2 ** -200;

/**
 * Tiny |x|: gelu(x) = x/2 + x²/√(2π) + O(x⁴) for both forms (their slopes
 * and curvatures at 0 agree). Kept scaled by 2^61 so x/2 stays exact even for
 * subnormal x; the x² term only breaks ties, so when it underflows it is
 * replaced by the smallest positive double, which keeps its sign.
 */
function tiny(x: number): void {
  h = x * 2 ** 60;
  const t = INV_SQRT_2PI_HI * (x * 2 ** 30) * (x * 2 ** 31);
  l = t > 0 ? t : Number.MIN_VALUE;
  k = -61;
}

/** Exact gelu core: x·erfc(−x/√2)/2 with x/√2 in dd; result in h, l, k. */
function exactCore(x: number): void {
  if (Math.abs(x) < GELU_TINY) {
    tiny(x);
    return;
  }
  dd.ddMulD(INV_SQRT2_HI, INV_SQRT2_LO, x);
  if (x < 0) {
    dd.erfcDD(-dd.rh, -dd.rl);
    const ek = dd.rk;
    dd.ddMulD(dd.rh, dd.rl, 0.5 * x);
    h = dd.rh;
    l = dd.rl;
    k = ek;
  } else {
    dd.erfcDD(dd.rh, dd.rl);
    // Phi = 1 − erfc/2. A tail below 2^-1000 cannot change the value of 1 − Q, only
    // which way an exact tie of x·u rounds in geglu: TAIL_STAND_IN keeps its sign.
    const qh = dd.rk < -1000 ? -TAIL_STAND_IN : -0.5 * dd.ldexp(dd.rh, dd.rk);
    const ql = dd.rk < -1000 ? 0 : -0.5 * dd.ldexp(dd.rl, dd.rk);
    dd.ddAdd(1, 0, qh, ql);
    dd.ddMulD(dd.rh, dd.rl, x);
    h = dd.rh;
    l = dd.rl;
    k = 0;
  }
}

/**
 * 2u = 2√(2/π)·(x + 0.044715·x³) in dd (dd.rh, dd.rl), relative error < 2^-100: the argument
 * of the tanh form's sigmoid, whose rounding the exponential would amplify by |2u|.
 */
export function tanhArgumentDD(x: number): void {
  dd.twoProd(x, x);
  dd.ddMulD(dd.rh, dd.rl, x);
  dd.ddMul(dd.rh, dd.rl, GELU_TANH_A_HI, GELU_TANH_A_LO);
  dd.ddAdd(x, 0, dd.rh, dd.rl);
  // The factor 2 rides on the constant: scaling by a power of two commutes with every rounding.
  dd.ddMul(dd.rh, dd.rl, 2 * SQRT_2_OVER_PI_HI, 2 * SQRT_2_OVER_PI_LO);
}

/**
 * tanh gelu core: x·sigmoid(2u), u = √(2/π)·(x + 0.044715·x³), with u in dd
 * (its rounding would be amplified by |2u| in the exponential) and
 * sigmoid(2u) = 1/(1 + e^{−2u}) for x > 0, e^{2u}/(1 + e^{2u}) for x < 0, so
 * the exponential never overflows and the negative tail keeps its relative
 * accuracy (1 + tanh(u) would cancel).
 */
function tanhCore(x: number): void {
  if (Math.abs(x) < GELU_TINY) {
    tiny(x);
    return;
  }
  tanhArgumentDD(x);
  const uh = dd.rh;
  const ul = dd.rl;
  if (x > 0) {
    dd.expDD(-uh, -ul);
    // e^{−2u} below 2^-1100: its stand-in keeps the sign of the deficit (see exactCore).
    const eh = dd.rk < -1100 ? TAIL_STAND_IN : dd.ldexp(dd.rh, dd.rk);
    const el = dd.rk < -1100 ? 0 : dd.ldexp(dd.rl, dd.rk);
    dd.ddAdd(1, 0, eh, el);
    dd.ddDiv(x, 0, dd.rh, dd.rl);
    h = dd.rh;
    l = dd.rl;
    k = 0;
  } else {
    dd.expDD(uh, ul);
    const ek = dd.rk;
    const nh = dd.rh;
    const nl = dd.rl;
    const eh = ek < -1100 ? 0 : dd.ldexp(nh, ek);
    const el = ek < -1100 ? 0 : dd.ldexp(nl, ek);
    dd.ddAdd(1, 0, eh, el);
    const dh = dd.rh;
    const dl = dd.rl;
    dd.ddMulD(nh, nl, x);
    dd.ddDiv(dd.rh, dd.rl, dh, dl);
    h = dd.rh;
    l = dd.rl;
    k = ek;
  }
}

/**
 * gelu(x) = 2^ck·(ch + cl) for a finite nonzero x (relative error < 2^-90),
 * including the ranges where it rounds to x (then ch = x and cl = −TAIL_STAND_IN·x,
 * the deficit's sign) or is tiny. Below the
 * zero threshold (`forProduct` false: x ≤ −40 exact, true |gelu| < 2^-1150;
 * x ≤ −25 tanh, < 2^-1660; `forProduct` true, for geglu's f64 product with any
 * double u: the GEGLU_* thresholds, |gelu| < 2^-2100) the stand-in −2^-2200 is
 * returned: it and its product with any finite u round to −0 / a signed zero,
 * as the true values do.
 */
export function geluDD(x: number, tanh: boolean, forProduct = false): void {
  const zero = tanh ? (forProduct ? GEGLU_TANH_ZERO : GELU_TANH_ZERO) : forProduct ? GEGLU_EXACT_ZERO : GELU_EXACT_ZERO;
  if (tanh ? x >= GELU_TANH_IDENTITY : x >= GELU_EXACT_IDENTITY) {
    // gelu(x) = x − d with 0 < d < 2^-120·x. The stand-in d = TAIL_STAND_IN·x
    // keeps the sign of the deficit: an exact float tie of x·u (geglu) must
    // round toward zero, as the true product does; nothing else can see it.
    h = x;
    l = -x * TAIL_STAND_IN;
    k = 0;
  } else if (x <= zero) {
    h = -1;
    l = 0;
    k = -2200;
  } else if (tanh) {
    tanhCore(x);
  } else {
    exactCore(x);
  }
  ch = h;
  cl = l;
  ck = k;
}

/** Result registers of {@link geluDD}. */
export let ch = 0;
export let cl = 0;
export let ck = 0;

/**
 * gelu(x) rounded to the nearest double, for any x (special values included).
 * `tanh` selects the tanh form.
 */
export function gelu64(x: number, tanh: boolean): number {
  if (x !== x || x === 0) return x;
  if (x === Infinity) return x;
  if (x === -Infinity) return -0;
  geluDD(x, tanh);
  return dd.roundTo64(h, l, k);
}

/** gelu(x) for a float32 x, rounded to the nearest float32 (returned as a number). */
export function gelu32(x: number, tanh: boolean): number {
  if (x !== x || x === 0) return x;
  if (x === Infinity) return x;
  if (x === -Infinity) return -0;
  geluDD(x, tanh);
  return dd.roundTo32(h, l, k);
}
