/**
 * The tanh-vs-erf maxima from the constants derivation (@geglu/constants), in
 * the suites' shape. The derivation evaluates Phi with its own series and is
 * cross-checked against the oracle there; suite 1 checks the result against
 * the oracle once more (value at the argmax to 12 digits, no sample above it),
 * so neither side is trusted alone.
 */
import { tanhVsErfMaximum } from '@geglu/constants';
import type { Landmarks } from './landmarks.js';

export function tanhVsErfGapsFromConstants(): Pick<Landmarks, 'maxGeluGap' | 'maxPhiGap' | 'source'> {
  const m = tanhVsErfMaximum({ digits: 30 });
  return {
    maxGeluGap: { x: m.gelu.maximum.argmax.toNumber(), value: m.gelu.maximum.max },
    maxPhiGap: { x: m.phi.maximum.argmax.toNumber(), value: m.phi.maximum.max },
    source: `tanhVsErfMaximum (@geglu/constants), ${m.gelu.precision}`,
  };
}
