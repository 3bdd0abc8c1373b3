// @geglu/oracle: correctly rounded GELU, erf, erfc, Φ and friends at any precision.
export { Decimal } from 'decimal.js';
export {
  correctlyRounded,
  correctlyRoundedGeglu,
  evaluate,
  gelu,
  geluGrad,
  MAX_DIGITS,
  MIN_DIGITS,
  ORACLE_FUNCTIONS,
  type Enclosure,
  type GeluFunction,
  type OracleFunction,
} from './evaluate.js';
export { exactDecimal, roundDecimal, ulpError, type FloatFormat } from './float.js';
// Formats, steps and errors live in @geglu/float; re-exported for code that imported them from here.
export { GegluError, isRepresentable, stepDistance } from '@geglu/float';
export {
  correctlyRoundedGegluBackward,
  geglu,
  gemma2Mlp,
  gemma2MlpBackward,
  type GegluOptions,
  type Gemma2MlpWeights,
  type MlpBackwardResult,
  type MlpOptions,
} from './mlp.js';
