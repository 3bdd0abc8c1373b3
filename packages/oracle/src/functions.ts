// The function kernels: each returns an approximation v of f(x) at working precision w
// together with a rigorous bound on its error,
//
//     |f(x) − v| ≤ 1.01·c·u·|v| + abs,     u = ½·10^(1−w)      (see context.ts),
//
// where c counts rounding errors (a plain number) and abs (optional) bounds a quantity
// too small for decimal.js to hold (below 10^(−8.99·10^15)). Inputs x are exact Decimals
// (a float's exact binary value, or a decimal given by the caller).
//
// Sources for the mathematics:
//   [DLMF]  NIST Digital Library of Mathematical Functions, https://dlmf.nist.gov
//           7.6.2 (erf's all-positive Maclaurin series), 7.9.2 (erfc continued fraction),
//           7.2.2 (erfc), 7.17/7.18 (normal distribution via erfc).
//   [Higham] N. J. Higham, Accuracy and Stability of Numerical Algorithms, 2nd ed.,
//           §3.1 (γ_k), eq. (5.3) (Horner's rule error: a_k picks up θ_{2k+1}).
//   [JT]    W. B. Jones, W. J. Thron, Continued Fractions (1980), Thm 4.35 (convergents
//           of a continued fraction with positive elements interlace around its value).
import type { Decimal } from 'decimal.js';
import { GegluError } from '@geglu/float';
import { X } from './decimal.js';
import { context, CONTEXT_LIMIT, exactTimes, type Context } from './context.js';

/** |f(x) − v| ≤ 1.01·c·u·|v| + (abs ?? 0). */
export interface Approx {
  v: Decimal;
  c: number;
  abs?: Decimal;
}

/**
 * Arguments beyond which results leave decimal.js's exponent range: e^(−Y_MAX) =
 * 10^(−8.99·10^15) is still representable (minE = −9·10^15), so every e^(−y) with
 * y ≤ Y_MAX is computed, and beyond it the neglected quantity is < TINY.
 */
export const Y_MAX = 2.07e16; // < 8.99e15 · ln 10 = 2.0700…e16
/** An upper bound for every quantity neglected beyond Y_MAX: e^(−Y_MAX) < 10^(−8.98·10^15). */
export const TINY = new X('1e-8980000000000000');

/** |x| beyond which e^(−x²/2) < TINY (x²/2 > 2.0699·10^16); below it e^(−x²/2) is representable. */
const X_PHI_MAX = new X('2.0347e8');
/** |x| beyond which e^(−x²) < TINY (x² > 2.0698·10^16). */
const X_ERF_MAX = new X('1.4387e8');

/** log10(e) in double precision, only used to choose term counts (never in a bound). */
const LOG10E = Math.LOG10E;

/**
 * Per-context caches of series coefficients, each within (1 + 10^-3)·u relative of the
 * exact value (horner() inflates its bound by 1 % for that).
 */
const invFactorials = new WeakMap<Context, Decimal[]>();
const invOddDoubleFactorials = new WeakMap<Context, Decimal[]>();

/** 1/n! rounded to w digits, for n = 0..N−1. */
function invFact(ctx: Context, N: number): Decimal[] {
  let a = invFactorials.get(ctx);
  if (a === undefined) {
    a = [ctx.one];
    invFactorials.set(ctx, a);
  }
  if (a.length < N) {
    // b_n = b_(n−1)/n at w + 12 digits (relative error ≤ n·10^-12·u after n divisions),
    // then rounded to w: ≤ (1 + 10^-3)u for n ≤ 10^9 (one division by a small integer
    // each, instead of 1/n! with an n!-sized divisor).
    const H = context(Math.min(ctx.w + 12, CONTEXT_LIMIT)).D;
    let b = new H(a[a.length - 1]!);
    if (a.length > 1) b = new H(1).div(factorialString(a.length - 1));
    for (let n = a.length; n < N; n++) {
      b = b.div(n);
      a.push(new ctx.D(b).toSignificantDigits(ctx.w));
    }
  }
  return a;
}

function factorialString(n: number): string {
  let f = 1n;
  for (let i = 2; i <= n; i++) f *= BigInt(i);
  return f.toString();
}

function oddFactorialString(n: number): string {
  let f = 1n;
  for (let i = 1; i <= n; i++) f *= BigInt(2 * i + 1);
  return f.toString();
}

/** 1/(2n+1)!! = 1/(1·3·5···(2n+1)) rounded to w digits, for n = 0..N−1. */
function invOddFact(ctx: Context, N: number): Decimal[] {
  let a = invOddDoubleFactorials.get(ctx);
  if (a === undefined) {
    a = [ctx.one];
    invOddDoubleFactorials.set(ctx, a);
  }
  if (a.length < N) {
    // As in invFact: successive divisions by 2n + 1 at w + 12 digits, then rounded to w.
    const H = context(Math.min(ctx.w + 12, CONTEXT_LIMIT)).D;
    let b = a.length > 1 ? new H(1).div(oddFactorialString(a.length - 1)) : new H(1);
    for (let n = a.length; n < N; n++) {
      b = b.div(2 * n + 1);
      a.push(new ctx.D(b).toSignificantDigits(ctx.w));
    }
  }
  return a;
}

/** log10|x| of a non-zero finite Decimal, to about 15 digits (for choosing term counts only). */
function log10Abs(x: Decimal): number {
  const d = (x as unknown as { d: number[] }).d;
  // decimal.js stores digits in base 1e7 words; x = 0.d0 d1 … · 10^(e+1) adjusted.
  const lead = d[0]! + (d.length > 1 ? d[1]! / 1e7 : 0) + (d.length > 2 ? d[2]! / 1e14 : 0);
  const leadDigits = String(d[0]!).length;
  return x.e - (leadDigits - 1) + Math.log10(lead);
}

/** A double that is ≥ |x| (for bounds on magnitudes that must not be underestimated). */
function absUpper(x: Decimal): number {
  return Math.abs(x.toNumber()) * (1 + 1e-12) + 1e-300;
}

/**
 * Horner's rule for Σ_{k<N} a_k z^k at the coefficients' precision w, with coefficients
 * rounded (relative error ≤ u each) and z exact. Error bound ([Higham] eq. 5.3 plus the
 * coefficient rounding): |p̂ − p| ≤ 1.001·u·Σ_k (2k+2)·|a_k|·ρ^k with ρ ≥ |z|; returned as
 * `errSum` = Σ (2k+2)·|a_k|·ρ^k in doubles, and its log10 `logErrSum` (callers divide by
 * a lower bound of |p|); logCoeff(k) = log10|a_k|. The terms are summed in log space
 * relative to the largest, so nothing overflows; terms 10^-300 below the largest are
 * dropped, which changes the sum by less than N·10^-300 relative (inside the 1 %).
 */
function horner(coeffs: Decimal[], N: number, z: Decimal, logCoeff: (k: number) => number, rho: number) {
  let p = coeffs[N - 1]!;
  for (let k = N - 2; k >= 0; k--) p = p.times(z).plus(coeffs[k]!);
  // Σ (2k+2)|a_k|ρ^k, scaled by 10^-top (the largest log10 term) so that neither
  // overflow nor underflow can occur; errSum = sum·10^top, logErrSum its log10.
  const lr = rho > 0 ? Math.log10(rho) : -Infinity;
  const logs: number[] = [];
  let top = -Infinity;
  for (let k = 0; k < N; k++) {
    const lt = logCoeff(k) + (k === 0 ? 0 : k * lr);
    logs.push(lt);
    if (lt > top) top = lt;
  }
  let sum = 0;
  for (let k = 0; k < N; k++) {
    if (logs[k]! - top < -300) continue;
    sum += (2 * k + 2) * 10 ** (logs[k]! - top);
  }
  // 1.01: coefficients are within (1 + 10^-3)u, not u, and the doubles above round.
  const logErrSum = Math.log10(sum * 1.01) + top;
  return { p, errSum: 10 ** logErrSum, logErrSum };
}

const logFactCache: number[] = [0];
/** log10(n!) in doubles. */
function log10Fact(n: number): number {
  for (let i = logFactCache.length; i <= n; i++) logFactCache.push(logFactCache[i - 1]! + Math.log10(i));
  return logFactCache[n]!;
}
const logOddFactCache: number[] = [0];
/** log10((2n+1)!!) in doubles. */
function log10OddFact(n: number): number {
  for (let i = logOddFactCache.length; i <= n; i++) logOddFactCache.push(logOddFactCache[i - 1]! + Math.log10(2 * i + 1));
  return logOddFactCache[n]!;
}

/** Halvings 2^-EXP_HALVINGS applied to the reduced exp argument before the Taylor series. */
const EXP_HALVINGS = 4;

/**
 * e^y for an exact Decimal y with |y| ≤ Y_MAX.
 *
 * ## Method
 * 1. Reduce: k = round(y / ln 10), r = y − k·ln10, computed at wr = w + digits(k) + 3
 *    digits (capped at CONTEXT_LIMIT) with ln 10 from the generated constant.
 *    Absolute error of r: ≤ 1.01·u_r·|k|·ln10 (constant) + u_r·|k ln10| (product) +
 *    u_r·|r| (difference), u_r = 10^(w−wr)·u: normally < 0.01u, and computed as such.
 * 2. Halve: s = r / 2^4 (one rounding, relative u), so |s| ≤ ρ ≈ 0.073 (|r| ≤ 1.16 when
 *    k is exact; the bounds below use the actual ρ = |s|).
 * 3. Taylor: P = Σ_{k<N} s^k/k! by Horner with coefficients 1/k! rounded to w digits;
 *    N is the least with ρ^N/N!·1/(1 − ρ/(N+1)) ≤ 0.01·u·e^(−ρ) (truncation ≤ 0.01u
 *    relative). Rounding error (Horner above) relative to P ≥ e^(−ρ): errSum·e^ρ.
 *    An absolute error δ in s multiplies e^s by e^δ, relative error ≤ 1.01|δ|.
 * 4. Square 4 times: (1 + c·u)²(1 + u) − 1 ≤ (2.001c + 1.001)u while c·u ≤ 10^-3.
 * 5. Multiply by 10^k (exact: only the exponent changes).
 *
 * ## Notes
 * decimal.js's own exp chooses its guard digits empirically ("empirically derived" in
 * its source), so it is not used where a proven bound is needed.
 */
export function expApprox(ctx: Context, y: Decimal): Approx {
  const D = ctx.D;
  if (y.isZero()) return { v: ctx.one, c: 0 };
  const yn = y.toNumber();
  const k = Math.round(yn / Math.LN10);
  let r: Decimal;
  let rAbsErrU = 0; // absolute error of r in units of u
  if (k === 0) {
    r = new D(y);
  } else {
    const wr = Math.min(ctx.w + Math.ceil(Math.log10(Math.abs(k) + 1)) + 3, CONTEXT_LIMIT);
    const R = context(wr);
    r = new R.D(y).minus(R.ln10.times(k));
    // |Δr| ≤ u_r·(|k|·ln10·(1.01 + 1) + |r|), u_r = 10^(w−wr)·u; |r| < 3 however k was rounded.
    rAbsErrU = 10 ** (ctx.w - wr) * (Math.abs(k) * 2.3026 * 2.01 + absUpper(r)) * 1.001;
  }
  const s = new D(r).div(1 << EXP_HALVINGS);
  const rho = absUpper(s);
  const sAbsErrU = ((rAbsErrU + absUpper(r)) / (1 << EXP_HALVINGS)) * 1.001;
  // Term count from the truncation bound ρ^N/N! ≤ 0.01·u·e^(−ρ)·(1 − ρ/(N+1)).
  const logTarget = Math.log10(0.5) + (1 - ctx.w) - 2 - rho * LOG10E;
  const lr = rho > 0 ? Math.log10(rho) : -Infinity;
  let N = 2;
  while (N * lr - log10Fact(N) - Math.log10(1 - rho / (N + 1)) > logTarget) {
    if (++N > 100_000) throw new Error(`exp: no term count for ρ = ${rho}`);
  }
  const coeffs = invFact(ctx, N);
  const { p, errSum } = horner(coeffs, N, s, (j) => -log10Fact(j), rho);
  let c = errSum * Math.exp(rho) + 0.01 + 1.01 * sAbsErrU;
  let v = p;
  for (let i = 0; i < EXP_HALVINGS; i++) {
    v = v.times(v);
    c = 2.001 * c + 1.001;
  }
  if (k !== 0) v = v.times(new D(`1e${k}`));
  return { v, c };
}

/**
 * e^z − 1 for an exact Decimal z with |z| ≤ 0.75.
 *
 * ## Method
 * z·Σ_{k<N} z^k/(k+1)! by Horner (coefficients 1/(k+1)! rounded), N the least with
 * ρ^N/(N+1)!·1/(1 − ρ/(N+2)) ≤ 0.01·u·q, where q = (1 − e^(−ρ))/ρ ≤ Σ z^k/(k+1)! is a lower
 * bound of the sum for either sign of z (the sum is (e^z − 1)/z, decreasing in −z).
 * Relative error ≤ (errSum/q + 0.01 + 1)·u (the last u for the product with z).
 */
export function expm1Approx(ctx: Context, z: Decimal): Approx {
  const D = ctx.D;
  if (z.isZero()) return { v: ctx.zero, c: 0 };
  const rho = absUpper(z);
  const q = -Math.expm1(-rho) / rho / 1.0001; // expm1 keeps q ≈ 1 for tiny ρ
  const logTarget = Math.log10(0.5) + (1 - ctx.w) - 2 + Math.log10(q);
  const lr = Math.log10(rho);
  let N = 2;
  while (N * lr - log10Fact(N + 1) - Math.log10(1 - rho / (N + 2)) > logTarget) {
    if (++N > 100_000) throw new Error(`expm1: no term count for ρ = ${rho}`);
  }
  const all = invFact(ctx, N + 1);
  const coeffs = all.slice(1, N + 1);
  const { p, errSum } = horner(coeffs, N, new D(z), (j) => -log10Fact(j + 1), rho);
  return { v: p.times(z), c: errSum / q + 0.01 + 1 };
}

/**
 * The all-positive series S(x) = Σ_{n≥0} y^n / (2n+1)!! (so that, with y = x²,
 * ½·erf(x/√2) = φ(x)·x·S and with y = 2x², erf(x) = (2/√π)·e^(−x²)·x·S; [DLMF] 7.6.2).
 *
 * ## Method
 * Horner in y with coefficients 1/(2n+1)!! rounded to w digits. N is the least with
 * b_N·y^N·1/(1 − y/(2N+3)) ≤ 0.01·u (the ratio of consecutive terms y/(2n+3) decreases,
 * so the tail is below a geometric series), and S ≥ 1 makes that a relative bound;
 * the rounding bound is divided by S itself (up to e^(y/2) for large y).
 * y may carry a relative error ≤ yRelU·u: a term with y^n changes by ≤ n·yRelU·u·1.001
 * relative, so the error sum gets (2k+2 + k·yRelU) per term. No term is negative, so
 * nothing cancels at any x.
 */
function oddSeries(ctx: Context, y: Decimal, yRelU: number): Approx {
  const rho = absUpper(y);
  const lr = rho > 0 ? Math.log10(rho) : -Infinity;
  const logTarget = Math.log10(0.5) + (1 - ctx.w) - 2;
  let N = 2;
  while (N * lr - log10OddFact(N) - Math.log10(Math.max(1e-300, 1 - rho / (2 * N + 3))) > logTarget || rho / (2 * N + 3) > 0.5)
    if (++N > 100_000) throw new Error(`series: no term count for y = ${rho}`);
  const coeffs = invOddFact(ctx, N);
  const { p, logErrSum } = horner(coeffs, N, new ctx.D(y), (j) => -log10OddFact(j), rho);
  // Relative error errSum·u/S: S ≥ p̂ − errSum·u ≥ p̂·(1 − 10^-3) because errSum ≤
  // (2N+2)·S and (2N+2)·u ≪ 10^-3, and S can be as large as e^(y/2), so the ratio is
  // formed in log space. Add the y-error contribution Σ k·yRelU·b_k ρ^k ≤ yRelU·errSum/2.
  const rel = 10 ** (logErrSum - log10Abs(p)) / (1 - 1e-3);
  return { v: p, c: rel * (1 + yRelU / 2) + 0.01 };
}

/**
 * The positive continued fraction F(t) = 1/(t + a_2/(t + a_3/(t + …))), a_n = (n−1)·h,
 * for t > 0: h = 1 gives the Mills ratio (1 − Φ(t))/φ(t) (Laplace; equivalently [DLMF] 7.9.2
 * with z = t/√2), h = ½ gives √π·e^(t²)·erfc(t) ([DLMF] 7.9.2).
 *
 * ## Method
 * Forward recurrence A_n = t·A_{n−1} + a_n·A_{n−2}, B_n likewise (A_0 = 0, A_1 = 1,
 * B_0 = 1, B_1 = t); f_n = A_n/B_n. All elements are positive, so the convergents
 * interlace around F ([JT] Thm 4.35): F lies between f_{n−1} and f_n, hence
 * |F − f_n| ≤ |f_n − f_{n−1}|. Every A_n, B_n is a sum of positive products, so each
 * carries relative error ≤ 2(n−1)u, and f̂_n ≤ (4n−3)u; the bound is
 * |F − f̂_n| ≤ |f̂_n − f̂_{n−1}|·1.01 + 3.03·(4n)·u·f̂_n (f̂_{n−1} ≤ 1.01 f̂_n at stopping).
 * Stops when |f̂_n − f̂_{n−1}| ≤ u·f̂_n/4, checked every 4 steps.
 */
function positiveCF(ctx: Context, t: Decimal, h: Decimal): Approx & { terms: number } {
  const D = ctx.D;
  // t rounded to w digits (relative error ≤ u): both fractions have |d ln F/d ln t| < 1
  // (for h = 1: t·F'/F = t² − t/F ∈ (−1, 0) because t/(1+t²) < F < 1/t; for h = ½ the same
  // with 2t² − 2t/F and 1/(t + 1/(2t)) < F < 1/t), so this adds ≤ 1.0001u to the error,
  // and every product below costs w digits instead of the ~50 of an exact float.
  const tt = new D(t).toSignificantDigits(ctx.w);
  let A2 = ctx.zero; // A_{n-2}
  let A1 = ctx.one; // A_{n-1}
  let B2 = ctx.one;
  let B1 = tt;
  const quarterU = ctx.u.div(4);
  for (let n = 2; n < 1_000_000; n++) {
    const a = h.times(n - 1);
    const A = tt.times(A1).plus(a.times(A2));
    const B = tt.times(B1).plus(a.times(B2));
    A2 = A1;
    A1 = A;
    B2 = B1;
    B1 = B;
    if (n % 4 === 0) {
      const f = A.div(B);
      const fPrev = A2.div(B2);
      const diff = f.minus(fPrev).abs();
      if (diff.lte(f.times(quarterU))) {
        const c = diff.div(f.times(ctx.u)).toNumber() * 1.01 + 3.03 * 4 * n + 1.0001;
        return { v: f, c, terms: n };
      }
    }
  }
  throw new Error(`continued fraction did not converge at t = ${t.toString()}`);
}

const asymptoticCoefficients = new WeakMap<Context, Decimal[]>();
/** (−1)^m·(2m−1)!! rounded to w digits, m = 0..N−1. */
function altOddFact(ctx: Context, N: number): Decimal[] {
  let a = asymptoticCoefficients.get(ctx);
  if (a === undefined) {
    a = [ctx.one];
    asymptoticCoefficients.set(ctx, a);
  }
  if (a.length < N) {
    let f = 1n;
    for (let m = 1; m < a.length; m++) f *= BigInt(2 * m - 1);
    for (let m = a.length; m < N; m++) {
      f *= BigInt(2 * m - 1);
      a.push(new ctx.D((m % 2 === 1 ? -f : f).toString()).toSignificantDigits(ctx.w));
    }
  }
  return a;
}

/**
 * The asymptotic sum S = Σ_{m<N} (−1)^m (2m−1)!!/q^m for q = 2z² ≥ 100, where
 * erfc(z) = e^(−z²)/(√π z)·(S + R_N) ([DLMF] 7.12.1; with q = t² it is the Mills ratio
 * (1 − Φ(t))/φ(t) = (S + R_N)/t). For real z > 0 the remainder R_N is bounded in
 * magnitude by the first neglected term ([DLMF] §7.12(i)), so N is the least m with
 * (2m−1)!!/q^m ≤ 0.009·u, provided the terms still decrease there; otherwise (the
 * expansion cannot reach w digits at this q) undefined is returned and the caller uses
 * the continued fraction. The true sum lies in [1 − 1/q, 1] ⊂ [0.99, 1], which turns the
 * Horner bound and the truncation into relative bounds. q carries relative error
 * ≤ qRelU·u; 1/q adds one rounding.
 */
function asymptoticSum(ctx: Context, q: Decimal, qRelU: number): Approx | undefined {
  const z = 1 / q.toNumber();
  if (!(z <= 0.01)) return undefined;
  const logTarget = Math.log10(0.009 * 0.5) + 1 - ctx.w;
  let lt = 0;
  let N = 0;
  while (lt > logTarget) {
    const ratio = (2 * N + 1) * z;
    if (ratio >= 0.9) return undefined;
    lt += Math.log10(ratio);
    N++;
  }
  N = Math.max(N, 1);
  const coeffs = altOddFact(ctx, N);
  const zz = ctx.one.div(new ctx.D(q));
  const zRelU = qRelU + 1;
  const { p, errSum } = horner(coeffs, N, zz, (k) => (k === 0 ? 0 : log10OddFact(k - 1)), z * (1 + 1e-9) * (1 + 1e-3));
  const lower = 1 - 1.001 * z;
  return { v: p, c: (errSum * (1 + zRelU / 2)) / lower + 0.01 / lower };
}

/**
 * Runs a kernel at w + extra digits and expresses its error in units of the caller's u
 * (c·10^(−extra)): used where a subtraction is known to cancel about `extra` digits.
 */
function withExtraDigits(ctx: Context, extra: number, kernel: (c: Context) => Approx): Approx {
  if (extra <= 0) return kernel(ctx);
  const wide = context(Math.min(ctx.w + extra, CONTEXT_LIMIT - 20));
  const a = kernel(wide);
  return { v: a.v, c: a.c * 10 ** (ctx.w - wide.w), ...(a.abs === undefined ? {} : { abs: a.abs }) };
}

/**
 * Decimal digits lost in 1 − erf(z) (0 ≤ z): log10(1/erfc z) bounded with
 * erfc z > 2e^(−z²)/(√π(z + √(z² + 2))) (A&S 7.1.13), plus one.
 */
function erfcCancellationDigits(z: number): number {
  return Math.max(0, Math.ceil(z * z * Math.LOG10E + Math.log10((Math.sqrt(Math.PI) * (z + Math.sqrt(z * z + 2))) / 2))) + 1;
}

/**
 * Algorithm choice beyond the fixed series limits. The continued fraction needs about
 * 3·(w·ln 10)²/(8t²) terms at w digits (fitted to measured counts: 60 at t = 5, 36 at
 * t = 8, w = 28), so at high precision it loses to the series even with the digits that
 * the series' cancellation costs; the asymptotic expansion wins whenever it can reach
 * w digits at all. The costs are work estimates (terms × operations × digits^1.6); they
 * only pick a method, every method carries its own bound.
 */
function seriesCost(y: number, w: number): number {
  const lr = Math.log10(y);
  let N = 1;
  while (N * lr - log10OddFact(N) > -w || y / (2 * N + 3) > 0.5) N++;
  return 2 * N * w ** 1.6;
}
function continuedFractionCost(t: number, w: number): number {
  const n = (3 * (w * Math.LN10) ** 2) / (8 * t * t) + 10;
  return 6.5 * n * w ** 1.6;
}
/** True when the asymptotic expansion at q = 2z² reaches w digits (same test as asymptoticSum). */
function asymptoticReaches(q: number, w: number): boolean {
  const z = 1 / q;
  if (!(z <= 0.01)) return false;
  const logTarget = Math.log10(0.009 * 0.5) + 1 - w;
  let lt = 0;
  for (let N = 0; lt > logTarget; N++) {
    const ratio = (2 * N + 1) * z;
    if (ratio >= 0.9) return false;
    lt += Math.log10(ratio);
  }
  return true;
}
/** Whether Φ at |x| = t ≥ PHI_SERIES_LIMIT (or erf/erfc at |x| = t/√2) is cheaper by the series, with `extra` cancelled digits. */
function seriesPreferred(t: number, w: number, extra: number): boolean {
  if (t >= PHI_ASYMPTOTIC_FROM && asymptoticReaches(t * t, w)) return false;
  if (w + extra > CONTEXT_LIMIT - 40) return false;
  return seriesCost(t * t, w + extra) < continuedFractionCost(t, w);
}

/** Boundary between the series and the continued fraction for Φ (in x) and erf (in x). */
export const PHI_SERIES_LIMIT = 5;
export const ERF_SERIES_LIMIT = 3.5;
/** From here on the asymptotic expansion is tried first (Mills ratio in t, erfc in x). */
const PHI_ASYMPTOTIC_FROM = 10;
const ERF_ASYMPTOTIC_FROM = 7.1;

/**
 * y = x² rounded at wy = w + 3 + ⌈log10 max(1, x²)⌉ digits, so its relative error is
 * ≤ u_y = 10^(w−wy)·u ≤ 10^-3·u/max(1, x²). Returned in units of u: yRelU (relative
 * error of y) and argErrHalf/argErrFull, the relative error that y's rounding causes in
 * e^(−y/2) and e^(−y) (an absolute argument error δ changes e^z by ≤ 1.01|δ| relative).
 * y/2 has at most one digit more than y, so it is computed exactly at wy + 1 digits.
 */
function squareOf(ctx: Context, x: Decimal): { y: Decimal; half: Decimal; yRelU: number; argErrHalf: number; argErrFull: number } {
  const mag = Math.max(0, Math.ceil(2 * log10Abs(x) + 1));
  const wy = Math.min(ctx.w + 3 + mag, CONTEXT_LIMIT - 1);
  const xx = new (context(wy).D)(x);
  const y = xx.times(xx);
  const yRelU = 10 ** (ctx.w - wy) * 1.0001;
  const yUp = absUpper(y);
  return {
    y,
    half: new (context(wy + 1).D)(y).div(2),
    yRelU,
    argErrHalf: 1.01 * (yUp / 2) * yRelU,
    argErrFull: 1.01 * yUp * yRelU,
  };
}

/**
 * Upper tail Q(t) = 1 − Φ(t) = φ(t)·F(t) for t > 0, with φ(t) = e^(−t²/2)/√(2π) and F the
 * Mills-ratio continued fraction (h = 1). Relative error: exp + constant (1.01) +
 * two products + the continued fraction + the x² rounding (0.0005·1.01).
 */
function upperTail(ctx: Context, t: Decimal): Approx {
  const { y, half, yRelU, argErrHalf } = squareOf(ctx, t);
  const e = expApprox(ctx, half.neg());
  const argErr = argErrHalf;
  const S = t.gte(PHI_ASYMPTOTIC_FROM) ? asymptoticSum(ctx, y, yRelU) : undefined;
  // F = S/t: one correctly rounded division by the exact t.
  const F = S !== undefined ? { v: S.v.div(new ctx.D(t)), c: S.c + 1 } : positiveCF(ctx, t, ctx.one);
  return { v: e.v.times(ctx.invSqrt2Pi).times(F.v), c: e.c + argErr + 1.01 + 2 + F.c };
}

/**
 * Φ(x), the standard normal distribution function, x exact.
 *
 * ## Method
 * - |x| > 2.0347·10^8: Φ is 0 or 1 within TINY (e^(−x²/2) below decimal.js's range).
 * - |x| < 5, or beyond where cheaper (high precision): ½ ± φ(x)|x|S(x²), the all-positive
 *   series; relative error (Horner/S + e^(−x²/2) + constant + 3 products)·u, and for x < 0
 *   the ½ − … cancellation is paid with log10(1/erfc(|x|/√2)) extra digits.
 * - otherwise, t = |x|: Q(t) = φ(t)·F(t) with F the Mills ratio by the asymptotic expansion
 *   (t ≥ 10 and it reaches w digits; remainder ≤ first neglected term) or the continued
 *   fraction (convergents enclose F); Φ = Q for x < 0 and 1 − Q (no cancellation) for x > 0.
 *
 * ## Special Cases
 * Φ(±0) = ½ exactly (c = 0).
 */
export function phiApprox(ctx: Context, x: Decimal): Approx {
  if (x.isZero()) return { v: ctx.half, c: 0 };
  if (x.abs().gt(X_PHI_MAX)) {
    // x²/2 > 2.06999·10^16 ≥ 8.9898·10^15·ln 10: 1 − Φ(|x|) < φ(x) < e^(−x²/2) < TINY.
    return x.isNeg() ? { v: ctx.zero, c: 0, abs: TINY } : { v: ctx.one, c: 0, abs: TINY };
  }
  const ax = x.abs();
  const t = ax.toNumber();
  // ½ − φ(x)|x|S cancels log10(½/Φ(x)) = log10(1/erfc(|x|/√2)) digits for x < 0: add them.
  const extra = x.isNeg() ? erfcCancellationDigits(t / Math.SQRT2) : 0;
  if (ax.lt(PHI_SERIES_LIMIT) || seriesPreferred(t, ctx.w, extra)) {
    if (x.isNeg()) return withExtraDigits(ctx, extra, (wide) => phiSeries(wide, x, ax));
    return phiSeries(ctx, x, ax);
  }
  const Q = upperTail(ctx, ax);
  if (x.isNeg()) return Q;
  // 1 − Q with Q ≤ 2.9·10^-7: absolute cQ·u·Q, relative ≤ cQ·Q/(1−Q) + 1.
  const v = ctx.one.minus(Q.v);
  return { v, c: (Q.c * absUpper(Q.v)) / (1 - 2e-3) + 1 };
}

/** Φ(x) = ½ + sign(x)·φ(x)·|x|·S(x²) ([DLMF] 7.6.2 with z = x/√2); no cancellation for x > 0. */
function phiSeries(ctx: Context, x: Decimal, ax: Decimal): Approx {
  {
    const { y, half, yRelU, argErrHalf } = squareOf(ctx, ax);
    const e = expApprox(ctx, half.neg());
    const argErr = argErrHalf;
    const S = oddSeries(ctx, y, yRelU);
    const A = e.v.times(ctx.invSqrt2Pi).times(S.v).times(ax);
    const cA = e.c + argErr + 1.01 + S.c + 3;
    if (!x.isNeg()) {
      // Both terms positive: relative error ≤ max(cA, 0) + u for the sum.
      return { v: ctx.half.plus(A), c: cA + 1 };
    }
    const v = ctx.half.minus(A);
    // Cancellation: the absolute error cA·u·A becomes relative cA·A/v.
    return { v, c: (cA * absUpper(A)) / (absUpper(v) * (1 - 1e-12)) + 1 };
  }
}

/** erfc(|x|) for |x| ≥ ERF_SERIES_LIMIT: e^(−x²)/√π · F(|x|) with h = ½. */
function erfcTail(ctx: Context, ax: Decimal): Approx {
  const { y, yRelU, argErrFull } = squareOf(ctx, ax);
  const e = expApprox(ctx, y.neg());
  const argErr = argErrFull;
  // q = 2x² rounded once more: relative error ≤ u + yRelU·u.
  const S = ax.gte(ERF_ASYMPTOTIC_FROM) ? asymptoticSum(ctx, new ctx.D(y).times(2), yRelU + 1) : undefined;
  const F = S !== undefined ? { v: S.v.div(new ctx.D(ax)), c: S.c + 1 } : positiveCF(ctx, ax, ctx.half);
  return { v: e.v.times(ctx.invSqrtPi).times(F.v), c: e.c + argErr + 1.01 + 2 + F.c };
}

/** erf(|x|) for |x| < ERF_SERIES_LIMIT: (2/√π)·e^(−x²)·|x|·S(2x²). */
function erfSeries(ctx: Context, ax: Decimal): Approx {
  const { y, yRelU, argErrFull } = squareOf(ctx, ax);
  const e = expApprox(ctx, y.neg());
  const argErr = argErrFull;
  const S = oddSeries(ctx, new ctx.D(y).times(2), yRelU + 1);
  return { v: e.v.times(ctx.twoOverSqrtPi).times(S.v).times(ax), c: e.c + argErr + 1.01 + S.c + 3 };
}

/**
 * erf(x), x exact (odd: computed at |x|, sign restored exactly).
 *
 * ## Method
 * - |x| > 1.4387·10^8: ±1 within TINY.
 * - |x| < 3.5, or beyond where cheaper: (2/√π)·e^(−x²)·|x|·S(2x²), all terms positive.
 * - otherwise 1 − erfc(|x|) with erfc(|x|) ≤ 7.5·10^-7 from erfcTail: no cancellation.
 *
 * ## Special Cases
 * erf(±0) = ±0.
 */
export function erfApprox(ctx: Context, x: Decimal): Approx {
  if (x.isZero()) return { v: new ctx.D(x), c: 0 };
  const neg = x.isNeg();
  const ax = x.abs();
  const sign = (a: Approx): Approx => (neg ? { ...a, v: a.v.neg() } : a);
  if (ax.gt(X_ERF_MAX)) return sign({ v: ctx.one, c: 0, abs: TINY }); // erfc(|x|) < e^(−x²) < TINY
  if (ax.lt(ERF_SERIES_LIMIT) || seriesPreferred(ax.toNumber() * Math.SQRT2, ctx.w, 0)) return sign(erfSeries(ctx, ax));
  const t = erfcTail(ctx, ax); // ≤ erfc(3.5) < 7.5·10^-7
  return sign({ v: ctx.one.minus(t.v), c: (t.c * absUpper(t.v)) / (1 - 2e-3) + 1 });
}

/**
 * erfc(x), x exact.
 *
 * ## Method
 * - |x| > 1.4387·10^8: 0 or 2 within TINY.
 * - x ≤ −3.5 region and x < 0 generally: 1 + erf(|x|) or 2 − erfc(|x|): sums of positives.
 * - 0 < x < 3.5, or beyond where cheaper: 1 − erf(x) at w + log10(1/erfc x) + 1 digits
 *   (A&S 7.1.13 bounds erfc from below), so the cancelled digits are paid for.
 * - otherwise e^(−x²)/√π·F(x): asymptotic expansion (x ≥ 7.1 when it reaches w digits)
 *   or the continued fraction with h = ½ (DLMF 7.9.2).
 *
 * ## Special Cases
 * erfc(±0) = 1.
 */
export function erfcApprox(ctx: Context, x: Decimal): Approx {
  if (x.isZero()) return { v: ctx.one, c: 0 };
  const ax = x.abs();
  if (ax.gt(X_ERF_MAX)) return x.isNeg() ? { v: ctx.two, c: 0, abs: TINY } : { v: ctx.zero, c: 0, abs: TINY };
  const extra = x.isNeg() ? 0 : erfcCancellationDigits(ax.toNumber());
  if (ax.lt(ERF_SERIES_LIMIT) || seriesPreferred(ax.toNumber() * Math.SQRT2, ctx.w, extra)) {
    if (x.isNeg()) {
      const s = erfSeries(ctx, ax);
      return { v: ctx.one.plus(s.v), c: s.c + 1 };
    }
    // 1 − erf(x) cancels log10(erf/erfc) < log10(1/erfc x) digits: computed with that many more.
    return withExtraDigits(ctx, extra, (wide) => {
      const s = erfSeries(wide, ax);
      const v = wide.one.minus(s.v);
      return { v, c: (s.c * absUpper(s.v)) / (absUpper(v) * (1 - 1e-12)) + 1 };
    });
  }
  const t = erfcTail(ctx, ax);
  if (!x.isNeg()) return t;
  return { v: ctx.two.minus(t.v), c: (t.c * absUpper(t.v)) / (2 - 1e-6) + 1 };
}

/** e^x for the public 'exp' function. */
export function expPublic(ctx: Context, x: Decimal): Approx {
  if (x.gt(Y_MAX)) {
    throw new GegluError(
      `evaluate: x is ${x.toSignificantDigits(17).toString()} for exp, expected at most ${Y_MAX} (decimal.js's exponent range)`,
    );
  }
  if (x.lt(-Y_MAX)) return { v: ctx.zero, c: 0, abs: TINY };
  return expApprox(ctx, x);
}

/**
 * σ(y) = 1/(1 + e^(−y)) for y given with a relative error ≤ yRelU·u' where u' = yU/u
 * scales it (argument computed at higher precision). d ln σ/dy = 1 − σ(y) ∈ (0, 1), so an
 * absolute argument error δ changes σ by a factor within e^(±|δ|): relative ≤ 1.01|δ|.
 */
function sigmoidApprox(ctx: Context, y: Decimal, argAbsErrU: number): Approx {
  if (y.isZero()) return { v: ctx.half, c: argAbsErrU * 1.01 };
  if (y.abs().gt(Y_MAX)) {
    return y.isNeg() ? { v: ctx.zero, c: 0, abs: TINY } : { v: ctx.one, c: 0, abs: TINY };
  }
  const argErr = 1.01 * argAbsErrU;
  if (!y.isNeg()) {
    const e = expApprox(ctx, y.neg());
    // 1/(1 + e): e's relative error enters 1 + e scaled by e/(1+e) < 1; then two roundings.
    return { v: ctx.one.div(ctx.one.plus(e.v)), c: e.c + 2 + argErr };
  }
  const e = expApprox(ctx, y);
  return { v: e.v.div(ctx.one.plus(e.v)), c: 2 * e.c + 2 + argErr };
}

export function sigmoidPublic(ctx: Context, x: Decimal): Approx {
  return sigmoidApprox(ctx, x, 0);
}

/**
 * tanh(x), x exact. |x| < 0.375: −E/(2 + E) with E = expm1(−2|x|) (no cancellation:
 * 2 + E > 1); otherwise (1 − e)/(1 + e) with e = e^(−2|x|) ≤ e^(−0.75) < 0.48, where 1 − e
 * amplifies e's error by e/(1 − e) < 0.91.
 */
export function tanhApprox(ctx: Context, x: Decimal): Approx {
  if (x.isZero()) return { v: new ctx.D(x), c: 0 };
  const neg = x.isNeg();
  const ax = x.abs();
  const sign = (a: Approx): Approx => (neg ? { ...a, v: a.v.neg() } : a);
  if (ax.gt(Y_MAX / 2)) return sign({ v: ctx.one, c: 0, abs: TINY.times(2) });
  const z = exactTimes(ax, -2);
  if (ax.lt(0.375)) {
    const E = expm1Approx(ctx, z);
    // E ∈ (−0.53, 0): 2 + E > 1.47, so E's relative error enters 2 + E scaled by < 0.37.
    const v = E.v.neg().div(ctx.two.plus(E.v));
    return sign({ v, c: 1.37 * E.c + 2 });
  }
  const e = expApprox(ctx, z);
  return sign({ v: ctx.one.minus(e.v).div(ctx.one.plus(e.v)), c: 0.91 * e.c + e.c + 3 });
}

/** gelu(x) = x·Φ(x). */
export function geluApprox(ctx: Context, x: Decimal): Approx {
  if (x.isZero()) return { v: new ctx.D(x), c: 0 };
  const p = phiApprox(ctx, x);
  if (p.abs !== undefined) {
    // |x| > 2·10^8: x·(1 − Φ(x)) and |x·Φ(x)| for x < 0 are both < φ(x) < TINY
    // (|x|·Q(|x|) < φ(x) since the Mills ratio is < 1/|x|).
    return x.isNeg() ? { v: new ctx.D(-0), c: 0, abs: TINY } : { v: new ctx.D(x).times(1), c: 1, abs: TINY };
  }
  return { v: p.v.times(x), c: p.c + 1 };
}

/** 0.044715, the exact decimal of PyTorch's gelu tanh approximation. */
const TANH_CUBIC = new X('0.044715');
/** 1.702, the exact decimal of the sigmoid approximation x·σ(1.702x). */
const SIGMOID_SLOPE = new X('1.702');

/**
 * gelu tanh: ½x(1 + tanh(u)) = x·σ(2u), u = √(2/π)·(x + 0.044715·x³).
 * The argument y = 2u is computed at w_a = w + 3 + ⌈log10 max(1,|y|)⌉ digits: x³ (2 roundings),
 * × 0.044715 (1), + x (same sign, 1), × 2√(2/π) (constant 1.01 + 1): relative ≤ 6.02·u_a,
 * so the absolute argument error is ≤ 6.02·|y|·u_a ≤ 0.00602·u.
 */
export function geluTanhApprox(ctx: Context, x: Decimal): Approx {
  if (x.isZero()) return { v: new ctx.D(x), c: 0 };
  const mag = Math.max(0, Math.ceil(3 * log10Abs(x) + 1));
  const wa = Math.min(ctx.w + 3 + mag, CONTEXT_LIMIT);
  const A = context(wa);
  const xa = new A.D(x);
  const s = xa.times(xa).times(xa).times(TANH_CUBIC).plus(xa);
  const y = s.times(A.twoSqrt2OverPi);
  const argAbsErrU = 6.02 * absUpper(y) * 10 ** (ctx.w - wa) * 1.001;
  return timesSigmoid(ctx, x, y, argAbsErrU);
}

/** gelu sigmoid: x·σ(1.702·x), with 1.702x exact. */
export function geluSigmoidApprox(ctx: Context, x: Decimal): Approx {
  if (x.isZero()) return { v: new ctx.D(x), c: 0 };
  const y = exactTimes(x, SIGMOID_SLOPE);
  return timesSigmoid(ctx, x, y, 0);
}

/** x·σ(y) for y of the sign of x with |y| ≥ 1.59|x| (both gelu approximations). */
function timesSigmoid(ctx: Context, x: Decimal, y: Decimal, argAbsErrU: number): Approx {
  if (y.abs().gt(Y_MAX + 1000)) {
    // |x|·e^(−|y|) ≤ |y|·e^(−|y|) < e^(−Y_MAX) < TINY, for the tail and for x − x·σ(y).
    return x.isNeg() ? { v: new ctx.D(-0), c: 0, abs: TINY } : { v: new ctx.D(x).times(1), c: 1, abs: TINY };
  }
  const s = sigmoidApprox(ctx, y, argAbsErrU);
  if (s.abs !== undefined) {
    return x.isNeg() ? { v: new ctx.D(-0), c: 0, abs: TINY } : { v: new ctx.D(x).times(1), c: 1, abs: TINY };
  }
  return { v: s.v.times(x), c: s.c + 1 };
}

/**
 * gelu′(x) = Φ(x) + x·φ(x), φ(x) = e^(−x²/2)/√(2π).
 *
 * ## Method
 * Φ from phiApprox (relative c_Φ), x·φ(x) from e^(−x²/2) (expApprox, the x² rounding as in
 * phiSeries), the constant (1.01) and two products: relative c_φ. The sum cancels near its root
 * x ≈ −0.7518 (and mildly in the negative tail, where Φ ≈ −x·φ/x²): its absolute error
 * c_Φ·u·|Φ| + c_φ·u·|xφ| is turned into a relative one at the computed sum, plus its own
 * rounding. A sum that cancels to 0 carries an infinite bound (absoluteError), so Ziv's loop in
 * evaluate/correctlyRounded retries with more digits until the cancellation is paid for.
 *
 * ## Special Cases
 * gelu′(±0) = ½ exactly. |x| > 2.0347·10^8: Φ is 0 or 1 within TINY and |x|·φ(x) < TINY too
 * (e^(−x²/2) < 10^(−8.99·10^15) and |x| < 10^9): the result is 1 or −0 within 2·TINY.
 */
export function geluGradApprox(ctx: Context, x: Decimal): Approx {
  if (x.isZero()) return { v: ctx.half, c: 0 };
  if (x.abs().gt(X_PHI_MAX)) {
    return x.isNeg() ? { v: new ctx.D(-0), c: 0, abs: TINY.times(2) } : { v: ctx.one, c: 0, abs: TINY.times(2) };
  }
  const p = phiApprox(ctx, x);
  const { half, argErrHalf } = squareOf(ctx, x.abs());
  const e = expApprox(ctx, half.neg());
  const xphi = e.v.times(ctx.invSqrt2Pi).times(x);
  const cPhi = e.c + argErrHalf + 1.01 + 2;
  return sumOfTwo(ctx, p, { v: xphi, c: cPhi });
}

/**
 * a + b with their bounds: absolute c_a·u·|a| + c_b·u·|b| (+ their abs parts), relative at the
 * computed sum, plus the sum's rounding. A computed 0 keeps c > 0 (unknown error: retried).
 */
function sumOfTwo(ctx: Context, a: Approx, b: Approx): Approx {
  const v = a.v.plus(b.v);
  const abs = a.abs !== undefined || b.abs !== undefined ? (a.abs ?? ctx.zero).plus(b.abs ?? ctx.zero) : undefined;
  if (v.isZero()) return { v, c: 1, ...(abs !== undefined ? { abs } : {}) };
  const absErrU = a.c * absUpper(a.v) + b.c * absUpper(b.v);
  const c = (absErrU / (absUpper(v) * (1 - 1e-12))) * 1.0001 + 1;
  return abs !== undefined ? { v, c, abs } : { v, c };
}

/**
 * gelu tanh′(x) = s + x·s·(1 − s)·c(x), with s = σ(2v), v = √(2/π)(x + 0.044715x³) and
 * c(x) = 2√(2/π)(1 + 3·0.044715x²) = d(2v)/dx.
 *
 * ## Method
 * 2v at w_a digits as in geluTanhApprox (its absolute error enters σ(±2v) with a factor ≤ 1.01);
 * s = σ(2v) and 1 − s = σ(−2v) each by sigmoidApprox (no 1 − s cancellation); c(x) at w_a
 * digits (x² and the product by 3·0.044715 and the sum: 3 roundings, the constant 1.01, one
 * product: ≤ 6.02·u_a, charged as 0.01u). x·s·(1 − s)·c: three products. The final sum
 * cancels near the root x ≈ −0.7525: handled by sumOfTwo as for gelu′.
 *
 * ## Special Cases
 * ±0 → ½. For |2v| beyond sigmoidApprox's range (|x| > 10^5), σ(2v) is 0 or 1 within TINY and
 * |x·s·(1 − s)·c| ≤ e^(−|2v|)·(1 + 3|2v|) < TINY: the result is 1 or −0 within 2·TINY.
 */
export function geluTanhGradApprox(ctx: Context, x: Decimal): Approx {
  if (x.isZero()) return { v: ctx.half, c: 0 };
  const mag = Math.max(0, Math.ceil(3 * log10Abs(x) + 1));
  const wa = Math.min(ctx.w + 3 + mag, CONTEXT_LIMIT);
  const A = context(wa);
  const xa = new A.D(x);
  const x2 = xa.times(xa);
  const y = x2.times(xa).times(TANH_CUBIC).plus(xa).times(A.twoSqrt2OverPi);
  if (y.abs().gt(Y_MAX)) {
    return x.isNeg() ? { v: new ctx.D(-0), c: 0, abs: TINY.times(2) } : { v: ctx.one, c: 0, abs: TINY.times(2) };
  }
  const argAbsErrU = 6.02 * absUpper(y) * 10 ** (ctx.w - wa) * 1.001;
  const s = sigmoidApprox(ctx, y, argAbsErrU);
  const m = sigmoidApprox(ctx, y.neg(), argAbsErrU);
  const slope = x2.times(TANH_CUBIC.times(3)).plus(1).times(A.twoSqrt2OverPi);
  const term = new ctx.D(x).times(s.v).times(m.v).times(slope);
  return sumOfTwo(ctx, s, { v: term, c: s.c + m.c + 3 + 0.01 });
}
