export * from './types.js';
export { listBackends, getBackend, registerBackend, backendIdFor, openBackend, openGpu } from './registry.js';
export type { OracleModule, KernelModule, GpuModule } from './modules.js';
export { loadOracle as loadOracleModule, loadKernel as loadKernelModule, loadGpu as loadGpuModule } from './modules.js';
