/**
 * Suite 6 — the derivatives of both gelus (gelu-grad, gelu-tanh-grad), per backend that has them:
 * f′(x) + f′(−x) = 1; agreement with the oracle per region, one of them crowding the root where
 * the two terms of f′ cancel; exactly one sign change, at the root the oracle locates; special
 * values.
 *
 * f′(x) + f′(−x) = 1 follows from gelu(x) − gelu(−x) = x (both forms) by differentiating. It is
 * exact for the real values; the oracle's results are each rounded once, so in floating point
 * |y(x) + y(−x) − 1| ≤ ½ulp(y(x)) + ½ulp(y(−x)), and a backend with t table steps adds t ulps per
 * result (absErrorWithin, as for the odd-part identity of suite 2). The residual is computed
 * exactly (TwoSum), so the check has no rounding slack of its own beyond its last addition.
 */
import fc from 'fast-check';
import { compareResult, stepDistance } from '@geglu/float';
import { floatInRange, floatNear, formatLimits, stepFloat } from '../arbitraries/floats.js';
import type { FloatFormat } from '../arbitraries/floats.js';
import { show, ZERO_SIGN, type FullContext } from './context.js';
import { batch, isToleranceMissing, roundTo } from './common.js';
import { checkMirrored } from './identities.js';
import type { OracleApi } from './oracle.js';
import type { GradFunction, Observation, PropertySpec, SuiteTarget } from './types.js';

const ctxOf = (c: unknown) => c as FullContext;
const GRAD_FUNCTIONS: readonly GradFunction[] = ['gelu-grad', 'gelu-tanh-grad'];
const gradName = (fn: GradFunction): string => (fn === 'gelu-tanh-grad' ? 'gelu tanh′' : 'gelu′');

/** The two adjacent floats of the dtype between which f′ changes sign (f′(below) < 0 < f′(above)). */
interface RootBracket {
  root: number;
  below: number;
  above: number;
}

const brackets = new Map<string, RootBracket>();

/**
 * Locates the root by the secant method on the oracle's values (30 digits), then walks the
 * dtype's floats around it with correctly rounded values (whose signs are the true signs: a
 * correctly rounded result never crosses zero, and f′ is far from underflow here).
 */
export function rootBracket(oracle: OracleApi, fn: GradFunction, dtype: FloatFormat): RootBracket {
  const key = `${fn}/${dtype}`;
  const known = brackets.get(key);
  if (known) return known;
  const f = (x: number) => oracle.evaluate(fn, x, { digits: 30 }).value.toNumber();
  let a = -0.74;
  let b = -0.76;
  let fa = f(a);
  let fb = f(b);
  for (let i = 0; i < 60 && fb !== 0 && a !== b; i++) {
    const c = b - (fb * (b - a)) / (fb - fa);
    a = b;
    fa = fb;
    b = c;
    fb = f(c);
  }
  const neg = (v: number) => v < 0 || Object.is(v, -0);
  let x = roundTo(b, dtype);
  const cr = (v: number) => oracle.correctlyRounded(fn, v, dtype);
  while (!neg(cr(x))) x = stepFloat(x, -1, dtype);
  while (neg(cr(stepFloat(x, 1, dtype)))) x = stepFloat(x, 1, dtype);
  const r = { root: b, below: x, above: stepFloat(x, 1, dtype) };
  brackets.set(key, r);
  return r;
}

/** The context, or why the property does not run on the target (no derivative, no gated bound). */
function prepareCommon(c: unknown, target: SuiteTarget, fn: GradFunction): { ctx: FullContext } | { skip: string } {
  const ctx = ctxOf(c);
  if (!target.geluGrad) return { skip: target.missing?.geluGrad ?? 'no gelu derivative' };
  const tol = ctx.maxTolerance(target, fn);
  if (isToleranceMissing(tol)) return { skip: tol.missing };
  return { ctx };
}

function sumToOne(fn: GradFunction): PropertySpec<Float64Array> {
  return {
    suite: 'gradients',
    id: `sum-to-one/${fn}`,
    name: (t) => `${gradName(fn)}(x) + ${gradName(fn)}(−x) = 1 (${t.backend} ${t.dtype}) within the results' tolerance, every finite x`,
    prepare(c, target) {
      const p = prepareCommon(c, target, fn);
      if ('skip' in p) return p;
      const { ctx } = p;
      const { max } = formatLimits(target.dtype);
      const { root } = rootBracket(ctx.oracle, fn, target.dtype);
      const arb = fc.oneof(floatInRange(-max, max, target.dtype), floatInRange(-8, 8, target.dtype), floatNear(root, 4096, target.dtype));
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
            (v) => target.geluGrad!(fn, v),
            1,
            () => 1,
            (x, y1, y2, residual, bound) =>
              `x = ${show(x)}: ${gradName(fn)}(x) = ${show(y1)}, ${gradName(fn)}(−x) = ${show(y2)}, sum misses 1 by ${residual} > ${bound}`,
          ),
      };
    },
  };
}

type GradRegion = 'near-root' | 'core' | 'tail' | 'positive';

function agreement(fn: GradFunction, region: GradRegion): PropertySpec<Float64Array> {
  const where: Record<GradRegion, string> = {
    'near-root': 'the 2^14 floats on each side of the root',
    core: 'x in [−4, 4]',
    tail: 'x < −4',
    positive: 'x > 4',
  };
  return {
    suite: 'gradients',
    id: `oracle/${fn}/${region}`,
    region,
    name: (t) => `${gradName(fn)} within the table's steps of the correctly rounded value (${t.backend} ${t.dtype}), ${where[region]}`,
    prepare(c, target) {
      const p = prepareCommon(c, target, fn);
      if ('skip' in p) return p;
      const { ctx } = p;
      const d = target.dtype;
      const { max } = formatLimits(d);
      const arb =
        region === 'near-root'
          ? floatNear(rootBracket(ctx.oracle, fn, d).root, 2 ** 14, d)
          : region === 'core'
            ? floatInRange(-4, 4, d)
            : region === 'tail'
              ? floatInRange(-max, stepFloat(-4, -1, d), d)
              : floatInRange(stepFloat(4, 1, d), max, d);
      return {
        arbitrary: batch(arb),
        bound: 0,
        unit: 'steps over the table',
        async check(xs): Promise<Observation> {
          const ys = await target.geluGrad!(fn, xs);
          let worst = 0;
          for (let i = 0; i < xs.length; i++) {
            const x = xs[i]!;
            const ref = ctx.oracle.correctlyRounded(fn, x, d);
            const cmp = compareResult(ys[i]!, ref, d);
            const tol = ctx.toleranceAt(target, fn, x);
            if (isToleranceMissing(tol)) return { ok: false, message: tol.missing };
            worst = Math.max(worst, cmp.steps - tol.steps);
            if (cmp.steps > tol.steps || cmp.zeroSign) {
              const why = cmp.zeroSign ? ZERO_SIGN : `${cmp.steps} steps > ${tol.steps}`;
              return {
                ok: false,
                observed: worst,
                message: `${gradName(fn)}(${show(x)}) = ${show(ys[i]!)}, correctly rounded ${show(ref)}: ${why}`,
              };
            }
          }
          return { ok: true, observed: Math.max(0, worst) };
        },
      };
    },
  };
}

function signChange(fn: GradFunction): PropertySpec<Float64Array> {
  return {
    suite: 'gradients',
    id: `sign-change/${fn}`,
    name: (t) =>
      `${gradName(fn)} changes sign exactly once on [−4, 4], between the two floats around the oracle's root (${t.backend} ${t.dtype})`,
    prepare(c, target) {
      const p = prepareCommon(c, target, fn);
      if ('skip' in p) return p;
      const { ctx } = p;
      const d = target.dtype;
      const { root, below, above } = rootBracket(ctx.oracle, fn, d);
      const arb = fc.oneof(floatInRange(-4, 4, d), floatNear(root, 64, d));
      return {
        arbitrary: batch(arb, 64),
        bound: 1,
        unit: 'sign changes',
        async check(sample): Promise<Observation> {
          const xs = Float64Array.from([...sample, below, above, -4, 4]).sort();
          const ys = await target.geluGrad!(fn, xs);
          const neg = (v: number) => v < 0 || Object.is(v, -0);
          let changes = 0;
          let at = '';
          for (let i = 1; i < xs.length; i++) {
            if (xs[i] === xs[i - 1]) continue;
            if (neg(ys[i - 1]!) !== neg(ys[i]!)) {
              changes++;
              at += ` between ${show(xs[i - 1]!)} (${show(ys[i - 1]!)}) and ${show(xs[i]!)} (${show(ys[i]!)})`;
            }
          }
          const ok = changes === 1 && neg(ys[xs.indexOf(below)]!) && !neg(ys[xs.indexOf(above)]!);
          return ok
            ? { ok: true, observed: changes }
            : {
                ok: false,
                observed: changes,
                message: `${changes} sign changes${at}; expected one, between ${show(below)} and ${show(above)}`,
              };
        },
      };
    },
  };
}

function specials(fn: GradFunction): PropertySpec<Float64Array> {
  const cases: readonly [number, number][] = [
    [Number.NaN, Number.NaN],
    [Infinity, 1],
    [-Infinity, -0],
    [0, 0.5],
    [-0, 0.5],
  ];
  return {
    suite: 'gradients',
    id: `specials/${fn}`,
    name: (t) => `${gradName(fn)}: NaN → NaN, +∞ → 1, −∞ → −0, ±0 → ½, bit-exact (${t.backend} ${t.dtype})`,
    prepare(c, target) {
      const p = prepareCommon(c, target, fn);
      if ('skip' in p) return p;
      return {
        arbitrary: fc.constant(Float64Array.from(cases, ([x]) => x)),
        bound: 0,
        unit: 'steps',
        async check(xs): Promise<Observation> {
          const ys = await target.geluGrad!(fn, xs);
          for (let i = 0; i < cases.length; i++) {
            const want = cases[i]![1];
            const got = ys[i]!;
            const same = (want !== want && got !== got) || Object.is(want, got);
            if (!same) {
              const s = stepDistance(got, want, target.dtype);
              return { ok: false, observed: s, message: `${gradName(fn)}(${show(xs[i]!)}) = ${show(got)}, expected ${show(want)}` };
            }
          }
          return { ok: true, observed: 0 };
        },
      };
    },
  };
}

export const gradientsSuite: PropertySpec<Float64Array>[] = GRAD_FUNCTIONS.flatMap((fn) => [
  sumToOne(fn),
  ...(['near-root', 'core', 'tail', 'positive'] as const).map((r) => agreement(fn, r)),
  signChange(fn),
  specials(fn),
]);
