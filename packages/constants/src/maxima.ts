import { Decimal } from 'decimal.js';
import { errorFunctions, sigmoidFamily, tanhFamily, type CdfApproximation, type Criterion } from './approximations.js';
import { describePrecision, magnitudeExtrema, type MagnitudeExtremum, type ScanGrid } from './extrema.js';
import { normalPdf } from './normal.js';
import { decimalContext } from './precision.js';

/** Where every scan for extrema in x looks: x ≥ 0 suffices by symmetry, and beyond 12 the tail bound takes over. */
// 0.075 spacing: the extrema of every error curve here are ≥ 0.6 apart, so none hides between samples.
export const X_SCAN: ScanGrid = { from: 0, to: 12, points: 161 };

/**
 * An upper bound on |E(x)| for every x ≥ X (X ≥ 2), E the error of A = sigmoid(t) against Phi
 * (criterion 'phi') or x times it ('gelu').
 *
 * Both 1 − A and 1 − Phi are positive, so |A − Phi| ≤ max(1 − A, 1 − Phi), with
 * 1 − A = sigmoid(−t) ≤ e^(−t) and 1 − Phi(x) ≤ phi(x)/x (Mills' ratio). For x ≥ 2 and t
 * growing at least like 1.5·x (true for a ≥ 0 and for k ≥ 1.5), x·e^(−t) and phi(x) are
 * decreasing, so their values at X bound the whole tail.
 */
export function tailBound(family: CdfApproximation, p: Decimal.Value, criterion: Criterion, X: Decimal.Value = X_SCAN.to): Decimal {
  const D = decimalContext(30);
  const x = new D(X);
  if (x.lt(2)) throw new RangeError(`tailBound: X must be ≥ 2, got ${x}`);
  const envA = family.argument(x, new D(p), D).neg().exp();
  const envPhi = normalPdf(x, D).div(x);
  const env = Decimal.max(envA, envPhi);
  return new D(criterion === 'gelu' ? env.times(x) : env);
}

/** The maximum of |E| over all real x, for one family, parameter value and criterion. */
export interface ErrorMaximum {
  family: string;
  parameter: string;
  parameterValue: Decimal;
  criterion: Criterion;
  /** The largest extremum found at x ≥ 0; the same |E| is attained at −argmax (symmetry). */
  maximum: MagnitudeExtremum;
  /** Every local maximum of |E| on [0, 12], increasing x. */
  extrema: MagnitudeExtremum[];
  /** |E(x)| ≤ tail for all |x| ≥ 12, so the maximum over [0, 12] is the maximum over all reals. */
  tail: Decimal;
  /** One line: the precision of `maximum`. */
  precision: string;
}

/** max over all real x of |E(x)| for `family` at parameter p (see ErrorMaximum). */
export function errorMaximum(family: CdfApproximation, p: Decimal.Value, criterion: Criterion, digits: number): ErrorMaximum {
  const { E, dE } = errorFunctions(family, p, criterion);
  const extrema = magnitudeExtrema(E, dE, X_SCAN, { digits }).filter((m) => m.method !== 'endpoint' || !m.argmax.isZero());
  if (extrema.length === 0) throw new Error(`errorMaximum: no extremum of the ${family.name} ${criterion} error found on [0, 12]`);
  const maximum = extrema.reduce((best, m) => (m.max.gt(best.max) ? m : best));
  const tail = tailBound(family, p, criterion);
  if (!tail.lt(maximum.max.div(1000))) {
    throw new Error(
      `errorMaximum: tail bound ${tail.toExponential(3)} beyond x = 12 is not negligible against the maximum ${maximum.max.toExponential(3)}`,
    );
  }
  return {
    family: family.name,
    parameter: family.parameter,
    parameterValue: new Decimal(p),
    criterion,
    maximum,
    extrema,
    tail,
    precision: describePrecision(maximum),
  };
}

/**
 * max |gelu_tanh − gelu| and max |½(1 + tanh(√(2/π)(x + 0.044715x³))) − Phi(x)| over all reals,
 * with where they are attained (both at ±argmax), at `digits` significant digits (default 30).
 *
 * 0.044715 is taken as the exact decimal, as PyTorch's formula states it.
 */
export function tanhVsErfMaximum(options: { digits?: number } = {}): { gelu: ErrorMaximum; phi: ErrorMaximum } {
  const digits = options.digits ?? 30;
  return {
    gelu: errorMaximum(tanhFamily, '0.044715', 'gelu', digits),
    phi: errorMaximum(tanhFamily, '0.044715', 'phi', digits),
  };
}

/** The same for x·sigmoid(1.702x) and sigmoid(1.702x). */
export function sigmoidVsErfMaximum(options: { digits?: number } = {}): { gelu: ErrorMaximum; phi: ErrorMaximum } {
  const digits = options.digits ?? 30;
  return {
    gelu: errorMaximum(sigmoidFamily, '1.702', 'gelu', digits),
    phi: errorMaximum(sigmoidFamily, '1.702', 'phi', digits),
  };
}
