/**
 * Suite 1 — the tanh-vs-erf bound. M = max |gelu_tanh − gelu| and
 * M_Φ = max |tanhPhi − Phi| come from the constants derivation (or the local
 * golden-section search over the oracle when it is absent); here the oracle
 * checks them: no sampled x has a larger gap, and the gap at the argmax
 * equals M to 12 significant digits. Per backend, the computed values obey
 * |gelu_tanh_b(x) − gelu_b(x)| ≤ M + E_b(x), with E_b the absolute error that
 * the backend's tolerance-table steps allow on each of the two results.
 */
import fc from 'fast-check';
import { floatInRange, formatLimits, stepFloat } from '../arbitraries/floats.js';
import { peakNeighbourhood } from '../arbitraries/regions.js';
import { show, ulpOf, type FullContext } from './context.js';
import { batch, isToleranceMissing } from './common.js';
import { geluGap, phiGap, LANDMARK_DIGITS } from './landmarks.js';
import type { Observation, PropertySpec } from './types.js';

const ctxOf = (c: unknown) => c as FullContext;

/** Relative agreement "to 12 significant digits": within half a unit of the 12th digit. */
export const TWELVE_DIGITS = 5e-12;

function gapDomain(argmax: number, dtype: 'f32' | 'f64'): fc.Arbitrary<number> {
  return fc.oneof(peakNeighbourhood(argmax, dtype), floatInRange(-12, 12, dtype), floatInRange(-8, 8, dtype));
}

const oracleBound = (which: 'gelu' | 'phi'): PropertySpec<Float64Array> => ({
  suite: 'tanh-vs-erf',
  id: `oracle/${which}`,
  name: () =>
    which === 'gelu'
      ? 'the oracle finds no x with |gelu_tanh(x) − gelu(x)| above the located maximum M ≈ 4.73e−4, its own search finds M, and the gap at ±argmax equals M to 12 significant digits'
      : 'the oracle finds no x with |tanhPhi(x) − Phi(x)| above the located maximum M_Φ ≈ 1.79e−4, its own search finds M_Φ, and the gap at ±argmax equals M_Φ to 12 significant digits',
  prepare(c, target) {
    const ctx = ctxOf(c);
    if (target.precision !== 'exact')
      return { skip: 'an oracle-only property (the real-valued maximum); backends are held to it in the next property' };
    if (target.dtype !== 'f64') return { skip: 'run once, on the oracle in f64 (inputs are doubles)' };
    const gaps = ctx.landmarks.gaps();
    const m = which === 'gelu' ? gaps.maxGeluGap : gaps.maxPhiGap;
    const gap = (x: number) => (which === 'gelu' ? geluGap(ctx.oracle, x) : phiGap(ctx.oracle, x));
    // Re-evaluate at the argmax with the oracle: the located value must agree to 12 digits, at +x* and −x*.
    const atStar = [gap(m.x), gap(-m.x)];
    const rel = atStar.map((v) => v.minus(m.value).abs().div(m.value).toNumber());
    // An independent search over the oracle alone (scan + golden section) must find the same maximum.
    const local = which === 'gelu' ? ctx.landmarks.oracleGaps().gelu : ctx.landmarks.oracleGaps().phi;
    const relLocal = local.value.minus(m.value).abs().div(m.value).toNumber();
    const relWorst = Math.max(...rel, relLocal);
    const M = m.value;
    return {
      arbitrary: batch(gapDomain(m.x, 'f64'), 8),
      bound: 0,
      unit: 'samples above M',
      facts: {
        max: M.toSignificantDigits(15).toString(),
        argmax: `±${show(m.x)}`,
        oracleAtArgmax: atStar[0]!.toSignificantDigits(15).toString(),
        relativeDifference: relWorst,
        oracleSearchMax: local.value.toSignificantDigits(15).toString(),
        oracleSearchArgmax: show(local.x),
        source: gaps.source,
        digits: LANDMARK_DIGITS,
      },
      async check(xs): Promise<Observation> {
        if (!(relWorst <= TWELVE_DIGITS)) {
          return {
            ok: false,
            observed: 1,
            message: `the located maximum ${M.toSignificantDigits(15).toString()} at ±${show(m.x)} disagrees with the oracle beyond 12 digits: gap there ${atStar[0]!.toSignificantDigits(15).toString()}, the oracle's own search found ${local.value.toSignificantDigits(15).toString()} at ${show(local.x)} (relative ${relWorst} > ${TWELVE_DIGITS})`,
          };
        }
        for (const x of xs) {
          const g = gap(x);
          if (g.cmp(M) > 0) {
            return {
              ok: false,
              observed: 1,
              message: `at x = ${show(x)} the gap is ${g.toSignificantDigits(15).toString()} > M = ${M.toSignificantDigits(15).toString()}`,
            };
          }
        }
        return { ok: true, observed: 0 };
      },
    };
  },
});

/** Largest absolute error of a result y within t steps of the correctly rounded value. */
function absErrorWithin(y: number, t: number, dtype: 'f32' | 'f64'): number {
  return (t + 0.5) * ulpOf(stepFloat(Math.abs(y), t + 1, dtype), dtype);
}

const backendBound = (which: 'gelu' | 'phi'): PropertySpec<Float64Array> => ({
  suite: 'tanh-vs-erf',
  id: `backend/${which}`,
  name: (t) =>
    which === 'gelu'
      ? `|gelu_tanh(x) − gelu(x)| (${t.backend} ${t.dtype}) ≤ M + the error its tolerance allows on both results, |x| ≤ 12 and around ±argmax`
      : `|gelu_tanh(x) − gelu(x)|/|x| (${t.backend} ${t.dtype}) ≤ M_Φ + the tolerance's error/|x|, |x| ≤ 12 and around ±argmax of the Phi gap`,
  prepare(c, target) {
    const ctx = ctxOf(c);
    if (!target.gelu) return { skip: target.missing?.gelu ?? 'no gelu' };
    const te = ctx.maxTolerance(target, 'gelu');
    const tt = ctx.maxTolerance(target, 'gelu-tanh');
    if (isToleranceMissing(te)) return { skip: te.missing };
    if (isToleranceMissing(tt)) return { skip: tt.missing };
    const gaps = ctx.landmarks.gaps();
    const m = which === 'gelu' ? gaps.maxGeluGap : gaps.maxPhiGap;
    // M rounded up to a double, so the comparison in doubles cannot wrongly fail.
    const M = stepFloat(m.value.toNumber(), 1, 'f64');
    const dtype = target.dtype;
    const { minNormal } = formatLimits(dtype);
    return {
      arbitrary: batch(gapDomain(m.x, dtype).filter((x) => Math.abs(x) >= minNormal)),
      bound: 1,
      unit: 'gap / bound',
      facts: { M: show(M), toleranceGelu: te.steps, toleranceTanh: tt.steps },
      async check(xs) {
        const yt = await target.gelu!('gelu-tanh', xs);
        const ye = await target.gelu!('gelu', xs);
        let worst = 0;
        for (let i = 0; i < xs.length; i++) {
          const x = xs[i]!;
          const diff = Math.abs(yt[i]! - ye[i]!);
          // The double subtraction rounds once: allow its half ulp.
          const err = absErrorWithin(yt[i]!, tt.steps, dtype) + absErrorWithin(ye[i]!, te.steps, dtype) + diff * 2 ** -53;
          const bound = which === 'gelu' ? M + err : M * Math.abs(x) + err;
          const ratio = diff / bound;
          worst = Math.max(worst, ratio);
          if (!(ratio <= 1)) {
            return {
              ok: false,
              observed: worst,
              message: `x = ${show(x)}: gelu_tanh = ${show(yt[i]!)}, gelu = ${show(ye[i]!)}, gap ${diff} > bound ${bound}`,
            };
          }
        }
        return { ok: true, observed: worst };
      },
    };
  },
});

/** Every property of suite 1. */
export const tanhVsErfSuite: PropertySpec<any>[] = [oracleBound('gelu'), oracleBound('phi'), backendBound('gelu'), backendBound('phi')];
