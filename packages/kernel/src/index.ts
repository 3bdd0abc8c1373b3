export * from './elementwise/index.js';
export * from './mlp/index.js';
export { enableRelaxedSimdFlag, relaxedSimdPath, setRelaxedSimd } from './wasm/features.js';
export type { RelaxedSimdPath, RelaxedSimdRequest } from './wasm/features.js';
export * from './backward/index.js';
