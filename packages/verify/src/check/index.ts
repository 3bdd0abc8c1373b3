/**
 * `@geglu/verify/check`: `geglu check`'s readers and judging without the CLI, for a browser (the
 * explorer page judges a dropped file with it) or any host. Files are paths in Node, Blobs anywhere.
 */
export {
  CHECK_FUNCTIONS,
  CheckJudge,
  checkFields,
  formatSummary,
  type CheckFunction,
  type CheckOptions,
  type CheckSummary,
  type CheckWorst,
} from './judge.js';
export {
  CheckInputError,
  jsonlBatches,
  npyBatches,
  safetensorsBatches,
  type CheckBatch,
  type SafetensorsSource,
} from '../io/check-inputs.js';
export type { NpyBlob } from '../io/npy.js';
export { MAX_LINE_BYTES } from '../io/lines.js';
export { REGIONS, regionOf, type Region } from '../tolerances/index.js';
