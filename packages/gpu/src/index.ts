export { GegluGpu } from './gpu.js';
export type { FallbackRecord, GegluGpuOptions, GegluOptions, Gemma2MlpWeights, GeluOptions } from './gpu.js';
export { availableGpuBackends, GPU_BACKENDS } from './backends.js';
export type { BackendAvailability, GpuBackendName, ResolvedGpuBackend } from './backends.js';
export * as coefficients from './coefficients.js';
export { GegluError } from '@geglu/float';
