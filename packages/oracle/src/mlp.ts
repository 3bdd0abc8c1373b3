// GeGLU and the Gemma 2 MLP at any number of digits, with a rigorous error bound per
// output element (computed alongside, then checked against the requested digits).
import { Decimal } from 'decimal.js';
import { context, MAX_WORKING_DIGITS } from './context.js';
import { Wide, X } from './decimal.js';
import { describe, GegluError, roundToFormat } from '@geglu/float';
import { correctlyRoundedGeglu, evaluate, toExactDecimal, type Enclosure, type OracleFunction } from './evaluate.js';
import { exactInternal, formatInfo, roundDecimalWithInterval, type FloatFormat } from './float.js';

export interface GegluOptions {
  /** gelu variant applied to the gate: 'none' (exact, default), 'tanh' (Gemma 2) or 'sigmoid'. */
  approximate?: 'none' | 'tanh' | 'sigmoid';
  /** Significant digits of every output element (error ≤ one unit in the last digit). */
  digits: number;
  /** Added to gate[i] before gelu: one bias per feature, feature = i mod bias.length. */
  gateBias?: ArrayLike<number>;
  /** Added to up[i]: one bias per feature. */
  upBias?: ArrayLike<number>;
}

export interface Gemma2MlpWeights {
  /** [intermediate, hidden] row-major, as nn.Linear stores it. */
  gate: ArrayLike<number>;
  /** [intermediate, hidden] row-major. */
  up: ArrayLike<number>;
  /** [hidden, intermediate] row-major. */
  down: ArrayLike<number>;
  hidden: number;
  intermediate: number;
}

export interface MlpOptions {
  /** gelu variant, default 'tanh' (Gemma 2's gelu_pytorch_tanh). */
  approximate?: 'none' | 'tanh' | 'sigmoid';
  /** Significant digits of every output element (error ≤ one unit in the last digit). */
  digits: number;
}

/** Any array-like of numbers: plain arrays, typed arrays, other ArrayLike<number>. */
type NumArray = ArrayLike<number>;

function fnOf(approximate: unknown, where: string): OracleFunction {
  if (approximate === 'none') return 'gelu';
  if (approximate === 'tanh') return 'gelu-tanh';
  if (approximate === 'sigmoid') return 'gelu-sigmoid';
  throw new GegluError(`${where}: options.approximate is ${describe(approximate)}, expected 'none', 'tanh' or 'sigmoid'`);
}

function checkDigits(options: unknown, where: string): number {
  if (typeof options !== 'object' || options === null) {
    throw new GegluError(`${where}: options is ${describe(options)}, expected an object with digits`);
  }
  const d = (options as { digits?: unknown }).digits;
  if (typeof d !== 'number' || !Number.isInteger(d) || d < 4 || d > 900) {
    throw new GegluError(`${where}: options.digits is ${describe(d)}, expected an integer in [4, 900]`);
  }
  return d;
}

function checkArray(a: unknown, name: string, where: string, length?: number): NumArray {
  const ok = typeof a === 'object' && a !== null && typeof (a as { length?: unknown }).length === 'number';
  if (!ok) throw new GegluError(`${where}: ${name} is ${describe(a)}, expected an array of numbers`);
  const arr = a as NumArray;
  if (length !== undefined && arr.length !== length) {
    throw new GegluError(`${where}: ${name} has length ${arr.length}, expected ${length}`);
  }
  for (let i = 0; i < arr.length; i++) {
    const v = arr[i];
    if (typeof v !== 'number' || !Number.isFinite(v)) {
      throw new GegluError(`${where}: ${name}[${i}] is ${describe(v)}, expected a finite number`);
    }
  }
  return arr;
}

const Up = Decimal.clone({ defaults: true, precision: 12, rounding: Decimal.ROUND_UP, minE: -9e15, maxE: 9e15 });

/**
 * A bound on |gelu(g′) − gelu(g)| for every g′ with |g′ − g| ≤ eg. In general L·eg
 * (L ≥ sup|gelu′|). Where the whole interval lies below −0.76, both gelus are
 * monotone (decreasing: their minima are at −0.7518 and −0.7525), so the spread of
 * gelu over the interval is |gelu(g + eg) − gelu(g − eg)|, bounded with the two
 * enclosures. That keeps the bound relative in the negative tail, where gelu and its
 * slope are tiny (gelu(−100) ≈ −10^-2175) and L·eg would need thousands of digits.
 */
function geluSpread(fn: OracleFunction, g: Decimal, eg: Decimal, L: Decimal, digits: number): Decimal {
  const right = new Wide(g).plus(eg);
  if (!right.lt(-0.76)) return new Up(L).times(eg);
  const hi = evaluate(fn, right, { digits });
  const lo = evaluate(fn, new Wide(g).minus(eg), { digits });
  // Both values carry at most `digits` digits and lie within a factor of each other: the
  // difference is exact in Wide, and Up rounds it away from zero.
  return new Up(new Wide(hi.value).minus(lo.value).abs()).plus(hi.error).plus(lo.error);
}
/**
 * Any sum of two f64 values is exact at 1400 digits: their digits lie between 10^308
 * (2^1024) and 10^-1074 (the last digit of 2^-1074), 1383 places.
 */
const Exact = Decimal.clone({ defaults: true, precision: 1400, rounding: Decimal.ROUND_HALF_EVEN, minE: -9e15, maxE: 9e15 });

/**
 * GeGLU elementwise: gelu(gate[i] + gateBias[f]) · (up[i] + upBias[f]), f = i mod features,
 * each element to `digits` significant digits with error ≤ one unit in the last digit.
 * Inputs are the exact values of the given numbers. Sums of two floats are exact here
 * (at 1400 digits every sum of two f64 values is exact).
 */
export function geglu(gate: ArrayLike<number>, up: ArrayLike<number>, options: GegluOptions): Decimal[] {
  const where = 'geglu';
  const digits = checkDigits(options, where);
  const fn = fnOf(options.approximate ?? 'none', where);
  const g = checkArray(gate, 'gate', where);
  const u = checkArray(up, 'up', where, g.length);
  const gb = options.gateBias === undefined ? undefined : checkArray(options.gateBias, 'options.gateBias', where);
  const ub = options.upBias === undefined ? undefined : checkArray(options.upBias, 'options.upBias', where);
  for (const [b, name] of [
    [gb, 'options.gateBias'],
    [ub, 'options.upBias'],
  ] as const) {
    if (b !== undefined && (b.length === 0 || g.length % b.length !== 0)) {
      throw new GegluError(`${where}: ${name} has length ${b.length}, expected a divisor of gate.length = ${g.length}`);
    }
  }
  const out: Decimal[] = [];
  const P = context(Math.min(digits + 8, MAX_WORKING_DIGITS)).D;
  for (let i = 0; i < g.length; i++) {
    let gi = new Exact(toExactDecimal(g[i]!, where));
    if (gb !== undefined) gi = gi.plus(toExactDecimal(gb[i % gb.length]!, where));
    let ui = new Exact(toExactDecimal(u[i]!, where));
    if (ub !== undefined) ui = ui.plus(toExactDecimal(ub[i % ub.length]!, where));
    // gelu to digits + 4: its error ≤ 10^-(digits+3)·|h|, so after the product (one more
    // rounding at digits + 8) and the final rounding the total stays within one unit.
    const h = evaluate(fn, gi, { digits: digits + 4 });
    const p = new P(h.value).times(ui);
    out.push(new Wide(p.toSignificantDigits(digits, Decimal.ROUND_HALF_EVEN)));
  }
  return out;
}

/** The checks and exact inputs shared by gemma2Mlp and gemma2MlpBackward. */
function checkMlp(where: string, x: ArrayLike<number>, weights: Gemma2MlpWeights, tokens: number) {
  if (typeof weights !== 'object' || weights === null) {
    throw new GegluError(`${where}: weights is ${describe(weights)}, expected an object { gate, up, down, hidden, intermediate }`);
  }
  const { hidden, intermediate } = weights;
  for (const [v, name] of [
    [hidden, 'weights.hidden'],
    [intermediate, 'weights.intermediate'],
    [tokens, 'tokens'],
  ] as const) {
    if (typeof v !== 'number' || !Number.isInteger(v) || v < 1) {
      throw new GegluError(`${where}: ${name} is ${describe(v)}, expected a positive integer`);
    }
  }
  if (hidden * intermediate * tokens > 4_000_000) {
    throw new GegluError(
      `${where}: tokens × hidden × intermediate is ${tokens * hidden * intermediate}, expected at most 4,000,000 (the oracle is for small shapes)`,
    );
  }
  const xs = checkArray(x, 'x', where, tokens * hidden);
  if (xs.length !== tokens * hidden) {
    throw new GegluError(`${where}: x has length ${xs.length}, expected tokens × hidden = ${tokens} × ${hidden} = ${tokens * hidden}`);
  }
  const wg = checkArray(weights.gate, 'weights.gate', where, intermediate * hidden);
  const wu = checkArray(weights.up, 'weights.up', where, intermediate * hidden);
  const wd = checkArray(weights.down, 'weights.down', where, hidden * intermediate);
  const exact = (a: NumArray) => Array.from(a, (v) => toExactDecimal(v, where));
  return { hidden, intermediate, XS: exact(xs), G: exact(wg), U: exact(wu), W: exact(wd) };
}

/**
 * Gemma 2 MLP: y = (gelu(x·W_gateᵀ) ⊙ (x·W_upᵀ))·W_downᵀ for x: [tokens, hidden], weights in
 * nn.Linear layout, no biases; returns tokens × hidden Decimals, each with error ≤ one
 * unit in its `digits`-th significant digit.
 *
 * Method (error bound carried per element, all bound arithmetic rounded upwards):
 * 1. g = Σ_i x_i·Wg_ki and v = Σ_i x_i·Wu_ki at working precision P: |ĝ − g| ≤ γ_{n}·Σ|x_i·Wg_ki|
 *    (Higham eq. 3.5, n = hidden + 1 operations).
 * 2. h = gelu(ĝ) by evaluate at P digits (error e_h); |gelu(g) − gelu(ĝ)| ≤ L·|g − ĝ| with
 *    L = 1.2 ≥ max |gelu'| for all three variants (1.1289 at x = √2 for the exact gelu,
 *    ≈ 1.13 for tanh and ≈ 1.10 for sigmoid; checked numerically in the tests).
 * 3. a = ĥ·v̂ rounded: |a − hv| ≤ (L·e_g + e_h)(|v̂| + e_v) + |ĥ|·e_v + u|ĥv̂|.
 * 4. y_j = Σ_k a_k·Wd_jk at P: error Σ|Wd_jk|·e_ak + γ_{m}·Σ|â_k·Wd_jk| (m = intermediate + 1).
 * If any element's bound plus the rounding to `digits` exceeds one unit in its last digit,
 * P grows by half and everything is recomputed (so cancellation in the last sum is paid
 * for with digits, not hidden).
 */
export function gemma2Mlp(x: ArrayLike<number>, weights: Gemma2MlpWeights, tokens: number, options: MlpOptions): Decimal[] {
  const where = 'gemma2Mlp';
  const digits = checkDigits(options, where);
  const fn = fnOf(options.approximate ?? 'tanh', where);
  const { hidden, intermediate, XS, G, U, W } = checkMlp(where, x, weights, tokens);
  const L = new Up('1.2');

  let P = digits + 10;
  for (;;) {
    const ctx = context(Math.min(P, MAX_WORKING_DIGITS));
    const D = ctx.D;
    const u = new Up(ctx.u);
    const gammaN = (n: number) => u.times(n).times(1.001); // γ_n ≤ 1.001·n·u for n·u ≤ 10^-3
    const out: Decimal[] = [];
    let ok = true;
    for (let t = 0; t < tokens && ok; t++) {
      const a: Decimal[] = [];
      const ea: Decimal[] = [];
      for (let k = 0; k < intermediate; k++) {
        let g = new D(0);
        let v = new D(0);
        let absG = new Up(0);
        let absV = new Up(0);
        for (let i = 0; i < hidden; i++) {
          const xi = XS[t * hidden + i]!;
          const pg = new D(xi).times(G[k * hidden + i]!);
          const pv = new D(xi).times(U[k * hidden + i]!);
          g = g.plus(pg);
          v = v.plus(pv);
          absG = absG.plus(new Up(pg).abs());
          absV = absV.plus(new Up(pv).abs());
        }
        const eg = gammaN(hidden + 1).times(absG);
        const ev = gammaN(hidden + 1).times(absV);
        const h = evaluate(fn, g, { digits: Math.min(P, 1000) });
        const hv = new D(h.value).times(v);
        const e = geluSpread(fn, g, eg, L, Math.min(P, 1000))
          .plus(h.error)
          .times(new Up(v).abs().plus(ev))
          .plus(new Up(h.value).abs().times(ev))
          .plus(new Up(hv).abs().times(u));
        a.push(hv);
        ea.push(e);
      }
      for (let j = 0; j < hidden; j++) {
        let y = new D(0);
        let absY = new Up(0);
        let prop = new Up(0);
        for (let k = 0; k < intermediate; k++) {
          const w = W[j * intermediate + k]!;
          const p = a[k]!.times(w);
          y = y.plus(p);
          absY = absY.plus(new Up(p).abs());
          prop = prop.plus(new Up(w).abs().times(ea[k]!));
        }
        const err = prop.plus(gammaN(intermediate + 1).times(absY));
        const value = new X(y).toSignificantDigits(digits, Decimal.ROUND_HALF_EVEN);
        const total = err.plus(new Up(y).minus(value).abs());
        const unit = value.isZero() ? new X(0) : new X(10).pow(value.e - digits + 1);
        if (value.isZero() ? !total.isZero() : total.gt(unit)) {
          ok = false;
          break;
        }
        out.push(new Wide(value));
      }
    }
    if (ok) return out;
    if (P >= MAX_WORKING_DIGITS) {
      throw new Error(
        `${where}: could not reach ${digits} digits within ${MAX_WORKING_DIGITS} working digits (cancellation in the down projection)`,
      );
    }
    P = Math.min(MAX_WORKING_DIGITS, P + Math.max(10, Math.ceil(P / 2)));
  }
}

// ---------------------------------------------------------------------------------------------
// Backward pass: gelu′, GeGLU's gradients and the Gemma 2 MLP's gradients.

/** Products and sums of enclosure values and floats: rounding here is added to the bounds. */
const Big = Decimal.clone({ defaults: true, precision: 4000, rounding: Decimal.ROUND_HALF_EVEN, minE: -9e15, maxE: 9e15 });
/** Relative rounding of one Big operation: ½·10^(1−4000), taken as 10^-3998. */
const BIG_U = new Up('1e-3998');

/**
 * gelu′(x) for an exact x to `digits` significant digits, error ≤ one unit in the last digit:
 * the oracle's own gelu-grad / gelu-tanh-grad (evaluate.ts; Ziv's loop there pays for the
 * cancellation near the root x ≈ −0.752).
 */
function geluGradEnclosure(tanh: boolean, x: Decimal, digits: number, where: string): Enclosure {
  const e = evaluate(tanh ? 'gelu-tanh-grad' : 'gelu-grad', x, { digits: Math.min(digits, MAX_WORKING_DIGITS) });
  // Below about x = −2·10^8 (exact form) and −6.7·10^5 (tanh form) gelu′(x) is under decimal.js's
  // 10^-9e15: evaluate gives −0 with that as its error, a true enclosure of the negative value,
  // from which every caller still reads the sign (no float product can lift it into range).
  if (e.value.isZero() && !x.isZero() && !(x.isNeg() && e.value.isNeg())) {
    throw new Error(
      `${where}: gelu′ at ${x.toSignificantDigits(20).toString()} came back as ${e.value.s < 0 ? '−' : '+'}0, expected a value or −0 below the range`,
    );
  }
  return { value: new Wide(e.value), error: new Wide(e.error) };
}

function tanhOf(approximate: unknown, where: string, name: string): boolean {
  if (approximate === 'none') return false;
  if (approximate === 'tanh') return true;
  throw new GegluError(`${where}: ${name} is ${describe(approximate)}, expected 'none' or 'tanh'`);
}

/** Exact products of two doubles (at most 767 + 767 significant digits), and outward rounding of enclosure products. */
const Product = Decimal.clone({ defaults: true, precision: 1800, rounding: Decimal.ROUND_HALF_EVEN, minE: -9e15, maxE: 9e15 });
const ProductFloor = Decimal.clone({ defaults: true, precision: 1800, rounding: Decimal.ROUND_FLOOR, minE: -9e15, maxE: 9e15 });
const ProductCeil = Decimal.clone({ defaults: true, precision: 1800, rounding: Decimal.ROUND_CEIL, minE: -9e15, maxE: 9e15 });

/**
 * One element of GeGLU's backward pass, correctly rounded to the format: for
 * out = gelu(g)·u and the incoming gradient dy,
 *   dgate = dy·u·gelu′(g),   dup = dy·gelu(g),
 * g, u, dy being the exact values of doubles. dup is correctlyRoundedGeglu(fn, g, dy).
 *
 * dgate: Ziv's loop on the enclosure of gelu′(g) times the exact dy·u. gelu′(g) is
 * irrational for every finite g (and never 0: its roots are irrational), so the product
 * is never a rounding boundary and the loop ends.
 *
 * ## Special Cases
 * IEEE product rules with gelu′(+∞) = 1, gelu′(−∞) = −0 and gelu′(g) ≠ 0 of the sign of
 * g − root for finite g: NaN in → NaN, 0·∞ → NaN, other zeros and infinities signed by the
 * product of the signs. A result that rounds to zero keeps the sign of the true value.
 */
export function correctlyRoundedGegluBackward(
  approximate: 'none' | 'tanh',
  g: number,
  u: number,
  dy: number,
  format: FloatFormat,
): { dgate: number; dup: number } {
  const where = 'correctlyRoundedGegluBackward';
  const tanh = tanhOf(approximate, where, 'approximate');
  const info = formatInfo(format, where);
  for (const [v, name] of [
    [g, 'g'],
    [u, 'u'],
    [dy, 'dy'],
  ] as const) {
    if (typeof v !== 'number') throw new GegluError(`${where}: ${name} is ${describe(v)}, expected a number`);
  }
  const dup = correctlyRoundedGeglu(tanh ? 'gelu-tanh' : 'gelu', g, dy, format);
  const signOf = (v: number) => (v < 0 || Object.is(v, -0) ? -1 : 1);
  if (Number.isNaN(g) || Number.isNaN(u) || Number.isNaN(dy)) return { dgate: NaN, dup };
  // gelu′(g): 1 at +∞, −0 at −∞, else (for the sign only) ±1.
  const special = g === Infinity ? 1 : g === -Infinity ? -0 : undefined;
  if (u === 0 || dy === 0 || !Number.isFinite(u) || !Number.isFinite(dy)) {
    const gs = special ?? geluGradEnclosure(tanh, exactInternal(g), 20, where).value.s;
    const unit = (v: number) => (v === 0 || !Number.isFinite(v) ? v : Math.sign(v));
    return { dgate: roundToFormat(unit(dy) * unit(u) * gs, format), dup };
  }
  const p = new Product(exactInternal(dy)).times(exactInternal(u));
  const sign = signOf(dy) * signOf(u);
  if (special === 1) return { dgate: roundDecimalWithInterval(new X(p), info).result, dup };
  if (special !== undefined) return { dgate: -sign * 0, dup };
  let w = { f64: 28, f32: 18, bf16: 14, f16: 14 }[format];
  for (;;) {
    const e = geluGradEnclosure(tanh, exactInternal(g), w, where);
    const spread = new ProductCeil(e.error).times(p.abs());
    const lo = new ProductFloor(e.value).times(p).minus(spread);
    const hi = new ProductCeil(e.value).times(p).plus(spread);
    const rLo = roundDecimalWithInterval(new X(lo), info).result;
    const rHi = roundDecimalWithInterval(new X(hi), info).result;
    if (Object.is(rLo, rHi)) return { dgate: rLo, dup };
    if (rLo === 0 && rHi === 0) return { dgate: sign * e.value.s * 0, dup };
    if (w >= 1000) throw new Error(`${where}: dgate(${g}, ${u}, ${dy}) in ${format} was not decided at ${w} digits`);
    w = Math.min(1000, w * 2);
  }
}

export interface MlpBackwardResult {
  /** [tokens, hidden]. */
  dx: Decimal[];
  /** [intermediate, hidden], like weights.gate. */
  dGate: Decimal[];
  /** [intermediate, hidden], like weights.up. */
  dUp: Decimal[];
  /** [hidden, intermediate], like weights.down. */
  dDown: Decimal[];
}

/**
 * Gradients of the Gemma 2 MLP y = (gelu(x·W_gateᵀ) ⊙ (x·W_upᵀ))·W_downᵀ for the incoming
 * gradient dy [tokens, hidden] (layouts as gemma2Mlp): with G = x·W_gateᵀ, U = x·W_upᵀ,
 * A = gelu(G)⊙U, dA = dy·W_down, dG = dA⊙U⊙gelu′(G), dU = dA⊙gelu(G):
 *   dx = dG·W_gate + dU·W_up,  dW_gate = dGᵀ·x,  dW_up = dUᵀ·x,  dW_down = dyᵀ·A.
 * Every element to `digits` significant digits with error ≤ one unit in the last digit.
 *
 * Method: G, U and dA are sums of products of floats, computed exactly. Only gelu(G) and
 * gelu′(G) are inexact: enclosures (h ± e_h, h′ ± e_h′) at w digits. Everything after is
 * exact products and sums of those values and the floats (4000 digits; the rounding of
 * each operation is added to the bound), so each output's bound is the sum of
 * |coefficient|·(enclosure error) over the terms it uses: e_A = |U|·e_h,
 * e_dG = |dA·U|·e_h′, e_dU = |dA|·e_h, then e_dx = Σ_j e_dG|W_gate| + e_dU|W_up| and so on.
 * If an output's bound plus its rounding to `digits` exceeds one unit in its last digit,
 * w doubles (cancellation in a sum is paid for with digits). An output that is exactly
 * zero with a nonzero bound cannot be decided: inputs for this oracle must avoid it.
 */
export function gemma2MlpBackward(
  x: ArrayLike<number>,
  dy: ArrayLike<number>,
  weights: Gemma2MlpWeights,
  tokens: number,
  options: MlpOptions,
): MlpBackwardResult {
  const where = 'gemma2MlpBackward';
  const digits = checkDigits(options, where);
  const approximate = options.approximate ?? 'tanh';
  const tanh = tanhOf(approximate, where, 'options.approximate');
  const fn = tanh ? 'gelu-tanh' : 'gelu';
  const { hidden: d, intermediate: f, XS, G: WG, U: WU, W: WD } = checkMlp(where, x, weights, tokens);
  const DY = Array.from(checkArray(dy, 'dy', where, tokens * d), (v) => toExactDecimal(v, where));
  const T = tokens;
  // Exact G, U, dA (sums of exact float products, at most 4000 digits for these shapes).
  const G: Decimal[] = [];
  const U: Decimal[] = [];
  const dA: Decimal[] = [];
  for (let t = 0; t < T; t++) {
    for (let j = 0; j < f; j++) {
      let g = new Big(0);
      let v = new Big(0);
      let a = new Big(0);
      for (let k = 0; k < d; k++) {
        g = g.plus(new Big(XS[t * d + k]!).times(WG[j * d + k]!));
        v = v.plus(new Big(XS[t * d + k]!).times(WU[j * d + k]!));
        a = a.plus(new Big(DY[t * d + k]!).times(WD[k * f + j]!));
      }
      G.push(g);
      U.push(v);
      dA.push(a);
    }
  }
  /** Σ of n terms at 4000 digits: the value and the rounding bound (n roundings of the partial sums). */
  const rounding = (absSum: Decimal, n: number) => new Up(absSum).times(BIG_U).times(2 * n + 2);
  let w = digits + 10;
  for (;;) {
    const A: Decimal[] = [];
    const eA: Decimal[] = [];
    const dG: Decimal[] = [];
    const edG: Decimal[] = [];
    const dU: Decimal[] = [];
    const edU: Decimal[] = [];
    for (let i = 0; i < T * f; i++) {
      const h = evaluate(fn, G[i]!, { digits: Math.min(w, 1000) });
      const hp = geluGradEnclosure(tanh, G[i]!, Math.min(w, 1000), where);
      // significant digits of a gradient through a gelu′ below 10^-9e15 are out of reach: say so
      if (hp.value.isZero()) {
        throw new Error(
          `${where}: gelu′(G[${Math.floor(i / f)}, ${i % f}]) at G ≈ ${G[i]!.toSignificantDigits(6).toString()} is below the oracle's range (10^-9e15)`,
        );
      }
      A.push(new Big(h.value).times(U[i]!));
      eA.push(new Up(U[i]!).abs().times(h.error));
      const au = new Big(dA[i]!).times(U[i]!);
      dG.push(au.times(hp.value));
      edG.push(new Up(au).abs().times(hp.error));
      dU.push(new Big(dA[i]!).times(h.value));
      edU.push(new Up(dA[i]!).abs().times(h.error));
    }
    let ok = true;
    const finish = (value: Decimal, err: Decimal, absSum: Decimal, n: number): Decimal | undefined => {
      const rounded = new X(value).toSignificantDigits(digits, Decimal.ROUND_HALF_EVEN);
      const total = new Up(err).plus(rounding(absSum, n)).plus(new Up(new Big(value).minus(rounded)).abs());
      const okHere = rounded.isZero() ? total.isZero() : total.lte(new X(10).pow(rounded.e - digits + 1));
      if (!okHere) ok = false;
      return okHere ? new Wide(rounded) : undefined;
    };
    const result: MlpBackwardResult = { dx: [], dGate: [], dUp: [], dDown: [] };
    for (let t = 0; t < T && ok; t++) {
      for (let k = 0; k < d && ok; k++) {
        let v = new Big(0);
        let e = new Up(0);
        let abs = new Big(0);
        for (let j = 0; j < f; j++) {
          const pg = dG[t * f + j]!.times(WG[j * d + k]!);
          const pu = dU[t * f + j]!.times(WU[j * d + k]!);
          v = v.plus(pg).plus(pu);
          abs = abs.plus(pg.abs()).plus(pu.abs());
          e = e.plus(edG[t * f + j]!.times(WG[j * d + k]!.abs())).plus(edU[t * f + j]!.times(WU[j * d + k]!.abs()));
        }
        result.dx.push(finish(v, e, abs, 2 * f)!);
      }
    }
    for (const [grad, errs, out] of [
      [dG, edG, result.dGate],
      [dU, edU, result.dUp],
    ] as const) {
      for (let j = 0; j < f && ok; j++) {
        for (let k = 0; k < d && ok; k++) {
          let v = new Big(0);
          let e = new Up(0);
          let abs = new Big(0);
          for (let t = 0; t < T; t++) {
            const p = grad[t * f + j]!.times(XS[t * d + k]!);
            v = v.plus(p);
            abs = abs.plus(p.abs());
            e = e.plus(errs[t * f + j]!.times(XS[t * d + k]!.abs()));
          }
          out.push(finish(v, e, abs, T)!);
        }
      }
    }
    for (let i = 0; i < d && ok; i++) {
      for (let j = 0; j < f && ok; j++) {
        let v = new Big(0);
        let e = new Up(0);
        let abs = new Big(0);
        for (let t = 0; t < T; t++) {
          const p = A[t * f + j]!.times(DY[t * d + i]!);
          v = v.plus(p);
          abs = abs.plus(p.abs());
          e = e.plus(eA[t * f + j]!.times(DY[t * d + i]!.abs()));
        }
        result.dDown.push(finish(v, e, abs, T)!);
      }
    }
    if (ok) return result;
    if (w >= 1000) throw new Error(`${where}: could not reach ${digits} digits at ${w} working digits (an output too close to 0?)`);
    w = Math.min(1000, w * 2);
  }
}
