/**
 * Writers for the files `geglu check` reads, from the formats' documented layouts, so the
 * readers are tested against bytes the tests control (and can break).
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export class Dir {
  readonly path = mkdtempSync(join(tmpdir(), 'geglu-check-formats-'));
  file(name: string, bytes: Uint8Array | string): string {
    const p = join(this.path, name);
    writeFileSync(p, bytes);
    return p;
  }
  remove(): void {
    rmSync(this.path, { recursive: true, force: true });
  }
}

export interface NpyOptions {
  version?: 1 | 2 | 3;
  fortran?: boolean;
  /** Replaces the whole dict literal (padding is still added). */
  dict?: string;
}

/** The header bytes of a .npy file (numpy.lib.format: magic, version, length, dict padded to 64 with a newline). */
export function npyHeader(descr: string, shape: readonly number[], o: NpyOptions = {}): Uint8Array {
  const version = o.version ?? 1;
  const shapeText = shape.length === 1 ? `(${shape[0]},)` : `(${shape.join(', ')})`;
  const dict = o.dict ?? `{'descr': '${descr}', 'fortran_order': ${o.fortran ? 'True' : 'False'}, 'shape': ${shapeText}, }`;
  const lenBytes = version === 1 ? 2 : 4;
  const pre = 8 + lenBytes;
  const body = Buffer.from(dict, version === 3 ? 'utf8' : 'latin1');
  const total = Math.ceil((pre + body.length + 1) / 64) * 64;
  const header = Buffer.alloc(total, 0x20);
  Buffer.from([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, version, 0]).copy(header, 0);
  if (version === 1) header.writeUInt16LE(total - pre, 8);
  else header.writeUInt32LE(total - pre, 8);
  body.copy(header, pre);
  header[total - 1] = 0x0a;
  return header;
}

export function npy(descr: string, shape: readonly number[], data: Uint8Array, o: NpyOptions = {}): Uint8Array {
  return Buffer.concat([npyHeader(descr, shape, o), data]);
}

/** Element bytes in the given byte order: 'f2'/'u2' take bit patterns, 'f4'/'f8' values. */
export function elementBytes(kind: 'f2' | 'u2' | 'f4' | 'f8', values: ArrayLike<number>, littleEndian = true): Uint8Array {
  const size = Number(kind[1]);
  const out = new Uint8Array(values.length * size);
  const v = new DataView(out.buffer);
  for (let i = 0; i < values.length; i++) {
    if (size === 2) v.setUint16(2 * i, values[i]!, littleEndian);
    else if (size === 4) v.setFloat32(4 * i, values[i]!, littleEndian);
    else v.setFloat64(8 * i, values[i]!, littleEndian);
  }
  return out;
}

/** A safetensors file: 8-byte little-endian header length, the JSON header, the tensors' bytes in order. */
export function safetensors(tensors: readonly { name: string; dtype: string; shape: readonly number[]; bytes: Uint8Array }[]): Uint8Array {
  const header: Record<string, unknown> = {};
  let at = 0;
  for (const t of tensors) {
    header[t.name] = { dtype: t.dtype, shape: t.shape, data_offsets: [at, at + t.bytes.length] };
    at += t.bytes.length;
  }
  const json = Buffer.from(JSON.stringify(header));
  const len = Buffer.alloc(8);
  len.writeBigUInt64LE(BigInt(json.length));
  return Buffer.concat([len, json, ...tensors.map((t) => t.bytes)]);
}
