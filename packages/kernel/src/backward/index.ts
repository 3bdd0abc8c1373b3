export { gegluBackward } from './geglu.js';
export type { GegluBackwardOptions, GegluGradients } from './geglu.js';
