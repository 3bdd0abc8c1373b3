export * from './precision.js';
export * from './normal.js';
export * from './extrema.js';
export * from './approximations.js';
export * from './maxima.js';
export * from './derivation.js';
export * from './report.js';
