export { erf, erfc, gelu, geluF32 } from './scalar.js';
export type { Approximate, GeluOptions } from './scalar.js';
export { geglu, gegluPacked, geluArray } from './array.js';
export { geluGrad, geluGradArray } from './gelu-grad.js';
export type { GegluOptions, GeluArrayOptions } from './array.js';
export { geluThreads, geluThreadsReady, setGeluThreads } from './parallel.js';
export { isKernelFloat32Array, kernelFloat32Array, releaseKernelFloat32Array } from './kernel-arrays.js';
export { gegluBf16, gegluF16, geluBf16Array, geluF16Array } from './half.js';
export type { HalfFormat, HalfGegluOptions, HalfGeluOptions } from './half.js';
// bf16/f16 <-> f32 array conversions (exact widening, one rounding narrowing) for callers of the above.
export { bf16ToF32Array, f16ToF32Array, f32ToBf16Array, f32ToF16Array } from '@geglu/float';
