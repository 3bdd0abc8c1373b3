export { erf, erfc, gelu, geluF32 } from './scalar.js';
export type { Approximate, GeluOptions } from './scalar.js';
