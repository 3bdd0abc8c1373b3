/**
 * The derivative of gelu, scalar and over Float32Array / Float64Array.
 *
 * gelu′(x) = Φ(x) + x·φ(x) (exact form); for the tanh form, with s = σ(2u),
 * u = √(2/π)(x + 0.044715x³): s + x·s·(1 − s)·2√(2/π)(1 + 3·0.044715x²). Both cross zero once,
 * near −0.7518 and −0.7525, where the two terms cancel.
 *
 * ## Method
 *
 * - float64 (scalar and arrays): the double-double cores of ./grad-cores.ts (relative error
 *   < 2^-88 everywhere, the root included, by a Taylor expansion around a triple-double root),
 *   rounded once: at most 1 step, 0 except for 2^-88-hard cases.
 * - float32 arrays, WebAssembly: the dgate kernels with dy·up = 1 (../wasm/gelu-simd.ts
 *   dgateTanhSigmoidBody, dgateExactTail: their own evaluations, bounds and rounding tests), then
 *   the JavaScript path below for the elements they leave; without WebAssembly SIMD, the
 *   JavaScript path alone.
 * - float32 arrays, JavaScript: a fast double evaluation and a rounding test, the cores as the
 *   fallback.
 *   The fast evaluation takes F(x) = gelu(x)/x from the forward kernel's tables (./fast.ts:
 *   Φ(x) for the exact form, s for the tanh form, measured relative error < 2^-44.9), and
 *   - exact: y = F + x·φ(x), φ(x) = e^{−x²/2}/√(2π) by Math.exp (x² exact for a float32 x),
 *     and w = F + |x·φ(x)|;
 *   - tanh: y = s + x·s·c·(1 − s), c = C1 + C3·x², and w = s + |x|·s·c.
 *   The absolute error of y is below 2^-43.8·w, whatever the cancellation between the two
 *   terms. Exact form: the table's 2^-44.9 in the first term, a few roundings. Tanh form: s's
 *   error Δs ≤ 2^-44.9·s enters the second term through s and through 1 − s (whose rounding is
 *   2^-53 of itself), so that term's error is at most |x|·s·c·(Δs/s·(1 − s) + Δs) + 10·2^-53 of
 *   the term (c's 6: C1's rounding, C3's four, x²·C3 and the sum; then s·c, x·(s·c), the
 *   product by 1 − s and 1 − s's rounding) ≤ 2^-44.9·|x|·s·c·(1 − s + s)·(1 + 2^-4.7): one
 *   table evaluation serves both
 *   factors (1 − s loses relative accuracy as s → 1, but only against an absolute error the
 *   band already covers). The rounding test widens y by FAST_BAND = 2^-41·w (not ·|y|), so
 *   near the roots, where w is many times |y|, the test fails more often and the cores decide;
 *   for large x it fails about once in 2^8 in the tanh form (w up to ~2^8) and the cores decide
 *   there too. Beyond the tables: f′ is 1 in float32 from table.end up (f′ − 1 <
 *   2^-50 there, positive), −0 from GRAD_F32_ZERO down (see there), and the cores in between.
 *   The exhaustive sweeps (`geglu sweep --fn gelu-grad|gelu-tanh-grad`) check all 2^32 inputs.
 *
 * ## Special Cases
 *
 * f′(NaN) = NaN, f′(+∞) = 1, f′(−∞) = −0 (f′ < 0 below the root), f′(±0) = ½; negative results
 * below half the smallest subnormal round to −0.
 */
import { type FloatArray, checkApproximate, checkOptions, describe, fail } from '../validation.js';
import { type GeluArrayOptions, elementwiseArguments } from './array.js';
import { GRAD_TANH_C1, GRAD_TANH_C3, INV_SQRT_2PI_HI } from './constants.js';
import { EXACT_TABLE, FAST_BAND, type FastTable, TANH_TABLE, fastRatio } from './fast.js';
import { geluGrad32, geluGrad64 } from './grad-cores.js';
import { dgateF32Simd } from './simd.js';
import type { GeluOptions } from './scalar.js';

/**
 * Every float32 x at or below this has f′(x) = −0 in float32: f′ < 0 there and
 * |f′(x)| ≤ |x|·φ(x) ≤ 15·φ(15) < 2^-159 (exact form, x ≤ −15, since Φ(x) < φ(x)/|x|) resp.
 * |f′(x)| ≤ e^{2u}(1 + 3|2u|) < 2^-174 (tanh form, x ≤ −11.5, 2u < −126.8, as |x|·c ≤ 3|2u|),
 * both below 2^-150 and decreasing further out.
 */
export const GRAD_F32_ZERO_EXACT = -15;
export const GRAD_F32_ZERO_TANH = -11.5;

function checkNumber(fn: string, x: unknown): number {
  if (typeof x !== 'number') fail(fn, `x is ${describe(x)}, expected a number`);
  return x;
}

/**
 * The derivative of {@link gelu} in float64: Φ(x) + x·φ(x) (`approximate: 'none'`, the
 * default) or the tanh form's closed-form derivative (`approximate: 'tanh'`), at most 1 step
 * from the correctly rounded result and 0 except for 2^-88-hard cases, the roots included.
 * f′(+∞) = 1, f′(−∞) = −0, f′(±0) = ½, f′(NaN) = NaN.
 */
export function geluGrad(x: number, options?: GeluOptions): number {
  const fn = 'geluGrad';
  checkNumber(fn, x);
  const o = checkOptions<GeluOptions>(fn, options);
  return geluGrad64(x, checkApproximate(fn, o.approximate, 'none') === 'tanh');
}

/**
 * The half-width that goes with the last {@link fastGeluGrad} value: FAST_BAND times the sum of
 * the two terms' magnitudes, over 2^2.8 times the value's absolute error (module notes). A
 * module variable rather than a returned pair keeps the hot loops free of allocation.
 */
export let fastGeluGradBand = 0;

/**
 * f′(v) in float64 from the forward tables for table.x0 ≤ v < table.end, with its error's
 * bound in {@link fastGeluGradBand}: the true f′(v) lies inside (y − band, y + band), at least
 * 0.85·band from either end, so the float64 roundings of y ± band (relative 2^-53) keep it
 * between them, and so do those of p·(y ± band) for a double p while p·band stays above 2^-1000.
 */
export function fastGeluGrad(table: FastTable, v: number): number {
  const f = fastRatio(table, v);
  if (table.tanh) {
    const fc = f * (GRAD_TANH_C1 + GRAD_TANH_C3 * (v * v));
    fastGeluGradBand = (f + Math.abs(v) * fc) * FAST_BAND;
    return f + v * fc * (1 - f);
  }
  const t = v * INV_SQRT_2PI_HI * Math.exp(-0.5 * (v * v));
  fastGeluGradBand = (f + Math.abs(t)) * FAST_BAND;
  return f + t;
}

/** float32 f′(v), correctly rounded (see the module notes). */
export function geluGradElement32(table: FastTable, v: number): number {
  if (v >= table.end) return 1;
  if (v >= table.x0) {
    const y = fastGeluGrad(table, v);
    const r = Math.fround(y + fastGeluGradBand);
    if (r === Math.fround(y - fastGeluGradBand)) return r;
  } else if (v <= (table.tanh ? GRAD_F32_ZERO_TANH : GRAD_F32_ZERO_EXACT)) {
    return -0;
  } else if (v !== v) {
    return v;
  }
  return geluGrad32(v, table.tanh);
}

/**
 * out[i] = float32 f′(x[i]) for all i, correctly rounded: the WebAssembly dgate kernels with
 * dy·up = 1 (./simd.ts dgateF32Simd), or without WebAssembly SIMD in JavaScript. `out` may be `x`.
 */
function geluGradF32(x: Float32Array, out: Float32Array, table: FastTable): void {
  if (dgateF32Simd(table, x, null, null, out, geluGradElement32)) return;
  for (let i = 0; i < x.length; i++) out[i] = geluGradElement32(table, x[i]!);
}

/**
 * Elementwise derivative of GELU (see {@link geluGrad}) of a Float32Array or Float64Array into
 * `options.out` (same type and length; in place allowed) or a new array of the same type.
 * Float32: the correctly rounded float32 for every input. Float64: as {@link geluGrad}.
 */
export function geluGradArray<T extends FloatArray>(x: T, options?: GeluArrayOptions<T>): T {
  const { tanh, out, unseen } = elementwiseArguments('geluGradArray', x, options);
  if (unseen) {
    out.set(geluGradArray(x, { approximate: tanh ? 'tanh' : 'none' }));
    return out;
  }
  if (x instanceof Float32Array) {
    geluGradF32(x, out as Float32Array, tanh ? TANH_TABLE : EXACT_TABLE);
  } else {
    for (let i = 0; i < x.length; i++) out[i] = geluGrad64(x[i]!, tanh);
  }
  return out;
}
