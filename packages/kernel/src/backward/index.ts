export { gegluBackward } from './geglu.js';
export type { GegluBackwardOptions, GegluGradients } from './geglu.js';
export { gemma2MlpBackward, releaseGemma2MlpBackwardScratch } from './mlp.js';
export type { Gemma2MlpBackwardOptions, Gemma2MlpGradients } from './mlp.js';
export { GELU_GRAD_LIPSCHITZ, gemma2MlpBackwardErrorBound } from './mlp-bound.js';
export type { Gemma2MlpGradientBounds } from './mlp-bound.js';
