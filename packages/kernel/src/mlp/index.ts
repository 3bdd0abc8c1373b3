export { GEMMA2_PRESETS } from './presets.js';
export type { Gemma2Preset, Gemma2PresetName } from './presets.js';
export { gemma2Mlp, releaseGemma2MlpScratch } from './gemma2.js';
export type { Gemma2MlpWeights, Gemma2MlpOptions } from './call.js';
export {
  MAX_HEADER_BYTES,
  SafetensorsError,
  DEFAULT_CHUNK_ELEMENTS,
  f16ToNumber,
  openSafetensors,
  readSafetensorsHeader,
  readSafetensorsTensor,
  readSafetensorsTensors,
} from './safetensors.js';
export type {
  BlobLike,
  ReadTensorOptions,
  ResponseLike,
  SafetensorsSource,
  SafetensorsHeader,
  SafetensorsReader,
  SafetensorsTensor,
  SafetensorsTensorInfo,
} from './safetensors.js';
export { gemma2MlpTensorNames, loadGemma2MlpLayer } from './loader.js';
export type { Gemma2MlpLayer, LoadGemma2MlpLayerOptions } from './loader.js';
export { GegluError } from '../validation.js';
export { createGemma2Mlp } from './create.js';
export type { CreateGemma2MlpOptions, Gemma2Mlp } from './create.js';
export type { Gemma2MlpForwardOptions } from './call.js';
export { GELU_LIPSCHITZ, gemma2MlpErrorBound } from './bound.js';
