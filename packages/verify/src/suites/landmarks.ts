/**
 * Landmarks the suites need, all located with the oracle at run time:
 * the thresholds of each GELU variant per format, the global minimum of each
 * variant, and the global maxima of |gelu_tanh − gelu| and |tanhPhi − Phi|.
 *
 * ## Method (extrema)
 *
 * A coarse scan on a uniform grid brackets the extremum, then golden-section
 * search on doubles narrows the bracket to a few ulps of x. Function values
 * are Decimals from `oracle.evaluate` at {@link LANDMARK_DIGITS} digits, so
 * comparisons are decided far below the size of the differences involved
 * (≥ 1e−20 at the last golden steps). Golden section assumes unimodality on the
 * bracket; the grid steps (1/16 for the gaps, 1/4 for the minimum) are below the scale on which these
 * functions change shape (the tanh/erf difference has its extrema ~1 apart),
 * which is what makes the scan's bracket unimodal. At an interior extremum
 * f(x* + δ) − f(x*) = O(δ²), so a double argmax (δ ≲ 1e−16) gives the
 * extreme value to ~30 digits, far past the 12 the suites compare.
 *
 * Symmetry used: gelu_tanh(−x) − gelu(−x) = gelu_tanh(x) − gelu(x) (both are
 * x − (the function at x) reflected), so |gelu_tanh − gelu| is even and
 * tanhPhi − Phi is odd; the maxima are searched on x ≥ 0 and hold at ±x*.
 */
import type { FloatFormat } from '../arbitraries/floats.js';
import { findThresholds, type GeluFunction, type GeluThresholds } from '../arbitraries/thresholds.js';
import type { DecimalLike, OracleApi } from './oracle.js';

/** Working digits for landmark evaluation: enough that 1e−4-sized differences keep ~35 digits. */
export const LANDMARK_DIGITS = 40;

export interface Extremum {
  /** The double nearest the argument of the extremum (golden-section result). */
  x: number;
  /** The function's value there, to {@link LANDMARK_DIGITS} digits. */
  value: DecimalLike;
}

export interface Landmarks {
  thresholds: Record<`${GeluFunction}/${FloatFormat}`, GeluThresholds>;
  /** Global minimum of gelu (exact) and of gelu_tanh. */
  minimum: Record<GeluFunction, Extremum>;
  /** max over x of |gelu_tanh(x) − gelu(x)|, attained at ±x. */
  maxGeluGap: Extremum;
  /** max over x of |tanhPhi(x) − Phi(x)| with tanhPhi(x) = ½(1 + tanh(√(2/π)(x + 0.044715x³))), attained at ±x. */
  maxPhiGap: Extremum;
  /** Which code located the maxima ('local golden section' or the constants module). */
  source: string;
}

export type RealFn = (x: number) => DecimalLike;

/** Golden-section search for the maximum of f on [a, b] (f unimodal there). */
export function goldenMaximum(f: RealFn, a: number, b: number): Extremum {
  const r = (Math.sqrt(5) - 1) / 2;
  let c = b - r * (b - a);
  let d = a + r * (b - a);
  let fc = f(c);
  let fd = f(d);
  for (let i = 0; i < 200 && b - a > 4 * Number.EPSILON * Math.max(1, Math.abs(a), Math.abs(b)); i++) {
    if (fc.cmp(fd) >= 0) {
      b = d;
      d = c;
      fd = fc;
      c = b - r * (b - a);
      fc = f(c);
    } else {
      a = c;
      c = d;
      fc = fd;
      d = a + r * (b - a);
      fd = f(d);
    }
  }
  return fc.cmp(fd) >= 0 ? { x: c, value: fc } : { x: d, value: fd };
}

/** Scans f on [lo, hi] with `steps` intervals and refines the largest sample by golden section. */
export function scanMaximum(f: RealFn, lo: number, hi: number, steps: number): Extremum {
  let best = 0;
  let bestValue: DecimalLike | undefined;
  for (let i = 0; i <= steps; i++) {
    const v = f(lo + ((hi - lo) * i) / steps);
    if (bestValue === undefined || v.cmp(bestValue) > 0) {
      best = i;
      bestValue = v;
    }
  }
  const a = lo + ((hi - lo) * Math.max(0, best - 1)) / steps;
  const b = lo + ((hi - lo) * Math.min(steps, best + 1)) / steps;
  return goldenMaximum(f, a, b);
}

/** |gelu_tanh(x) − gelu(x)| from the oracle. */
export function geluGap(oracle: OracleApi, x: number | string, digits = LANDMARK_DIGITS): DecimalLike {
  const t = oracle.evaluate('gelu-tanh', x, { digits }).value;
  const e = oracle.evaluate('gelu', x, { digits }).value;
  return t.minus(e).abs();
}

/** |tanhPhi(x) − Phi(x)| = |gelu_tanh(x) − gelu(x)| / |x| (x ≠ 0). */
export function phiGap(oracle: OracleApi, x: number | string, digits = LANDMARK_DIGITS): DecimalLike {
  return geluGap(oracle, x, digits).div(Math.abs(Number(x)));
}

/**
 * Scans start just right of 0: both gaps vanish at 0 (the two forms agree to
 * third order there), and the oracle cannot give relative digits of an exact 0.
 */
const GAP_SCAN_FROM = 1 / 64;

/**
 * The global maxima of the two gaps. Beyond x = 8, Phi(−x) < 1e−15 and
 * tanhPhi's deficit is smaller still, so both gaps are < 1e−14 there; the
 * scan of [0, 8] therefore covers the global maximum.
 */
export function locateGapMaxima(oracle: OracleApi): { gelu: Extremum; phi: Extremum } {
  return {
    gelu: scanMaximum((x) => geluGap(oracle, x), GAP_SCAN_FROM, 8, 128),
    phi: scanMaximum((x) => phiGap(oracle, x), GAP_SCAN_FROM, 8, 128),
  };
}

/**
 * The global minimum of a GELU variant. For x ≥ 0 gelu(x) ≥ 0; below −8 its
 * magnitude is < 1e−14; the scan of [−8, 0] therefore covers it.
 */
export function locateMinimum(oracle: OracleApi, fn: GeluFunction): Extremum {
  // gelu is unimodal on x < 0 (gelu′ = Phi + x·φ has one negative root), so a
  // short scan only guards the tanh variant; −1/64 keeps 0 (value exactly 0) out.
  const neg = scanMaximum((x) => oracle.evaluate(fn, x, { digits: LANDMARK_DIGITS }).value.neg(), -8, -1 / 64, 32);
  return { x: neg.x, value: neg.value.neg() };
}

export interface LandmarkOptions {
  formats?: readonly FloatFormat[];
  /** A maximiser from the constants derivation, when it is available. */
  gapMaxima?: () => { gelu: Extremum; phi: Extremum; source: string };
}

/** Computes every landmark (a few seconds of oracle work; compute once per run). */
export function computeLandmarks(oracle: OracleApi, options: LandmarkOptions = {}): Landmarks {
  const formats = options.formats ?? ['f32', 'f64'];
  const thresholds = {} as Landmarks['thresholds'];
  for (const fn of ['gelu', 'gelu-tanh'] as const) {
    for (const format of formats) thresholds[`${fn}/${format}`] = findThresholds(oracle, fn, format);
  }
  const gaps = options.gapMaxima ? options.gapMaxima() : { ...locateGapMaxima(oracle), source: 'local golden section over the oracle' };
  return {
    thresholds,
    minimum: { gelu: locateMinimum(oracle, 'gelu'), 'gelu-tanh': locateMinimum(oracle, 'gelu-tanh') },
    maxGeluGap: gaps.gelu,
    maxPhiGap: gaps.phi,
    source: gaps.source,
  };
}
