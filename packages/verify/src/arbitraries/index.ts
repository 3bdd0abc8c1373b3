export * from './floats.js';
export * from './thresholds.js';
export * from './regions.js';
export * from './tensors.js';
