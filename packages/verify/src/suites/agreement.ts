/**
 * Suite 5 — agreement. Each backend against the oracle within the tolerance
 * table (per function, dtype, backend and region, in steps), backends
 * against each other, and the MLP against the oracle within a stated forward
 * error bound.
 */
import { Decimal } from 'decimal.js';
import fc from 'fast-check';
import { formatLimits, type FloatFormat } from '../arbitraries/floats.js';
import {
  INPUT_REGIONS,
  regionBounds,
  regionInput,
  thresholdNeighbourhood,
  peakNeighbourhood,
  type InputRegion,
} from '../arbitraries/regions.js';
import { mlpCase, type MlpCase } from '../arbitraries/tensors.js';
import type { GeluFunction } from '../arbitraries/thresholds.js';
import { regionOf as tableRegion } from '../tolerances/index.js';
import { stepDistance } from '@geglu/float';
import { show, type FullContext } from './context.js';
import { batch, checkAgainstOracle, fnName, GELU_FUNCTIONS, isToleranceMissing, measureOnly, num } from './common.js';
import { LANDMARK_DIGITS } from './landmarks.js';
import type { PropertySpec, SuiteTarget } from './types.js';

const ctxOf = (c: unknown) => c as FullContext;
const Wide = Decimal.clone({ precision: 60, rounding: Decimal.ROUND_HALF_EVEN });

function regionProperty(fn: GeluFunction, region: InputRegion): PropertySpec<Float64Array> {
  return {
    suite: 'agreement',
    id: `oracle/${fn}/${region}`,
    fn,
    region,
    name: (t, c) => {
      // With a context the name carries the numbers: the region's interval and the table's bound.
      let detail = '';
      if (c) {
        try {
          const ctx = ctxOf(c);
          const [lo, hi] = regionBounds(region, ctx.landmarks.thresholds(fn, t.dtype));
          const tol = ctx.toleranceAt(t, fn, region === 'core' ? 1 : lo);
          detail = ` [${num(lo)}, ${num(hi)}]${isToleranceMissing(tol) ? '' : ` (${tol.steps} steps)`}`;
        } catch {
          detail = '';
        }
      }
      return `${fnName(fn)} (${t.backend} ${t.dtype}) is within the tolerance table's steps of the correctly rounded value on the ${region} region${detail}`;
    },
    prepare(c, target) {
      const ctx = ctxOf(c);
      if (target.precision === 'exact') return { skip: 'the oracle is the reference itself' };
      if (!target.gelu) return { skip: target.missing?.gelu ?? 'no gelu' };
      const th = ctx.landmarks.thresholds(fn, target.dtype);
      const [lo, hi] = regionBounds(region, th);
      if (!(lo <= hi)) return { skip: `the ${region} region is empty in ${target.dtype}` };
      const probe = region === 'core' ? 1 : lo;
      const found = ctx.toleranceAt(target, fn, probe);
      const unmeasured = measureOnly(found);
      if (isToleranceMissing(found) && !unmeasured) return { skip: found.missing };
      const tol = isToleranceMissing(found) ? { steps: Infinity, measured: false } : found;
      const tolAt = (x: number) => (unmeasured ? tol : ctx.toleranceAt(target, fn, x));
      return {
        arbitrary: batch(regionInput(region, th)),
        check: (xs) => checkAgainstOracle(ctx, target, fn, xs, tolAt),
        ...(unmeasured ? { measureOnly: unmeasured } : {}),
        bound: tol.steps,
        unit: 'steps',
        facts: {
          region: `[${num(lo)}, ${num(hi)}]`,
          tableRegion: tableRegion(fn, target.dtype, probe) ?? 'none',
          measured: String(tol.measured),
        },
      };
    },
  };
}

function neighbourhoodProperty(fn: GeluFunction, which: 'thresholds' | 'peak'): PropertySpec<Float64Array> {
  return {
    suite: 'agreement',
    id: `oracle/${fn}/${which}`,
    fn,
    region: which,
    name: (t) =>
      which === 'thresholds'
        ? `${fnName(fn)} (${t.backend} ${t.dtype}) is within tolerance within 4096 floats of the underflow, subnormal and identity thresholds`
        : `${fnName(fn)} (${t.backend} ${t.dtype}) is within tolerance on ±[x*−0.05, x*+0.05], x* the argmax of |gelu_tanh − gelu|`,
    prepare(c, target) {
      const ctx = ctxOf(c);
      if (target.precision === 'exact') return { skip: 'the oracle is the reference itself' };
      if (!target.gelu) return { skip: target.missing?.gelu ?? 'no gelu' };
      const th = ctx.landmarks.thresholds(fn, target.dtype);
      const arb = which === 'thresholds' ? thresholdNeighbourhood(th) : peakNeighbourhood(ctx.landmarks.gaps().maxGeluGap.x, target.dtype);
      const found = ctx.maxTolerance(target, fn);
      const unmeasured = measureOnly(found);
      if (isToleranceMissing(found) && !unmeasured) return { skip: found.missing };
      const tol = isToleranceMissing(found) ? { steps: Infinity, measured: false } : found;
      const tolAt = (x: number) => (unmeasured ? tol : ctx.toleranceAt(target, fn, x));
      const facts: Record<string, string> =
        which === 'thresholds'
          ? { underflowToZero: show(th.underflowToZero), normalFrom: show(th.normalFrom), identityFrom: show(th.identityFrom) }
          : { argmax: show(ctx.landmarks.gaps().maxGeluGap.x) };
      return {
        arbitrary: batch(arb),
        facts,
        ...(unmeasured ? { measureOnly: unmeasured } : {}),
        check: (xs) => checkAgainstOracle(ctx, target, fn, xs, tolAt),
        bound: tol.steps,
        unit: 'steps',
      };
    },
  };
}

function crossBackendProperty(fn: GeluFunction): PropertySpec<Float64Array> {
  return {
    suite: 'agreement',
    id: `cross/${fn}`,
    fn,
    name: (t) =>
      `${fnName(fn)} (${t.backend} ${t.dtype}) agrees with every other ${t.dtype} backend within the sum of their tolerances, all regions`,
    prepare(c, target) {
      const ctx = ctxOf(c);
      if (target.precision === 'exact') return { skip: 'the oracle is the reference itself' };
      if (!target.gelu) return { skip: target.missing?.gelu ?? 'no gelu' };
      const others = ctx.targets.filter(
        (o) => o !== target && o.dtype === target.dtype && o.precision !== 'exact' && o.unavailable === undefined && o.gelu,
      );
      if (others.length === 0) return { skip: `no other ${target.dtype} backend is available in this run` };
      const own = ctx.maxTolerance(target, fn);
      if (isToleranceMissing(own) && !measureOnly(own)) return { skip: own.missing };
      const withTolerance = isToleranceMissing(own) ? [] : others.filter((o) => !isToleranceMissing(ctx.maxTolerance(o, fn)));
      // Where no pair has bounds on both sides yet, the pairs are measured without gating.
      const unmeasured =
        withTolerance.length > 0
          ? undefined
          : `no ${target.dtype} pair with ${target.backend} has measured ${fn} tolerances on both sides (${others.map((o) => o.backend).join(', ')})`;
      const judged = unmeasured ? others : withTolerance;
      const pairBound = (x: number, o: SuiteTarget): number | string => {
        if (unmeasured) return Infinity;
        const a = ctx.toleranceAt(target, fn, x);
        const b = ctx.toleranceAt(o, fn, x);
        if (isToleranceMissing(a)) return a.missing;
        if (isToleranceMissing(b)) return b.missing;
        return a.steps + b.steps;
      };
      const th = ctx.landmarks.thresholds(fn, target.dtype);
      const { max } = formatLimits(target.dtype);
      const arb = fc.oneof(...INPUT_REGIONS.map((r) => regionInput(r, th)), thresholdNeighbourhood(th), fc.constantFrom(-max, max));
      return {
        arbitrary: batch(arb),
        unit: 'steps',
        bound:
          unmeasured || isToleranceMissing(own)
            ? Infinity
            : own.steps +
              Math.max(
                ...judged.map((o) => {
                  const t = ctx.maxTolerance(o, fn);
                  return isToleranceMissing(t) ? Infinity : t.steps;
                }),
              ),
        ...(unmeasured ? { measureOnly: unmeasured } : {}),
        facts: { against: judged.map((o) => o.backend).join(', ') },
        async check(xs) {
          const mine = await target.gelu!(fn, xs);
          let worst = 0;
          for (const o of judged) {
            const theirs = await o.gelu!(fn, xs);
            for (let i = 0; i < xs.length; i++) {
              const bound = pairBound(xs[i]!, o);
              if (typeof bound === 'string') return { ok: false, message: bound };
              const s = stepDistance(mine[i]!, theirs[i]!, target.dtype);
              worst = Math.max(worst, s);
              if (s > bound) {
                return {
                  ok: false,
                  observed: worst,
                  message: `${fnName(fn)}(${show(xs[i]!)}): ${target.backend} gave ${show(mine[i]!)}, ${o.backend} gave ${show(theirs[i]!)}: ${s} steps > ${bound} (the sum of their tolerances)`,
                };
              }
            }
          }
          return { ok: true, observed: worst };
        },
      };
    },
  };
}

/**
 * Forward error bound of the MLP, for any summation order (Higham, Accuracy
 * and Stability of Numerical Algorithms, 2nd ed., §3.1: |fl(aᵀb) − aᵀb| ≤
 * γ_n·|a|ᵀ|b|, γ_n = n·u/(1 − n·u), u the unit roundoff 2^−24 or 2^−53):
 *
 *   ĝ_j, ĥ_j (length-d dots):  |ĝ − g| ≤ γ_d·G_j, G_j = Σ_k |x_k||Wg_jk|  (H_j, Eh_j alike)
 *   activation:                |â − act(g)| ≤ L·γ_d·G_j + ρ·(1+γ_d)G_j + η = Ea_j
 *                              L = 1.2 ≥ max|act′| (gelu′ peaks at √2 with Phi(√2)+√2·φ(√2) = 1.1289;
 *                              the tanh form's slope differs from it by < 0.01), |act(v)| ≤ |v|,
 *                              ρ = (tol+1)·2u for tol table steps plus the rounding, η = (tol+1)·minSubnormal
 *   product m = a·h:           |m̂ − m| ≤ Ea_j·(1+γ_d)H_j + G_j·γ_d·H_j + u·Â_j·(1+γ_d)H_j + η = Em_j,
 *                              Â_j = (1+ρ)(1+γ_d)G_j + η
 *   output (length-f dot):     |ŷ_i − y_i| ≤ Σ_j (γ_f·(1+u)·Â_j·(1+γ_d)H_j + Em_j)·|Wd_ij| + f·minSubnormal
 *
 * The reference y is the oracle's value (40 digits); the comparison adds one
 * ulp of y for rounding the difference. Bound terms are computed in double
 * and inflated by 1e−10 relative, far above their own rounding (sums of
 * < 100 non-negative terms).
 */
export function mlpForwardBound(c: MlpCase, dtype: FloatFormat, tolSteps: number): Float64Array {
  const u = dtype === 'f32' ? 2 ** -24 : 2 ** -53;
  const { minSubnormal } = formatLimits(dtype);
  const gamma = (n: number) => (n * u) / (1 - n * u);
  const L = 1.2;
  const rho = (tolSteps + 1) * 2 * u;
  const eta = (tolSteps + 1) * minSubnormal;
  const { tokens: T, hidden: d, intermediate: f } = c;
  const gd = gamma(d);
  const gf = gamma(f);
  const out = new Float64Array(T * d);
  const em = new Float64Array(f);
  const mm = new Float64Array(f);
  for (let t = 0; t < T; t++) {
    for (let j = 0; j < f; j++) {
      let G = 0;
      let H = 0;
      for (let k = 0; k < d; k++) {
        const xv = Math.abs(c.x[t * d + k]!);
        G += xv * Math.abs(c.gate[j * d + k]!);
        H += xv * Math.abs(c.up[j * d + k]!);
      }
      const Hh = (1 + gd) * H;
      const Ea = L * gd * G + rho * (1 + gd) * G + eta;
      const Ahat = (1 + rho) * (1 + gd) * G + eta;
      em[j] = Ea * Hh + G * gd * H + u * Ahat * Hh + eta;
      mm[j] = Ahat * Hh;
    }
    for (let i = 0; i < d; i++) {
      let b = 0;
      for (let j = 0; j < f; j++) b += (gf * (1 + u) * mm[j]! + em[j]!) * Math.abs(c.down[i * f + j]!);
      out[t * d + i] = (b + f * minSubnormal) * (1 + 1e-10);
    }
  }
  return out;
}

function mlpProperty(): PropertySpec<MlpCase> {
  const fn: GeluFunction = 'gelu-tanh';
  return {
    suite: 'agreement',
    id: 'oracle/mlp',
    fn,
    name: (t) =>
      `gemma2Mlp (${t.backend} ${t.dtype}, tanh) is within the γ_n·Σ|w||x| forward error bound of the oracle on T ≤ 4, d ≤ 8, f ≤ 12`,
    prepare(c, target) {
      const ctx = ctxOf(c);
      if (target.precision === 'exact') return { skip: 'the oracle is the reference itself' };
      if (!target.gemma2Mlp) return { skip: target.missing?.gemma2Mlp ?? 'no gemma2Mlp' };
      const tol = ctx.maxTolerance(target, fn);
      if (isToleranceMissing(tol)) return { skip: tol.missing };
      return {
        arbitrary: mlpCase(target.dtype),
        bound: 1,
        unit: 'error / bound',
        facts: {
          activationSteps: tol.steps,
          bound: 'Σ_j (γ_f(1+u)Â_j(1+γ_d)H_j + Em_j)|Wd_ij| + f·minSubnormal (src/suites/agreement.ts)',
        },
        async check(mc) {
          const w = { gate: mc.gate, up: mc.up, down: mc.down, hidden: mc.hidden, intermediate: mc.intermediate };
          const y = await target.gemma2Mlp!(mc.x, mc.tokens, w, fn);
          const ref = ctx.oracle.gemma2Mlp([...mc.x], { ...w, gate: [...mc.gate], up: [...mc.up], down: [...mc.down] }, mc.tokens, {
            approximate: 'tanh',
            digits: LANDMARK_DIGITS,
          });
          const bound = mlpForwardBound(mc, target.dtype, tol.steps);
          let worst = 0;
          for (let i = 0; i < y.length; i++) {
            const r = ref[i]!;
            // exactDecimal: the double's binary value (a plain number would enter as its shortest string).
            const err = new Wide(r)
              .minus(new Wide(ctx.oracle.exactDecimal(y[i]!)))
              .abs()
              .toNumber();
            const ulpY = Math.abs(r.toNumber()) * (target.dtype === 'f32' ? 2 ** -23 : 2 ** -52);
            const ratio = err / (bound[i]! + ulpY);
            worst = Math.max(worst, ratio);
            if (!(ratio <= 1)) {
              return {
                ok: false,
                observed: worst,
                message: `y[${i}] = ${show(y[i]!)} on ${target.backend}, oracle ${r.toSignificantDigits(17).toString()}: error ${err} > bound ${bound[i]! + ulpY}`,
              };
            }
          }
          return { ok: true, observed: worst };
        },
      };
    },
  };
}

/** Every property of suite 5. */
export const agreementSuite: PropertySpec<any>[] = [
  ...GELU_FUNCTIONS.flatMap((fn) => [
    ...INPUT_REGIONS.map((r) => regionProperty(fn, r)),
    neighbourhoodProperty(fn, 'thresholds'),
    neighbourhoodProperty(fn, 'peak'),
    crossBackendProperty(fn),
  ]),
  mlpProperty(),
];

export type { SuiteTarget };
