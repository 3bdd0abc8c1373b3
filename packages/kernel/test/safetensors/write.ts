/**
 * Builds safetensors files for tests, following the format description at
 * https://huggingface.co/docs/safetensors/index#format: u64 little-endian
 * header length, JSON header (padded with spaces to a multiple of 8, as the
 * reference writer does), then the tensors' bytes in header order.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface RawTensor {
  name: string;
  dtype: string;
  shape: number[];
  bytes: Uint8Array;
}

export function buildSafetensors(tensors: RawTensor[], metadata?: Record<string, string>): Uint8Array {
  const header: Record<string, unknown> = {};
  if (metadata) header.__metadata__ = metadata;
  let offset = 0;
  for (const t of tensors) {
    header[t.name] = { dtype: t.dtype, shape: t.shape, data_offsets: [offset, offset + t.bytes.length] };
    offset += t.bytes.length;
  }
  let json = JSON.stringify(header);
  while ((json.length + 8) % 8 !== 0) json += ' ';
  const head = new TextEncoder().encode(json);
  const file = new Uint8Array(8 + head.length + offset);
  new DataView(file.buffer).setBigUint64(0, BigInt(head.length), true);
  file.set(head, 8);
  let at = 8 + head.length;
  for (const t of tensors) {
    file.set(t.bytes, at);
    at += t.bytes.length;
  }
  return file;
}

/** Raw header text with an explicit data section, for hand-made broken files. */
export function buildRaw(headerText: string, data: Uint8Array = new Uint8Array(0), claimedLength?: bigint): Uint8Array {
  const head = new TextEncoder().encode(headerText);
  const file = new Uint8Array(8 + head.length + data.length);
  new DataView(file.buffer).setBigUint64(0, claimedLength ?? BigInt(head.length), true);
  file.set(head, 8);
  file.set(data, 8 + head.length);
  return file;
}

export function u16Bytes(values: ArrayLike<number>): Uint8Array {
  const out = new Uint8Array(values.length * 2);
  const v = new DataView(out.buffer);
  for (let i = 0; i < values.length; i++) v.setUint16(2 * i, values[i]!, true);
  return out;
}

export function f32Bytes(values: ArrayLike<number>): Uint8Array {
  const out = new Uint8Array(values.length * 4);
  const v = new DataView(out.buffer);
  for (let i = 0; i < values.length; i++) v.setFloat32(4 * i, values[i]!, true);
  return out;
}

export function f64Bytes(values: ArrayLike<number>): Uint8Array {
  const out = new Uint8Array(values.length * 8);
  const v = new DataView(out.buffer);
  for (let i = 0; i < values.length; i++) v.setFloat64(8 * i, values[i]!, true);
  return out;
}

/** bf16 bit pattern of a float32 whose low 16 bits are zero (exactly representable). */
export function bf16Bits(x: number): number {
  const v = new DataView(new ArrayBuffer(4));
  v.setFloat32(0, x, true);
  const bits = v.getUint32(0, true);
  if ((bits & 0xffff) !== 0) throw new Error(`test bug: ${x} is not a bf16 value`);
  return bits >>> 16;
}

/** Decodes bf16 bits by definition: the top 16 bits of a float32. */
export function bf16Decode(h: number): number {
  const v = new DataView(new ArrayBuffer(4));
  v.setUint32(0, h << 16, true);
  return v.getFloat32(0, true);
}

/**
 * Decodes binary16 bits by re-biasing the exponent into a float32 bit pattern
 * (IEEE 754-2008 §3.6: binary16 bias 15, binary32 bias 127), a different
 * route from the kernel's arithmetic one; subnormals are m·2^−24 exactly.
 */
export function f16DecodeBits(h: number): number {
  const sign = (h & 0x8000) << 16;
  const e = (h >> 10) & 0x1f;
  const m = h & 0x3ff;
  const v = new DataView(new ArrayBuffer(4));
  if (e === 0) return (sign ? -1 : 1) * (m / 16777216);
  if (e === 0x1f) v.setUint32(0, (sign | (0xff << 23) | (m << 13)) >>> 0, true);
  else v.setUint32(0, (sign | ((e - 15 + 127) << 23) | (m << 13)) >>> 0, true);
  return v.getFloat32(0, true);
}

export class TempDir {
  readonly path = mkdtempSync(join(tmpdir(), 'geglu-safetensors-'));
  #n = 0;
  write(bytes: Uint8Array, name?: string): string {
    const p = join(this.path, name ?? `f${this.#n++}.safetensors`);
    writeFileSync(p, bytes);
    return p;
  }
  remove(): void {
    rmSync(this.path, { recursive: true, force: true });
  }
}
