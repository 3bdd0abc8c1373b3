import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { openSafetensors } from '../../src/io/index.js';
import { readSafetensorsTensor, SafetensorsError } from '../../src/index.js';
import { TempDir, buildSafetensors, type RawTensor } from './write.js';

const dir = new TempDir();
afterAll(() => dir.remove());

const SIZE: Record<string, number> = { BF16: 2, F16: 2, F32: 4, F64: 8 };

const tensorArb: fc.Arbitrary<RawTensor> = fc
  .record({ dtype: fc.constantFrom('BF16', 'F16', 'F32', 'F64'), n: fc.integer({ min: 0, max: 40 }) })
  .chain(({ dtype, n }) =>
    fc.uint8Array({ minLength: n * SIZE[dtype]!, maxLength: n * SIZE[dtype]! }).map((bytes) => ({ name: 't', dtype, shape: [n], bytes })),
  );

async function collect(gen: AsyncGenerator<Float64Array>): Promise<number[]> {
  const out: number[] = [];
  for await (const c of gen) out.push(...c);
  return out;
}

describe('openSafetensors', () => {
  it('reads the same values from a buffer, from a path, in chunks and whole (readSafetensorsTensor, f64)', async () => {
    await fc.assert(
      fc.asyncProperty(tensorArb, fc.integer({ min: 1, max: 7 }), async (t, chunk) => {
        const bytes = buildSafetensors([t]);
        const path = dir.write(bytes, 't.safetensors');
        const whole = [...(await readSafetensorsTensor(path, 't', { dtype: 'f64' })).data];
        const fromBuffer = await openSafetensors(bytes, 'mem.safetensors');
        const fromPath = await openSafetensors(path);
        try {
          // Object.is: NaN equals NaN and ±0 differ, so a lost sign of zero fails here
          const a = await collect(fromBuffer.chunks('t', chunk));
          const b = await collect(fromPath.chunks('t', chunk));
          expect(a.length).toBe(whole.length);
          const same = (v: number, i: number) => Object.is(v, whole[i]) || (v !== v && whole[i] !== whole[i]);
          expect(a.every(same)).toBe(true);
          expect(b.every(same)).toBe(true);
          expect([...(await fromBuffer.readTensor('t', { dtype: 'f64' })).data].length).toBe(whole.length);
        } finally {
          await fromBuffer.close();
          await fromPath.close();
        }
      }),
      { numRuns: 60 },
    );
  });

  it('names the buffer and the tensor in its errors', async () => {
    const bytes = buildSafetensors([{ name: 'x', dtype: 'I32', shape: [1], bytes: new Uint8Array(4) }]);
    const r = await openSafetensors(bytes, 'dump.safetensors');
    expect(() => r.floatTensor('x')).toThrow(/dump\.safetensors: tensor "x": dtype is I32, expected one of BF16, F16, F32, F64/);
    expect(() => r.floatTensor('y')).toThrow(SafetensorsError);
    await expect(openSafetensors(dir.path)).rejects.toThrow(`safetensors ${dir.path}: is a directory, expected a safetensors file`);
    await expect(openSafetensors(bytes.subarray(0, 12), 'cut.safetensors')).rejects.toThrow(/cut\.safetensors: header length is \d+ bytes/);
  });
});
