// The safetensors reader takes the file's bytes as well as its path (a browser
// has no file system): an ArrayBuffer, a typed array (any view into a larger
// buffer), a Blob (read slice by slice) or a fetch Response give the same
// header and tensors, and the same checks apply to them.
import { describe, expect, it } from 'vitest';
import {
  GegluError,
  readSafetensorsHeader,
  readSafetensorsTensor,
  readSafetensorsTensors,
  type SafetensorsSource,
} from '../../src/index.js';
import { bf16Bits, buildSafetensors, f32Bytes, u16Bytes } from './write.js';

const file = buildSafetensors(
  [
    { name: 'a', dtype: 'BF16', shape: [2, 2], bytes: u16Bytes([bf16Bits(1), bf16Bits(-2.5), bf16Bits(0.1171875), 0x0001]) },
    { name: 'c', dtype: 'F32', shape: [2], bytes: f32Bytes([Math.fround(0.1), -0]) },
  ],
  { format: 'pt' },
);

// The same bytes at an offset inside a larger buffer, so a reader that ignored byteOffset would fail.
function padded(bytes: Uint8Array): Uint8Array {
  const big = new Uint8Array(bytes.length + 13);
  big.set(bytes, 7);
  return big.subarray(7, 7 + bytes.length);
}

const sources: [string, () => SafetensorsSource][] = [
  ['ArrayBuffer', () => file.slice().buffer],
  ['Uint8Array view at an offset', () => padded(file)],
  ['Blob', () => new Blob([file])],
  ['Response', () => new Response(file)],
];

describe('safetensors reader: bytes instead of a path', () => {
  it.each(sources)('%s: header, metadata and tensors as written (bf16 subnormal, f32 -0)', async (_, make) => {
    const h = await readSafetensorsHeader(make());
    expect(h.metadata).toEqual({ format: 'pt' });
    expect([...h.tensors.keys()]).toEqual(['a', 'c']);
    // 0x0001 is the smallest positive bf16 subnormal, 2^-133.
    expect([...(await readSafetensorsTensor(make(), 'a')).data]).toEqual([1, -2.5, 0.1171875, 2 ** -133]);
    const [a, c] = await readSafetensorsTensors(make(), ['a', 'c']);
    expect(a!.shape).toEqual([2, 2]);
    expect(Object.is(c!.data[1], -0)).toBe(true);
  });

  it.each(sources)('%s cut short inside the data section: the tensor read says the bytes ended', async (_, make) => {
    const whole = make();
    const cut =
      whole instanceof Response
        ? new Response(file.subarray(0, file.length - 3))
        : whole instanceof Blob
          ? whole.slice(0, file.length - 3)
          : file.slice(0, file.length - 3);
    const e = await readSafetensorsTensor(cut, 'c').catch((x: Error) => x);
    expect(e).toBeInstanceOf(GegluError);
    expect((e as Error).message).toMatch(/tensor "c": data_offsets \[8, 16\] reach past the data section of 13 bytes/);
  });

  it('a Response that is not a success is refused with its status, before its body is read', async () => {
    const response = new Response('not found', { status: 404 });
    const e = await readSafetensorsHeader(response).catch((x: Error) => x);
    expect(response.bodyUsed).toBe(false);
    expect(e).toBeInstanceOf(GegluError);
    expect((e as Error).message).toMatch(/the response has status 404, expected a success/);
  });
});
