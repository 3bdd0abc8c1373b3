import { Decimal } from 'decimal.js';
import { decimalContext, type DecimalCtor } from './precision.js';

/** A real function evaluated at the precision of the constructor it is given. */
export type RealFunction = (x: Decimal, D: DecimalCtor) => Decimal;

export interface ScanGrid {
  from: Decimal.Value;
  to: Decimal.Value;
  /** Number of equally spaced samples, ends included (≥ 3). */
  points: number;
}

export interface MaximizeOptions {
  /** Significant digits wanted in the argmax and the maximum (1…200). */
  digits: number;
  /**
   * The derivative of f. With it the argmax is the bracketed root of f′, found to the full
   * working precision; without it golden-section search can only place the argmax to about
   * half the working digits (f is flat at a maximum), so the working precision is doubled.
   */
  derivative?: RealFunction;
  /** Extra digits carried beyond `digits` (default 12). */
  guardDigits?: number;
}

/** One maximum of f with a statement of how precisely it is known. */
export interface Maximum {
  argmax: Decimal;
  max: Decimal;
  /** The argmax lies in this interval (f′ changes sign across it, or golden section kept it). */
  bracket: [Decimal, Decimal];
  /** Half the bracket width: |argmax − true argmax| ≤ argmaxError (given f′'s sign is right). */
  argmaxError: Decimal;
  /**
   * Estimated |max − true max|: the change of f across the bracket plus the difference between
   * f(argmax) at the working precision and at 10 more digits.
   */
  maxError: Decimal;
  /** Significant digits of `max` that maxError supports. */
  maxDigits: number;
  /** Which refinement ran. */
  method: 'root of derivative' | 'golden section' | 'endpoint';
  workingDigits: number;
  /** f (and f′) evaluations spent refining this maximum, the scan excluded. */
  evaluations: number;
}

/**
 * Sample f on the grid at a low precision and return brackets [x_{i−1}, x_{i+1}] around each
 * sampled local maximum (interior) and the endpoints when they are the largest there.
 *
 * Samples below `floor` × the largest sample are ignored: at 20 scan digits, values 1e−20 of
 * the largest are rounding noise whose wiggles look like maxima, and maxima that small cannot
 * be the global one anyway.
 */
export function scanForMaxima(
  f: RealFunction,
  grid: ScanGrid,
  scanDigits = 20,
  floor = 1e-8,
): { bracket: [Decimal, Decimal]; endpoint: boolean }[] {
  if (!Number.isInteger(grid.points) || grid.points < 3) {
    throw new RangeError(`scanForMaxima: grid.points must be an integer ≥ 3, got ${grid.points}`);
  }
  const D = decimalContext(scanDigits);
  const from = new D(grid.from);
  const to = new D(grid.to);
  if (!to.gt(from)) throw new RangeError(`scanForMaxima: grid.to (${to}) must exceed grid.from (${from})`);
  const step = to.minus(from).div(grid.points - 1);
  const xs: Decimal[] = [];
  const ys: Decimal[] = [];
  for (let i = 0; i < grid.points; i++) {
    const x = i === grid.points - 1 ? to : from.plus(step.times(i));
    xs.push(x);
    ys.push(f(x, D));
  }
  const out: { bracket: [Decimal, Decimal]; endpoint: boolean }[] = [];
  const n = grid.points;
  const threshold = D.max(...ys).times(floor);
  for (let i = 0; i < n; i++) if (ys[i]!.lt(threshold)) ys[i] = threshold;
  if (ys[0]!.gt(ys[1]!)) out.push({ bracket: [xs[0]!, xs[0]!], endpoint: true });
  for (let i = 1; i < n - 1; i++) {
    // ≥ on the left, > on the right: a plateau of equal samples yields one bracket, not two.
    if (ys[i]!.gte(ys[i - 1]!) && ys[i]!.gt(ys[i + 1]!)) out.push({ bracket: [xs[i - 1]!, xs[i + 1]!], endpoint: false });
  }
  if (ys[n - 1]!.gt(ys[n - 2]!)) out.push({ bracket: [xs[n - 1]!, xs[n - 1]!], endpoint: true });
  return out;
}

/**
 * Refine one maximum of f inside `bracket` (which must contain exactly one local maximum).
 *
 * With a derivative: safeguarded regula falsi (Illinois) on f′, which keeps a sign-change
 * bracket at every step, converges superlinearly, and bisects whenever an interpolation step
 * would shrink the bracket by less than half. Without: golden-section search.
 */
export function refineMaximum(f: RealFunction, bracket: readonly [Decimal.Value, Decimal.Value], options: MaximizeOptions): Maximum {
  const { digits } = options;
  if (!Number.isInteger(digits) || digits < 1 || digits > 200) {
    throw new RangeError(`refineMaximum: digits must be an integer in [1, 200], got ${digits}`);
  }
  const guard = options.guardDigits ?? 12;
  const derivative = options.derivative;
  const working = derivative ? digits + guard : 2 * digits + guard;
  const D = decimalContext(working);
  let lo = new D(bracket[0]);
  let hi = new D(bracket[1]);
  if (lo.gt(hi)) [lo, hi] = [hi, lo];
  const scale = D.max(lo.abs(), hi.abs(), 1);
  // Stop when the argmax is pinned to a few digits beyond what was asked for.
  const tol = scale.times(new D(10).pow(-(digits + 3)));
  let evaluations = 0;
  let method: Maximum['method'];

  if (lo.eq(hi)) {
    method = 'endpoint';
  } else if (derivative) {
    const glo = derivative(lo, D);
    const ghi = derivative(hi, D);
    if (!(glo.gte(0) && ghi.lte(0))) {
      throw new RangeError(
        `refineMaximum: f′ must go from ≥ 0 to ≤ 0 across [${lo.toSignificantDigits(8)}, ${hi.toSignificantDigits(8)}], got f′ = ${glo.toSignificantDigits(3)} and ${ghi.toSignificantDigits(3)}`,
      );
    }
    const r = bracketedRoot(derivative, [lo, hi], digits, working);
    [lo, hi] = [new D(r.bracket[0]), new D(r.bracket[1])];
    evaluations += r.evaluations + 2;
    method = 'root of derivative';
  } else {
    const invPhi = new D(5).sqrt().minus(1).div(2);
    let c = hi.minus(hi.minus(lo).times(invPhi));
    let d = lo.plus(hi.minus(lo).times(invPhi));
    let fc = f(c, D);
    let fd = f(d, D);
    evaluations += 2;
    while (hi.minus(lo).gt(tol)) {
      if (fc.gt(fd)) {
        hi = d;
        d = c;
        fd = fc;
        c = hi.minus(hi.minus(lo).times(invPhi));
        fc = f(c, D);
      } else {
        lo = c;
        c = d;
        fc = fd;
        d = lo.plus(hi.minus(lo).times(invPhi));
        fd = f(d, D);
      }
      evaluations++;
    }
    method = 'golden section';
  }

  const argmax = lo.plus(hi).div(2);
  const max = f(argmax, D);
  const Dcheck = decimalContext(working + 10);
  const maxCheck = f(new Dcheck(argmax), Dcheck);
  const flo = f(lo, D);
  const fhi = f(hi, D);
  evaluations += 4;
  const maxError = new D(D.max(max.minus(flo).abs(), max.minus(fhi).abs())).plus(maxCheck.minus(max).abs());
  const maxDigits = maxError.isZero() ? working : Math.max(0, Math.floor(max.abs().div(maxError).log(10).toNumber()));
  const Dout = decimalContext(Math.max(digits + 5, 20));
  return {
    argmax: new Dout(argmax),
    max: new Dout(max),
    bracket: [new Dout(lo), new Dout(hi)],
    argmaxError: new Dout(hi.minus(lo).div(2)).toSignificantDigits(3, Decimal.ROUND_UP),
    maxError: new Dout(maxError).toSignificantDigits(3, Decimal.ROUND_UP),
    maxDigits: Math.min(maxDigits, working),
    method,
    workingDigits: working,
    evaluations,
  };
}

/** All local maxima of f on the scan grid (interior ones refined, endpoint ones reported as such), in increasing x. */
export function localMaxima(f: RealFunction, grid: ScanGrid, options: MaximizeOptions): Maximum[] {
  return scanForMaxima(f, grid).map(({ bracket }) => refineMaximum(f, bracket, options));
}

/** The largest local maximum of f over the grid's interval. */
export function maximize(f: RealFunction, grid: ScanGrid, options: MaximizeOptions): Maximum {
  const all = localMaxima(f, grid, options);
  if (all.length === 0) throw new Error('maximize: the scan found no maximum (f constant on the grid?)');
  return all.reduce((best, m) => (m.max.gt(best.max) ? m : best));
}

/** Format a Maximum's precision in one line, e.g. for the command's output. */
export function describePrecision(m: Maximum): string {
  // A zero half-width means f′ evaluated to exactly 0 at the working precision.
  const arg = m.argmaxError.isZero() ? `argmax: f′ = 0 exactly at ${m.workingDigits} digits` : `argmax ± ${m.argmaxError.toExponential(2)}`;
  return `${arg}, max ± ${m.maxError.toExponential(2)} (${m.maxDigits} significant digits; ${m.method}, ${m.workingDigits} working digits)`;
}

/** A local maximum of |E| with the sign E has there. */
export interface MagnitudeExtremum extends Maximum {
  /** E(argmax) with its sign; `max` is |E(argmax)|. */
  value: Decimal;
  sign: 1 | -1;
}

/**
 * Local maxima of |E| over the grid, refined through s·E with s = sign(E) near each one, so
 * that the derivative s·E′ is smooth (|E| itself has kinks at the zeros of E, which are minima
 * and never brackets of a maximum). Endpoint maxima are reported with method 'endpoint'.
 */
export function magnitudeExtrema(E: RealFunction, dE: RealFunction, grid: ScanGrid, options: MaximizeOptions): MagnitudeExtremum[] {
  const abs: RealFunction = (x, D) => E(x, D).abs();
  return scanForMaxima(abs, grid).map(({ bracket }) => refineMagnitude(E, dE, bracket, options));
}

/** Refine one local maximum of |E| inside `bracket` (see magnitudeExtrema). */
export function refineMagnitude(
  E: RealFunction,
  dE: RealFunction,
  bracket: readonly [Decimal.Value, Decimal.Value],
  options: MaximizeOptions,
): MagnitudeExtremum {
  const D = decimalContext(20);
  const mid = new D(bracket[0]).plus(new D(bracket[1])).div(2);
  const sign: 1 | -1 = E(mid, D).isNeg() ? -1 : 1;
  const f: RealFunction = sign === 1 ? E : (x, Dx) => E(x, Dx).neg();
  const df: RealFunction = sign === 1 ? dE : (x, Dx) => dE(x, Dx).neg();
  const m = refineMaximum(f, bracket, { ...options, derivative: df });
  return { ...m, value: sign === 1 ? m.max : m.max.neg(), max: m.max.abs(), sign };
}

/** A root of g bracketed in [lo, hi] (g(lo), g(hi) of opposite signs or zero), found by safeguarded Illinois steps. */
export interface BracketedRoot {
  root: Decimal;
  bracket: [Decimal, Decimal];
  /** Half the final bracket width. */
  error: Decimal;
  evaluations: number;
}

/**
 * Find the root of g in [lo, hi] to `digits` significant digits (relative to max(|lo|, |hi|),
 * at least 1), evaluating g at `working` digits. Regula falsi with the Illinois modification
 * (halve the retained end's value when the same end is retained twice) converges with order
 * ≈ 1.44 and never loses the sign change; a bisection is forced when three steps in a row have
 * not halved the bracket, which bounds the worst case by bisection's.
 */
export function bracketedRoot(
  g: RealFunction,
  bracket: readonly [Decimal.Value, Decimal.Value],
  digits: number,
  working: number,
): BracketedRoot {
  const D = decimalContext(working);
  let a = new D(bracket[0]);
  let b = new D(bracket[1]);
  let ga = g(a, D);
  let gb = g(b, D);
  let evaluations = 2;
  if (ga.isZero()) return { root: a, bracket: [a, a], error: new D(0), evaluations };
  if (gb.isZero()) return { root: b, bracket: [b, b], error: new D(0), evaluations };
  if (ga.isNeg() === gb.isNeg()) {
    throw new RangeError(
      `bracketedRoot: g must change sign across [${a.toSignificantDigits(8)}, ${b.toSignificantDigits(8)}], got ${ga.toSignificantDigits(3)} and ${gb.toSignificantDigits(3)}`,
    );
  }
  const tol = D.max(a.abs(), b.abs(), 1).times(new D(10).pow(-(digits + 3)));
  let lastHalving = a.minus(b).abs();
  let sinceHalving = 0;
  // Invariant: g(a) and g(b) have opposite signs; b is the newest point.
  while (a.minus(b).abs().gt(tol) && evaluations < 2000) {
    let x: Decimal;
    if (sinceHalving >= 3) {
      x = a.plus(b).div(2);
    } else {
      x = b.minus(gb.times(b.minus(a)).div(gb.minus(ga)));
      if (!x.minus(a).times(x.minus(b)).isNeg()) x = a.plus(b).div(2);
    }
    const gx = g(x, D);
    evaluations++;
    if (gx.isZero()) return { root: x, bracket: [x, x], error: new D(0), evaluations };
    if (gx.isNeg() !== gb.isNeg()) {
      a = b;
      ga = gb;
    } else {
      ga = ga.div(2);
    }
    b = x;
    gb = gx;
    const width = a.minus(b).abs();
    if (width.lte(lastHalving.div(2))) {
      lastHalving = width;
      sinceHalving = 0;
    } else sinceHalving++;
  }
  const lo = D.min(a, b);
  const hi = D.max(a, b);
  return { root: new D(lo.plus(hi).div(2)), bracket: [new D(lo), new D(hi)], error: new D(hi.minus(lo).div(2)), evaluations };
}
