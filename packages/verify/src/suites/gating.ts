/**
 * Suite 3 — gating: geglu(g, u) = gelu(g) ⊙ u within the table's geglu
 * steps; a zero up gives a zero with the sign of gelu(g)·u; scaling up by 2^k
 * scales the output exactly (rounding commutes with powers of two while
 * everything stays normal); geglu(g, −u) = −geglu(g, u) exactly (rounding to
 * nearest-even is symmetric); and each element depends on its own pair only.
 */
import fc from 'fast-check';
import { anyFloat, floatInRange, formatLimits } from '../arbitraries/floats.js';
import { boundedValue, gegluCase, type GegluCase } from '../arbitraries/tensors.js';
import type { GeluFunction } from '../arbitraries/thresholds.js';
import { compareResult } from '@geglu/float';
import { show, ZERO_SIGN, type FullContext } from './context.js';
import { fnName, GELU_FUNCTIONS, isToleranceMissing, measureOnly } from './common.js';
import type { Observation, PropertySpec, SuiteTarget } from './types.js';

const ctxOf = (c: unknown) => c as FullContext;

function needGeglu(target: SuiteTarget): { skip: string } | undefined {
  return target.geglu ? undefined : { skip: target.missing?.geglu ?? 'no geglu' };
}

function product(fn: GeluFunction): PropertySpec<GegluCase> {
  return {
    suite: 'gating',
    id: `product/${fn}`,
    fn,
    name: (t) =>
      `geglu(g, u) (${t.backend} ${t.dtype}, ${fnName(fn)}) is within the table's geglu steps of the correctly rounded gelu(g)·u, |g|, |u| ≤ 16 and the gate tail`,
    prepare(c, target) {
      const ctx = ctxOf(c);
      const no = needGeglu(target);
      if (no) return no;
      const found = ctx.maxTolerance(target, 'geglu');
      const unmeasured = measureOnly(found);
      if (isToleranceMissing(found) && !unmeasured) return { skip: found.missing };
      const tol = isToleranceMissing(found) ? { steps: Infinity, measured: false } : found;
      const tolAt = (g: number) => (unmeasured ? tol : ctx.toleranceAt(target, 'geglu', g));
      const dtype = target.dtype;
      const gate = fc.oneof(boundedValue(dtype, 16), floatInRange(dtype === 'f32' ? -16 : -40, 16, dtype));
      return {
        arbitrary: gegluCase(dtype, { gate }),
        bound: tol.steps,
        unit: 'steps',
        ...(unmeasured ? { measureOnly: unmeasured } : {}),
        async check(gc): Promise<Observation> {
          const y = await target.geglu!(fn, gc.gate, gc.up);
          let worst = 0;
          for (let i = 0; i < gc.length; i++) {
            const t = tolAt(gc.gate[i]!);
            if (isToleranceMissing(t)) return { ok: false, message: t.missing };
            // Not roundDecimal(gelu(g)·u at 40 digits): from g ≈ 10 on, gelu(g) equals g to
            // far more digits, and where g·u is an exact float tie that rounds the wrong way.
            const ref = ctx.oracle.correctlyRoundedGeglu(fn, gc.gate[i]!, gc.up[i]!, dtype);
            const c = compareResult(y[i]!, ref, dtype);
            const s = c.steps;
            worst = Math.max(worst, s);
            if (s > t.steps || c.zeroSign) {
              const why = c.zeroSign ? ZERO_SIGN : `${s} steps > ${t.steps}`;
              return {
                ok: false,
                observed: worst,
                message: `geglu(${show(gc.gate[i]!)}, ${show(gc.up[i]!)}) = ${show(y[i]!)}, correctly rounded ${show(ref)}: ${why}`,
              };
            }
          }
          return { ok: true, observed: worst };
        },
      };
    },
  };
}

function zeroUp(fn: GeluFunction): PropertySpec<Float64Array> {
  return {
    suite: 'gating',
    id: `zero-up/${fn}`,
    fn,
    name: (t) =>
      `geglu(g, ±0) (${t.backend} ${t.dtype}, ${fnName(fn)}) is the zero with the sign of gelu(g)·u, exactly (Object.is), every finite g`,
    prepare(_c, target) {
      const no = needGeglu(target);
      if (no) return no;
      const dtype = target.dtype;
      const { max } = formatLimits(dtype);
      const g = fc.oneof(floatInRange(-max, max, dtype), fc.constantFrom(0, -0));
      return {
        arbitrary: fc.array(g, { minLength: 1, maxLength: 16, size: 'max' }).map((a) => Float64Array.from(a)),
        bound: 0,
        unit: 'wrong zeros',
        async check(gs) {
          const n = gs.length;
          const gate = Float64Array.from([...gs, ...gs]);
          const up = Float64Array.from([...Array<number>(n).fill(0), ...Array<number>(n).fill(-0)]);
          const y = await target.geglu!(fn, gate, up);
          for (let i = 0; i < 2 * n; i++) {
            const gNeg = gate[i]! < 0 || Object.is(gate[i], -0);
            const want = gNeg !== Object.is(up[i], -0) ? -0 : 0;
            if (!Object.is(y[i], want)) {
              return {
                ok: false,
                observed: 1,
                message: `geglu(${show(gate[i]!)}, ${show(up[i]!)}) = ${show(y[i]!)}, expected ${show(want)}`,
              };
            }
          }
          return { ok: true, observed: 0 };
        },
      };
    },
  };
}

const signBit = (v: number) => v < 0 || Object.is(v, -0);

function signs(fn: GeluFunction): PropertySpec<GegluCase> {
  return {
    suite: 'gating',
    id: `signs/${fn}`,
    fn,
    name: (t) =>
      `geglu(g, u) (${t.backend} ${t.dtype}, ${fnName(fn)}) has the sign of g·u, zeros and underflowing products included, every finite g and u`,
    prepare(_c, target) {
      const no = needGeglu(target);
      if (no) return no;
      const dtype = target.dtype;
      const { minNormal, max, minSubnormal } = formatLimits(dtype);
      // gelu(g) has the sign of g (Phi > 0), so gelu(g)·u has the sign of g·u; rounding never flips a
      // sign, so only a lost zero sign can break this. Tiny operands make products that underflow.
      const tiny = floatInRange(-minNormal, minNormal, dtype);
      const any = fc.oneof(tiny, floatInRange(-max, max, dtype), fc.constantFrom(0, -0, minSubnormal, -minSubnormal));
      return {
        arbitrary: gegluCase(dtype, { gate: fc.oneof(tiny, any), up: fc.oneof(tiny, any) }),
        bound: 0,
        unit: 'wrong signs',
        async check(gc) {
          const y = await target.geglu!(fn, gc.gate, gc.up);
          for (let i = 0; i < gc.length; i++) {
            const want = signBit(gc.gate[i]!) !== signBit(gc.up[i]!);
            if (Number.isNaN(y[i]!) || signBit(y[i]!) !== want) {
              return {
                ok: false,
                observed: 1,
                message: `geglu(${show(gc.gate[i]!)}, ${show(gc.up[i]!)}) = ${show(y[i]!)}, expected a ${want ? 'negative' : 'positive'} result (or ${want ? '-0' : '+0'})`,
              };
            }
          }
          return { ok: true, observed: 0 };
        },
      };
    },
  };
}

interface ScaleCase {
  gate: Float64Array;
  up: Float64Array;
  k: number;
}

function scaling(fn: GeluFunction): PropertySpec<ScaleCase> {
  return {
    suite: 'gating',
    id: `scale/${fn}`,
    fn,
    name: (t) =>
      `geglu(g, 2^k·u) = 2^k·geglu(g, u) exactly (${t.backend} ${t.dtype}, ${fnName(fn)}), |g| ∈ [2^−10, 8], |u| ∈ [2^−16, 2^16], |k| ≤ 16`,
    prepare(_c, target) {
      const no = needGeglu(target);
      if (no) return no;
      const dtype = target.dtype;
      // These ranges keep gelu(g)·u and its scaled copies normal in f32
      // (|gelu(−8)| ≈ 5e−15, times 2^−32 ≈ 1e−24 ≫ 2^−126), where rounding commutes with 2^k.
      const signed = (lo: number, hi: number) => fc.tuple(floatInRange(lo, hi, dtype), fc.boolean()).map(([v, s]) => (s ? -v : v));
      const arb = fc.integer({ min: 1, max: 16 }).chain((n) =>
        fc.record({
          gate: fc.array(signed(2 ** -10, 8), { minLength: n, maxLength: n }).map((a) => Float64Array.from(a)),
          up: fc.array(signed(2 ** -16, 2 ** 16), { minLength: n, maxLength: n }).map((a) => Float64Array.from(a)),
          k: fc.integer({ min: -16, max: 16 }),
        }),
      );
      return {
        arbitrary: arb,
        bound: 0,
        unit: 'inexact scalings',
        async check(sc) {
          const p = 2 ** sc.k;
          const y = await target.geglu!(fn, sc.gate, sc.up);
          const ys = await target.geglu!(
            fn,
            sc.gate,
            sc.up.map((v) => v * p),
          );
          for (let i = 0; i < y.length; i++) {
            if (!Object.is(ys[i], y[i]! * p)) {
              return {
                ok: false,
                observed: 1,
                message: `geglu(${show(sc.gate[i]!)}, ${show(sc.up[i]!)}·2^${sc.k}) = ${show(ys[i]!)}, but 2^${sc.k}·geglu(g, u) = ${show(y[i]! * p)}`,
              };
            }
          }
          return { ok: true, observed: 0 };
        },
      };
    },
  };
}

function signSymmetry(fn: GeluFunction): PropertySpec<GegluCase> {
  return {
    suite: 'gating',
    id: `sign/${fn}`,
    fn,
    name: (t) => `geglu(g, −u) = −geglu(g, u) exactly (${t.backend} ${t.dtype}, ${fnName(fn)}), every finite g and u`,
    prepare(_c, target) {
      const no = needGeglu(target);
      if (no) return no;
      const dtype = target.dtype;
      const finite = anyFloat(dtype).filter(Number.isFinite);
      return {
        arbitrary: gegluCase(dtype, { gate: fc.oneof(finite, boundedValue(dtype, 16)), up: fc.oneof(finite, boundedValue(dtype, 16)) }),
        bound: 0,
        unit: 'asymmetric results',
        async check(gc) {
          const y = await target.geglu!(fn, gc.gate, gc.up);
          const yn = await target.geglu!(
            fn,
            gc.gate,
            gc.up.map((v) => -v),
          );
          for (let i = 0; i < y.length; i++) {
            if (!Object.is(yn[i], -y[i]!)) {
              return {
                ok: false,
                observed: 1,
                message: `geglu(${show(gc.gate[i]!)}, −(${show(gc.up[i]!)})) = ${show(yn[i]!)}, −geglu(g, u) = ${show(-y[i]!)}`,
              };
            }
          }
          return { ok: true, observed: 0 };
        },
      };
    },
  };
}

function positionIndependent(fn: GeluFunction): PropertySpec<GegluCase> {
  return {
    suite: 'gating',
    id: `elementwise/${fn}`,
    fn,
    name: (t) => `geglu (${t.backend} ${t.dtype}, ${fnName(fn)}) of a vector equals geglu of each element alone, exactly, lengths 1..16`,
    prepare(_c, target) {
      const no = needGeglu(target);
      if (no) return no;
      return {
        arbitrary: gegluCase(target.dtype),
        bound: 0,
        unit: 'differing elements',
        async check(gc) {
          const y = await target.geglu!(fn, gc.gate, gc.up);
          for (let i = 0; i < gc.length; i++) {
            const yi = (await target.geglu!(fn, gc.gate.subarray(i, i + 1), gc.up.subarray(i, i + 1)))[0]!;
            if (!Object.is(yi, y[i])) {
              return {
                ok: false,
                observed: 1,
                message: `element ${i} of a length-${gc.length} geglu is ${show(y[i]!)}, alone it is ${show(yi)}`,
              };
            }
          }
          return { ok: true, observed: 0 };
        },
      };
    },
  };
}

/** Every property of suite 3. */
export const gatingSuite: PropertySpec<any>[] = GELU_FUNCTIONS.flatMap((fn) => [
  product(fn),
  zeroUp(fn),
  signs(fn),
  scaling(fn),
  signSymmetry(fn),
  positionIndependent(fn),
]);
