import { formatFloat as fmt, stepDistance } from '@geglu/float';
import { REGIONS, regionOf, type Region } from '../tolerances/index.js';
import { decideF32, refErf, refErfc, refGelu, refGeluGrad, refGeluTanh, refGeluTanhGrad, type RefResult } from './reference.js';

export type SweepFunction = 'gelu' | 'gelu-tanh' | 'erf' | 'erfc' | 'gelu-grad' | 'gelu-tanh-grad';
export const SWEEP_FUNCTIONS: readonly SweepFunction[] = ['gelu', 'gelu-tanh', 'erf', 'erfc', 'gelu-grad', 'gelu-tanh-grad'];

/** The sweep's float64 reference of each function (src/sweep/reference.ts). */
export const SWEEP_REFERENCE: Record<SweepFunction, (x: number) => RefResult> = {
  gelu: refGelu,
  'gelu-tanh': refGeluTanh,
  erf: refErf,
  erfc: refErfc,
  'gelu-grad': refGeluGrad,
  'gelu-tanh-grad': refGeluTanhGrad,
};

/** One of the worst inputs: its bit pattern, the value, what the implementation gave, the correct f32. */
export interface SweepWorst {
  bits: number;
  x: string;
  got: string;
  expected: string;
  /** Steps between got and expected; "Infinity" for NaN against a number. */
  steps: number | 'Infinity';
  /** Both are zeros of different signs: 0 steps apart, yet not the correctly rounded result. */
  zeroSign?: true;
}

/** Counts over a set of inputs (a chunk, a shard or a merged sweep). Additive, so merging is summing. */
export interface SweepCounts {
  /** Inputs compared (each exactly once). */
  checked: number;
  /** NaN inputs (every payload) among them; the result must be a NaN. */
  nan: number;
  /** Inputs where the reference bound did not decide the rounding and the oracle was asked. */
  escalated: number;
  /** Inputs that stayed undecided because the oracle was not available: the sweep cannot pass. */
  undecided: number;
  /** Inputs whose result is not the correctly rounded one (steps > 0). */
  mismatches: number;
  /** steps → count ("Infinity" for NaN mismatches). */
  histogram: Record<string, number>;
  worst: SweepWorst[];
  /** Inputs whose result is a zero of the wrong sign: counted in mismatches, and under 0 steps in the histogram. */
  zeroSign: number;
  /** Per region of the tolerance table (finite inputs only; NaN and ±∞ are in none). */
  regions: Record<Region, RegionCounts>;
}

/** One region's share of a sweep: what a tolerance table entry is the maximum of. */
export interface RegionCounts {
  checked: number;
  mismatches: number;
  /** The largest steps in the region ("Infinity" for NaN against a number); 0 when all are correctly rounded. */
  maxSteps: number | 'Infinity';
  /** The input reaching maxSteps with the lowest bit pattern; null while maxSteps is 0. */
  worst: SweepWorst | null;
}

export const MAX_WORST = 20;

/** The function under test: fills out[i] with its float32 result for xs[i] (gpu.js calls are async). */
export type SweepImpl = (xs: Float32Array, out: Float32Array) => void | Promise<void>;

/** Escalation: the correctly rounded f32 from the oracle, or null when there is none. */
export type Escalate = (x: number) => number;

const emptyRegion = (): RegionCounts => ({ checked: 0, mismatches: 0, maxSteps: 0, worst: null });

export function emptyCounts(): SweepCounts {
  return {
    checked: 0,
    nan: 0,
    escalated: 0,
    undecided: 0,
    mismatches: 0,
    histogram: {},
    worst: [],
    zeroSign: 0,
    regions: { tail: emptyRegion(), subnormal: emptyRegion(), normal: emptyRegion() },
  };
}

/** Steps between two float32 values (@geglu/float's stepDistance: ±0 one point, NaN vs a number ∞, NaN vs NaN 0). */
export function stepsF32(a: number, b: number): number {
  return stepDistance(a, b, 'f32');
}

export function addWorst(list: SweepWorst[], w: SweepWorst): void {
  list.push(w);
  list.sort(compareWorst);
  if (list.length > MAX_WORST) list.length = MAX_WORST;
}

const stepsValue = (s: number | 'Infinity'): number => (s === 'Infinity' ? Infinity : s);

function compareWorst(a: SweepWorst, b: SweepWorst): number {
  return stepsValue(b.steps) - stepsValue(a.steps) || a.bits - b.bits;
}

/** Adds a region's counts into another's; the worst input is the larger steps, then the lower bit pattern. */
function addRegion(a: RegionCounts, b: RegionCounts): void {
  a.checked += b.checked;
  a.mismatches += b.mismatches;
  if (b.worst !== null && (a.worst === null || compareWorst(b.worst, a.worst) < 0)) {
    a.worst = b.worst;
    a.maxSteps = b.maxSteps;
  }
}

/** Adds b into a (counts are disjoint sets of inputs). */
export function addCounts(a: SweepCounts, b: SweepCounts): void {
  a.checked += b.checked;
  a.nan += b.nan;
  a.escalated += b.escalated;
  a.undecided += b.undecided;
  a.mismatches += b.mismatches;
  for (const [k, v] of Object.entries(b.histogram)) a.histogram[k] = (a.histogram[k] ?? 0) + v;
  for (const w of b.worst) addWorst(a.worst, w);
  a.zeroSign += b.zeroSign;
  for (const r of Object.keys(a.regions) as Region[]) addRegion(a.regions[r], b.regions[r]);
}

const BLOCK = 1 << 16;

/**
 * Checks every float32 whose bit pattern lies in [start, end) (unsigned, end ≤ 2^32): the
 * implementation's result against the reference, escalating undecided roundings to the oracle.
 * `block` inputs go to the implementation per call (gpu.js backends gain from larger calls).
 */
export async function sweepRange(
  fn: SweepFunction,
  start: number,
  end: number,
  impl: SweepImpl,
  escalate: Escalate | null,
  block = BLOCK,
): Promise<SweepCounts> {
  const ref = SWEEP_REFERENCE[fn];
  const c = emptyCounts();
  const size = Math.max(1, Math.min(block, end - start));
  const bits = new Uint32Array(size);
  const xs = new Float32Array(bits.buffer);
  const out = new Float32Array(size);
  const outBits = new Uint32Array(out.buffer);
  const exp = new Float32Array(1);
  const expBits = new Uint32Array(exp.buffer);
  // per-input bookkeeping by index, not by region name: a keyed property access per input is
  // most of the engine's own cost (measured with --cpu-prof on a gpu-webasm sweep)
  const regionCounts = REGIONS.map((g) => c.regions[g]);
  const regionChecked = [0, 0, 0];
  const smallHistogram = new Array<number>(64).fill(0);
  let listFloor = 0; // the steps an input needs to enter c.worst once it is full
  let zeros = 0;
  for (let b0 = start; b0 < end; b0 += size) {
    const n = Math.min(size, end - b0);
    for (let i = 0; i < n; i++) bits[i] = b0 + i;
    await impl(n === size ? xs : xs.subarray(0, n), n === size ? out : out.subarray(0, n));
    for (let i = 0; i < n; i++) {
      const x = xs[i]!;
      let expected: number;
      if (x !== x) {
        c.nan++;
        expected = NaN;
      } else {
        const r = ref(x);
        expected = decideF32(r.y, r.eps);
        if (expected !== expected) {
          if (escalate === null) {
            c.undecided++;
            continue;
          }
          c.escalated++;
          expected = escalate(x);
        }
      }
      const region = regionOf(fn, 'f32', x);
      const ri = region === 'tail' ? 0 : region === 'subnormal' ? 1 : region === 'normal' ? 2 : -1;
      if (ri >= 0) regionChecked[ri]!++;
      exp[0] = expected;
      if (outBits[i] === expBits[0] || (expected !== expected && out[i] !== out[i])) {
        zeros++;
        continue;
      }
      const got = out[i]!;
      if (got === 0 && expected === 0) {
        // a zero of the wrong sign: 0 steps away, yet not the correctly rounded bits
        zeros++;
        c.zeroSign++;
        c.mismatches++;
        if (ri >= 0) regionCounts[ri]!.mismatches++;
        if (c.worst.length < MAX_WORST)
          addWorst(c.worst, { bits: bits[i]!, x: fmt(x), got: fmt(got), expected: fmt(expected), steps: 0, zeroSign: true });
        continue;
      }
      const steps = stepsF32(got, expected);
      if (steps === 0) {
        zeros++;
        continue;
      }
      c.mismatches++;
      if (steps < smallHistogram.length) smallHistogram[steps]!++;
      else {
        const key = String(steps);
        c.histogram[key] = (c.histogram[key] ?? 0) + 1;
      }
      // bit patterns ascend, so an input tying a recorded one never displaces it (lower bits first):
      // records are built only for strictly larger steps, not for every mismatch
      const rc = ri >= 0 ? regionCounts[ri]! : undefined;
      const forList = c.worst.length < MAX_WORST || steps > listFloor;
      const forRegion = rc !== undefined && (rc.worst === null || steps > stepsValue(rc.worst.steps));
      if (rc !== undefined) rc.mismatches++;
      if (forList || forRegion) {
        const w: SweepWorst = {
          bits: bits[i]!,
          x: fmt(x),
          got: fmt(got),
          expected: fmt(expected),
          steps: steps === Infinity ? 'Infinity' : steps,
        };
        if (forList) {
          addWorst(c.worst, w);
          if (c.worst.length === MAX_WORST) listFloor = stepsValue(c.worst.at(-1)!.steps);
        }
        if (forRegion) {
          rc.worst = w;
          rc.maxSteps = w.steps;
        }
      }
    }
  }
  smallHistogram.forEach((v, k) => {
    if (v > 0) c.histogram[String(k)] = v;
  });
  c.checked = end - start - c.undecided;
  regionCounts.forEach((rc, k) => (rc.checked = regionChecked[k]!));
  if (zeros > 0) c.histogram['0'] = zeros;
  return c;
}
