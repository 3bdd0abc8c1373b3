/**
 * `@geglu/kernel/io`: reading files that may be hostile (bounded reads, strict JSON), shared by
 * the kernel's safetensors loader and `@geglu/verify`'s file readers. A subpath, so a reader of
 * a tolerance table does not load the kernel's WebAssembly and tables.
 */
export { JsonError, jsonPathChild, parseJsonStrict, type JsonStrictOptions } from './json.js';
export { FileTooLargeError, readTextFileBounded } from './files.js';
export {
  DEFAULT_CHUNK_ELEMENTS,
  SafetensorsError,
  openSafetensors,
  type SafetensorsHeader,
  type SafetensorsReader,
  type SafetensorsTensorInfo,
} from '../mlp/safetensors.js';
