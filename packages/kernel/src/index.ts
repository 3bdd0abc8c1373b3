export * from './elementwise/index.js';
export * from './mlp/index.js';
