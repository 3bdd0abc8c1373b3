/**
 * A safetensors reader that treats the file as hostile and reads only what it
 * is asked for.
 *
 * Format (https://huggingface.co/docs/safetensors/index#format): 8 bytes
 * little-endian unsigned N, then N bytes of UTF-8 JSON mapping tensor names to
 * `{ dtype, shape, data_offsets: [begin, end] }` (offsets relative to the byte
 * after the header) plus an optional `__metadata__` string→string map, then
 * the data section.
 *
 * Every number in the header is checked before it is used:
 * - N ≤ 16 MiB, lower than the reference implementation's 100 MiB
 *   (`SafeTensorError::HeaderTooLarge`, "larger than 100Mo",
 *   https://docs.rs/safetensors/0.4.2/safetensors/tensor/enum.SafeTensorError.html):
 *   the parsed header costs about twenty bytes of memory per header byte, so
 *   100 MiB of minimal entries took gigabytes, while a Gemma 2 checkpoint lists
 *   about 500 tensors (27B: 46 layers of 11 weights), a header of kilobytes;
 *   16 MiB holds over 250,000 entries. Checked with N ≤ file size − 8 before
 *   the header is allocated, so a header claiming gigabytes costs nothing;
 * - no key appears twice (JSON.parse would silently keep the last tensor of a
 *   name) and nothing nests deeper than 64 levels;
 * - each dtype is one of the reference's names, each dim a safe integer ≥ 0,
 *   and the element count × dtype size is computed in BigInt;
 * - each range lies within the data section, its length equals
 *   numel × dtype size, and no two ranges overlap. Gaps are tolerated (the
 *   reference writer never leaves them, but they are harmless to a reader).
 * Reads go through one file handle (or an in-memory buffer: `openSafetensors`
 * takes either) with positioned reads in chunks of at most 16 MiB, so loading a tensor never reads the rest of the file, and a file
 * that shrinks while being read ends in an error, not a short tensor.
 *
 * bf16 and f16 decode exactly to float32 (every value of both formats is a
 * float32): bf16 is the top half of a float32's bits (NaN payloads kept); f16
 * subnormals, ±Inf and NaN are handled by the IEEE 754 binary16 definition.
 * Byte order is little-endian as the format requires; this module assumes a
 * little-endian host (every platform Node supports).
 */
import { open } from '../host/node.js';
import { JsonError, parseJsonStrict } from '../io/json.js';
import { bitsToBf16, bitsToF16 } from '@geglu/float';
import { GegluError, describe } from '../validation.js';

/** Thrown for every problem with a safetensors file; the message names the file and, where one is involved, the tensor. */
export class SafetensorsError extends GegluError {
  override name = 'SafetensorsError';
}

/** Largest header accepted (16 MiB; the module comment says why it is below the reference's 100 MiB). */
export const MAX_HEADER_BYTES = 16 * 1024 * 1024;
const CHUNK_BYTES = 16 * 1024 * 1024;

/** Bytes per element of every dtype the reference implementation names. */
const DTYPE_BYTES: Readonly<Record<string, number>> = {
  BOOL: 1,
  U8: 1,
  I8: 1,
  F8_E5M2: 1,
  F8_E4M3: 1,
  I16: 2,
  U16: 2,
  F16: 2,
  BF16: 2,
  I32: 4,
  U32: 4,
  F32: 4,
  I64: 8,
  U64: 8,
  F64: 8,
};

export interface SafetensorsTensorInfo {
  readonly name: string;
  readonly dtype: string;
  readonly shape: readonly number[];
  /** Element count (product of shape; 1 for a scalar). */
  readonly elements: number;
  /** Absolute byte offset of the tensor in the file. */
  readonly byteOffset: number;
  readonly byteLength: number;
}

export interface SafetensorsHeader {
  readonly path: string;
  readonly fileSize: number;
  /** N, the JSON header's length in bytes. */
  readonly headerBytes: number;
  /** Absolute offset of the data section (8 + N). */
  readonly dataOffset: number;
  readonly metadata: Readonly<Record<string, string>> | undefined;
  readonly tensors: ReadonlyMap<string, SafetensorsTensorInfo>;
}

export interface SafetensorsTensor<A extends Float32Array | Float64Array = Float32Array | Float64Array> {
  readonly name: string;
  /** The dtype stored in the file. */
  readonly dtype: string;
  readonly shape: readonly number[];
  readonly data: A;
}

function err(path: string, message: string, tensor?: string): never {
  const where = tensor === undefined ? '' : ` tensor ${JSON.stringify(tensor)}:`;
  throw new SafetensorsError(`safetensors ${path}:${where} ${message}`);
}

interface ByteReader {
  read(target: Uint8Array, offset: number, length: number, position: number): Promise<{ bytesRead: number }>;
  stat(): Promise<{ size: number }>;
  close(): Promise<void>;
}

/** What the reader reads from: a file path (Node), or the file's bytes (a browser or any host). */
export type SafetensorsSource = string | ArrayBuffer | ArrayBufferView | BlobLike | ResponseLike;

/** A Blob or File (the part of its API used: slices are read one at a time, never the whole blob). */
export interface BlobLike {
  readonly size: number;
  slice(start: number, end: number): { arrayBuffer(): Promise<ArrayBuffer> };
}

/** A fetch Response; its body is read once, whole, into a Blob. */
export interface ResponseLike {
  readonly ok: boolean;
  readonly status: number;
  readonly url: string;
  readonly headers: unknown;
  blob(): Promise<BlobLike>;
}

function bytesReader(bytes: Uint8Array): ByteReader {
  return {
    async read(target, offset, length, position) {
      const n = Math.max(0, Math.min(length, bytes.length - position));
      target.set(bytes.subarray(position, position + n), offset);
      return { bytesRead: n };
    },
    async stat() {
      return { size: bytes.length };
    },
    async close() {},
  };
}

function blobReader(blob: BlobLike): ByteReader {
  return {
    async read(target, offset, length, position) {
      const end = Math.min(blob.size, position + length);
      if (position >= end) return { bytesRead: 0 };
      const chunk = new Uint8Array(await blob.slice(position, end).arrayBuffer());
      target.set(chunk, offset);
      return { bytesRead: chunk.length };
    },
    async stat() {
      return { size: blob.size };
    },
    async close() {},
  };
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null;

/** Opens `source` for reading, with the name its errors use (the path, a Response's URL, or what the bytes are). */
async function openSource(source: unknown, fn: string): Promise<{ fh: ByteReader; path: string }> {
  if (typeof source === 'string' && source !== '') {
    let fh;
    try {
      fh = await open(source, 'r');
    } catch (e) {
      throw new SafetensorsError(`safetensors ${source}: cannot open (${(e as Error).message})`, { cause: e });
    }
    // opening a directory succeeds on Linux; only the first read would fail, with a message naming no file
    if ((await fh.stat()).isDirectory()) {
      await fh.close();
      throw new SafetensorsError(`safetensors ${source}: is a directory, expected a safetensors file`);
    }
    return { fh, path: source };
  }
  if (source instanceof ArrayBuffer || (typeof SharedArrayBuffer !== 'undefined' && source instanceof SharedArrayBuffer)) {
    return { fh: bytesReader(new Uint8Array(source)), path: `(ArrayBuffer of ${source.byteLength} bytes)` };
  }
  if (ArrayBuffer.isView(source)) {
    return {
      fh: bytesReader(new Uint8Array(source.buffer, source.byteOffset, source.byteLength)),
      path: `(${source.constructor.name} of ${source.byteLength} bytes)`,
    };
  }
  if (isObject(source) && typeof source.blob === 'function' && 'headers' in source) {
    const response = source as unknown as ResponseLike;
    const name = response.url === '' ? '(Response)' : response.url;
    if (!response.ok)
      throw new SafetensorsError(`safetensors ${name}: the response has status ${response.status}, expected a success (200-299)`);
    return { fh: blobReader(await response.blob()), path: name };
  }
  if (isObject(source) && typeof source.slice === 'function' && typeof source.size === 'number') {
    const name = typeof source.name === 'string' && source.name !== '' ? source.name : `(Blob of ${source.size} bytes)`;
    return { fh: blobReader(source as unknown as BlobLike), path: name };
  }
  throw new GegluError(
    `${fn}: source is ${describe(source)}, expected a non-empty file path string, an ArrayBuffer, a typed array, a Blob or a Response`,
  );
}

/** Reads exactly `length` bytes at `position` into `target`, or throws naming what was short. */
async function readExactly(
  fh: ByteReader,
  path: string,
  target: Uint8Array,
  length: number,
  position: number,
  what: string,
  tensor?: string,
): Promise<void> {
  let done = 0;
  while (done < length) {
    const { bytesRead } = await fh.read(target, done, length - done, position + done);
    if (bytesRead === 0) {
      err(path, `${what} is truncated: expected ${length} bytes at offset ${position}, the file ended after ${done}`, tensor);
    }
    done += bytesRead;
  }
}

function parseHeaderJson(path: string, text: string, fileSize: number, dataOffset: number, headerBytes: number): SafetensorsHeader {
  let json: unknown;
  try {
    json = parseJsonStrict(text);
  } catch (e) {
    if (!(e instanceof JsonError)) throw e;
    err(path, e.path === '' ? `header is ${e.message}` : `header ${e.message}`);
  }
  if (json === null || typeof json !== 'object' || Array.isArray(json)) {
    err(path, `header is ${describe(json)}, expected a JSON object`);
  }
  const dataBytes = fileSize - dataOffset;
  let metadata: Record<string, string> | undefined;
  const tensors = new Map<string, SafetensorsTensorInfo>();
  for (const [name, entry] of Object.entries(json as Record<string, unknown>)) {
    if (name === '__metadata__') {
      if (entry === null || typeof entry !== 'object' || Array.isArray(entry)) {
        err(path, `__metadata__ is ${describe(entry)}, expected an object of strings`);
      }
      for (const [k, v] of Object.entries(entry)) {
        if (typeof v !== 'string') err(path, `__metadata__.${k} is ${describe(v)}, expected a string`);
      }
      metadata = entry as Record<string, string>;
      continue;
    }
    if (entry === null || typeof entry !== 'object' || Array.isArray(entry)) {
      err(path, `entry is ${describe(entry)}, expected { dtype, shape, data_offsets }`, name);
    }
    const { dtype, shape, data_offsets: offsets } = entry as Record<string, unknown>;
    if (typeof dtype !== 'string' || !Object.hasOwn(DTYPE_BYTES, dtype)) {
      err(path, `dtype is ${describe(dtype)}, expected one of ${Object.keys(DTYPE_BYTES).join(', ')}`, name);
    }
    if (!Array.isArray(shape) || shape.length > 64) {
      err(path, `shape is ${describe(shape)}, expected an array of at most 64 dimensions`, name);
    }
    let elements = 1n;
    shape.forEach((dim: unknown, i: number) => {
      if (typeof dim !== 'number' || !Number.isSafeInteger(dim) || dim < 0) {
        err(path, `shape[${i}] is ${describe(dim)}, expected an integer ≥ 0`, name);
      }
      elements *= BigInt(dim);
    });
    if (!Array.isArray(offsets) || offsets.length !== 2) {
      err(path, `data_offsets is ${describe(offsets)}, expected [begin, end]`, name);
    }
    const [begin, end] = offsets as unknown[];
    for (const [label, v] of [
      ['begin', begin],
      ['end', end],
    ] as const) {
      if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 0) {
        err(path, `data_offsets ${label} is ${describe(v)}, expected an integer ≥ 0`, name);
      }
    }
    const b = begin as number;
    const e = end as number;
    if (e < b) err(path, `data_offsets [${b}, ${e}] end before begin`, name);
    if (e > dataBytes) {
      err(
        path,
        `data_offsets [${b}, ${e}] reach past the data section of ${dataBytes} bytes (file size ${fileSize}, data starts at ${dataOffset}): truncated file or bad offsets`,
        name,
      );
    }
    const expectedBytes = elements * BigInt(DTYPE_BYTES[dtype]!);
    if (BigInt(e - b) !== expectedBytes) {
      err(path, `holds ${e - b} bytes, expected ${dtype} × shape [${shape.join(', ')}] = ${expectedBytes} bytes`, name);
    }
    tensors.set(name, {
      name,
      dtype,
      shape: Object.freeze([...(shape as number[])]),
      elements: Number(elements),
      byteOffset: dataOffset + b,
      byteLength: e - b,
    });
  }
  const sorted = [...tensors.values()].filter((t) => t.byteLength > 0).sort((a, c) => a.byteOffset - c.byteOffset);
  for (let i = 1; i < sorted.length; i++) {
    const prev = sorted[i - 1]!;
    const cur = sorted[i]!;
    if (cur.byteOffset < prev.byteOffset + prev.byteLength) {
      err(
        path,
        `data_offsets overlap those of tensor ${JSON.stringify(prev.name)} ([${prev.byteOffset - dataOffset}, ${prev.byteOffset - dataOffset + prev.byteLength}) and [${cur.byteOffset - dataOffset}, ${cur.byteOffset - dataOffset + cur.byteLength}))`,
        cur.name,
      );
    }
  }
  return Object.freeze({ path, fileSize, headerBytes, dataOffset, metadata, tensors });
}

async function readHeaderFrom(fh: ByteReader, path: string): Promise<SafetensorsHeader> {
  const { size: fileSize } = await fh.stat();
  if (fileSize < 8) err(path, `file has ${fileSize} bytes, expected at least 8 (the header length)`);
  const prefix = new Uint8Array(8);
  await readExactly(fh, path, prefix, 8, 0, 'header length');
  const n = new DataView(prefix.buffer).getBigUint64(0, true);
  if (n > BigInt(MAX_HEADER_BYTES)) {
    err(path, `header length is ${n} bytes, expected at most ${MAX_HEADER_BYTES} (16 MiB)`);
  }
  if (n > BigInt(fileSize - 8)) {
    err(
      path,
      `header length is ${n} bytes, expected at most the ${fileSize - 8} bytes after the length field: truncated file or corrupt length`,
    );
  }
  const headerBytes = Number(n);
  const raw = new Uint8Array(headerBytes);
  await readExactly(fh, path, raw, headerBytes, 8, 'header');
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(raw);
  } catch {
    err(path, 'header is not valid UTF-8');
  }
  return parseHeaderJson(path, text, fileSize, 8 + headerBytes, headerBytes);
}

/**
 * Parses and checks the header of a safetensors file (reads 8 + N bytes, nothing else) given by
 * path (Node) or as its bytes: an ArrayBuffer, a typed array, a Blob or File (read slice by slice),
 * or a fetch Response (its body read whole first).
 */
export async function readSafetensorsHeader(source: SafetensorsSource): Promise<SafetensorsHeader> {
  const { fh, path } = await openSource(source, 'readSafetensorsHeader');
  try {
    return await readHeaderFrom(fh, path);
  } finally {
    await fh.close();
  }
}

/** IEEE 754 binary16 → number, exact (subnormals, ±0, ±Inf, NaN); @geglu/float's bitsToF16. */
export const f16ToNumber: (bits: number) => number = bitsToF16;

const F16_TABLE = /* @__PURE__ */ (() => {
  const t = new Float32Array(65536);
  for (let h = 0; h < 65536; h++) t[h] = f16ToNumber(h);
  return t;
})();

/** Decodes `count` elements of `dtype` from little-endian bytes into out[at…]. */
function decodeInto(dtype: string, bytes: Uint8Array, count: number, out: Float32Array | Float64Array, at: number): void {
  const view = new DataView(bytes.buffer, bytes.byteOffset, count * DTYPE_BYTES[dtype]!);
  if (dtype === 'BF16') {
    if (out instanceof Float32Array) {
      const bits = new Uint32Array(out.buffer, out.byteOffset + at * 4, count);
      for (let i = 0; i < count; i++) bits[i] = view.getUint16(2 * i, true) << 16;
    } else {
      for (let i = 0; i < count; i++) out[at + i] = bitsToBf16(view.getUint16(2 * i, true));
    }
  } else if (dtype === 'F16') {
    for (let i = 0; i < count; i++) out[at + i] = F16_TABLE[view.getUint16(2 * i, true)]!;
  } else if (dtype === 'F32') {
    for (let i = 0; i < count; i++) out[at + i] = view.getFloat32(4 * i, true);
  } else {
    // F64: into Float32Array this rounds to nearest-even (documented on readSafetensorsTensor).
    for (let i = 0; i < count; i++) out[at + i] = view.getFloat64(8 * i, true);
  }
}

const FLOAT_DTYPES = new Set(['BF16', 'F16', 'F32', 'F64']);

function floatTensorInfo(path: string, header: SafetensorsHeader, name: string): SafetensorsTensorInfo {
  const info = header.tensors.get(name);
  if (info === undefined) {
    const names = [...header.tensors.keys()];
    const shown = names
      .slice(0, 8)
      .map((s) => JSON.stringify(s))
      .join(', ');
    err(path, `not found; the file has ${names.length} tensors${names.length ? ` (${shown}${names.length > 8 ? ', …' : ''})` : ''}`, name);
  }
  if (!FLOAT_DTYPES.has(info.dtype)) {
    err(path, `dtype is ${info.dtype}, expected one of BF16, F16, F32, F64`, name);
  }
  return info;
}

async function readTensorFrom<A extends Float32Array | Float64Array>(
  fh: ByteReader,
  path: string,
  header: SafetensorsHeader,
  name: string,
  type: { new (n: number): A },
): Promise<SafetensorsTensor<A>> {
  const info = floatTensorInfo(path, header, name);
  const size = DTYPE_BYTES[info.dtype]!;
  const out = new type(info.elements);
  const perChunk = Math.max(1, Math.floor(CHUNK_BYTES / size));
  const buf = new Uint8Array(Math.min(info.byteLength, perChunk * size));
  for (let e0 = 0; e0 < info.elements; e0 += perChunk) {
    const count = Math.min(perChunk, info.elements - e0);
    await readExactly(fh, path, buf, count * size, info.byteOffset + e0 * size, 'data', name);
    decodeInto(info.dtype, buf, count, out, e0);
  }
  return { name, dtype: info.dtype, shape: info.shape, data: out };
}

export interface ReadTensorOptions {
  /** Output format: 'f32' (default; BF16/F16/F32 exact, F64 rounded to nearest) or 'f64' (always exact). */
  readonly dtype?: 'f32' | 'f64';
}

function outputType(fn: string, dtype: unknown): typeof Float32Array | typeof Float64Array {
  if (dtype === undefined || dtype === 'f32') return Float32Array;
  if (dtype === 'f64') return Float64Array;
  throw new GegluError(`${fn}: options.dtype is ${describe(dtype)}, expected 'f32' or 'f64'`);
}

/** Reads one floating-point tensor (BF16, F16, F32, F64) of a safetensors file, and only its bytes. */
export async function readSafetensorsTensor(
  source: SafetensorsSource,
  name: string,
  options: ReadTensorOptions = {},
): Promise<SafetensorsTensor> {
  const type = outputType('readSafetensorsTensor', options?.dtype);
  if (typeof name !== 'string') {
    throw new GegluError(`readSafetensorsTensor: name is ${describe(name)}, expected a tensor name string`);
  }
  const { fh, path } = await openSource(source, 'readSafetensorsTensor');
  try {
    const header = await readHeaderFrom(fh, path);
    return await readTensorFrom(fh, path, header, name, type as { new (n: number): Float32Array | Float64Array });
  } finally {
    await fh.close();
  }
}

/** Several tensors of one file through one handle (used by the Gemma 2 loader). */
export async function readSafetensorsTensors(
  source: SafetensorsSource,
  names: readonly string[],
  options: ReadTensorOptions = {},
): Promise<SafetensorsTensor[]> {
  const type = outputType('readSafetensorsTensors', options?.dtype);
  const { fh, path } = await openSource(source, 'readSafetensorsTensors');
  try {
    const header = await readHeaderFrom(fh, path);
    const result: SafetensorsTensor[] = [];
    for (const name of names) {
      result.push(await readTensorFrom(fh, path, header, name, type as { new (n: number): Float32Array | Float64Array }));
    }
    return result;
  } finally {
    await fh.close();
  }
}

/**
 * One safetensors file or buffer, opened once: its checked header, whole tensors, and tensors in
 * chunks of exact values (so a 2^24-element tensor is judged without holding it, and a reader of
 * two tensors holds two chunks, never two tensors).
 */
export interface SafetensorsReader {
  readonly header: SafetensorsHeader;
  readTensor(name: string, options?: ReadTensorOptions): Promise<SafetensorsTensor>;
  /** Checks that `name` is a BF16/F16/F32/F64 tensor and returns its entry (throws otherwise). */
  floatTensor(name: string): SafetensorsTensorInfo;
  /**
   * The tensor's values, in order, `chunkElements` at a time, as exact float64 values (every
   * BF16, F16 and F32 value is a float64); each yielded array is reused by the next step.
   */
  chunks(name: string, chunkElements?: number): AsyncGenerator<Float64Array>;
  close(): Promise<void>;
}

/** Elements per chunk of SafetensorsReader.chunks unless told (a 512 KiB Float64Array). */
export const DEFAULT_CHUNK_ELEMENTS = 65536;

/**
 * Opens a safetensors file (a path) or an in-memory file (its bytes; `label` names it in messages)
 * and checks its header. Close it when done.
 */
export async function openSafetensors(source: SafetensorsSource, label?: string): Promise<SafetensorsReader> {
  const opened = await openSource(source, 'openSafetensors');
  const fh = opened.fh;
  const path = typeof source === 'string' ? source : (label ?? opened.path);
  let header: SafetensorsHeader;
  try {
    header = await readHeaderFrom(fh, path);
  } catch (e) {
    await fh.close();
    throw e;
  }
  return {
    header,
    readTensor: (name, options = {}) =>
      readTensorFrom(fh, path, header, name, outputType('readTensor', options?.dtype) as { new (n: number): Float32Array | Float64Array }),
    floatTensor: (name) => floatTensorInfo(path, header, name),
    async *chunks(name, chunkElements = DEFAULT_CHUNK_ELEMENTS) {
      const info = floatTensorInfo(path, header, name);
      if (!Number.isSafeInteger(chunkElements) || chunkElements < 1) {
        throw new GegluError(`chunks: chunkElements is ${describe(chunkElements)}, expected a positive integer`);
      }
      const size = DTYPE_BYTES[info.dtype]!;
      const perChunk = Math.min(chunkElements, Math.max(1, Math.floor(CHUNK_BYTES / size)));
      const buf = new Uint8Array(Math.min(info.byteLength, perChunk * size));
      const out = new Float64Array(Math.min(info.elements, perChunk));
      for (let e0 = 0; e0 < info.elements; e0 += perChunk) {
        const count = Math.min(perChunk, info.elements - e0);
        await readExactly(fh, path, buf, count * size, info.byteOffset + e0 * size, 'data', name);
        decodeInto(info.dtype, buf, count, out, 0);
        yield count === out.length ? out : out.subarray(0, count);
      }
    },
    close: () => fh.close(),
  };
}
