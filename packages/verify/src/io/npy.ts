/**
 * A NumPy .npy reader for `geglu check` that treats the file as hostile and streams the data.
 *
 * Format (numpy.lib.format, https://numpy.org/doc/stable/reference/generated/numpy.lib.format.html):
 * the magic `\x93NUMPY`, a major and a minor version byte, the header length (little-endian
 * uint16 in version 1.0, uint32 in 2.0 and 3.0), then the header: a Python dict literal with
 * exactly the keys 'descr', 'fortran_order' and 'shape' (latin-1 in versions 1 and 2, UTF-8 in
 * 3), padded with spaces and ended by a newline; the C-order data follows directly.
 *
 * The header is parsed as that literal, not evaluated: strings, True/False and tuples of
 * non-negative integers, nothing else. Its length is capped at 10000 bytes, NumPy's own
 * `max_header_size` default for reading. The data must be exactly shape's product × item size
 * bytes long (a longer file would hide a second array or a wrong shape). Reads are positioned
 * reads of at most one chunk, so a 2^24-element array costs one chunk of memory.
 */
import { open } from './host/node.js';
import { bitsToBf16, bitsToF16, describe } from '@geglu/float';

/** A problem with a .npy file; the message starts with the file's name. */
export class NpyError extends Error {
  override name = 'NpyError';
}

/** NumPy's default `max_header_size` when loading (numpy.lib.format, 1.24 and later). */
export const MAX_NPY_HEADER_BYTES = 10000;
const MAGIC = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59]; // \x93NUMPY

/** How 16-bit unsigned integers (`<u2`) are read: NumPy has no bf16, so bf16 dumps arrive as bit patterns. */
export type NpyBitsAs = 'bf16' | 'f16';

export interface NpyHeader {
  /** NumPy's type string as written, e.g. `<f4`. */
  readonly descr: string;
  readonly kind: 'f' | 'u';
  readonly itemBytes: 2 | 4 | 8;
  readonly littleEndian: boolean;
  readonly fortranOrder: boolean;
  readonly shape: readonly number[];
  readonly elements: number;
  readonly dataOffset: number;
  readonly version: string;
}

/** Parses a .npy header from the file's first bytes (at least the magic, version and length). */
export function parseNpyHeader(bytes: Uint8Array, fileSize: number, label: string): NpyHeader {
  const fail = (why: string): never => {
    throw new NpyError(`${label}: ${why}`);
  };
  if (bytes.length < 10 || MAGIC.some((b, i) => bytes[i] !== b)) {
    fail('not a .npy file (expected the magic string \\x93NUMPY at the start)');
  }
  const major = bytes[6]!;
  const minor = bytes[7]!;
  if (major < 1 || major > 3 || minor !== 0) fail(`format version ${major}.${minor}, expected 1.0, 2.0 or 3.0`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const lengthBytes = major === 1 ? 2 : 4;
  if (bytes.length < 8 + lengthBytes) fail('file ends inside the header length');
  const headerLength = major === 1 ? view.getUint16(8, true) : view.getUint32(8, true);
  const start = 8 + lengthBytes;
  if (headerLength > MAX_NPY_HEADER_BYTES)
    fail(`header is ${headerLength} bytes, expected at most ${MAX_NPY_HEADER_BYTES} (NumPy's max_header_size)`);
  if (start + headerLength > fileSize || start + headerLength > bytes.length) {
    fail(`header of ${headerLength} bytes reaches past the end of the file (${fileSize} bytes): truncated file or corrupt length`);
  }
  const raw = bytes.subarray(start, start + headerLength);
  let text: string;
  if (major === 3) {
    try {
      text = new TextDecoder('utf-8', { fatal: true }).decode(raw);
    } catch {
      return fail('header is not valid UTF-8 (format version 3.0)');
    }
  } else text = new TextDecoder('latin1').decode(raw);
  const dict = parseHeaderDict(text, fail);
  const keys = Object.keys(dict).sort().join(', ');
  if (keys !== 'descr, fortran_order, shape') fail(`header has keys ${keys || '(none)'}, expected exactly descr, fortran_order, shape`);
  const { descr, fortran_order: fortran, shape } = dict as { descr: unknown; fortran_order: unknown; shape: unknown };
  if (typeof descr !== 'string')
    fail(`descr is ${describeValue(descr)}, expected a type string such as '<f4' (structured arrays are not supported)`);
  if (typeof fortran !== 'boolean') fail(`fortran_order is ${describeValue(fortran)}, expected True or False`);
  if (!Array.isArray(shape)) fail(`shape is ${describeValue(shape)}, expected a tuple of integers`);
  const d = descr as string;
  const m = /^([<>|=])([a-zA-Z])(\d+)$/.exec(d);
  if (d.includes('O')) fail(`descr is '${d}': an object array, expected a float array ('<f2', '<f4', '<f8') or '<u2' bf16 bit patterns`);
  if (!m || !((m[2] === 'f' && ['2', '4', '8'].includes(m[3]!)) || (m[2] === 'u' && m[3] === '2')) || m[1] === '|' || m[1] === '=') {
    fail(`descr is '${d}', expected '<f2', '<f4', '<f8' (or big-endian '>'), or '<u2'/'>u2' holding bf16 bit patterns`);
  }
  if (fortran) fail('fortran_order is True, expected C order (write the array with np.ascontiguousarray first)');
  let elements = 1n;
  for (const dim of shape as unknown[]) elements *= BigInt(dim as number);
  const itemBytes = Number(m![3]) as 2 | 4 | 8;
  const dataOffset = start + headerLength;
  const dataBytes = BigInt(fileSize - dataOffset);
  const expected = elements * BigInt(itemBytes);
  if (dataBytes !== expected) {
    fail(
      `data is ${dataBytes} bytes, expected ${expected} (shape (${(shape as number[]).join(', ')}) × ${itemBytes} bytes)${dataBytes < expected ? ': truncated file' : ': extra bytes after the array'}`,
    );
  }
  return {
    descr: d,
    kind: m![2] as 'f' | 'u',
    itemBytes,
    littleEndian: m![1] === '<',
    fortranOrder: false,
    shape: Object.freeze([...(shape as number[])]),
    elements: Number(elements),
    dataOffset,
    version: `${major}.${minor}`,
  };
}

function describeValue(v: unknown): string {
  if (v === true) return 'True';
  if (v === false) return 'False';
  if (Array.isArray(v)) return `(${v.join(', ')})`;
  return typeof v === 'string' ? `'${v}'` : describe(v);
}

type PyValue = string | boolean | number[];

/**
 * The subset of Python literals np.save writes in a header: a dict of quoted string keys to
 * quoted strings, True/False or tuples of integers. Anything else is refused, never evaluated.
 */
function parseHeaderDict(text: string, fail: (why: string) => never): Record<string, PyValue> {
  let i = 0;
  const ws = () => {
    while (i < text.length && ' \t\n\r'.includes(text[i]!)) i++;
  };
  const expect = (c: string) => {
    ws();
    if (text[i] !== c)
      fail(
        `header is not a dict literal: expected '${c}' at character ${i}, found ${i < text.length ? JSON.stringify(text[i]) : 'the end'}`,
      );
    i++;
  };
  const str = (): string => {
    ws();
    const q = text[i];
    if (q !== "'" && q !== '"') fail(`header is not a dict literal: expected a quoted string at character ${i}`);
    const end = text.indexOf(q!, i + 1);
    if (end < 0 || text.slice(i + 1, end).includes('\\')) fail(`header has an unterminated or escaped string at character ${i}`);
    const s = text.slice(i + 1, end);
    i = end + 1;
    return s;
  };
  const value = (): PyValue => {
    ws();
    if (text[i] === "'" || text[i] === '"') return str();
    for (const [word, v] of [
      ['True', true],
      ['False', false],
    ] as const) {
      if (text.startsWith(word, i)) {
        i += word.length;
        return v;
      }
    }
    if (text[i] === '(') {
      i++;
      const dims: number[] = [];
      for (;;) {
        ws();
        if (text[i] === ')') break;
        const m = /^\d+/.exec(text.slice(i, i + 20));
        if (!m) fail(`shape has ${JSON.stringify(text.slice(i, i + 10))} at character ${i}, expected a non-negative integer`);
        const dim = Number(m![0]);
        if (!Number.isSafeInteger(dim)) fail(`shape has dimension ${m![0]}, larger than 2^53`);
        dims.push(dim);
        i += m![0].length;
        ws();
        if (text[i] === ',') i++;
        else if (text[i] !== ')') fail(`shape is not a tuple: expected ',' or ')' at character ${i}`);
      }
      i++;
      if (dims.length > 64) fail(`shape has ${dims.length} dimensions, expected at most 64`);
      return dims;
    }
    return fail(`header value at character ${i} (${JSON.stringify(text.slice(i, i + 12))}) is not a string, True, False or a tuple`);
  };
  const out: Record<string, PyValue> = Object.create(null);
  expect('{');
  for (;;) {
    ws();
    if (text[i] === '}') break;
    const key = str();
    if (Object.hasOwn(out, key)) fail(`header has key '${key}' twice`);
    expect(':');
    out[key] = value();
    ws();
    if (text[i] === ',') i++;
    else if (text[i] !== '}') fail(`header is not a dict literal: expected ',' or '}' at character ${i}`);
  }
  i++;
  ws();
  if (i !== text.length) fail(`header has ${JSON.stringify(text.slice(i, i + 12))} after the dict, expected only padding`);
  return { ...out };
}

/** Elements per chunk unless told (a 512 KiB Float64Array). */
export const NPY_CHUNK_ELEMENTS = 65536;

export interface NpyReader {
  /** The file's name in messages: its path, or a File's name. */
  readonly path: string;
  readonly header: NpyHeader;
  /** The values in C order as exact float64 values, `chunkElements` at a time; each yielded array is reused. */
  chunks(chunkElements?: number): AsyncGenerator<Float64Array>;
  close(): Promise<void>;
}

/** A Blob or File (a browser's dropped file): read a slice at a time, never whole. */
export interface NpyBlob {
  readonly size: number;
  readonly name?: string;
  slice(start: number, end: number): { arrayBuffer(): Promise<ArrayBuffer> };
}

/** Positioned reads of a file or a blob: `read` fills `buf` from `position` and returns how many bytes it got. */
interface NpyBytes {
  label: string;
  size: number;
  read(buf: Uint8Array, length: number, position: number): Promise<number>;
  close(): Promise<void>;
}

async function openBytes(source: string | NpyBlob): Promise<NpyBytes> {
  if (typeof source !== 'string') {
    const label = source.name !== undefined && source.name !== '' ? source.name : `(Blob of ${source.size} bytes)`;
    return {
      label,
      size: source.size,
      async read(buf, length, position) {
        const got = new Uint8Array(await source.slice(position, Math.min(source.size, position + length)).arrayBuffer());
        buf.set(got);
        return got.length;
      },
      close: async () => {},
    };
  }
  let fh: Awaited<ReturnType<typeof open>>;
  try {
    fh = await open(source, 'r');
  } catch (e) {
    throw new NpyError(`${source}: cannot open (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
  }
  try {
    const st = await fh.stat();
    if (st.isDirectory()) throw new NpyError(`${source}: is a directory, expected a .npy file`);
    return {
      label: source,
      size: st.size,
      async read(buf, length, position) {
        let done = 0;
        while (done < length) {
          const r = await fh.read(buf, done, length - done, position + done);
          if (r.bytesRead === 0) break;
          done += r.bytesRead;
        }
        return done;
      },
      close: () => fh.close(),
    };
  } catch (e) {
    await fh.close();
    throw e;
  }
}

/**
 * Opens a .npy file (a path, or a Blob such as a browser's File) and checks its header and
 * length. `<u2` arrays need `bitsAs` (what the bit patterns are); float arrays ignore it.
 */
export async function openNpy(source: string | NpyBlob, options: { bitsAs?: NpyBitsAs } = {}): Promise<NpyReader> {
  const file = await openBytes(source);
  const path = file.label;
  try {
    const prefix = new Uint8Array(Math.min(file.size, 12 + MAX_NPY_HEADER_BYTES));
    const bytesRead = await file.read(prefix, prefix.length, 0);
    const header = parseNpyHeader(prefix.subarray(0, bytesRead), file.size, path);
    if (header.kind === 'u' && options.bitsAs === undefined) {
      throw new NpyError(
        `${path}: descr is '${header.descr}' (16-bit integers), expected a float array; '<u2' is read as bf16 bit patterns only with --dtype bf16`,
      );
    }
    const bitsAs = options.bitsAs;
    return {
      path,
      header,
      async *chunks(chunkElements = NPY_CHUNK_ELEMENTS) {
        const size = header.itemBytes;
        const buf = new Uint8Array(Math.min(header.elements, chunkElements) * size);
        const view = new DataView(buf.buffer);
        const out = new Float64Array(Math.min(header.elements, chunkElements));
        const le = header.littleEndian;
        for (let e0 = 0; e0 < header.elements; e0 += chunkElements) {
          const count = Math.min(chunkElements, header.elements - e0);
          const want = count * size;
          const done = await file.read(buf, want, header.dataOffset + e0 * size);
          if (done < want)
            throw new NpyError(`${path}: data is truncated at element ${e0 + Math.floor(done / size)} (the file shrank while being read)`);
          if (header.kind === 'u') {
            const decode = bitsAs === 'bf16' ? bitsToBf16 : bitsToF16;
            for (let i = 0; i < count; i++) out[i] = decode(view.getUint16(2 * i, le));
          } else if (size === 2) for (let i = 0; i < count; i++) out[i] = bitsToF16(view.getUint16(2 * i, le));
          else if (size === 4) for (let i = 0; i < count; i++) out[i] = view.getFloat32(4 * i, le);
          else for (let i = 0; i < count; i++) out[i] = view.getFloat64(8 * i, le);
          yield count === out.length ? out : out.subarray(0, count);
        }
      },
      close: () => file.close(),
    };
  } catch (e) {
    await file.close();
    throw e;
  }
}
