export { erf, erfc, gelu, geluF32 } from './scalar.js';
export type { Approximate, GeluOptions } from './scalar.js';
export { geglu, gegluPacked, geluArray } from './array.js';
export type { GegluOptions, GeluArrayOptions } from './array.js';
export { geluThreads, geluThreadsReady, setGeluThreads } from './parallel.js';
export { isKernelFloat32Array, kernelFloat32Array, releaseKernelFloat32Array } from './kernel-arrays.js';
