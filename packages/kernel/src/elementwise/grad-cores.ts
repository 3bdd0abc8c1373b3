/**
 * Accurate cores of the gelu derivatives: each leaves f′(x) = 2^gk·(gh + gl) in this module's
 * registers with relative error below 2^-88 for a finite x, which the scalar function rounds
 * once to f64 and the float32 array kernel's fallback rounds once to f32.
 *
 * ## Method
 *
 * - Exact form, f′(x) = Φ(x) + x·φ(x): Φ by the dd erfc of ./dd.ts (½·erfc(−x/√2) for
 *   x < 0, 1 − ½·erfc(x/√2) for x > 0, x/√2 carried in dd as in ./cores.ts), φ(x) =
 *   e^{−x²/2}/√(2π) with x² exact in dd; the two kept with their power-of-two scales and added
 *   in dd once aligned.
 * - Tanh form, f′(x) = s·(1 + x·m·c), s = σ(2u), m = 1 − s = σ(−2u), c = d(2u)/dx =
 *   2√(2/π)(1 + 3·0.044715x²): 2u in dd (tanhArgumentDD), e^{∓2u} by expDD, s and m as
 *   1/(1 + e) and e/(1 + e) (never 1 − s), s kept scaled for x < 0 so the tail keeps its
 *   relative accuracy down to the f64 underflow.
 * - Near the root r (|x − r| < ROOT_WINDOW): the two terms above cancel (a dd sum keeps only
 *   2^-100 absolute, nothing relative at the root), so f′(r + d) = Σ_{k≥1} c_k·d^k, with r as
 *   three doubles (./grad-roots.generated.ts), d = x − r in dd (x − r0 is exact by Sterbenz's
 *   lemma) and c_k the Taylor coefficients at r, computed once in dd by truncated power-series
 *   arithmetic (exp and reciprocal recurrences; no cancellation reaches c_1 = f″(r)).
 *
 * Error bound: outside the window the terms' relative errors (< 2^-94 each, ./dd.ts) are
 * amplified by (|first| + |second|)/|f′| ≤ 2^5 (its largest value, near the window's edges, is
 * about 0.47/(0.43·2^-5)); inside it, the dd Horner over at most WINDOW_TERMS terms and d's
 * relative error (2^-104, plus the root's 2^-160·|r| over |d|, where |d| ≥ |r1 + r2| > 2^-57 for
 * every double x, the least at x = r0) stay below 2^-95. So the f64 result is within 1 step and correctly rounded unless
 * the value lies within 2^-88 of a rounding boundary.
 */
import {
  INV_SQRT_2PI_HI,
  INV_SQRT_2PI_LO,
  INV_SQRT2_HI,
  INV_SQRT2_LO,
  GELU_TANH_A_HI,
  GELU_TANH_A_LO,
  SQRT_2_OVER_PI_HI,
  SQRT_2_OVER_PI_LO,
} from './constants.js';
import { tanhArgumentDD } from './cores.js';
import * as dd from './dd.js';
import {
  EXACT_GRAD_ROOT_0,
  EXACT_GRAD_ROOT_1,
  EXACT_GRAD_ROOT_2,
  TANH_GRAD_ROOT_0,
  TANH_GRAD_ROOT_1,
  TANH_GRAD_ROOT_2,
} from './grad-roots.generated.js';

/** 3·0.044715 as a dd (3·GELU_TANH_A_HI alone would round). */
dd.ddMulD(GELU_TANH_A_HI, GELU_TANH_A_LO, 3);
const A3_HI = dd.rh;
const A3_LO = dd.rl;

/** Result registers: f′(x) = 2^gk·(gh + gl). */
export let gh = 0;
export let gl = 0;
export let gk = 0;

/**
 * From here up f′ rounds to 1 in f64: f′ − 1 is positive and below 2^-100 (exact:
 * x·φ(x) − Q(x) < 12·φ(12) < 2^-100; tanh: (1 − s)(x·s·c − 1) < 10·c(10)·e^{−87} < 2^-100).
 */
export const GRAD_EXACT_ONE = 12;
export const GRAD_TANH_ONE = 10;
/**
 * From here down f′ rounds to −0 in f64: it is negative and |f′| ≤ |x|·φ(x) (exact, since
 * Φ(x) < φ(x)/|x|) resp. ≤ e^{2u}(1 + 3|2u|) (tanh, as |x|·c ≤ 3|2u|): below 2^-1100 at
 * x = −40 resp. −25, and decreasing further out.
 */
export const GRAD_EXACT_ZERO = -40;
export const GRAD_TANH_ZERO = -25;
/** Below this |x| both derivatives are ½ + 2x/√(2π) to relative 2^-118. */
export const GRAD_TINY = 2 ** -60;

/** Half-width of the window around each root where the Taylor expansion is used. */
export const ROOT_WINDOW = 2 ** -5;

/** Coefficients computed per root; those below 2^-112 of the first term over the window are dropped. */
const SERIES_LENGTH = 40;

/** Taylor coefficients c_1 … c_n at a root (dd pairs, c_0 = 0 dropped), n chosen per root. */
interface RootExpansion {
  r0: number;
  r1: number;
  r2: number;
  hi: Float64Array;
  lo: Float64Array;
}

let exactExpansion: RootExpansion | undefined;
let tanhExpansion: RootExpansion | undefined;

/** A truncated power series with dd coefficients. */
interface Series {
  hi: Float64Array;
  lo: Float64Array;
}

const newSeries = (): Series => ({ hi: new Float64Array(SERIES_LENGTH + 1), lo: new Float64Array(SERIES_LENGTH + 1) });

/** exp(g) for a polynomial g = Σ_{j ≤ deg} g_j d^j: f_0 = e^{g_0}, f_k = (1/k)·Σ_j j·g_j·f_{k−j}. */
function seriesExp(g: Series, deg: number): Series {
  const f = newSeries();
  dd.expDD(g.hi[0]!, g.lo[0]!);
  f.hi[0] = dd.ldexp(dd.rh, dd.rk);
  f.lo[0] = dd.ldexp(dd.rl, dd.rk);
  for (let k = 1; k <= SERIES_LENGTH; k++) {
    let sh = 0;
    let sl = 0;
    for (let j = 1; j <= Math.min(k, deg); j++) {
      dd.ddMul(g.hi[j]!, g.lo[j]!, f.hi[k - j]!, f.lo[k - j]!);
      dd.ddMulD(dd.rh, dd.rl, j);
      dd.ddAdd(sh, sl, dd.rh, dd.rl);
      sh = dd.rh;
      sl = dd.rl;
    }
    dd.ddDivD(sh, sl, k);
    f.hi[k] = dd.rh;
    f.lo[k] = dd.rl;
  }
  return f;
}

/** The Cauchy product a·b, truncated. */
function seriesMul(a: Series, b: Series): Series {
  const p = newSeries();
  for (let k = 0; k <= SERIES_LENGTH; k++) {
    let sh = 0;
    let sl = 0;
    for (let j = 0; j <= k; j++) {
      dd.ddMul(a.hi[j]!, a.lo[j]!, b.hi[k - j]!, b.lo[k - j]!);
      dd.ddAdd(sh, sl, dd.rh, dd.rl);
      sh = dd.rh;
      sl = dd.rl;
    }
    p.hi[k] = sh;
    p.lo[k] = sl;
  }
  return p;
}

/** a·(r + d) for the root r (dd) and the series variable d. */
function seriesTimesX(a: Series, rh: number, rl: number): Series {
  const p = newSeries();
  for (let k = 0; k <= SERIES_LENGTH; k++) {
    dd.ddMul(a.hi[k]!, a.lo[k]!, rh, rl);
    if (k > 0) dd.ddAdd(dd.rh, dd.rl, a.hi[k - 1]!, a.lo[k - 1]!);
    p.hi[k] = dd.rh;
    p.lo[k] = dd.rl;
  }
  return p;
}

/** Keeps c_1 … c_n, n the last index whose term |c_n|·W^{n−1} is at least 2^-112·|c_1|. */
function expansionOf(y: Series, r0: number, r1: number, r2: number): RootExpansion {
  let n = 1;
  for (let k = 2; k <= SERIES_LENGTH; k++) {
    if (Math.abs(y.hi[k]!) * ROOT_WINDOW ** (k - 1) >= 2 ** -112 * Math.abs(y.hi[1]!)) n = k;
  }
  if (n > SERIES_LENGTH - 4) throw new Error(`gelu derivative: the Taylor series at ${r0} needs more than ${SERIES_LENGTH - 4} terms`);
  return { r0, r1, r2, hi: y.hi.slice(1, n + 1), lo: y.lo.slice(1, n + 1) };
}

/** Taylor coefficients of Φ(x) + x·φ(x) at its root. */
function exactRootExpansion(): RootExpansion {
  const rh = EXACT_GRAD_ROOT_0;
  const rl = EXACT_GRAD_ROOT_1;
  // g = −(r + d)²/2 = −r²/2 − r·d − d²/2
  const g = newSeries();
  dd.ddMul(rh, rl, rh, rl);
  g.hi[0] = -0.5 * dd.rh;
  g.lo[0] = -0.5 * dd.rl;
  g.hi[1] = -rh;
  g.lo[1] = -rl;
  g.hi[2] = -0.5;
  const f = seriesExp(g, 2);
  const phi = newSeries();
  for (let k = 0; k <= SERIES_LENGTH; k++) {
    dd.ddMul(f.hi[k]!, f.lo[k]!, INV_SQRT_2PI_HI, INV_SQRT_2PI_LO);
    phi.hi[k] = dd.rh;
    phi.lo[k] = dd.rl;
  }
  // y = Φ + x·φ with Φ_k = φ_{k−1}/k (k ≥ 1); y_0 = 0 at the root.
  const y = seriesTimesX(phi, rh, rl);
  y.hi[0] = 0;
  y.lo[0] = 0;
  for (let k = 1; k <= SERIES_LENGTH; k++) {
    dd.ddDivD(phi.hi[k - 1]!, phi.lo[k - 1]!, k);
    dd.ddAdd(y.hi[k]!, y.lo[k]!, dd.rh, dd.rl);
    y.hi[k] = dd.rh;
    y.lo[k] = dd.rl;
  }
  return expansionOf(y, rh, rl, EXACT_GRAD_ROOT_2);
}

/** Taylor coefficients of the tanh form's derivative s + x·s·(1 − s)·c at its root. */
function tanhRootExpansion(): RootExpansion {
  const rh = TANH_GRAD_ROOT_0;
  const rl = TANH_GRAD_ROOT_1;
  const kh = 2 * SQRT_2_OVER_PI_HI;
  const kl = 2 * SQRT_2_OVER_PI_LO;
  // −2u = −2K·(x + a·x³) around r: a cubic in d.
  dd.ddMul(rh, rl, rh, rl);
  const r2h = dd.rh;
  const r2l = dd.rl;
  const poly = newSeries(); // x + a·x³ = (r + a r³) + (1 + 3a r²)d + 3a r·d² + a·d³
  dd.ddMul(r2h, r2l, rh, rl);
  dd.ddMul(dd.rh, dd.rl, GELU_TANH_A_HI, GELU_TANH_A_LO);
  dd.ddAdd(dd.rh, dd.rl, rh, rl);
  poly.hi[0] = dd.rh;
  poly.lo[0] = dd.rl;
  dd.ddMul(r2h, r2l, GELU_TANH_A_HI, GELU_TANH_A_LO);
  dd.ddMulD(dd.rh, dd.rl, 3);
  const a3r2h = dd.rh;
  const a3r2l = dd.rl;
  dd.ddAdd(1, 0, a3r2h, a3r2l);
  poly.hi[1] = dd.rh;
  poly.lo[1] = dd.rl;
  dd.ddMul(rh, rl, GELU_TANH_A_HI, GELU_TANH_A_LO);
  dd.ddMulD(dd.rh, dd.rl, 3);
  poly.hi[2] = dd.rh;
  poly.lo[2] = dd.rl;
  poly.hi[3] = GELU_TANH_A_HI;
  poly.lo[3] = GELU_TANH_A_LO;
  const g = newSeries();
  for (let j = 0; j <= 3; j++) {
    dd.ddMul(poly.hi[j]!, poly.lo[j]!, -kh, -kl);
    g.hi[j] = dd.rh;
    g.lo[j] = dd.rl;
  }
  const e = seriesExp(g, 3);
  // s = 1/(1 + e): s_0 = 1/den_0, s_k = −(Σ_{j=1..k} e_j·s_{k−j})/den_0.
  dd.ddAdd(1, 0, e.hi[0]!, e.lo[0]!);
  const d0h = dd.rh;
  const d0l = dd.rl;
  const s = newSeries();
  dd.ddDiv(1, 0, d0h, d0l);
  s.hi[0] = dd.rh;
  s.lo[0] = dd.rl;
  for (let k = 1; k <= SERIES_LENGTH; k++) {
    let sh = 0;
    let sl = 0;
    for (let j = 1; j <= k; j++) {
      dd.ddMul(e.hi[j]!, e.lo[j]!, s.hi[k - j]!, s.lo[k - j]!);
      dd.ddAdd(sh, sl, dd.rh, dd.rl);
      sh = dd.rh;
      sl = dd.rl;
    }
    dd.ddDiv(-sh, -sl, d0h, d0l);
    s.hi[k] = dd.rh;
    s.lo[k] = dd.rl;
  }
  const m = newSeries(); // 1 − s
  for (let k = 0; k <= SERIES_LENGTH; k++) {
    m.hi[k] = -s.hi[k]!;
    m.lo[k] = -s.lo[k]!;
  }
  dd.ddAdd(1, 0, m.hi[0]!, m.lo[0]!);
  m.hi[0] = dd.rh;
  m.lo[0] = dd.rl;
  // c = 2K·(1 + 3a·x²) = 2K·[(1 + 3a r²) + 6a r·d + 3a·d²]
  const c = newSeries();
  for (const [j, vh, vl] of [
    [0, poly.hi[1]!, poly.lo[1]!],
    [1, 2 * poly.hi[2]!, 2 * poly.lo[2]!],
    [2, A3_HI, A3_LO],
  ] as const) {
    dd.ddMul(vh, vl, kh, kl);
    c.hi[j] = dd.rh;
    c.lo[j] = dd.rl;
  }
  const y = seriesTimesX(seriesMul(seriesMul(s, m), c), rh, rl);
  for (let k = 0; k <= SERIES_LENGTH; k++) {
    dd.ddAdd(y.hi[k]!, y.lo[k]!, s.hi[k]!, s.lo[k]!);
    y.hi[k] = dd.rh;
    y.lo[k] = dd.rl;
  }
  y.hi[0] = 0;
  y.lo[0] = 0;
  return expansionOf(y, rh, rl, TANH_GRAD_ROOT_2);
}

/** f′(r + d) = Σ c_k d^k with d = x − r in dd; x within ROOT_WINDOW of the root. */
function nearRoot(x: number, e: RootExpansion): void {
  dd.twoSum(x - e.r0, -e.r1);
  const dh = dd.rh;
  const dl = dd.rl - e.r2;
  dd.twoSum(dh, dl);
  const th = dd.rh;
  const tl = dd.rl;
  const n = e.hi.length;
  let ph = e.hi[n - 1]!;
  let pl = e.lo[n - 1]!;
  for (let k = n - 2; k >= 0; k--) {
    dd.ddMul(ph, pl, th, tl);
    dd.ddAdd(dd.rh, dd.rl, e.hi[k]!, e.lo[k]!);
    ph = dd.rh;
    pl = dd.rl;
  }
  dd.ddMul(ph, pl, th, tl);
  gh = dd.rh;
  gl = dd.rl;
  gk = 0;
}

/** The exact form's derivative away from the root (x finite, GRAD_TINY ≤ |x|, inside the thresholds). */
function exactGrad(x: number): void {
  // φ(x)·x, scaled: e^{−x²/2} = 2^k2·(…), x² exact in dd.
  dd.twoProd(x, x);
  dd.expDD(-0.5 * dd.rh, -0.5 * dd.rl);
  const k2 = dd.rk;
  dd.ddMul(dd.rh, dd.rl, INV_SQRT_2PI_HI, INV_SQRT_2PI_LO);
  dd.ddMulD(dd.rh, dd.rl, x);
  const th = dd.rh;
  const tl = dd.rl;
  dd.ddMulD(INV_SQRT2_HI, INV_SQRT2_LO, x);
  let ph: number;
  let pl: number;
  let k1: number;
  if (x < 0) {
    dd.erfcDD(-dd.rh, -dd.rl);
    ph = 0.5 * dd.rh;
    pl = 0.5 * dd.rl;
    k1 = dd.rk;
  } else {
    dd.erfcDD(dd.rh, dd.rl);
    dd.ddAdd(1, 0, -0.5 * dd.ldexp(dd.rh, dd.rk), -0.5 * dd.ldexp(dd.rl, dd.rk));
    ph = dd.rh;
    pl = dd.rl;
    k1 = 0;
  }
  const k = Math.max(k1, k2);
  dd.ddAdd(dd.ldexp(ph, k1 - k), dd.ldexp(pl, k1 - k), dd.ldexp(th, k2 - k), dd.ldexp(tl, k2 - k));
  gh = dd.rh;
  gl = dd.rl;
  gk = k;
}

/** The tanh form's derivative away from the root (x finite, GRAD_TINY ≤ |x|, inside the thresholds). */
function tanhGrad(x: number): void {
  // c = 2K·(1 + 3a·x²)
  dd.twoProd(x, x);
  dd.ddMul(dd.rh, dd.rl, A3_HI, A3_LO);
  dd.ddAdd(1, 0, dd.rh, dd.rl);
  dd.ddMul(dd.rh, dd.rl, 2 * SQRT_2_OVER_PI_HI, 2 * SQRT_2_OVER_PI_LO);
  const ch = dd.rh;
  const cl = dd.rl;
  tanhArgumentDD(x);
  const neg = x < 0;
  // e = e^{−|2u|}, scaled by 2^k; s and m are 1/(1 + e) and e/(1 + e) in the order x's sign gives.
  dd.expDD(neg ? dd.rh : -dd.rh, neg ? dd.rl : -dd.rl);
  const k = dd.rk;
  const eh = dd.rh;
  const el = dd.rl;
  const uh = dd.ldexp(eh, k);
  const ul = dd.ldexp(el, k);
  dd.ddAdd(1, 0, uh, ul);
  const nh = dd.rh;
  const nl = dd.rl;
  // m·c (m = 1 − s), then the bracket 1 + x·m·c, then times s.
  if (neg) dd.ddDiv(ch, cl, nh, nl);
  else {
    dd.ddMul(uh, ul, ch, cl);
    dd.ddDiv(dd.rh, dd.rl, nh, nl);
  }
  dd.ddMulD(dd.rh, dd.rl, x);
  dd.ddAdd(1, 0, dd.rh, dd.rl);
  const bh = dd.rh;
  const bl = dd.rl;
  if (neg) {
    // s = e/(1 + e) with e kept scaled: the tail keeps its digits below the double range.
    dd.ddDiv(eh, el, nh, nl);
    dd.ddMul(dd.rh, dd.rl, bh, bl);
    gk = k;
  } else {
    dd.ddDiv(bh, bl, nh, nl);
    gk = 0;
  }
  gh = dd.rh;
  gl = dd.rl;
}

/**
 * f′(x) = 2^gk·(gh + gl) for a finite x (either form), relative error < 2^-88, including the
 * ranges where it rounds to 1 (then gh = 1, gl = 2^-200: f′ − 1 is positive) or to −0 (the
 * stand-in −2^-2200 there).
 */
export function geluGradDD(x: number, tanh: boolean): void {
  if (x >= (tanh ? GRAD_TANH_ONE : GRAD_EXACT_ONE)) {
    gh = 1;
    gl = 2 ** -200;
    gk = 0;
  } else if (x <= (tanh ? GRAD_TANH_ZERO : GRAD_EXACT_ZERO)) {
    gh = -1;
    gl = 0;
    gk = -2200;
  } else if (Math.abs(x) < GRAD_TINY) {
    // ½ + 2x/√(2π): the x term only breaks ties (it is far below half a step of ½).
    gh = 0.5;
    gl = 2 * INV_SQRT_2PI_HI * x;
    gk = 0;
  } else if (tanh) {
    if (Math.abs(x - TANH_GRAD_ROOT_0) < ROOT_WINDOW) {
      tanhExpansion ??= tanhRootExpansion();
      nearRoot(x, tanhExpansion);
    } else tanhGrad(x);
  } else if (Math.abs(x - EXACT_GRAD_ROOT_0) < ROOT_WINDOW) {
    exactExpansion ??= exactRootExpansion();
    nearRoot(x, exactExpansion);
  } else exactGrad(x);
}

/** The derivative rounded to the nearest double, for any x (special values included). */
export function geluGrad64(x: number, tanh: boolean): number {
  if (x !== x) return x;
  if (x === 0) return 0.5;
  if (x === Infinity) return 1;
  if (x === -Infinity) return -0;
  geluGradDD(x, tanh);
  return dd.roundTo64(gh, gl, gk);
}

/** The derivative at a float32 x, rounded to the nearest float32 (returned as a number). */
export function geluGrad32(x: number, tanh: boolean): number {
  if (x !== x) return x;
  if (x === 0) return 0.5;
  if (x === Infinity) return 1;
  if (x === -Infinity) return -0;
  geluGradDD(x, tanh);
  return dd.roundTo32(gh, gl, gk);
}
