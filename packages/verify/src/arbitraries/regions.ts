/**
 * Input regions of GELU in one float format. Every boundary except the fixed
 * ±4 core edge comes from {@link GeluThresholds}, which the oracle locates.
 *
 * | region          | inputs                                    | what it exercises                     |
 * |-----------------|-------------------------------------------|---------------------------------------|
 * | underflow       | [−max, underflowToZero]                   | result must be −0                      |
 * | tail-subnormal  | (underflowToZero, normalFrom)             | subnormal results, gradual underflow  |
 * | tail            | [normalFrom, −4)                          | erfc/exp tail, relative accuracy      |
 * | core            | [−4, 4], |x| ≥ smallest normal             | the approximation's main interval     |
 * | subnormal       | |x| < smallest normal (±0 included)       | gelu(x) ≈ x/2 on subnormals           |
 * | large           | (4, identityFrom)                         | gelu(x) just below x                  |
 * | identity        | [identityFrom, max]                       | gelu(x) rounds to x                   |
 *
 * −4 is the tolerance table's tail boundary (tolerances.json `$.regions.tail`:
 * x < −4 for gelu), so every region here lies inside one region of the table
 * and has one bound; +4 mirrors it. Both are a partition choice, not a
 * measured threshold.
 */
import fc from 'fast-check';
import { floatInRange, floatNear, formatLimits, stepFloat, type FloatFormat } from './floats.js';
import type { GeluThresholds } from './thresholds.js';

export type InputRegion = 'underflow' | 'tail-subnormal' | 'tail' | 'core' | 'subnormal' | 'large' | 'identity';
export const INPUT_REGIONS: readonly InputRegion[] = ['underflow', 'tail-subnormal', 'tail', 'core', 'subnormal', 'large', 'identity'];

const CORE_EDGE = 4;

/** [lo, hi] of a region (both representable in the format). */
export function regionBounds(region: InputRegion, th: GeluThresholds): [number, number] {
  const { max, minNormal } = formatLimits(th.format);
  const f = th.format;
  switch (region) {
    case 'underflow':
      return [-max, th.underflowToZero];
    case 'tail-subnormal':
      return [stepFloat(th.underflowToZero, 1, f), stepFloat(th.normalFrom, -1, f)];
    case 'tail':
      return [th.normalFrom, stepFloat(-CORE_EDGE, -1, f)];
    case 'core':
      return [-CORE_EDGE, CORE_EDGE];
    case 'subnormal':
      return [stepFloat(-minNormal, 1, f), stepFloat(minNormal, -1, f)];
    case 'large':
      return [stepFloat(CORE_EDGE, 1, f), stepFloat(th.identityFrom, -1, f)];
    case 'identity':
      return [th.identityFrom, max];
  }
}

/** The region of a finite input (NaN and ±∞ have none). */
export function classifyInput(x: number, th: GeluThresholds): InputRegion | undefined {
  if (!Number.isFinite(x)) return undefined;
  const { minNormal } = formatLimits(th.format);
  if (Math.abs(x) < minNormal) return 'subnormal';
  if (x <= th.underflowToZero) return 'underflow';
  if (x < th.normalFrom) return 'tail-subnormal';
  if (x < -CORE_EDGE) return 'tail';
  if (x <= CORE_EDGE) return 'core';
  if (x < th.identityFrom) return 'large';
  return 'identity';
}

/**
 * Inputs of one region, uniform over the ordered floats of the region (so a
 * region spanning binades samples each equally). The core region excludes
 * subnormal inputs by drawing each sign's normal half separately.
 */
export function regionInput(region: InputRegion, th: GeluThresholds): fc.Arbitrary<number> {
  const f = th.format;
  if (region === 'core') {
    const { minNormal } = formatLimits(f);
    return fc.oneof(floatInRange(-CORE_EDGE, -minNormal, f), floatInRange(minNormal, CORE_EDGE, f));
  }
  const [lo, hi] = regionBounds(region, th);
  return floatInRange(lo, hi, f);
}

/**
 * The negative tail from the underflow threshold up to −4, with a third of the
 * draws within 2^12 floats of each threshold (where rounding to subnormal and
 * to zero changes).
 */
export function negativeTail(th: GeluThresholds): fc.Arbitrary<number> {
  const f = th.format;
  return fc.oneof(
    { arbitrary: floatInRange(stepFloat(th.underflowToZero, -4096, f), stepFloat(-CORE_EDGE, -1, f), f), weight: 2 },
    { arbitrary: thresholdNeighbourhood(th), weight: 1 },
  );
}

/** Within `radius` floats of one of the three thresholds. */
export function thresholdNeighbourhood(th: GeluThresholds, radius = 4096): fc.Arbitrary<number> {
  return fc.oneof(
    floatNear(th.underflowToZero, radius, th.format),
    floatNear(th.normalFrom, radius, th.format),
    floatNear(th.identityFrom, radius, th.format),
  );
}

/**
 * Within `halfWidth` of ±x* (the argmax of |gelu_tanh − gelu|, located by the
 * oracle), uniform in value so the flat top of the peak is sampled densely.
 */
export function peakNeighbourhood(argmax: number, format: FloatFormat, halfWidth = 0.05): fc.Arbitrary<number> {
  const round = format === 'f32' ? Math.fround : (v: number) => v;
  const lo = round(Math.abs(argmax) - halfWidth);
  const hi = round(Math.abs(argmax) + halfWidth);
  const side =
    format === 'f32' ? fc.float({ min: Math.fround(lo), max: Math.fround(hi), noNaN: true }) : fc.double({ min: lo, max: hi, noNaN: true });
  return fc.tuple(side, fc.boolean()).map(([v, neg]) => (neg ? -v : v));
}
