/**
 * What `geglu check` reads: JSONL lines, a safetensors file, or one .npy file per column. Every
 * source yields the same batches (columns of exact float64 values, inputs first and y last), so
 * the judging does not know where values came from. Tensors are streamed chunk by chunk: a
 * 2^24-element pair costs a few chunks of memory, never a whole tensor. No node: import: files
 * come as paths in Node and as Blobs (a dropped File) in the explorer page.
 */
import { JsonError, openSafetensors, parseJsonStrict, type SafetensorsReader } from '@geglu/kernel/io';
import { describe, FLOAT_FORMATS, type FloatFormat } from '@geglu/float';
import type { FloatFormat as TextFormat } from '../backends/types.js';
import { MAX_LINE_BYTES, readLineBatches } from './lines.js';
import { NpyError, openNpy, type NpyBlob, type NpyReader } from './npy.js';
import { formatNumber, numberSyntaxError, parseNumber } from './numbers.js';

/** A bad input file or tensor (exit 2), as opposed to a bad line (reported, exit 1). */
export class CheckInputError extends Error {
  override name = 'CheckInputError';
}

export interface CheckBatch {
  count: number;
  /** One column per field (the inputs, then y), each `count` exact values in the format. */
  columns: Float64Array[];
  /** JSONL: the line of each row; tensors: null (rows are numbered by `firstIndex`). */
  lines: number[] | null;
  /** Flat C-order index of the first row (tensor sources). */
  firstIndex: number;
}

const BATCH = 4096;

function parseField(v: unknown, dtype: TextFormat): number | string {
  if (typeof v === 'number') return Number.isFinite(v) ? parseNumber(formatNumber(v), dtype) : 'not a number';
  if (typeof v !== 'string') return `expected a number or a string, got ${v === null ? 'null' : typeof v}`;
  const why = numberSyntaxError(v);
  return why === null ? parseNumber(v, dtype) : why === 'not a number' ? `${JSON.stringify(v.slice(0, 40))} is not a number` : why;
}

/**
 * Python's json.dumps writes NaN, Infinity and -Infinity as bare tokens (allow_nan=True is its
 * default); JSON has none. Outside strings they become the strings geglu's number syntax reads;
 * inside strings nothing changes. Anything else stays for the strict parser to judge.
 */
export function quoteNonFiniteTokens(text: string): string {
  if (!/NaN|Infinity/.test(text)) return text;
  let out = '';
  let from = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === '"') {
      for (i++; i < text.length && text[i] !== '"'; i++) if (text[i] === '\\') i++;
    } else {
      const m = c === 'N' || c === 'I' || c === '-' ? /^(-?Infinity|NaN)(?![A-Za-z0-9_])/.exec(text.slice(i, i + 10)) : null;
      if (m && !/[A-Za-z0-9_.]/.test(text[i - 1] ?? '')) {
        out += `${text.slice(from, i)}"${m[1]}"`;
        i += m[1]!.length - 1;
        from = i + 1;
      }
    }
  }
  return out + text.slice(from);
}

/**
 * JSONL rows: each line an object with the named fields (other fields are ignored: a dump may
 * carry an index or a name). Bad lines go to `bad` and are skipped.
 */
export async function* jsonlBatches(
  input: AsyncIterable<Uint8Array | string>,
  fields: readonly string[],
  dtype: TextFormat,
  bad: (line: number, why: string) => void,
  onLine: (line: number) => void,
): AsyncGenerator<CheckBatch> {
  checkDtype('jsonlBatches', dtype);
  const shape = `{${fields.map((f) => `"${f}": …`).join(', ')}}`;
  for await (const lines of readLineBatches(input, { batchSize: BATCH })) {
    const columns = fields.map(() => new Float64Array(lines.length));
    const nos: number[] = [];
    for (const line of lines) {
      onLine(line.no);
      if (line.tooLong) {
        bad(line.no, `longer than ${MAX_LINE_BYTES} bytes`);
        continue;
      }
      if (line.text.trim() === '') {
        bad(line.no, `empty line, expected ${shape}`);
        continue;
      }
      let obj: unknown;
      try {
        obj = parseJsonStrict(quoteNonFiniteTokens(line.text));
      } catch (err) {
        bad(line.no, err instanceof JsonError && err.path !== '' ? err.message : 'not valid JSON');
        continue;
      }
      if (typeof obj !== 'object' || obj === null || Array.isArray(obj)) {
        bad(line.no, `expected a JSON object ${shape}`);
        continue;
      }
      const rec = obj as Record<string, unknown>;
      const missing = fields.find((k) => !Object.hasOwn(rec, k));
      if (missing !== undefined) {
        bad(line.no, `missing field "${missing}"`);
        continue;
      }
      const row: number[] = [];
      let why: string | undefined;
      for (const f of fields) {
        const v = parseField(rec[f], dtype);
        if (typeof v === 'string') {
          why = `field "${f}": ${v}`;
          break;
        }
        row.push(v);
      }
      if (why !== undefined) {
        bad(line.no, why);
        continue;
      }
      const at = nos.length;
      for (let k = 0; k < row.length; k++) columns[k]![at] = row[k]!;
      nos.push(line.no);
    }
    if (nos.length > 0) yield { count: nos.length, columns: columns.map((c) => c.subarray(0, nos.length)), lines: nos, firstIndex: 0 };
  }
}

/** The tensor dtype names each --dtype reads, in safetensors and in .npy (kind and size). */
/** A safetensors file as the kernel's reader takes it: a path, or its bytes (ArrayBuffer, typed array, Blob, Response). */
export type SafetensorsSource = Parameters<typeof openSafetensors>[0];

const SAFETENSORS_DTYPE: Readonly<Record<FloatFormat, string>> = { f64: 'F64', f32: 'F32', bf16: 'BF16', f16: 'F16' };
const NPY_DTYPE: Readonly<Record<FloatFormat, { kind: 'f' | 'u'; size: number; name: string }>> = {
  f64: { kind: 'f', size: 8, name: "'<f8' (float64)" },
  f32: { kind: 'f', size: 4, name: "'<f4' (float32)" },
  f16: { kind: 'f', size: 2, name: "'<f2' (float16)" },
  bf16: { kind: 'u', size: 2, name: "'<u2' (bf16 bit patterns; NumPy has no bf16)" },
};

/** A column of a tensor source: where it comes from (for messages), its shape and its chunks. */
interface Column {
  label: string;
  shape: readonly number[];
  elements: number;
  chunks: () => AsyncGenerator<Float64Array>;
}

const shapeText = (s: readonly number[]) => `[${s.join(', ')}]`;

/** `prefix` starts the shape-mismatch message (the file, for one file holding every column). */
async function* zipColumns(columns: readonly Column[], prefix: string): AsyncGenerator<CheckBatch> {
  const first = columns[0]!;
  for (const c of columns.slice(1)) {
    if (c.shape.length !== first.shape.length || c.shape.some((d, i) => d !== first.shape[i])) {
      throw new CheckInputError(
        `${prefix}${first.label} and ${c.label} have shapes ${shapeText(first.shape)} and ${shapeText(c.shape)}, expected the same shape`,
      );
    }
  }
  const its = columns.map((c) => c.chunks());
  let index = 0;
  try {
    for (;;) {
      const parts = await Promise.all(its.map((it) => it.next()));
      if (parts.some((p) => p.done)) break;
      const cols = parts.map((p) => p.value as Float64Array);
      yield { count: cols[0]!.length, columns: cols, lines: null, firstIndex: index };
      index += cols[0]!.length;
    }
  } finally {
    await Promise.all(its.map((it) => it.return(undefined)));
  }
}

/** The named tensors of a safetensors file (a path, or its bytes as a Blob; `label` names them), in the order given (inputs, then y). */
/** The readers are public (the explorer page calls them): a dtype outside the formats is named, not read as undefined. */
function checkDtype(fn: string, dtype: unknown): void {
  if (!FLOAT_FORMATS.includes(dtype as FloatFormat)) {
    throw new CheckInputError(`${fn}: dtype is ${describe(dtype)}, expected one of ${FLOAT_FORMATS.join(', ')}`);
  }
}

export async function safetensorsBatches(
  source: SafetensorsSource,
  names: readonly string[],
  dtype: FloatFormat,
  label?: string,
): Promise<{ batches: AsyncGenerator<CheckBatch>; close: () => Promise<void> }> {
  checkDtype('safetensorsBatches', dtype);
  const path = typeof source === 'string' ? source : (label ?? '(safetensors bytes)');
  let reader: SafetensorsReader;
  try {
    reader = await openSafetensors(source, path);
  } catch (e) {
    throw new CheckInputError((e as Error).message);
  }
  try {
    const columns: Column[] = names.map((name) => {
      const info = reader.floatTensor(name);
      if (info.dtype !== SAFETENSORS_DTYPE[dtype]) {
        throw new CheckInputError(
          `${path}: tensor ${JSON.stringify(name)} is ${info.dtype}, expected ${SAFETENSORS_DTYPE[dtype]} for --dtype ${dtype}`,
        );
      }
      return { label: name, shape: info.shape, elements: info.elements, chunks: () => reader.chunks(name, BATCH * 16) };
    });
    return { batches: zipColumns(columns, `${path}: tensors `), close: () => reader.close() };
  } catch (e) {
    await reader.close();
    if (e instanceof CheckInputError) throw e;
    throw new CheckInputError((e as Error).message);
  }
}

/** One .npy file (a path, or a Blob) per field, in the order given (inputs, then y). */
export async function npyBatches(
  paths: readonly (string | NpyBlob)[],
  dtype: FloatFormat,
): Promise<{ batches: AsyncGenerator<CheckBatch>; close: () => Promise<void> }> {
  checkDtype('npyBatches', dtype);
  const readers: NpyReader[] = [];
  const close = async () => {
    for (const r of readers) await r.close();
  };
  try {
    for (const p of paths) {
      const r = await openNpy(p, dtype === 'bf16' ? { bitsAs: 'bf16' } : {});
      readers.push(r);
      const want = NPY_DTYPE[dtype];
      if (r.header.kind !== want.kind || r.header.itemBytes !== want.size) {
        throw new CheckInputError(`${r.path}: descr is '${r.header.descr}', expected ${want.name} for --dtype ${dtype}`);
      }
    }
  } catch (e) {
    await close();
    if (e instanceof NpyError) throw new CheckInputError(e.message);
    throw e;
  }
  const columns: Column[] = readers.map((r) => ({
    label: r.path,
    shape: r.header.shape,
    elements: r.header.elements,
    chunks: () => r.chunks(BATCH * 16),
  }));
  return { batches: zipColumns(columns, ''), close };
}
