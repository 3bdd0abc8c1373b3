export * from './chromium.js';
export * from './kernel-cases.js';
export * from './compare.js';
