/**
 * A fast float64 evaluation of gelu (erf form), gelu tanh, erf and erfc at float32 inputs, with a rigorous
 * error bound computed per input, and the test whether that bound decides the rounding to f32.
 * Written independently of @geglu/kernel (different method: power series and continued fraction
 * rather than the kernel's approximations) so that the sweep does not check the kernel against itself.
 *
 * Notation: u = 2^-53 (unit roundoff of f64). Every f64 operation is exact up to a factor (1 + δ),
 * |δ| ≤ u; `Math.exp` (V8's port of fdlibm e_exp.c) has error < 1 ulp, i.e. relative ≤ 2u.
 * x is a float32, so x is exact in f64 and x·x is exact (24 + 24 bits ≤ 53, no under/overflow).
 *
 * ## Method: gelu tanh, y = x·σ(z), z = 2·√(2/π)·(x + 0.044715·x³) = x·(A + B·x²)
 *
 * - A = 2√(2/π), B = 2·0.044715·√(2/π) rounded to f64 (each ≤ u); x² exact; B·x², A + (·), x·(·):
 *   three roundings, no cancellation (both addends positive). So z_c = z·(1 + θ), |θ| ≤ 6u.
 * - σ(z) = 1/(1 + e^−z) for z ≥ 0, e^z/(1 + e^z) for z < 0 (no cancellation either way).
 *   Propagating θ: |d ln σ(z)/d ln z| = |z|·(1 − σ(z)) ≤ |z|, so ≤ 6u·|z|; exp ≤ 2u (times
 *   E/(1+E) ≤ 1); 1 + E, the division, the product with x: 3u.
 * - Bound: |y_c − y| ≤ ε·|y| with ε = (6|z| + 6)·u·(1 + 2^-20) (|z| ≤ 745 here, so ε ≤ 2^-41).
 * - Beyond |z| > 700: for z > 700, 1 − σ(z) < e^−700 < 2^-1000, so y rounds to x (x is f32 and the
 *   gap below x is ≥ x·2^-25); for z < −700, |x| ≤ |z|/A and |y| < |x|·e^−|z| ≤ (|z|/A)·e^−|z|,
 *   which decreases in |z|: ≤ 440·e^−700 < 2^-150, so y rounds to −0. (Also the ±∞ inputs.)
 *
 * ## Method: gelu, y = x·Φ(x), Φ(x) = ½·(1 + erf(t)) = ½·erfc(−t), t = x/√2
 *
 * t_c = x·(1/√2)_f64: relative error ≤ 2u + u² (constant, product). Its effect on the result is
 * bounded by the condition number c(x) = |t·d ln Φ/d t| (computed below from the same quantities,
 * with a 1 % margin) times 2.01u.
 *
 * - |t| ≤ 2 (and 0 ≤ t ≤ 3.5): erf(t) = (2/√π)·e^(−t²)·S, S = Σ_{n≥0} a_n,
 *   a_0 = t, a_n = a_{n−1}·2t²/(2n+1) (all terms of one sign: no cancellation).
 *   After N terms each a_n carries ≤ 3n·u (q = 2t² costs u once, each step two roundings),
 *   the sum ≤ N·u more; we stop when a_n ≤ 2^-50·|S| and the ratio 2t²/(2n+3) ≤ ½, so the
 *   tail (a geometric series) is ≤ 2^-50·|S|. e^(−t²): argument rounded (t²·u ≤ 12.25u), exp
 *   ≤ 2u; the constant and two products 3u. So erf_c has relative error e_erf ≤ (4N + 18)·u + 2^-50.
 *   Then Φ = ½ + ½·erf for t ≥ 0 (adds ≤ e_erf + u) and ½·(1 − |erf|) for t < 0, where the
 *   cancellation multiplies e_erf by K = |erf|/(1 − |erf|) ≤ 1/erfc(2) = 214 (+ u).
 * - t < −2: erfc(|t|) = e^(−t²)/√π · F, F = 1/(|t| + (1/2)/(|t| + (2/2)/(|t| + (3/2)/(…)))),
 *   Laplace's continued fraction for erfc (Abramowitz & Stegun 7.1.14). It is a Stieltjes
 *   fraction with positive elements, so its successive approximants alternate around F: the
 *   truncation error of depth D is ≤ |F_D − F_(D+1)|, which we compute (both depths, sharing
 *   nothing). The backward recurrence f ← |t| + a/f contracts relative errors
 *   (|d ln(|t| + a/f)/d ln f| < 1), so its rounding error is ≤ 2D·u. With e^(−t²) (≤ 2u + t²·u
 *   for the rounded argument) and the constant and products (3u): e_erfc ≤ (2D + 5 + t²)·u
 *   + |F_D − F_(D+1)|/F.
 * - t > 3.5: Φ = 1 − ½·erfc(t) with the same continued fraction; the correction is < 2^-19 so
 *   its relative error is scaled down by ½erfc(t)/Φ.
 * - Tails: for t < −26 (x < −36.7), |y| ≤ |x|·e^(−t²)/(2√π|t|) = e^(−t²)/√(2π) < 2^-150: rounds
 *   to −0 (the cut keeps e^(−t²) a normal f64, so exp keeps its relative bound); for
 *   t > 6.5, ½·erfc(t) ≤ e^(−t²)/(2√π t) < 2^-64, so y rounds to x (as for tanh above).
 *
 * ## Method: derivatives (gelu-grad, gelu-tanh-grad), y = first + second, cancelling at the root
 *
 * Each term gets a relative bound; their absolute errors add, plus the sum's rounding, and the
 * relative bound is that over |y|: near the roots (x ≈ −0.7518, −0.7525) it grows as |y| shrinks,
 * so those inputs escalate to the oracle; a computed 0 gives an infinite bound (escalated too).
 *
 * - gelu′ = Φ(x) + x·φ(x): Φ as for gelu (refPhi: its bound includes t's rounding); x·φ(x) =
 *   x·(1/√(2π))·e^(−x²/2) with x²/2 exact: exp 2u, the constant u, two products 2u: 5u.
 *   t < −26: |y| ≤ |x|·φ(x) (Φ(x) < φ(x)/|x|) < 2^-150: −0. t > 6.5 (x > 9.19): 0 < y − 1 <
 *   x·φ(x) < 2^-58: 1.
 * - gelu tanh′ = s + x·s·m·c with z as above (≤ 6u), s = σ(z), m = σ(−z) (E = e^(−|z|):
 *   ≤ (6|z| + 2)u; s and m as 1/(1 + E) or E/(1 + E): ≤ 2·e_E + 2u each), c = dz/dx = A + 3B·x²
 *   (≤ 4u, all terms positive), three products: 3u. z < −200: |y| ≤ e^z·(1 + 3|z|) < 2^-278
 *   (|x|·c ≤ 3|z|): −0. z > 700: 0 < y − 1 < e^(−z)·3z: 1.
 *
 * ## Method: |x| < 2^-60, both variants
 * Decided analytically, see `tiny` below (x/2 plus a positive δ < x²).
 *
 * ## Special Cases
 * NaN → NaN; +∞ → +∞; −∞ → −0; ±0 → ±0 (both variants). Derivatives: +∞ → 1, −∞ → −0, ±0 → ½.
 *
 * ## Notes
 * The bound is checked against the oracle at many points per binade in test/sweep/reference.test.ts
 * (every observed error must be within the stated ε). Where ε does not decide the rounding to
 * f32, the sweep asks the oracle's correctlyRounded.
 */

const U = 2 ** -53;
const A_TANH = 1.5957691216057308; // 2·√(2/π) = 1.59576912160573071175… rounded to f64
const B_TANH = 0.07135481627260025; // 2·0.044715·√(2/π) = 0.07135481627260024877633875…
const INV_SQRT2 = 0.7071067811865476; // 1/√2 = 0.70710678118654752440…
const TWO_OVER_SQRT_PI = 1.1283791670955126; // 2/√π = 1.12837916709551257390…
const INV_SQRT_PI = 0.5641895835477563; // 1/√π = 0.56418958354775628695…
const INV_SQRT_2PI = 0.3989422804014327; // 1/√(2π) = 0.39894228040143267794…
// covers the second-order terms (products of roundings, ≤ k²u²) that the first-order sums above leave out
const MARGIN = 1 + 2 ** -20;

/** Result of one reference evaluation: value y and relative bound eps (|y_c − y| ≤ eps·|y|). */
export interface RefResult {
  y: number;
  eps: number;
}

const out: RefResult = { y: 0, eps: 0 };

/** gelu tanh at a float32 x. Returns a shared object (overwritten by the next call). */
export function refGeluTanh(x: number): RefResult {
  if (x !== x) return set(NaN, 0);
  if (Math.abs(x) < TINY) return tiny(x);
  const z = x * (A_TANH + B_TANH * (x * x));
  if (z > 700) return set(x, 0); // exact enough: rounds to x (see Method); also covers +∞
  if (z < -700) return set(-0, 0); // |y| < 2^-150 (see Method); also covers −∞
  let y: number;
  if (z >= 0) y = x / (1 + Math.exp(-z));
  else {
    const e = Math.exp(z);
    y = (x * e) / (1 + e);
  }
  return set(y, (6 * Math.abs(z) + 6) * U * MARGIN);
}

/** gelu (erf form) at a float32 x. Returns a shared object (overwritten by the next call). */
export function refGelu(x: number): RefResult {
  if (x !== x) return set(NaN, 0);
  if (x === Infinity) return set(Infinity, 0);
  if (x === -Infinity) return set(-0, 0);
  if (Math.abs(x) < TINY) return tiny(x);
  const t = x * INV_SQRT2;
  if (t < -26) return set(-0, 0);
  if (t > 6.5) return set(x, 0);
  refPhi(t);
  // one more rounding: the product with x
  return set(x * phiPart.v, (phiPart.eps + U) * MARGIN);
}

/** Φ(x) and its relative bound (without MARGIN), from refPhi. */
const phiPart = { v: 0, eps: 0 };

/**
 * Φ(x) for a float32 x, given t = fl(x/√2) in [−26, 6.5], into phiPart, by the series or the
 * continued fraction (see Method). The bound includes t's rounding through the condition number
 * and the roundings that form Φ from erf or erfc.
 */
function refPhi(t: number): void {
  const tArgErr = 2.01 * U;
  if (t >= -2 && t <= 3.5) {
    seriesErf(t);
    const erf = part.v;
    const e = part.e;
    if (t >= 0) {
      phiPart.v = 0.5 + 0.5 * erf;
      const cond = (t * TWO_OVER_SQRT_PI * e) / (1 + erf); // t·erf′(t)/(1 + erf(t)) ≤ 1
      phiPart.eps = part.eps + U + cond * 1.01 * tArgErr;
    } else {
      const m = 1 - -erf;
      phiPart.v = 0.5 * m;
      const cond = (-t * TWO_OVER_SQRT_PI * e) / m;
      phiPart.eps = (part.eps * -erf) / m + U + cond * 1.01 * tArgErr;
    }
    return;
  }
  const t2 = t * t;
  cfErfc(Math.abs(t));
  const erfc = part.v;
  const eErfc = part.eps;
  const cond = 2 * t2 + 1; // |t·d ln erfc(|t|)/dt| ≤ 2t² + 1 for |t| ≥ 2 (erfc(t) ≥ e^−t²/(√π(t + 1/t)))
  if (t < 0) {
    phiPart.v = 0.5 * erfc;
    phiPart.eps = eErfc + cond * 1.01 * tArgErr + U;
    return;
  }
  const corr = 0.5 * erfc;
  phiPart.v = 1 - corr;
  // the correction's relative error (and its argument's) scaled by corr/Φ, plus the subtraction
  phiPart.eps = (eErfc + cond * 1.01 * tArgErr) * (corr / phiPart.v) + U;
}

/**
 * gelu′(x) = Φ(x) + x·φ(x) at a float32 x (see Method: derivatives). Returns a shared object.
 */
export function refGeluGrad(x: number): RefResult {
  if (x !== x) return set(NaN, 0);
  if (x === Infinity) return set(1, 0);
  if (x === -Infinity) return set(-0, 0);
  if (x === 0) return set(0.5, 0);
  const t = x * INV_SQRT2;
  if (t < -26) return set(-0, 0);
  if (t > 6.5) return set(1, 0);
  refPhi(t);
  const p = phiPart.v;
  const q = x * INV_SQRT_2PI * Math.exp(-0.5 * (x * x));
  const y = p + q;
  const err = phiPart.eps * p + 5 * U * Math.abs(q) + U * Math.abs(y);
  return set(y, (err / Math.abs(y)) * MARGIN);
}

/**
 * gelu tanh′(x) = s + x·s·m·c at a float32 x, s = σ(z), m = 1 − s = σ(−z), c = dz/dx
 * (see Method: derivatives). Returns a shared object.
 */
export function refGeluTanhGrad(x: number): RefResult {
  if (x !== x) return set(NaN, 0);
  if (x === 0) return set(0.5, 0);
  const z = x * (A_TANH + B_TANH * (x * x));
  if (z > 700) return set(1, 0); // also +∞
  if (z < -200) return set(-0, 0); // also −∞
  const az = Math.abs(z);
  const e = Math.exp(-az);
  const den = 1 + e;
  const s = z >= 0 ? 1 / den : e / den;
  const m = z >= 0 ? e / den : 1 / den;
  const c = A_TANH + 3 * B_TANH * (x * x);
  const q = x * s * m * c;
  const y = s + q;
  const eE = (6 * az + 2) * U;
  const eSM = 2 * eE + 2 * U;
  const err = eSM * s + (2 * eSM + 5 * U + 3 * U) * Math.abs(q) + U * Math.abs(y);
  return set(y, (err / Math.abs(y)) * MARGIN);
}

/**
 * erf at a float32 x. The argument is exact (no t = x/√2 rounding), so the gelu method's pieces
 * apply without the condition-number term:
 * - |x| ≤ 3.5: the series (all terms one sign), relative error e_erf as above.
 * - |x| > 3.5: erf = ±(1 − erfc(|x|)) with the continued fraction; erfc(|x|)/erf(|x|) < 2^-20
 *   scales its relative error down, plus one rounding.
 * - |x| > 6.5: erfc(|x|) < 2^-64, so erf rounds to ±1 in f32 (the gap below 1 is 2^-24).
 */
export function refErf(x: number): RefResult {
  if (x !== x) return set(NaN, 0);
  const a = Math.abs(x);
  if (a > 6.5) return set(x > 0 ? 1 : -1, 0); // also ±∞
  if (x === 0) return set(x, 0);
  if (a <= 3.5) {
    seriesErf(x);
    return set(part.v, (part.eps + U) * MARGIN);
  }
  cfErfc(a);
  const y = 1 - part.v;
  return set(x > 0 ? y : -y, (part.eps * (part.v / y) + U) * MARGIN);
}

/**
 * erfc at a float32 x:
 * - x > 2: the continued fraction (relative error e_erfc).
 * - 0 ≤ x ≤ 2: 1 − erf(x) with the series; the cancellation multiplies e_erf by
 *   K = erf/(1 − erf) ≤ erf(2)/erfc(2) < 214.
 * - −3.5 ≤ x < 0: 1 + |erf(x)|, no cancellation.
 * - x < −3.5: 2 − erfc(|x|) with the continued fraction, scaled down by erfc(|x|)/(2 − erfc(|x|)).
 * - x < −6.5: erfc(|x|) < 2^-64, rounds to 2 (the gap below 2 is 2^-23); x > 26: erfc(x) <
 *   e^−676 < 2^-150, rounds to +0 (the cut keeps e^(−x²) a normal f64, as for gelu).
 */
export function refErfc(x: number): RefResult {
  if (x !== x) return set(NaN, 0);
  if (x > 26) return set(0, 0); // also +∞
  if (x < -6.5) return set(2, 0); // also −∞
  if (x > 2) {
    cfErfc(x);
    return set(part.v, (part.eps + U) * MARGIN);
  }
  if (x >= -3.5) {
    seriesErf(x);
    const erf = part.v;
    const y = 1 - erf;
    const eps = x > 0 ? (part.eps * erf) / y : part.eps;
    return set(y, (eps + U) * MARGIN);
  }
  cfErfc(-x);
  const y = 2 - part.v;
  return set(y, (part.eps * (part.v / y) + U) * MARGIN);
}

/** A partial result: value v, its relative error bound eps, and e^(−t²) (the series' factor). */
const part = { v: 0, eps: 0, e: 0 };

/**
 * erf(t) for |t| ≤ 3.5 by the power series (see Method), into `part`:
 * |erf_c − erf| ≤ ((4N + 18)·u + 2^-50)·|erf|, N the terms used.
 */
function seriesErf(t: number): void {
  const q = 2 * t * t;
  let a = t;
  let s = t;
  let n = 0;
  for (;;) {
    n++;
    a = (a * q) / (2 * n + 1);
    s += a;
    if (Math.abs(a) <= 8.881784197001252e-16 * Math.abs(s) && q <= 0.5 * (2 * n + 3)) break; // 2^-50
    if (a === 0) break;
  }
  const e = Math.exp(-(t * t));
  part.v = TWO_OVER_SQRT_PI * e * s;
  part.eps = (4 * (n + 1) + 18) * U + 8.881784197001252e-16;
  part.e = e;
}

/**
 * erfc(at) for at ≥ 2 by Laplace's continued fraction (see Method), into `part`:
 * |erfc_c − erfc| ≤ ((2D + 6 + at²)·u + 1.01·|F_D − F_(D+1)|/F)·erfc.
 */
function cfErfc(at: number): void {
  const t2 = at * at;
  const e = Math.exp(-t2);
  // depth: enough that the two approximants agree to about 2^-50 (measured over t in [2, 12]); the
  // difference itself enters the bound, so a shallower depth costs escalations, never soundness
  const depth = at < 2.5 ? 56 : at < 3 ? 40 : at < 4 ? 28 : at < 6 ? 20 : at < 8 ? 14 : 10;
  let f1 = at;
  for (let k = depth; k >= 1; k--) f1 = at + (0.5 * k) / f1;
  let f2 = at;
  for (let k = depth + 1; k >= 1; k--) f2 = at + (0.5 * k) / f2;
  const F = 1 / f1;
  const trunc = Math.abs(1 / f1 - 1 / f2) * F ** -1;
  part.v = INV_SQRT_PI * e * F;
  part.eps = (2 * (depth + 1) + 6 + t2) * U + trunc * 1.01;
  part.e = e;
}

const TINY = 8.673617379884035e-19; // 2^-60
const TWO_M40 = 9.094947017729282e-13; // 2^-40

/**
 * |x| < 2^-60 (subnormals included): both variants are x/2 + δ with 0 < δ < x²
 * (gelu: Φ(x) = ½ + x/√(2π) − x³/(6√(2π)) + …, so δ = x²/√(2π) − O(x⁴); tanh: σ(2u) = ½ + u/2 − …
 * with u = √(2/π)(x + 0.044715x³), so δ = x²/√(2π) + O(x⁴)). δ is below 2^-59·|x/2| (and below
 * 2^-298 in absolute value), far inside half an f32 gap, yet positive: when x/2 is a float32 the
 * result is x/2; when x/2 is a midpoint (x subnormal or in [2^-126, 2^-125) with an odd last bit)
 * the result is the float32 just above x/2 in value. We return a representative of that open
 * interval, x/2 + |x|·2^-40, whose fround is the correctly rounded result (eps = 0: decided).
 * Without this, half of these 2^24 inputs would each cost an oracle call.
 */
function tiny(x: number): RefResult {
  if (x === 0) return set(x, 0);
  return set(0.5 * x + Math.abs(x) * TWO_M40, 0);
}

function set(y: number, eps: number): RefResult {
  out.y = y;
  out.eps = eps;
  return out;
}

/**
 * The float32 that every real within [y(1 − eps), y(1 + eps)] rounds to, or NaN when the interval
 * straddles a rounding boundary (then the caller asks the oracle). Sound because the exact gelu
 * of a nonzero float is transcendental and never lies exactly on a midpoint; the two products
 * below are widened by 2u to cover their own rounding.
 */
export function decideF32(y: number, eps: number): number {
  const f = Math.fround(y);
  if (eps === 0 || y !== y) return f;
  const w = (eps + 2 * U) * Math.abs(y);
  return Math.fround(y - w) === f && Math.fround(y + w) === f ? f : NaN;
}

/** Bounds the products of roundings (≤ 4u²) that the first-order sum in decideGegluF32 leaves out. */
const PRODUCT_MARGIN = 1 + 2 ** -20;

/**
 * gelu(g)·u correctly rounded to float32 for float32 g and u, from this file's bounded gelu
 * reference times u in f64, or NaN when that does not decide (then the caller asks the oracle's
 * correctlyRoundedGeglu). With y_c = y(1 + d1), |d1| ≤ eps, and p = fl(y·u) = y·u(1 + d2),
 * |d2| ≤ u for a normal f64 p: y_c·u = p(1 + d1)/(1 + d2), within (eps + u)(1 + 2u) of p relatively.
 * Sound as decideF32 is: for finite nonzero g and u, gelu(g)·u is transcendental, never a midpoint.
 * Zeros, infinities, NaN, a reference of 0 and a product below 2^-1000 (where f64 loses its
 * relative bound) are left to the oracle.
 */
export function decideGegluF32(tanh: boolean, g: number, u: number): number {
  if (g === 0 || u === 0 || !Number.isFinite(g) || !Number.isFinite(u)) return NaN;
  const r = tanh ? refGeluTanh(g) : refGelu(g);
  if (r.y === 0 || !Number.isFinite(r.y) || r.eps !== r.eps) return NaN;
  const p = r.y * u;
  if (!(Math.abs(p) >= 2 ** -1000)) return NaN;
  return decideF32(p, (r.eps + U) * PRODUCT_MARGIN);
}
