export * from './types.js';
export { listBackends, getBackend, registerBackend, backendIdFor, openBackend, openGpu } from './registry.js';
export type { OracleModule, KernelModule, GpuModule } from './modules.js';
export { loadOracle, loadKernel, loadGpu } from './modules.js';
