/**
 * Fast float32 kernels in plain JavaScript: piecewise polynomials for
 * F(x) = gelu(x)/x, a rounding-boundary test, and the double-double cores as
 * the fallback, so every result is the correctly rounded float32.
 *
 * ## Method
 *
 * - x ≥ IDENTITY_F32 (5.3475 exact, 4.9941 tanh; +∞ included): gelu = x. These
 *   thresholds are where the float32 result becomes x, found by bisection
 *   with the accurate float32 gelu (scripts/generate-tables.mjs; the tests
 *   check both sides).
 * - x ≤ ZERO_F32 (−14.356 exact, −10.771 tanh; −∞ included): −0.
 * - In between (and, for geglu, on up to the table's end, where
 *   1 − F < 2^-60: 8.77 exact, 7.47 tanh; beyond it geglu uses g·u):
 *   y = x·P_i(t), P_i the Chebyshev interpolant of F on the i-th interval
 *   (t ∈ [−1, 1]), evaluated by Horner in double: degree 5 on intervals of
 *   width 1/256 for the exact form, degree 8 on width 1/64 for the tanh form
 *   (scripts/generate-tables.mjs). Measured relative error of y against the
 *   double-double gelu at 33 points per interval (bench/fast-error.mjs):
 *   2^-45.2 (exact, worst at x ≈ −14.35) and 2^-44.9 (tanh, worst at
 *   x ≈ −10.77), largest in the tails where F varies fastest. The exact
 *   form's shape keeps the WebAssembly kernel's per-lane table loads few (six
 *   coefficients, three 16-byte pairs: ~50% faster there than degree 8 on
 *   1/64 on the development VM, one thread); the tanh form's tail falls faster, and at
 *   that shape its error would be 2^-40.2, so it keeps degree 8 (only the
 *   JavaScript path reads it: the WebAssembly tanh kernels use no table).
 * - The WebAssembly table kernel built with relaxed SIMD (../wasm/gelu-simd.ts)
 *   evaluates the same Horner steps as multiply-adds that the engine may fuse
 *   or not, per instruction. Bound for every mixture: Horner of degree n = 5
 *   with each step rounded once or twice is within γ_2n·Σ|c_k||t|^k of the
 *   exact polynomial (Higham, Accuracy and Stability, §5.1; a fused step is
 *   the unfused one with the product's error zero), γ_10 = 10u/(1 − 10u),
 *   u = 2^-53. Over the exact form's table Σ|c_k| / min_t |P_i(t)| ≤ 1.059
 *   (interval 0, x ≈ −14.36; `node bench/fast-error.mjs` prints it), so the
 *   Horner rounding, with the final x·p, is < 2^-49.46 relative, for both
 *   this kernel's unfused evaluation and any fused mixture. The measured
 *   2^-45.2 already contains one such rounding, so the polynomial itself is
 *   within 2^-45.2 + 2^-49.46 of F at the measured points, and any mixture
 *   within 2^-45.2 + 2·2^-49.46 < 2^-45.05: still over 14× below E.
 * - Rounding test: y·(1 − E) and y·(1 + E), E = 2^-41 (over 14× the
 *   measured errors, and 2.3× the WebAssembly tanh kernel's proven bound),
 *   must round to the same float32; then that float32 is the correctly
 *   rounded result. Otherwise (about one input in 2^16, and every exact tie
 *   such as x/2 for odd subnormal x) the double-double core
 *   decides.
 *
 * ## Special Cases
 *
 * NaN → NaN (any payload), +∞ → +∞, −∞ → −0, ±0 → ±0, tiny negative results
 * → −0.
 */
import { geluDD, gelu32, ch, cl, ck, TAIL_STAND_IN } from './cores.js';
import { roundTo32, roundTo64, ddMulDRounding, ldexp, rh, rl } from './dd.js';
import {
  EXACT_COEFFS,
  EXACT_DEGREE,
  EXACT_END,
  EXACT_PER_UNIT,
  EXACT_IDENTITY_F32,
  EXACT_X0,
  EXACT_ZERO_F32,
  TANH_COEFFS,
  TANH_DEGREE,
  TANH_END,
  TANH_PER_UNIT,
  TANH_IDENTITY_F32,
  TANH_X0,
  TANH_ZERO_F32,
} from './tables.generated.js';

/**
 * Relative half-width of the rounding test: it must exceed every error bound
 * (see the Method above), and the share of elements sent to the double-double
 * path is proportional to it (2^-38 would send eight times as many).
 * `node bench/fast-error.mjs` prints how often the test fails.
 */
export const FAST_BAND = 2 ** -41;

/** One variant's table, in the shape the kernels index. */
export interface FastTable {
  readonly coeffs: Float64Array;
  readonly x0: number;
  readonly identity: number;
  readonly zero: number;
  /** End of the table; from here on 1 − gelu(x)/x < 2^-60. */
  readonly end: number;
  readonly tanh: boolean;
  /** Intervals per unit of x. */
  readonly perUnit: number;
  /** Coefficients per interval (degree + 1). */
  readonly stride: number;
  /** x0 − 1.5/perUnit (exact): fastGelu's origin of s. */
  readonly origin: number;
}

export const EXACT_TABLE: FastTable = {
  coeffs: EXACT_COEFFS,
  x0: EXACT_X0,
  identity: EXACT_IDENTITY_F32,
  zero: EXACT_ZERO_F32,
  end: EXACT_END,
  tanh: false,
  perUnit: EXACT_PER_UNIT,
  stride: EXACT_DEGREE + 1,
  origin: EXACT_X0 - 1.5 / EXACT_PER_UNIT,
};
export const TANH_TABLE: FastTable = {
  coeffs: TANH_COEFFS,
  x0: TANH_X0,
  identity: TANH_IDENTITY_F32,
  zero: TANH_ZERO_F32,
  end: TANH_END,
  tanh: true,
  perUnit: TANH_PER_UNIT,
  stride: TANH_DEGREE + 1,
  origin: TANH_X0 - 1.5 / TANH_PER_UNIT,
};

for (const t of [EXACT_TABLE, TANH_TABLE]) {
  if (t.stride !== 6 && t.stride !== 9) {
    throw new Error(`tables.generated.ts: ${t.stride} coefficients per interval, expected 6 or 9 (fastGelu's unrolled Horner)`);
  }
}

/**
 * 1.5·2^52: for |s| < 2^51, (s + ROUND_MAGIC) − ROUND_MAGIC is the nearest
 * integer to s (ties to even), and s + ROUND_MAGIC holds it in its low bits.
 */
export const ROUND_MAGIC = 6755399441055744;

/**
 * The fast double approximation of gelu(x) for x in [table.x0, table.end):
 * relative error below 2^-44.9 (measured; see the module notes).
 *
 * With N = table.perUnit and s = (x − (x0 − 1.5/N))·N, interval j − 2 of the
 * table, j the nearest integer to s, covers x, and t = 2·(s − j) ∈ [−1, 1].
 * (The shift by two intervals is the WebAssembly kernel's: its copy of the
 * exact form's table has two leading NaN intervals, ./simd.ts. Both compute
 * the same s, j and t, ties included, and the same Horner steps, so their
 * doubles agree.)
 */
export function fastGelu(table: FastTable, x: number): number {
  return x * fastRatio(table, x);
}

/**
 * The table's F(x) = gelu(x)/x itself (Φ(x) for the exact form, σ(2u) for the tanh form) for
 * x in [table.x0, table.end): the polynomial of {@link fastGelu} before its product with x.
 */
export function fastRatio(table: FastTable, x: number): number {
  const { coeffs: c, perUnit, stride } = table;
  const s = (x - table.origin) * perUnit;
  const j = s + ROUND_MAGIC - ROUND_MAGIC;
  const t = 2 * (s - j);
  // An int32 index (j ≥ 2 on [x0, end), far below 2^31): with a double-valued one V8's loads of
  // the coefficients took about three times as long.
  const b = ((j - 2) * stride) | 0;
  // Unrolled for the two shapes in use (a loop over the stride ran ~30%
  // slower in bench/gelu.mjs's JavaScript row); the same Horner steps.
  let p: number;
  if (stride === 6) {
    p = c[b + 5]!;
  } else {
    p = c[b + 8]!;
    p = p * t + c[b + 7]!;
    p = p * t + c[b + 6]!;
    p = p * t + c[b + 5]!;
  }
  p = p * t + c[b + 4]!;
  p = p * t + c[b + 3]!;
  p = p * t + c[b + 2]!;
  p = p * t + c[b + 1]!;
  p = p * t + c[b]!;
  return p;
}

/**
 * out[i + outShift] = float32 gelu(x[i]) for i in [start, end), correctly
 * rounded (outShift defaults to 0).
 */
export function geluF32Range(x: Float32Array, out: Float32Array, table: FastTable, start: number, end: number, outShift = 0): void {
  const { identity, zero, tanh } = table;
  const lo = 1 - FAST_BAND;
  const hi = 1 + FAST_BAND;
  for (let i = start; i < end; i++) {
    const v = x[i]!;
    const o = i + outShift;
    if (v >= identity) {
      out[o] = v;
    } else if (v > zero) {
      const y = fastGelu(table, v);
      const r = Math.fround(y * hi);
      out[o] = r === Math.fround(y * lo) ? r : gelu32(v, tanh);
    } else if (v <= zero) {
      out[o] = -0;
    } else {
      out[o] = v; // NaN
    }
  }
}

/**
 * float32 geglu element: the float32 nearest to gelu(g)·u for doubles g, u
 * (the caller has already added biases in double), by the fast path when the
 * rounding test allows and the double-double core otherwise. The fast path
 * covers g in [x0, end) by the table and g ≥ end as g·u; below the table
 * (where gelu(g) is tiny but u may be huge) the double-double core decides.
 */
export function gegluElement32(g: number, u: number, table: FastTable): number {
  let y: number;
  if (g >= table.x0 && g < table.end) {
    y = fastGelu(table, g) * u;
  } else if (g >= table.end && g < Infinity) {
    // gelu(g) = g·(1 − q), q < 2^-60: far inside the rounding test's band.
    y = g * u;
  } else {
    return gegluExact(g, u, table.tanh, false);
  }
  const r = Math.fround(y * (1 + FAST_BAND));
  return r === Math.fround(y * (1 - FAST_BAND)) ? r : gegluExact(g, u, table.tanh, false);
}

/**
 * Whether v lies outside [2^-400, 2^400], where ch·u or its exact error term could
 * underflow or overflow; inside, the product of two such factors is safe and the
 * (costly) exponent extraction is skipped.
 */
function needsScaling(v: number): boolean {
  const a = Math.abs(v);
  return a < 2 ** -400 || a > 2 ** 400;
}

/** e with 2^e ≤ |v| < 2^(e+2) for finite nonzero v (Math.log2 may be off by one); 0 otherwise. */
function exponentOf(v: number): number {
  return v === 0 || !Number.isFinite(v) ? 0 : Math.floor(Math.log2(Math.abs(v)));
}

/**
 * gelu(g)·u rounded once to float32 (`f64` false) or float64, through the
 * double-double core; IEEE rules for NaN, infinities and zeros of the product.
 */
export function gegluExact(g: number, u: number, tanh: boolean, f64: boolean): number {
  if (g !== g || u !== u) return NaN;
  if (g === Infinity || g === -Infinity || g === 0 || u === 0 || u === Infinity || u === -Infinity) {
    const gv = g === -Infinity ? -0 : g;
    // gelu(g) has the sign of g and is nonzero for finite nonzero g.
    const prod = (g === 0 || g === Infinity || g === -Infinity ? gv : Math.sign(g)) * u;
    return f64 ? prod : Math.fround(prod);
  }
  // Bring both factors near 1 and carry their exponents in k, so that ch·u and
  // its exact error term neither underflow nor overflow: a tiny gate leaves ch
  // tiny, a tiny u too, and a product flushed to zero loses its sign and value.
  // Scaling by a power of two is exact in every case that matters here.
  // f64 products need gelu(g) far below the double range: a huge u can bring it back.
  geluDD(g, tanh, f64);
  const eg = needsScaling(ch) ? exponentOf(ch) : 0;
  const eu = needsScaling(u) ? exponentOf(u) : 0;
  const k = ck + eg + eu;
  const high = ldexp(ch, -eg);
  let low = ldexp(cl, -eg);
  // A low part below TAIL_STAND_IN·|high| matters only for its sign (at an exact
  // tie of high·u); raised to that size it cannot underflow in low·u and vanish.
  if (low !== 0 && Math.abs(low) < Math.abs(high) * TAIL_STAND_IN) low = Math.sign(low) * Math.abs(high) * TAIL_STAND_IN;
  ddMulDRounding(high, low, ldexp(u, -eu));
  if (f64) return roundTo64(rh, rl, k);
  return roundTo32(rh, rl, k);
}
