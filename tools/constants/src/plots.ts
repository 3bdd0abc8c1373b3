import { cachedPhi, decimalContext, errorMaximum, type CdfApproximation, type Criterion } from '@geglu/constants';

/** Plots need ~4 digits; 20 working digits keep Phi's series far from any rounding trouble. */
const D = decimalContext(20);

/** Samples of E(x) = A(x; p) − Phi(x) (criterion 'phi') or x·(A − Phi) ('gelu') on [from, to]. */
export function errorCurve(
  family: CdfApproximation,
  p: string,
  criterion: Criterion,
  from: number,
  to: number,
  points: number,
): [number, number][] {
  const out: [number, number][] = [];
  const pp = new D(p);
  for (let i = 0; i < points; i++) {
    const x = new D(from).plus(new D(to - from).times(i).div(points - 1));
    const e = family.value(x, pp, D).minus(cachedPhi(x, D));
    out.push([x.toNumber(), (criterion === 'gelu' ? e.times(x) : e).toNumber()]);
  }
  return out;
}

/** M(p) = max over all reals of |E| for parameter values p on [from, to] (8-digit maxima). */
export function maxErrorCurve(
  family: CdfApproximation,
  criterion: Criterion,
  from: number,
  to: number,
  points: number,
): [number, number][] {
  const out: [number, number][] = [];
  for (let i = 0; i < points; i++) {
    const p = new D(from).plus(new D(to - from).times(i).div(points - 1));
    out.push([p.toNumber(), errorMaximum(family, p, criterion, 8).maximum.max.toNumber()]);
  }
  return out;
}
