/**
 * The exhaustive check of the 16-bit formats: every one of the 65,536 bf16 or f16 bit patterns.
 *
 * The reference table is built without the kernel: the sweep's bounded float64 reference
 * (reference.ts) gives y and a relative bound eps at each input. Every bf16 and every f16 is a
 * float32 (8 ≤ 24 and 11 ≤ 24 significand bits, exponent ranges inside f32's), so the bound proven
 * there for float32 inputs holds; its shortcuts ("rounds to x", "rounds to −0", the tiny-x
 * representative) are decided by gaps of float32 and hold a fortiori for the coarser 16-bit
 * formats. Where both ends of [y − w, y + w] round to the same 16-bit value (each end rounded once
 * from f64 by @geglu/float), that value is the correctly rounded result, for the reason stated at
 * decideF32; elsewhere the oracle's correctlyRounded(fn, x, format) decides.
 */
import { bf16ToBits, bitsToBf16, bitsToF16, compareResult, f16ToBits, formatFloat as fmt } from '@geglu/float';
import { regionOf } from '../tolerances/index.js';
import { addWorst, emptyCounts, SWEEP_REFERENCE, type SweepCounts, type SweepFunction } from './engine.js';

export type HalfFormat = 'bf16' | 'f16';
export const HALF_FORMATS: readonly HalfFormat[] = ['bf16', 'f16'];

/** All bit patterns of a 16-bit format. */
export const HALF_INPUTS = 2 ** 16;

const U = 2 ** -53;

/** Value ↔ bits of a 16-bit format (@geglu/float; the value is exact in f64, rounding to bits is single). */
export function halfCodec(format: HalfFormat): { toBits: (x: number) => number; fromBits: (b: number) => number } {
  return format === 'bf16' ? { toBits: bf16ToBits, fromBits: bitsToBf16 } : { toBits: f16ToBits, fromBits: bitsToF16 };
}

/** A reference table: the correctly rounded bit pattern for each input bit pattern. */
export interface HalfTable {
  /** expected[b]: the result's bits for input bits b; NaN inputs hold the format's quiet NaN. */
  expected: Uint16Array;
  /** Inputs the float64 bound did not decide (the oracle did). */
  escalated: number;
  /** Inputs left undecided because no oracle was given; their entries are meaningless. */
  undecided: Uint8Array;
}

/**
 * The correctly rounded 16-bit `fn` of every 16-bit input, from the bounded float64 reference,
 * with `escalate` (the oracle) where the bound straddles a rounding boundary; null escalate leaves
 * those inputs marked undecided.
 */
export function halfReferenceTable(fn: SweepFunction, format: HalfFormat, escalate: ((x: number) => number) | null): HalfTable {
  const ref = SWEEP_REFERENCE[fn];
  const { toBits, fromBits } = halfCodec(format);
  const expected = new Uint16Array(HALF_INPUTS);
  const undecided = new Uint8Array(HALF_INPUTS);
  let escalated = 0;
  for (let b = 0; b < HALF_INPUTS; b++) {
    const x = fromBits(b);
    if (x !== x) {
      expected[b] = toBits(NaN);
      continue;
    }
    const r = ref(x);
    if (r.eps === 0 || r.y !== r.y) {
      expected[b] = toBits(r.y);
      continue;
    }
    // widened by 2u for the rounding of the two products (as in decideF32)
    const w = (r.eps + 2 * U) * Math.abs(r.y);
    const lo = toBits(r.y - w);
    if (lo === toBits(r.y + w)) {
      expected[b] = lo;
      continue;
    }
    if (escalate === null) {
      undecided[b] = 1;
      continue;
    }
    escalated++;
    expected[b] = toBits(escalate(x));
  }
  return { expected, escalated, undecided };
}

/**
 * Compares an implementation's results (bit patterns, got[b] for input bits b) with the table:
 * bit-exact, a zero of the wrong sign a mismatch at 0 steps, any NaN equal to any NaN.
 */
export function compareHalf(fn: SweepFunction, format: HalfFormat, table: HalfTable, got: Uint16Array): SweepCounts {
  const { fromBits } = halfCodec(format);
  const c = emptyCounts();
  c.escalated = table.escalated;
  for (let b = 0; b < HALF_INPUTS; b++) {
    if (table.undecided[b]) {
      c.undecided++;
      continue;
    }
    const x = fromBits(b);
    const y = fromBits(got[b]!);
    const want = fromBits(table.expected[b]!);
    if (x !== x) c.nan++;
    c.checked++;
    const region = regionOf(fn, format, x);
    const rc = region === undefined ? undefined : c.regions[region];
    if (rc) rc.checked++;
    const cmp = compareResult(y, want, format);
    const key = String(cmp.steps);
    c.histogram[key] = (c.histogram[key] ?? 0) + 1;
    if (cmp.matches) continue;
    c.mismatches++;
    if (cmp.zeroSign) c.zeroSign++;
    const steps: number | 'Infinity' = cmp.steps === Infinity ? 'Infinity' : cmp.steps;
    const w = { bits: b, x: fmt(x), got: fmt(y), expected: fmt(want), steps, ...(cmp.zeroSign ? { zeroSign: true as const } : {}) };
    addWorst(c.worst, w);
    if (rc) {
      rc.mismatches++;
      // the region's worst is its largest steps (a zero sign alone is 0 steps: counted, not the worst)
      if (!cmp.zeroSign && (rc.worst === null || cmp.steps > (rc.maxSteps === 'Infinity' ? Infinity : rc.maxSteps))) {
        rc.worst = { bits: w.bits, x: w.x, got: w.got, expected: w.expected, steps };
        rc.maxSteps = steps;
      }
    }
  }
  return c;
}
