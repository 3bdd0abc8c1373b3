export * from './chromium.js';
export * from './kernel-cases.js';
export * from './compare.js';
export * from './gpu-cases.js';
export * from './mlp-threads.js';
