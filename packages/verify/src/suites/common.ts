import fc from 'fast-check';
import type { FloatFormat } from '../arbitraries/floats.js';
import type { GeluFunction } from '../arbitraries/thresholds.js';
import type { FullContext, Tolerance } from './context.js';
import { compareResult } from '@geglu/float';
import { show, ZERO_SIGN } from './context.js';
import type { Observation, SuiteTarget } from './types.js';

export const GELU_FUNCTIONS: readonly GeluFunction[] = ['gelu', 'gelu-tanh'];

/** Elements per evaluation: one backend call per batch keeps GPU and oracle overheads per call small. */
export const BATCH = 16;

/** Batches of 1..BATCH inputs (shrinking can drop elements as well as simplify them). */
export function batch(arb: fc.Arbitrary<number>, maxLength = BATCH): fc.Arbitrary<Float64Array> {
  return fc.array(arb, { minLength: 1, maxLength, size: 'max' }).map((a) => Float64Array.from(a));
}

/** `gelu tanh` / `gelu` for test names. */
export function fnName(fn: GeluFunction): string {
  return fn === 'gelu-tanh' ? 'gelu tanh' : 'gelu';
}

/** Compact number for names: 5 significant digits. */
export function num(v: number): string {
  if (Object.is(v, -0)) return '-0';
  if (v === 0 || !Number.isFinite(v)) return String(v);
  return Number(v.toPrecision(5)).toString();
}

export function isToleranceMissing(t: Tolerance): t is { missing: string } {
  return 'missing' in t;
}

/**
 * Compares a target's gelu on a batch with the correctly rounded values, each
 * element held to its own tolerance; reports the worst element.
 */
export async function checkAgainstOracle(
  ctx: FullContext,
  target: SuiteTarget,
  fn: GeluFunction,
  xs: Float64Array,
  toleranceAt: (x: number) => Tolerance = (x) => ctx.toleranceAt(target, fn, x),
): Promise<Observation> {
  const ys = await target.gelu!(fn, xs);
  if (ys.length !== xs.length) {
    return { ok: false, message: `${target.backend} returned ${ys.length} values for ${xs.length} inputs` };
  }
  let maxSteps = 0;
  let failure: string | undefined;
  for (let i = 0; i < xs.length; i++) {
    const x = xs[i]!;
    const ref = ctx.correctlyRounded(fn, x, target.dtype);
    const c = compareResult(ys[i]!, ref, target.dtype);
    const s = c.steps;
    const tol = toleranceAt(x);
    if (isToleranceMissing(tol)) return { ok: false, message: tol.missing };
    if (s > maxSteps) maxSteps = s;
    if ((s > tol.steps || c.zeroSign) && failure === undefined) {
      const why = c.zeroSign ? ZERO_SIGN : `${s} steps > ${tol.steps}`;
      failure = `${fnName(fn)}(${show(x)}) = ${show(ys[i]!)} on ${target.backend}, correctly rounded ${show(ref)}: ${why}`;
    }
  }
  return failure === undefined ? { ok: true, observed: maxSteps } : { ok: false, observed: maxSteps, message: failure };
}

/** Evaluates a target's gelu on one value. */
export async function geluAt(target: SuiteTarget, fn: GeluFunction, x: number): Promise<number> {
  return (await target.gelu!(fn, Float64Array.of(x)))[0]!;
}

/** Rounds to the format (f32: Math.fround). */
export function roundTo(v: number, dtype: FloatFormat): number {
  return dtype === 'f32' ? Math.fround(v) : v;
}

/**
 * For a figure that is not a bound over all inputs (the table says "not
 * measured", or its figure is sampled): measure without gating. The property then runs with an infinite bound and the
 * runner reports it as skipped with the observed maximum, so a backend's
 * error is visible before anyone commits to a bound for it.
 */
export function measureOnly(t: Tolerance): string | undefined {
  return 'missing' in t && t.reportOnly === true ? t.missing : undefined;
}
