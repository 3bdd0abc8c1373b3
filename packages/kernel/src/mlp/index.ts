export { GEMMA2_PRESETS } from './presets.js';
export type { Gemma2Preset, Gemma2PresetName } from './presets.js';
export { gemma2Mlp } from './gemma2.js';
export type { Gemma2MlpWeights, Gemma2MlpOptions } from './gemma2.js';
export { GegluError } from '../validation.js';
