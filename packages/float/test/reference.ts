// An independent reference for rounding a double to bf16/f16: every finite value of the
// format, found by binary search, and the decision made on exact BigInt integers.
import { bitsToBf16, bitsToF16 } from '../src/index.js';

const SCALE = 1100n; // every double is an integer multiple of 2^-1074, so x·2^1100 is an integer

/** |x|·2^1100 exactly, for a finite double. */
export function exactScaled(x: number): bigint {
  const view = new DataView(new ArrayBuffer(8));
  view.setFloat64(0, Math.abs(x));
  const bits = view.getBigUint64(0);
  const biased = Number(bits >> 52n);
  const frac = bits & 0xfffffffffffffn;
  const m = biased === 0 ? frac : frac | (1n << 52n);
  const e = biased === 0 ? -1074 : biased - 1075;
  return m << (BigInt(e) + SCALE);
}

interface Table {
  /** Non-negative finite values in pattern order, scaled by 2^1100. */
  scaled: bigint[];
  /** The +∞ pattern. */
  inf: number;
  /** 2^(emax+1)·2^1100: where rounding past the largest finite goes (the ∞ side of the last midpoint). */
  beyond: bigint;
}

function table(decode: (b: number) => number, inf: number, emax: number): Table {
  const scaled: bigint[] = [];
  for (let b = 0; b < inf; b++) scaled.push(exactScaled(decode(b)));
  return { scaled, inf, beyond: 1n << (BigInt(emax + 1) + SCALE) };
}

const tables = { bf16: table(bitsToBf16, 0x7f80, 127), f16: table(bitsToF16, 0x7c00, 15) };

/** The pattern of x rounded to nearest-even, from the table and exact midpoints. */
export function referenceBits(x: number, format: 'bf16' | 'f16'): number {
  const t = tables[format];
  if (Number.isNaN(x)) throw new Error('reference: NaN has no single pattern');
  const sign = x < 0 || Object.is(x, -0) ? 0x8000 : 0;
  if (!Number.isFinite(x)) return sign | t.inf;
  const a = exactScaled(x);
  // largest pattern whose value is ≤ a
  let lo = 0;
  let hi = t.inf - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (t.scaled[mid]! <= a) lo = mid;
    else hi = mid - 1;
  }
  if (t.scaled[lo] === a) return sign | lo;
  const below = t.scaled[lo]!;
  const above = lo + 1 < t.inf ? t.scaled[lo + 1]! : t.beyond;
  const twice = 2n * a;
  const midpoint = below + above;
  const up = twice > midpoint || (twice === midpoint && lo % 2 === 1);
  return sign | (up ? lo + 1 : lo);
}
