/**
 * Double-double arithmetic and the accurate (reference-grade) cores of erf,
 * erfc and both gelus.
 *
 * A double-double (dd) is an unevaluated sum hi + lo of two doubles with
 * |lo| ≤ ulp(hi)/2, so hi = fl(hi + lo): about 106 significant bits. JavaScript
 * has no fused multiply-add, so exact products use Veltkamp's splitting and
 * Dekker's product (T. J. Dekker, "A floating-point technique for extending
 * the available precision", Numer. Math. 18, 1971); exact sums use Knuth's
 * TwoSum. Division and the accurate addition follow the QD library's dd
 * algorithms (Hida, Li, Bailey, "Library for double-double and quad-double
 * arithmetic", 2007).
 *
 * To stay allocation-free every operation leaves its result in the module
 * registers `rh`, `rl` (and `rk` for a power-of-two scale), read by the caller
 * right after the call. Results that may underflow are kept scaled, value =
 * 2^rk · (rh + rl), and rounded once at the end by {@link roundTo64} or
 * {@link roundTo32}, which handle subnormal results and signed zeros.
 *
 * Error model used in the bounds below: u = 2^-53. Every dd operation here has
 * relative error below 2^-100 (QD's bounds: add ≤ 2u², mul ≤ 4u², div ≤ 8u²)
 * for operands that neither overflow nor underflow; the callers keep all
 * intermediate magnitudes within [2^-600, 2^600] except where stated.
 */
import {
  INV_SQRT_PI_HI,
  INV_SQRT_PI_LO,
  LN2_CW1,
  LN2_CW2,
  LN2_CW3,
  LN2_HI,
  TWO_OVER_SQRT_PI_HI,
  TWO_OVER_SQRT_PI_LO,
} from './constants.js';

/** dd result registers: value = 2^rk · (rh + rl). */
export let rh = 0;
export let rl = 0;
export let rk = 0;

/** 2^27 + 1: Veltkamp's splitter for 53-bit doubles (exact up to |a| < 2^996). */
const SPLITTER = 134217729;

/** rh + rl = a + b exactly (Knuth's TwoSum, no precondition). */
export function twoSum(a: number, b: number): void {
  const s = a + b;
  const bb = s - a;
  rl = a - (s - bb) + (b - bb);
  rh = s;
}

/** rh + rl = a + b exactly, given |a| ≥ |b| or a = 0 (Dekker's FastTwoSum). */
function fastTwoSum(a: number, b: number): void {
  const s = a + b;
  rl = b - (s - a);
  rh = s;
}

/** rh + rl = a · b exactly (Dekker's product with Veltkamp splitting). */
export function twoProd(a: number, b: number): void {
  const p = a * b;
  let t = SPLITTER * a;
  const ah = t - (t - a);
  const al = a - ah;
  t = SPLITTER * b;
  const bh = t - (t - b);
  const bl = b - bh;
  rl = ah * bh - p + ah * bl + al * bh + al * bl;
  rh = p;
}

/** (ah, al) + (bh, bl), relative error ≤ 2u². */
export function ddAdd(ah: number, al: number, bh: number, bl: number): void {
  twoSum(ah, bh);
  const sh = rh;
  let sl = rl;
  twoSum(al, bl);
  const th = rh;
  const tl = rl;
  sl += th;
  fastTwoSum(sh, sl);
  const uh = rh;
  const ul = rl + tl;
  fastTwoSum(uh, ul);
}

/** (ah, al) · (bh, bl), relative error ≤ 4u². */
export function ddMul(ah: number, al: number, bh: number, bl: number): void {
  twoProd(ah, bh);
  const ph = rh;
  const pl = rl + (ah * bl + al * bh);
  fastTwoSum(ph, pl);
}

/** (ah, al) · b for a double b, relative error ≤ 3u². */
export function ddMulD(ah: number, al: number, b: number): void {
  twoProd(ah, b);
  const ph = rh;
  const pl = rl + al * b;
  fastTwoSum(ph, pl);
}

/**
 * (ah, al) · b like {@link ddMulD}, for a result that is rounded next: the
 * rounding of the full value ah·b + al·b is kept even where a double-double
 * cannot hold al·b. ah·b is exact in two doubles; when it (with the part of
 * al·b that fits) lies exactly halfway between two floats, or rl would be
 * zero, the part of al·b that did not fit still says which way the full value
 * lies. It is folded into rl as a sticky bit (a one-ulp nudge of rl, or rl
 * itself when rl is zero), so {@link roundTo64} and {@link roundTo32} break
 * the tie as the full value does. Off exact ties the result is ddMulD's.
 *
 * Needed by geglu where gelu(g) = g·(1 − q) with q below 2^-106 (large g):
 * the core returns (g, −tiny), g·u can be an exact float tie, and only the
 * sign of the tiny part decides it.
 */
export function ddMulDRounding(ah: number, al: number, b: number): void {
  twoProd(ah, b);
  const p = rh;
  const e = rl;
  twoSum(e, al * b);
  const m = rh;
  const s = rl; // what a double-double loses: p + m + s is the value
  fastTwoSum(p, m);
  if (s === 0) return;
  if (rl === 0) {
    // h alone; any tie at h (float32 or subnormal grid) goes s's way.
    rl = s;
    return;
  }
  const h = rh;
  const l = rl;
  // h + l exactly halfway between h and its neighbour h + 2l (2l is then one
  // float spacing, so h + 2l is exact; off a tie |2l| is below the spacing
  // and h + 2l rounds to h or the neighbour, never to h + 2l exactly).
  if (h + 2 * l - h === 2 * l) {
    // |l| is a power of two here, so l·(1 ± 2^-52) is exact: one step off the tie.
    fastTwoSum(h, l * (s > 0 === l > 0 ? 1 + 2 ** -52 : 1 - 2 ** -52));
  }
}

/** (ah, al) / b for a double b, relative error ≤ 4u². */
export function ddDivD(ah: number, al: number, b: number): void {
  const q1 = ah / b;
  twoProd(q1, b);
  // ah − rh is exact (Sterbenz: q1·b is within a factor 2 of ah).
  const r = ah - rh - rl + al;
  fastTwoSum(q1, r / b);
}

/** (ah, al) / (bh, bl), relative error ≤ 8u² (QD's accurate division). */
export function ddDiv(ah: number, al: number, bh: number, bl: number): void {
  const q1 = ah / bh;
  ddMulD(bh, bl, q1);
  ddAdd(ah, al, -rh, -rl);
  const q2 = rh / bh;
  const r1h = rh;
  const r1l = rl;
  ddMulD(bh, bl, q2);
  ddAdd(r1h, r1l, -rh, -rl);
  const q3 = rh / bh;
  fastTwoSum(q1, q2);
  ddAdd(rh, rl, q3, 0);
}

/** v · 2^n for any integer n, exact whenever the result is a normal double. */
export function ldexp(v: number, n: number): number {
  while (n > 1000) {
    v *= 2 ** 1000;
    n -= 1000;
  }
  while (n < -1000) {
    v *= 2 ** -1000;
    n += 1000;
  }
  return v * 2 ** n;
}

/**
 * exp(ah + al) = 2^rk · (rh + rl), for |ah| ≤ 2000, relative error < 2^-95.
 *
 * Method: Cody–Waite reduction r = a − k·ln 2 with k = round(a / ln 2) and
 * ln 2 in three parts (the first with 32 bits, so k·LN2_CW1 is exact and
 * a − k·LN2_CW1 is exact by Sterbenz's lemma), |r| ≤ 0.3466 + 2^-40. Then
 * s = r / 2^8, expm1(s) by its Taylor series to degree 9 in dd (Horner with
 * exact division by the integers n; truncation < |s|^10/10! < 2^-107·|s|),
 * and eight squarings in the expm1 form p ← p·(2 + p), which multiply the
 * relative error by 2^8: total < 2^-95.
 */
export function expDD(ah: number, al: number): void {
  const k = Math.round(ah / LN2_HI);
  const t = ah - k * LN2_CW1;
  twoProd(k, LN2_CW2);
  ddAdd(t, al, -rh, -rl);
  ddAdd(rh, rl, -k * LN2_CW3, 0);
  const sh = rh * 2 ** -8;
  const sl = rl * 2 ** -8;
  let qh = 1;
  let ql = 0;
  for (let n = 9; n >= 2; n--) {
    ddMul(sh, sl, qh, ql);
    ddDivD(rh, rl, n);
    ddAdd(1, 0, rh, rl);
    qh = rh;
    ql = rl;
  }
  ddMul(sh, sl, qh, ql);
  let ph = rh;
  let pl = rl;
  for (let i = 0; i < 8; i++) {
    ddAdd(2, 0, ph, pl);
    ddMul(ph, pl, rh, rl);
    ph = rh;
    pl = rl;
  }
  ddAdd(1, 0, ph, pl);
  rk = k;
}

/**
 * Below this argument erfc uses 1 − erf from the positive series; above it,
 * the continued fraction. 2.5 balances their term counts (about 60 each).
 */
export const ERFC_SERIES_LIMIT = 2.5;

/**
 * erf(z) = rh + rl for a dd z with 0 ≤ z < ERFC_SERIES_LIMIT and z ≥ 2^-500.
 *
 * Method: erf(z) = (2/√π)·e^{−z²}·Σ_{n≥0} z·(2z²)^n / (1·3·…·(2n+1))
 * (Abramowitz & Stegun 7.1.6). Every term is positive, so the dd sum has no
 * cancellation; it stops when a term falls below 2^-110 of the sum (at most
 * 90 terms for z < 2.5). Relative error < 2^-95, dominated by expDD.
 */
export function erfSeriesDD(zh: number, zl: number): void {
  ddMul(zh, zl, zh, zl);
  const wh = rh;
  const wl = rl;
  const w2h = 2 * wh;
  const w2l = 2 * wl;
  let th = zh;
  let tl = zl;
  let sh = zh;
  let sl = zl;
  for (let n = 1; n < 200; n++) {
    ddMul(th, tl, w2h, w2l);
    ddDivD(rh, rl, 2 * n + 1);
    th = rh;
    tl = rl;
    ddAdd(sh, sl, th, tl);
    sh = rh;
    sl = rl;
    if (th < sh * 2 ** -110) break;
  }
  expDD(-wh, -wl);
  const ek = rk;
  ddMul(rh, rl, sh, sl);
  ddMul(rh, rl, TWO_OVER_SQRT_PI_HI, TWO_OVER_SQRT_PI_LO);
  rh = ldexp(rh, ek);
  rl = ldexp(rl, ek);
  rk = 0;
}

/** Levels of the continued fraction evaluated in dd (the rest in double). */
const CF_DD_LEVELS = 8;

/**
 * erfc(z) = 2^rk·(rh + rl) for a dd z ≥ ERFC_SERIES_LIMIT (any size; the
 * result stays scaled, so the deep tail keeps full relative precision).
 *
 * Method: Laplace's continued fraction (A&S 7.1.14)
 *   erfc(z) = e^{−z²}/√π · 1/(z + (1/2)/(z + (2/2)/(z + (3/2)/(z + …)))).
 * With every partial numerator positive the backward evaluation is stable.
 * The depth N(z) = 16 + ⌈800/z²⌉ was chosen by comparing with depth 4N at
 * z = 2.5, 3, 4, 6, 10, 20 (12 + ⌈700/z²⌉ already changes it by < 2^-94). The innermost levels run in
 * double; an error δ in a level's tail t changes the result by about δ·t/(z+t)
 * ≤ δ/(2z²) per level, so after CF_DD_LEVELS dd levels the double part's
 * error (≤ 2^-50) is below 2^-50·12.5^-8 < 2^-79. e^{−z²} comes from expDD
 * with z² exact to 2^-104 in dd, which is what keeps the tail accurate: the
 * condition number of erfc is about 2z².
 */
export function erfcContinuedFractionDD(zh: number, zl: number): void {
  const n = 16 + Math.ceil(800 / (zh * zh));
  let t = 0;
  for (let i = n; i > CF_DD_LEVELS; i--) t = (i * 0.5) / (zh + t);
  let th = t;
  let tl = 0;
  for (let i = CF_DD_LEVELS; i >= 1; i--) {
    ddAdd(zh, zl, th, tl);
    ddDiv(i * 0.5, 0, rh, rl);
    th = rh;
    tl = rl;
  }
  ddAdd(zh, zl, th, tl);
  ddDiv(INV_SQRT_PI_HI, INV_SQRT_PI_LO, rh, rl);
  const kh = rh;
  const kl = rl;
  ddMul(zh, zl, zh, zl);
  expDD(-rh, -rl);
  const ek = rk;
  ddMul(rh, rl, kh, kl);
  rk = ek;
}

/** erfc(z) = 2^rk·(rh + rl) for a dd z ≥ 2^-500 (either method). */
export function erfcDD(zh: number, zl: number): void {
  if (zh < ERFC_SERIES_LIMIT) {
    erfSeriesDD(zh, zl);
    ddAdd(1, 0, -rh, -rl);
    rk = 0;
  } else {
    erfcContinuedFractionDD(zh, zl);
  }
}

/**
 * The double nearest to 2^k·(h + l) (ties to even), for a normalized dd
 * (h = fl(h + l)), including subnormal results and signed zeros.
 */
export function roundTo64(h: number, l: number, k: number): number {
  const big = ldexp(h, k + 1074);
  if (!(Math.abs(big) < 2 ** 52)) return ldexp(h, k);
  // Subnormal result: round |value| / 2^-1074 to an integer by hand, with the
  // low part breaking exact ties (ldexp cannot: it would round once per step).
  // The sign from h, not from big: when 2^k·h is far below 2^-1074, ldexp has
  // already flushed big to −0, and `big < 0` would lose the sign of the zero.
  const s = h < 0 || Object.is(h, -0) ? -1 : 1;
  const a = Math.abs(big);
  const b = s * ldexp(l, k + 1074);
  let n = Math.floor(a);
  const f = a - n;
  if (f > 0.5 || (f === 0.5 && (b > 0 || (b === 0 && n % 2 === 1)))) n += 1;
  return s * (n * 2 ** -1074);
}

/**
 * The float32 nearest to 2^k·(h + l) (ties to even), as a number. The double
 * y = 2^k·h rounds correctly by Math.fround unless y is exactly halfway
 * between two floats, where the sign of l decides (double rounding trap).
 */
export function roundTo32(h: number, l: number, k: number): number {
  const y = ldexp(h, k);
  const r = Math.fround(y);
  if (r === y || l === 0) return r;
  const m = y - r;
  const other = r + 2 * m;
  if (Math.fround(other) === other && l > 0 === m > 0) return other;
  return r;
}
