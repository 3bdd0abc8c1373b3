import { Decimal } from 'decimal.js';
import { cachedPhi, errorFunctions, type CdfApproximation, type Criterion } from './approximations.js';
import { bracketedRoot, refineMagnitude, type MagnitudeExtremum } from './extrema.js';
import { errorMaximum, type ErrorMaximum } from './maxima.js';
import { normalPdf } from './normal.js';
import { constantsAt, decimalContext } from './precision.js';
import { tanhFamily } from './approximations.js';

/** Guard digits carried beyond the digits asked for. */
const GUARD = 12;

// ---------------------------------------------------------------------------------------------
// √(2/π): the slope at 0
// ---------------------------------------------------------------------------------------------

export interface SlopeDerivation {
  /** √(2/π) to `digits` digits. */
  sqrt2OverPi: Decimal;
  /** Phi′(0) = phi(0) = 1/√(2π). */
  phiPrime0: Decimal;
  /** d/dx ½(1 + tanh(c(x + a·x³))) at 0 with c = √(2/π): ½·c, for any a. */
  approximationSlope: Decimal;
  /** √(2/π)/2 − 1/√(2π), each rounded independently to digits + 12 digits: 0 up to one unit in the last place. */
  difference: Decimal;
  /** (T(h) − T(−h))/(2h) − phi(0) at digits + 12 working digits p, h = 10^−⌈p/3⌉: a check independent of the algebra, O(h²) + O(10^−p/h). */
  centralDifferenceCheck: Decimal;
  algebra: string[];
}

/**
 * The tanh approximation T(x) = ½(1 + tanh(c(x + a·x³))) has T′(0) = ½·c (tanh′(0) = 1, and the
 * x³ term has no slope at 0), while Phi′(0) = phi(0) = 1/√(2π). Equal slopes force
 * c = 2/√(2π) = √(2/π), whatever a is.
 */
export function deriveSqrt2OverPi(digits = 30): SlopeDerivation {
  const D = decimalContext(digits + GUARD);
  const { sqrt2OverPi, invSqrt2Pi } = constantsAt(D);
  const slope = sqrt2OverPi.div(2);
  const h = new D(10).pow(-Math.ceil((digits + GUARD) / 3));
  const a = new D('0.044715');
  const fd = tanhFamily
    .value(h, a, D)
    .minus(tanhFamily.value(h.neg(), a, D))
    .div(h.times(2));
  return {
    sqrt2OverPi: sqrt2OverPi.toSignificantDigits(digits),
    phiPrime0: invSqrt2Pi.toSignificantDigits(digits),
    approximationSlope: slope.toSignificantDigits(digits),
    difference: slope.minus(invSqrt2Pi),
    centralDifferenceCheck: fd.minus(invSqrt2Pi).toSignificantDigits(3),
    algebra: [
      'T(x) = ½(1 + tanh(c·(x + a·x³)))  ⇒  T′(0) = ½·c·tanh′(0)·(1 + 3a·0²) = c/2',
      'Phi′(0) = phi(0) = e⁰/√(2π) = 1/√(2π)',
      'c/2 = 1/√(2π)  ⇒  c = 2/√(2π) = √(4/(2π)) = √(2/π)',
    ],
  };
}

// ---------------------------------------------------------------------------------------------
// The Taylor coefficient
// ---------------------------------------------------------------------------------------------

export interface TaylorDerivation {
  /** 2/(3π) − 1/6. */
  taylorA: Decimal;
  algebra: string[];
  /** e(x; a_T)/x⁵ at x = 1e−1, 1e−2, 1e−3: converges, so the error starts at x⁵ (the x³ terms match). */
  ratioX5AtTaylor: { x: string; ratio: Decimal }[];
  /** e(x; 0.044715)/x³ at the same x: tends to c·(0.044715 − a_T)/2 ≠ 0 (the x³ terms do not match). */
  ratioX3AtStandard: { x: string; ratio: Decimal }[];
  /** c·(0.044715 − a_T)/2, the predicted limit of the previous ratios. */
  predictedX3Coefficient: Decimal;
  /** max |T − Phi| over all reals with a = a_T, to compare with the minimax value. */
  maxErrorAtTaylor: ErrorMaximum;
}

/**
 * Match the x³ terms: with u = c(x + a·x³), ½(1 + tanh u) = ½ + u/2 − u³/6 + O(u⁵), so
 * T(x) = ½ + (c/2)x + (c·a/2 − c³/6)x³ + O(x⁵), while Phi(x) = ½ + phi(0)(x − x³/6) + O(x⁵)
 * with phi(0) = c/2. Equating x³ coefficients: c·a/2 − c³/6 = −c/12 ⇒ a = c²/3 − 1/6 = 2/(3π) − 1/6.
 */
export function deriveTaylorCoefficient(digits = 30): TaylorDerivation {
  const D = decimalContext(digits + GUARD);
  const { pi, sqrt2OverPi: c } = constantsAt(D);
  const aT = new D(2).div(pi.times(3)).minus(new D(1).div(6));
  const standard = new D('0.044715');
  const xs = ['1e-1', '1e-2', '1e-3'];
  // e(x) ~ 1e−15·x⁵ at x = 1e−3 needs ~digits + 20 digits to show its leading digits.
  const Dx = decimalContext(digits + 40);
  const ratios = (a: Decimal.Value, power: number) =>
    xs.map((s) => {
      const x = new Dx(s);
      const e = tanhFamily.value(x, new Dx(a), Dx).minus(cachedPhi(x, Dx));
      return { x: s, ratio: e.div(x.pow(power)).toSignificantDigits(8) };
    });
  return {
    taylorA: aT.toSignificantDigits(digits),
    algebra: [
      '½(1 + tanh u) = ½ + u/2 − u³/6 + O(u⁵),  u = c·(x + a·x³)',
      'T(x) = ½ + (c/2)·x + (c·a/2 − c³/6)·x³ + O(x⁵)',
      'Phi(x) = ½ + phi(0)·(x − x³/6) + O(x⁵),  phi(0) = 1/√(2π) = c/2',
      'x³: c·a/2 − c³/6 = −c/12  ⇒  a = c²/3 − 1/6 = 2/(3π) − 1/6',
    ],
    ratioX5AtTaylor: ratios(aT, 5),
    ratioX3AtStandard: ratios(standard, 3),
    predictedX3Coefficient: c.times(standard.minus(aT)).div(2).toSignificantDigits(8),
    maxErrorAtTaylor: errorMaximum(tanhFamily, aT, 'phi', Math.min(digits, 20)),
  };
}

// ---------------------------------------------------------------------------------------------
// Minimax parameter
// ---------------------------------------------------------------------------------------------

export interface MinimaxResult {
  family: string;
  parameter: string;
  criterion: Criterion;
  /** The parameter minimising max over all reals of |E|. */
  value: Decimal;
  /** |value − true minimax parameter| ≤ valueError (the final root bracket's half width). */
  valueError: Decimal;
  /** Significant digits of `value` that valueError supports. */
  valueDigits: number;
  /** The maximum error and all local extrema of |E| at x ≥ 0 at the optimum. */
  atOptimum: ErrorMaximum;
  /** The two extrema whose magnitudes the optimum equalises (the equioscillation). */
  equioscillating: [MagnitudeExtremum, MagnitudeExtremum];
  /** The standard constant and whether `value` rounds to it at the standard's significant digits. */
  standard: string;
  roundsToStandard: boolean;
  /** Outer iterations: golden-section steps, then root-finding evaluations. */
  iterations: { golden: number; root: number };
}

function significantDigits(s: string): number {
  return new Decimal(s).precision(false);
}

/**
 * argmin over p of max over all real x of |E(x; p)| (E the family's error for the criterion).
 *
 * Nested optimisation. Outer stage 1: golden-section search on M(p) = max_x |E| (M is unimodal
 * on the brackets used, with a V-shaped kink at the optimum) down to a relative width of 1e−3,
 * each M(p) from a full scan plus refinement at low precision. Stage 2: at the optimum two
 * extrema of opposite sign have equal magnitude (equioscillation), so the optimum is the root
 * of g(p) = |E(x₁(p); p)| − |E(x₂(p); p)| for the two largest extrema at the stage-1 midpoint,
 * found by bracketed root-finding with each xᵢ(p) refined to full precision (warm-started from
 * its previous position). Finally a full scan at the optimum confirms that no other extremum
 * exceeds the equioscillating pair.
 */
export function minimaxParameter(
  family: CdfApproximation,
  criterion: Criterion,
  bracket: readonly [Decimal.Value, Decimal.Value],
  digits = 30,
): MinimaxResult {
  const D0 = decimalContext(30);
  let lo = new D0(bracket[0]);
  let hi = new D0(bracket[1]);
  const M = (p: Decimal) => errorMaximum(family, p, criterion, 10);
  const invPhi = new D0(5).sqrt().minus(1).div(2);
  let c = hi.minus(hi.minus(lo).times(invPhi));
  let d = lo.plus(hi.minus(lo).times(invPhi));
  let mc = M(c).maximum.max;
  let md = M(d).maximum.max;
  let golden = 2;
  // 1e−3 relative is enough to tell which two extrema equioscillate; stage 2 does the rest.
  while (hi.minus(lo).gt(hi.abs().times('1e-3'))) {
    if (mc.lt(md)) {
      hi = d;
      d = c;
      md = mc;
      c = hi.minus(hi.minus(lo).times(invPhi));
      mc = M(c).maximum.max;
    } else {
      lo = c;
      c = d;
      mc = md;
      d = lo.plus(hi.minus(lo).times(invPhi));
      md = M(d).maximum.max;
    }
    golden++;
  }
  const mid = M(lo.plus(hi).div(2));
  const pair = [...mid.extrema].sort((u, v) => v.max.comparedTo(u.max)).slice(0, 2);
  if (pair.length < 2)
    throw new Error(`minimaxParameter: fewer than two extrema of the ${family.name} ${criterion} error; no equioscillation`);
  const positions = pair.map((m) => m.argmax);
  const refineAt = (p: Decimal, i: number): MagnitudeExtremum => {
    const { E, dE } = errorFunctions(family, p, criterion);
    const x = positions[i]!;
    // Warm start around the previous position; widen when the extremum moved further than that.
    for (let h = Decimal.max(x.abs(), 1).times('1e-3'); ; h = h.times(8)) {
      try {
        const m = refineMagnitude(E, dE, [x.minus(h), x.plus(h)], { digits: digits + 4 });
        positions[i] = m.argmax;
        return m;
      } catch (err) {
        if (!(err instanceof RangeError) || h.gt(0.3)) throw err;
      }
    }
  };
  const g = (p: Decimal) => refineAt(p, 0).max.minus(refineAt(p, 1).max);
  const root = bracketedRoot(g, [lo, hi], digits, digits + GUARD);
  const out = decimalContext(digits + 2);
  const value = new out(root.root);
  const atOptimum = errorMaximum(family, value, criterion, digits);
  const eq: [MagnitudeExtremum, MagnitudeExtremum] = [refineAt(value, 0), refineAt(value, 1)];
  const biggestOther = atOptimum.maximum.max;
  // The pair must carry the maximum: another extremum above it would mean the wrong pair was equalised.
  if (biggestOther.minus(Decimal.max(eq[0].max, eq[1].max)).gt(biggestOther.times(new Decimal(10).pow(-(digits - 2))))) {
    throw new Error(
      `minimaxParameter: at ${family.parameter} = ${value.toSignificantDigits(12)} an extremum at x = ${atOptimum.maximum.argmax.toSignificantDigits(6)} exceeds the equioscillating pair`,
    );
  }
  const rootDigits = root.error.isZero() ? digits : Math.floor(value.abs().div(root.error).log(10).toNumber());
  const valueDigits = Math.min(digits, rootDigits);
  const shown = value.toSignificantDigits(valueDigits);
  // The bound covers the value as returned: root bracket plus rounding to valueDigits digits.
  const valueError = root.error.plus(shown.minus(value).abs()).toSignificantDigits(3, Decimal.ROUND_UP);
  const sd = significantDigits(family.standard);
  return {
    family: family.name,
    parameter: family.parameter,
    criterion,
    value: shown,
    valueError,
    valueDigits,
    atOptimum,
    equioscillating: eq,
    standard: family.standard,
    roundsToStandard: value.toSignificantDigits(sd).eq(family.standard),
    iterations: { golden, root: root.evaluations },
  };
}

// ---------------------------------------------------------------------------------------------
// Least squares
// ---------------------------------------------------------------------------------------------

interface QuadratureRule {
  x: Decimal[];
  w: Decimal[];
}

const ruleCache = new Map<string, QuadratureRule>();

/**
 * Tanh-sinh (double exponential) nodes and weights on each [bᵢ, bᵢ₊₁] of `breaks`, step h = 2^−level.
 * x = m + r·tanh((π/2)·sinh t), w = h·r·(π/2)·cosh t / cosh²((π/2)·sinh t), t = k·h, truncated
 * where the weight falls below 10^−(precision + 5).
 */
function tanhSinhRule(breaks: readonly number[], level: number, precision: number): QuadratureRule {
  const key = `${breaks.join(',')}|${level}|${precision}`;
  const cached = ruleCache.get(key);
  if (cached) return cached;
  const D = decimalContext(precision);
  const halfPi = constantsAt(D).pi.div(2);
  const h = new D(2).pow(-level);
  const tiny = new D(10).pow(-(precision + 5));
  const x: Decimal[] = [];
  const w: Decimal[] = [];
  for (let i = 0; i + 1 < breaks.length; i++) {
    const a = new D(breaks[i]!);
    const b = new D(breaks[i + 1]!);
    const m = a.plus(b).div(2);
    const r = b.minus(a).div(2);
    for (let k = 0; ; k++) {
      const t = h.times(k);
      const s = halfPi.times(t.sinh());
      const ch = s.cosh();
      const wk = h.times(r).times(halfPi).times(t.cosh()).div(ch.times(ch));
      if (wk.lt(tiny)) break;
      const th = s.tanh();
      if (k === 0) {
        x.push(m);
        w.push(wk);
      } else {
        x.push(m.plus(r.times(th)), m.minus(r.times(th)));
        w.push(wk, wk);
      }
    }
  }
  const rule = { x, w };
  ruleCache.set(key, rule);
  return rule;
}

export interface LeastSquaresResult {
  family: string;
  parameter: string;
  criterion: Criterion;
  /** 'all reals' or e.g. '[−3, 3]'. */
  domain: string;
  value: Decimal;
  /** Estimated |value − true least-squares parameter|: the shift when the quadrature step is halved. */
  valueError: Decimal;
  valueDigits: number;
  /** max over all reals of |E| at this parameter (what the minimax criterion would score it). */
  maxError: ErrorMaximum;
  roundsToStandard: boolean;
}

/**
 * argmin over p of ∫ E(x; p)² dx over the domain (all reals, or [−L, L]). E² is even, so the
 * integral is twice the one over [0, X]; for all reals X = 12, beyond which |E| < 1e−30 (see
 * tailBound) contributes below 1e−60. The minimiser is the root of ∫ E·∂E/∂p dx, found by
 * bracketed root-finding; the integral uses tanh-sinh quadrature on pieces of length ≤ 3 and
 * is repeated with the step halved to estimate how precise the root is.
 */
export function leastSquaresParameter(
  family: CdfApproximation,
  criterion: Criterion,
  halfWidth: number | 'all',
  bracket: readonly [Decimal.Value, Decimal.Value],
  digits = 30,
): LeastSquaresResult {
  const X = halfWidth === 'all' ? 12 : halfWidth;
  if (!(X > 0 && X <= 12)) throw new RangeError(`leastSquaresParameter: halfWidth must be in (0, 12] or 'all', got ${halfWidth}`);
  const breaks: number[] = [0];
  const pieces = Math.ceil(X / 3);
  for (let i = 1; i <= pieces; i++) breaks.push((X * i) / pieces);
  const working = digits + GUARD;
  const integral = (level: number, W: number) => {
    const D = decimalContext(W);
    const rule = tanhSinhRule(breaks, level, W);
    const phis = rule.x.map((x) => cachedPhi(x, D));
    return (p: Decimal): Decimal => {
      let s = new D(0);
      for (let i = 0; i < rule.x.length; i++) {
        const x = rule.x[i]!;
        const [A, dA] = family.valueAndDp(x, p, D);
        const term = A.minus(phis[i]!).times(dA).times(rule.w[i]!);
        // gelu: E = x·e and ∂E/∂p = x·∂A/∂p, so the integrand gains x².
        s = s.plus(criterion === 'gelu' ? term.times(x).times(x) : term);
      }
      return s;
    };
  };
  // A cheap bracketed solve (level 3, 22 digits) finds the root to ~15 digits; secant steps at
  // full precision then need only a few evaluations of the expensive integral.
  const coarse = bracketedRoot(integral(3, 22), bracket, 14, 22).root;
  const level = digits > 40 ? 6 : 4;
  const p1 = secantPolish(integral(level, working), coarse, digits, working);
  const p2 = secantPolish(integral(level + 1, working), p1, digits, working);
  const diff = p2.minus(p1).abs();
  const estimate = Decimal.max(diff, p2.abs().times(new Decimal(10).pow(-(digits + 2))));
  const valueDigits = Math.min(digits, Math.floor(p2.abs().div(estimate).log(10).toNumber()));
  const value = new (decimalContext(digits + 2))(p2).toSignificantDigits(valueDigits);
  // The estimate covers the value as returned: quadrature-step change plus rounding to valueDigits.
  const valueError = estimate.plus(value.minus(p2).abs()).toSignificantDigits(3, Decimal.ROUND_UP);
  return {
    family: family.name,
    parameter: family.parameter,
    criterion,
    domain: halfWidth === 'all' ? 'all reals' : `[−${halfWidth}, ${halfWidth}]`,
    value,
    valueError,
    valueDigits,
    maxError: errorMaximum(family, value, criterion, Math.min(digits, 20)),
    roundsToStandard: value.toSignificantDigits(significantDigits(family.standard)).eq(family.standard),
  };
}

/**
 * Secant iteration for a root of F near p0 (already good to many digits), stopping when a step
 * is below 10^−(digits+3)·|p|. The bracketed coarse solve guarantees the neighbourhood; the
 * caller's level comparison measures what the polish achieved.
 */
function secantPolish(F: (p: Decimal) => Decimal, p0: Decimal, digits: number, working: number): Decimal {
  const D = decimalContext(working);
  let a = new D(p0);
  let b = a.times(new D(1).plus('1e-12'));
  let fa = F(a);
  let fb = F(b);
  const tol = b.abs().times(new D(10).pow(-(digits + 3)));
  for (let i = 0; i < 12 && !fb.eq(fa); i++) {
    const c = b.minus(fb.times(b.minus(a)).div(fb.minus(fa)));
    a = b;
    fa = fb;
    b = c;
    fb = F(b);
    if (b.minus(a).abs().lt(tol)) break;
  }
  return b;
}

/** phi and Phi at 0, for the record (used by reports). */
export function normalAtZero(digits = 30): { phi0: Decimal; Phi0: Decimal } {
  const D = decimalContext(digits);
  return { phi0: normalPdf(new D(0), D), Phi0: cachedPhi(new D(0), D) };
}
