import { formatFloat as fmt, stepDistance } from '@geglu/float';
import { decideF32, refGelu, refGeluTanh } from './reference.js';

export type SweepFunction = 'gelu' | 'gelu-tanh';

/** One of the worst inputs: its bit pattern, the value, what the implementation gave, the correct f32. */
export interface SweepWorst {
  bits: number;
  x: string;
  got: string;
  expected: string;
  /** Steps between got and expected; "Infinity" for NaN against a number. */
  steps: number | 'Infinity';
  /** got and expected are zeros of different sign: a mismatch at 0 steps. */
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
  /** Inputs whose result's bits differ from the correctly rounded result's (NaN payloads aside), zero sign included. */
  mismatches: number;
  /** Of the mismatches, those that differ only in the sign of zero (0 steps apart). */
  zeroSign: number;
  /** steps → count over the checked inputs ("Infinity" for NaN mismatches); the zeroSign mismatches are under 0. */
  histogram: Record<string, number>;
  worst: SweepWorst[];
}

export const MAX_WORST = 20;

/** The function under test: fills out[i] with its float32 result for xs[i]. */
export type SweepImpl = (xs: Float32Array, out: Float32Array) => void;

/** Escalation: the correctly rounded f32 from the oracle, or null when there is none. */
export type Escalate = (x: number) => number;

export function emptyCounts(): SweepCounts {
  return { checked: 0, nan: 0, escalated: 0, undecided: 0, mismatches: 0, zeroSign: 0, histogram: {}, worst: [] };
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

function compareWorst(a: SweepWorst, b: SweepWorst): number {
  const sa = a.steps === 'Infinity' ? Infinity : a.steps;
  const sb = b.steps === 'Infinity' ? Infinity : b.steps;
  return sb - sa || a.bits - b.bits;
}

/** Adds b into a (counts are disjoint sets of inputs). */
export function addCounts(a: SweepCounts, b: SweepCounts): void {
  a.checked += b.checked;
  a.nan += b.nan;
  a.escalated += b.escalated;
  a.undecided += b.undecided;
  a.mismatches += b.mismatches;
  a.zeroSign += b.zeroSign;
  for (const [k, v] of Object.entries(b.histogram)) a.histogram[k] = (a.histogram[k] ?? 0) + v;
  for (const w of b.worst) addWorst(a.worst, w);
}

const BLOCK = 1 << 16;

/**
 * Checks every float32 whose bit pattern lies in [start, end) (unsigned, end ≤ 2^32): the
 * implementation's result against the reference, escalating undecided roundings to the oracle.
 */
export function sweepRange(fn: SweepFunction, start: number, end: number, impl: SweepImpl, escalate: Escalate | null): SweepCounts {
  const ref = fn === 'gelu' ? refGelu : refGeluTanh;
  const c = emptyCounts();
  const bits = new Uint32Array(BLOCK);
  const xs = new Float32Array(bits.buffer);
  const out = new Float32Array(BLOCK);
  const outBits = new Uint32Array(out.buffer);
  const exp = new Float32Array(1);
  const expBits = new Uint32Array(exp.buffer);
  let zeros = 0;
  for (let b0 = start; b0 < end; b0 += BLOCK) {
    const n = Math.min(BLOCK, end - b0);
    for (let i = 0; i < n; i++) bits[i] = b0 + i;
    const xv = n === BLOCK ? xs : xs.subarray(0, n);
    impl(xv, n === BLOCK ? out : out.subarray(0, n));
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
      exp[0] = expected;
      if (outBits[i] === expBits[0] || (expected !== expected && out[i] !== out[i])) {
        zeros++;
        continue;
      }
      const got = out[i]!;
      const steps = stepsF32(got, expected);
      c.mismatches++;
      if (steps === 0) {
        // bits differ, yet 0 steps apart: zeros of different sign, never "correctly rounded"
        zeros++;
        c.zeroSign++;
        if (c.worst.length < MAX_WORST) addWorst(c.worst, { bits: bits[i]!, x: fmt(x), got: fmt(got), expected: fmt(expected), steps: 0, zeroSign: true });
        continue;
      }
      const key = String(steps);
      c.histogram[key] = (c.histogram[key] ?? 0) + 1;
      if (c.worst.length < MAX_WORST || steps >= (c.worst.at(-1)!.steps === 'Infinity' ? Infinity : (c.worst.at(-1)!.steps as number))) {
        addWorst(c.worst, { bits: bits[i]!, x: fmt(x), got: fmt(got), expected: fmt(expected), steps: steps === Infinity ? 'Infinity' : steps });
      }
    }
  }
  c.checked = end - start - c.undecided;
  if (zeros > 0) c.histogram['0'] = zeros;
  return c;
}
