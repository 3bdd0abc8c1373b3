/**
 * Suite 2 — GELU identities, per backend and variant:
 * gelu(x) − gelu(−x) = x; min(x, 0) ≤ gelu(x) ≤ max(x, 0); the global
 * minimum (located by the oracle) is a lower bound and is attained; gelu is
 * monotonic above its minimum; special values are exact.
 *
 * Tolerances: a backend with t table steps may move each result by t
 * representable values, so every exact identity is widened by exactly that
 * (and no more); exact targets (the oracle) get t = 0.
 */
import fc from 'fast-check';
import { anyFloat, floatInRange, floatNear, formatLimits, specialValues, stepFloat } from '../arbitraries/floats.js';
import { regionInput } from '../arbitraries/regions.js';
import type { GeluFunction } from '../arbitraries/thresholds.js';
import { stepDistance } from '@geglu/float';
import { show, ulpOf, type FullContext } from './context.js';
import { batch, fnName, GELU_FUNCTIONS, isToleranceMissing, num } from './common.js';
import type { Observation, PropertySpec, SuiteTarget } from './types.js';
import type { ToleranceFunction } from '../tolerances/index.js';

const ctxOf = (c: unknown) => c as FullContext;

/** Error-free a + b = s + e (Knuth's TwoSum; exact in binary64 barring overflow). */
export function twoSum(a: number, b: number): [number, number] {
  const s = a + b;
  const bb = s - a;
  const e = a - (s - bb) + (b - bb);
  return [s, e];
}

/** Largest absolute error of a result y that is within t steps of the correctly rounded value. */
export function absErrorWithin(y: number, t: number, dtype: 'f32' | 'f64'): number {
  // Every step between y and the true value is at most the ulp t+1 steps
  // further from zero; the correctly rounded value adds half an ulp.
  return (t + 0.5) * ulpOf(stepFloat(Math.abs(y), t + 1, dtype), dtype);
}

/**
 * Evaluates f at xs and at −xs and holds the exact residual |f(x) + sign·f(−x) − target(x)| to the
 * results' tolerances: (t + ½) ulps per result (absErrorWithin), plus the one rounding of the
 * residual's last addition (the rest is exact: TwoSum). Reports the worst ratio to the bound.
 */
export async function checkMirrored(
  ctx: FullContext,
  target: SuiteTarget,
  fn: ToleranceFunction,
  xs: Float64Array,
  evaluate: (v: Float64Array) => Promise<Float64Array>,
  sign: 1 | -1,
  targetOf: (x: number) => number,
  describeMiss: (x: number, y1: number, y2: number, residual: number, bound: number) => string,
): Promise<Observation> {
  const both = new Float64Array(xs.length * 2);
  both.set(xs);
  for (let i = 0; i < xs.length; i++) both[xs.length + i] = -xs[i]!;
  const ys = await evaluate(both);
  let worst = 0;
  for (let i = 0; i < xs.length; i++) {
    const x = xs[i]!;
    const y1 = ys[i]!;
    const y2 = ys[xs.length + i]!;
    const t1 = ctx.toleranceAt(target, fn, x);
    const t2 = ctx.toleranceAt(target, fn, -x);
    if (isToleranceMissing(t1)) return { ok: false, message: t1.missing };
    if (isToleranceMissing(t2)) return { ok: false, message: t2.missing };
    const [s1, e1] = twoSum(y1, sign * y2);
    const [s2, e2] = twoSum(s1, -targetOf(x));
    const residual = Math.abs(s2 + (e1 + e2));
    // The final addition of the TwoSum remainders rounds once in binary64.
    const bound = absErrorWithin(y1, t1.steps, target.dtype) + absErrorWithin(y2, t2.steps, target.dtype) + residual * 2 ** -52;
    const ratio = residual === 0 ? 0 : residual / bound;
    worst = Math.max(worst, ratio);
    if (!(ratio <= 1)) return { ok: false, observed: worst, message: describeMiss(x, y1, y2, residual, bound) };
  }
  return { ok: true, observed: worst };
}

function oddPart(fn: GeluFunction): PropertySpec<Float64Array> {
  return {
    suite: 'identities',
    id: `odd-part/${fn}`,
    fn,
    name: (t) => `${fnName(fn)}(x) − ${fnName(fn)}(−x) = x (${t.backend} ${t.dtype}) within the results' tolerance, every finite x`,
    prepare(c, target) {
      const ctx = ctxOf(c);
      if (!target.gelu) return { skip: target.missing?.gelu ?? 'no gelu' };
      const tol = ctx.maxTolerance(target, fn);
      if (isToleranceMissing(tol)) return { skip: tol.missing };
      const th = ctx.landmarks.thresholds(fn, target.dtype);
      const { max } = formatLimits(target.dtype);
      const arb = fc.oneof(floatInRange(-max, max, target.dtype), regionInput('core', th), regionInput('subnormal', th));
      return {
        arbitrary: batch(arb),
        bound: 1,
        unit: 'error / bound',
        check: (xs) =>
          checkMirrored(
            ctx,
            target,
            fn,
            xs,
            (v) => target.gelu!(fn, v),
            -1,
            (x) => x,
            (x, y1, y2, residual, bound) =>
              `x = ${show(x)}: ${fnName(fn)}(x) = ${show(y1)}, ${fnName(fn)}(−x) = ${show(y2)}, difference misses x by ${residual} > ${bound}`,
          ),
      };
    },
  };
}

function between(fn: GeluFunction): PropertySpec<Float64Array> {
  return {
    suite: 'identities',
    id: `between/${fn}`,
    fn,
    name: (t) => `min(x, 0) ≤ ${fnName(fn)}(x) ≤ max(x, 0) (${t.backend} ${t.dtype}) up to the tolerance's steps, every non-NaN x`,
    prepare(c, target) {
      const ctx = ctxOf(c);
      if (!target.gelu) return { skip: target.missing?.gelu ?? 'no gelu' };
      const th = ctx.landmarks.thresholds(fn, target.dtype);
      const arb = fc.oneof(
        anyFloat(target.dtype).filter((v) => !Number.isNaN(v)),
        regionInput('core', th),
        regionInput('large', th),
      );
      const max = ctx.maxTolerance(target, fn);
      if (isToleranceMissing(max)) return { skip: max.missing };
      return {
        arbitrary: batch(arb),
        bound: 0,
        unit: 'steps outside',
        async check(xs) {
          const ys = await target.gelu!(fn, xs);
          const worst = 0;
          for (let i = 0; i < xs.length; i++) {
            const x = xs[i]!;
            const y = ys[i]!;
            const t = ctx.toleranceAt(target, fn, x);
            if (isToleranceMissing(t)) return { ok: false, message: t.missing };
            const lo = Math.min(x, 0);
            const hi = Math.max(x, 0);
            const loT = Number.isFinite(lo) ? stepFloat(lo, -t.steps, target.dtype) : lo;
            const hiT = Number.isFinite(hi) ? stepFloat(hi, t.steps, target.dtype) : hi;
            if (Number.isNaN(y) || y < loT || y > hiT) {
              const outside = Number.isNaN(y) ? Infinity : y < lo ? stepDistance(y, lo, target.dtype) : stepDistance(y, hi, target.dtype);
              return {
                ok: false,
                observed: Math.max(worst, outside),
                message: `${fnName(fn)}(${show(x)}) = ${show(y)} is outside [${show(lo)}, ${show(hi)}] by ${outside} steps (tolerance ${t.steps})`,
              };
            }
          }
          return { ok: true, observed: worst };
        },
      };
    },
  };
}

function minimum(fn: GeluFunction): PropertySpec<Float64Array> {
  return {
    suite: 'identities',
    id: `minimum/${fn}`,
    fn,
    name: (t) =>
      `${fnName(fn)} (${t.backend} ${t.dtype}) never goes below its global minimum (located by the oracle) and attains it at the float nearest the argmin, within tolerance`,
    prepare(c, target) {
      const ctx = ctxOf(c);
      if (!target.gelu) return { skip: target.missing?.gelu ?? 'no gelu' };
      const tol = ctx.maxTolerance(target, fn);
      if (isToleranceMissing(tol)) return { skip: tol.missing };
      const m = ctx.landmarks.minimum(fn);
      const dtype = target.dtype;
      // The float at or below the true minimum, then widened by the tolerance.
      let mDown = ctx.oracle.roundDecimal(m.value, dtype);
      if (m.value.cmp(mDown) < 0) mDown = stepFloat(mDown, -1, dtype);
      const lower = stepFloat(mDown, -tol.steps, dtype);
      const mNearest = ctx.oracle.roundDecimal(m.value, dtype);
      const xStar = dtype === 'f32' ? Math.fround(m.x) : m.x;
      const th = ctx.landmarks.thresholds(fn, dtype);
      const arb = fc.oneof(floatNear(xStar, 1 << 16, dtype), regionInput('core', th), floatInRange(-2, 0, dtype));
      return {
        arbitrary: batch(arb),
        bound: tol.steps,
        unit: 'steps',
        facts: { argmin: num(m.x), minimum: m.value.toSignificantDigits(20).toString(), lowerBound: show(lower) },
        async check(xs) {
          const withStar = Float64Array.of(...xs, xStar);
          const ys = await target.gelu!(fn, withStar);
          for (let i = 0; i < xs.length; i++) {
            if (ys[i]! < lower || Number.isNaN(ys[i]!)) {
              return {
                ok: false,
                message: `${fnName(fn)}(${show(xs[i]!)}) = ${show(ys[i]!)} is below the minimum ${m.value.toSignificantDigits(12).toString()} − ${tol.steps} steps = ${show(lower)}`,
              };
            }
          }
          const atStar = ys[xs.length]!;
          const s = stepDistance(atStar, mNearest, dtype);
          if (s > tol.steps) {
            return {
              ok: false,
              observed: s,
              message: `at the argmin ${show(xStar)}, ${fnName(fn)} = ${show(atStar)} is ${s} steps from the rounded minimum ${show(mNearest)} (> ${tol.steps})`,
            };
          }
          return { ok: true, observed: s };
        },
      };
    },
  };
}

function monotonic(fn: GeluFunction): PropertySpec<Float64Array> {
  return {
    suite: 'identities',
    id: `monotonic/${fn}`,
    fn,
    name: (t) =>
      `${fnName(fn)} (${t.backend} ${t.dtype}) is non-decreasing above its argmin, up to twice the tolerance, on neighbouring and random pairs`,
    prepare(c, target) {
      const ctx = ctxOf(c);
      if (!target.gelu) return { skip: target.missing?.gelu ?? 'no gelu' };
      const tol = ctx.maxTolerance(target, fn);
      if (isToleranceMissing(tol)) return { skip: tol.missing };
      const dtype = target.dtype;
      const m = ctx.landmarks.minimum(fn);
      let start = dtype === 'f32' ? Math.fround(m.x) : m.x;
      if (start < m.x) start = stepFloat(start, 1, dtype);
      const { max } = formatLimits(dtype);
      const th = ctx.landmarks.thresholds(fn, dtype);
      const arb = fc
        .oneof(floatInRange(start, stepFloat(max, -1, dtype), dtype), floatNear(start, 1 << 16, dtype), regionInput('large', th))
        .filter((v) => v >= start);
      const slack = 2 * tol.steps;
      return {
        arbitrary: batch(arb),
        bound: slack,
        unit: 'steps of decrease',
        facts: { from: show(start) },
        async check(xs) {
          const sorted = [...xs].sort((a, b) => a - b);
          const next = sorted.map((v) => stepFloat(v, 1, dtype));
          const ys = await target.gelu!(fn, Float64Array.from([...sorted, ...next]));
          const n = sorted.length;
          let worst = 0;
          const pairs: [number, number][] = [];
          for (let i = 0; i < n; i++) pairs.push([i, n + i]);
          for (let i = 0; i + 1 < n; i++) pairs.push([i, i + 1]);
          for (const [a, b] of pairs) {
            const xa = a < n ? sorted[a]! : next[a - n]!;
            const xb = b < n ? sorted[b]! : next[b - n]!;
            const ya = ys[a]!;
            const yb = ys[b]!;
            if (ya > yb) {
              const s = stepDistance(ya, yb, dtype);
              worst = Math.max(worst, s);
              if (s > slack) {
                return {
                  ok: false,
                  observed: worst,
                  message: `${fnName(fn)}(${show(xa)}) = ${show(ya)} > ${fnName(fn)}(${show(xb)}) = ${show(yb)} by ${s} steps (allowed ${slack})`,
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

function specials(fn: GeluFunction): PropertySpec<Float64Array> {
  return {
    suite: 'identities',
    id: `specials/${fn}`,
    fn,
    name: (t) =>
      `${fnName(fn)} (${t.backend} ${t.dtype}) special values: NaN → NaN, +∞ → +∞, −∞ → −0, ±0 → ±0 (Object.is), results below the smallest subnormal → −0`,
    prepare(c, target) {
      const ctx = ctxOf(c);
      if (!target.gelu) return { skip: target.missing?.gelu ?? 'no gelu' };
      const dtype = target.dtype;
      const th = ctx.landmarks.thresholds(fn, dtype);
      const fixed: [number, number][] = [
        [NaN, NaN],
        [Infinity, Infinity],
        [-Infinity, -0],
        [0, 0],
        [-0, -0],
      ];
      // Underflow region: the exact result is a negative number below half the
      // smallest subnormal, so it rounds to −0 in every rounding-to-nearest.
      const arb = fc.oneof(
        regionInput('underflow', th),
        floatNear(th.underflowToZero, 1 << 12, dtype).filter((v) => v <= th.underflowToZero),
      );
      const { minSubnormal } = formatLimits(dtype);
      return {
        arbitrary: batch(arb),
        bound: 0,
        unit: 'steps',
        facts: { underflowToZero: show(th.underflowToZero) },
        async check(xs) {
          const inputs = Float64Array.from([...fixed.map(([x]) => x), ...xs]);
          const ys = await target.gelu!(fn, inputs);
          for (let i = 0; i < fixed.length; i++) {
            const [x, want] = fixed[i]!;
            if (!Object.is(ys[i], want))
              return { ok: false, observed: Infinity, message: `${fnName(fn)}(${show(x)}) = ${show(ys[i]!)}, expected ${show(want)}` };
          }
          for (let i = 0; i < xs.length; i++) {
            const y = ys[fixed.length + i]!;
            if (!Object.is(y, -0)) {
              return {
                ok: false,
                observed: Math.abs(y) / minSubnormal,
                message: `${fnName(fn)}(${show(xs[i]!)}) = ${show(y)}, expected −0 (x ≤ ${show(th.underflowToZero)}, where the exact result is below half the smallest subnormal)`,
              };
            }
          }
          return { ok: true, observed: 0 };
        },
      };
    },
  };
}

function signs(fn: GeluFunction): PropertySpec<Float64Array> {
  return {
    suite: 'identities',
    id: `signs/${fn}`,
    fn,
    name: (t) =>
      `${fnName(fn)} (${t.backend} ${t.dtype}) has the sign of x, zeros included (Object.is), every non-NaN x with subnormals and the underflow tail weighted`,
    prepare(c, target) {
      const ctx = ctxOf(c);
      if (!target.gelu) return { skip: target.missing?.gelu ?? 'no gelu' };
      const th = ctx.landmarks.thresholds(fn, target.dtype);
      // gelu(x) = x·Phi(x) with Phi > 0, so the result, zero or not, carries x's sign; the
      // step distance treats ±0 as equal, which is why the sign is checked on its own.
      const arb = fc.oneof(
        regionInput('subnormal', th),
        regionInput('tail-subnormal', th),
        floatNear(th.underflowToZero, 1 << 12, target.dtype),
        anyFloat(target.dtype).filter((v) => !Number.isNaN(v)),
        // ±(smallest subnormal): the only subnormal inputs whose result rounds to a signed zero.
        fc.constantFrom(...specialValues(target.dtype).filter((v) => !Number.isNaN(v))),
      );
      return {
        arbitrary: batch(arb),
        bound: 0,
        unit: 'wrong signs',
        async check(xs) {
          const ys = await target.gelu!(fn, xs);
          for (let i = 0; i < xs.length; i++) {
            const negX = xs[i]! < 0 || Object.is(xs[i], -0);
            const y = ys[i]!;
            const negY = y < 0 || Object.is(y, -0);
            if (Number.isNaN(y) || negX !== negY) {
              return {
                ok: false,
                observed: 1,
                message: `${fnName(fn)}(${show(xs[i]!)}) = ${show(y)}, expected a ${negX ? 'negative result or -0' : 'positive result or +0'}`,
              };
            }
          }
          return { ok: true, observed: 0 };
        },
      };
    },
  };
}

/** Every property of suite 2. */
export const identitiesSuite: PropertySpec<any>[] = GELU_FUNCTIONS.flatMap((fn) => [
  oddPart(fn),
  between(fn),
  minimum(fn),
  monotonic(fn),
  specials(fn),
  signs(fn),
]);
