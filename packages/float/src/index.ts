// @geglu/float: float formats, bit casts, step distance, value formatting and the error convention.
export { argumentError, fail, GegluError } from './errors.js';
export { describe, formatFloat } from './describe.js';
export { FLOAT_FORMATS, formatInfo, isFloatFormat, type FloatFormat, type FormatInfo } from './format.js';
export {
  assertRepresentable,
  bf16ToBits,
  bitsToBf16,
  bitsToF16,
  bitsToF32,
  bitsToF64,
  f16ToBits,
  f32ToBits,
  f64ToBits,
  isRepresentable,
  roundToFormat,
} from './bits.js';
export { bf16ToF32Array, f16ToF32Array, f32ToBf16Array, f32ToF16Array } from './arrays.js';
export { compareResult, fromOrdinal, ordinal, stepDistance, type ResultComparison } from './distance.js';
