// @geglu/oracle: correctly rounded GELU, erf, erfc, Φ and friends at any precision.
export { Decimal } from 'decimal.js';
export {
  correctlyRounded,
  correctlyRoundedGeglu,
  evaluate,
  gelu,
  MAX_DIGITS,
  MIN_DIGITS,
  ORACLE_FUNCTIONS,
  type Enclosure,
  type GeluFunction,
  type OracleFunction,
} from './evaluate.js';
export {
  exactDecimal,
  isRepresentable,
  roundDecimal,
  stepDistance,
  ulpError,
  type FloatFormat,
} from './float.js';
export { geglu, gemma2Mlp, type GegluOptions, type Gemma2MlpWeights, type MlpOptions } from './mlp.js';
