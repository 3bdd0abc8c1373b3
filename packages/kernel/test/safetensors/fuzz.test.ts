import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { GegluError, readSafetensorsHeader, readSafetensorsTensor } from '../../src/index.js';
import { TempDir, bf16Decode, buildRaw, buildSafetensors, f16DecodeBits, type RawTensor } from './write.js';

const dir = new TempDir();
afterAll(() => dir.remove());

const SIZE: Record<string, number> = { BF16: 2, F16: 2, F32: 4, F64: 8, I32: 4 };

const tensorArb: fc.Arbitrary<RawTensor> = fc
  .record({
    name: fc.constantFrom('model.layers.0.mlp.gate_proj.weight', 'model.layers.0.mlp.up_proj.weight', 'b', 'lm_head'),
    dtype: fc.constantFrom('BF16', 'F16', 'F32', 'F64', 'I32'),
    shape: fc.array(fc.integer({ min: 0, max: 4 }), { maxLength: 3 }),
  })
  .chain(({ name, dtype, shape }) => {
    const n = shape.reduce((a, b) => a * b, 1) * SIZE[dtype]!;
    return fc.uint8Array({ minLength: n, maxLength: n }).map((bytes) => ({ name, dtype, shape, bytes }));
  });

type Mutation =
  | { kind: 'set'; at: number; value: number }
  | { kind: 'truncate'; at: number }
  | { kind: 'insert'; at: number; bytes: Uint8Array }
  | { kind: 'delete'; at: number; count: number }
  | { kind: 'length'; value: bigint }
  | { kind: 'digit'; at: number; digit: number };

const mutationArb: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({ kind: fc.constant('set' as const), at: fc.nat(), value: fc.integer({ min: 0, max: 255 }) }),
  fc.record({ kind: fc.constant('truncate' as const), at: fc.nat() }),
  fc.record({ kind: fc.constant('insert' as const), at: fc.nat(), bytes: fc.uint8Array({ minLength: 1, maxLength: 8 }) }),
  fc.record({ kind: fc.constant('delete' as const), at: fc.nat(), count: fc.integer({ min: 1, max: 8 }) }),
  fc.record({
    kind: fc.constant('length' as const),
    value: fc.oneof(fc.bigInt({ min: 0n, max: 2n ** 64n - 1n }), fc.bigInt({ min: 0n, max: 300n })),
  }),
  // Digits inside the JSON header: turns offsets and shapes into other plausible numbers.
  fc.record({ kind: fc.constant('digit' as const), at: fc.nat(), digit: fc.integer({ min: 0, max: 9 }) }),
);

function mutate(file: Uint8Array, ms: Mutation[]): Uint8Array {
  let f = file;
  for (const m of ms) {
    const at = f.length === 0 ? 0 : 'at' in m ? m.at % (f.length + 1) : 0;
    if (m.kind === 'set' && at < f.length) {
      f = f.slice();
      f[at] = m.value;
    } else if (m.kind === 'truncate') f = f.slice(0, at);
    else if (m.kind === 'insert') f = new Uint8Array([...f.subarray(0, at), ...m.bytes, ...f.subarray(at)]);
    else if (m.kind === 'delete') f = new Uint8Array([...f.subarray(0, at), ...f.subarray(at + m.count)]);
    else if (m.kind === 'length' && f.length >= 8) {
      f = f.slice();
      new DataView(f.buffer).setBigUint64(0, m.value, true);
    } else if (m.kind === 'digit') {
      const digits = [...f.subarray(8, Math.min(f.length, 8 + 400))].map((b, i) => [b, i + 8] as const).filter(([b]) => b >= 48 && b <= 57);
      if (digits.length > 0) {
        f = f.slice();
        f[digits[at % digits.length]![1]] = 48 + m.digit;
      }
    }
  }
  return f;
}

/** Independent decode of the bytes a header entry points at (by the format's definition). */
function decodeExpected(bytes: Uint8Array, dtype: string, offset: number, n: number): number[] {
  const v = new DataView(bytes.buffer, bytes.byteOffset + offset);
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    if (dtype === 'BF16') out.push(bf16Decode(v.getUint16(2 * i, true)));
    else if (dtype === 'F16') out.push(f16DecodeBits(v.getUint16(2 * i, true)));
    else if (dtype === 'F32') out.push(v.getFloat32(4 * i, true));
    else out.push(Math.fround(v.getFloat64(8 * i, true)));
  }
  return out;
}

describe('safetensors parser fuzzing', () => {
  it('mutated valid files (byte sets, truncation, insertion, deletion, header length, digits): correct data or a GegluError, nothing else', async () => {
    let read = 0;
    let refused = 0;
    await fc.assert(
      fc.asyncProperty(
        fc.uniqueArray(tensorArb, { maxLength: 4, selector: (t) => t.name }),
        fc.array(mutationArb, { minLength: 0, maxLength: 4 }),
        async (tensors, mutations) => {
          const bytes = mutate(buildSafetensors(tensors, { format: 'pt' }), mutations);
          const path = dir.write(bytes, 'fuzz.safetensors');
          let header;
          try {
            header = await readSafetensorsHeader(path);
          } catch (e) {
            if (!(e instanceof GegluError)) throw e;
            expect(e.message).toContain(path);
            refused++;
            return;
          }
          for (const name of new Set([...tensors.map((t) => t.name), ...header.tensors.keys()])) {
            const info = header.tensors.get(name);
            try {
              const t = await readSafetensorsTensor(path, name);
              expect(info).toBeDefined();
              expect(t.shape).toEqual(info!.shape);
              expect(t.data.length).toBe(info!.shape.reduce((a, b) => a * b, 1));
              expect(info!.byteOffset + info!.byteLength).toBeLessThanOrEqual(bytes.length);
              const want = decodeExpected(bytes, info!.dtype, info!.byteOffset, t.data.length);
              for (let i = 0; i < want.length; i++) {
                if (!Object.is(t.data[i], want[i]) && !(Number.isNaN(t.data[i]) && Number.isNaN(want[i]))) {
                  throw new Error(`${name}[${i}]: got ${t.data[i]}, the bytes say ${want[i]}`);
                }
              }
              read++;
            } catch (e) {
              if (!(e instanceof GegluError)) throw e;
              expect(e.message).toContain(path);
              expect(e.message).toContain(JSON.stringify(name));
            }
          }
        },
      ),
      { numRuns: Math.max(200, Number(process.env.GEGLU_RUNS ?? 0)) },
    );
    // Both outcomes occur (no mutation at all is one of the generated cases), so the fuzz is not vacuous.
    expect(read).toBeGreaterThan(0);
    expect(refused).toBeGreaterThan(0);
  });
});

describe('safetensors headers with a key given twice', () => {
  it('a duplicated tensor name, entry field or metadata key in a valid file is refused with its JSON path', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.uniqueArray(tensorArb, { minLength: 1, maxLength: 4, selector: (t) => t.name }),
        fc.nat(),
        fc.constantFrom('tensor', 'field', 'metadata'),
        async (tensors, pick, where) => {
          // the header as buildSafetensors writes it, then one member repeated with another value
          const valid = buildSafetensors(tensors, { format: 'pt' });
          const n = Number(new DataView(valid.buffer).getBigUint64(0, true));
          const header = JSON.parse(new TextDecoder().decode(valid.subarray(8, 8 + n))) as Record<string, Record<string, unknown>>;
          const names = tensors.map((t) => t.name);
          const name = names[pick % names.length]!;
          let text: string;
          let path: string;
          if (where === 'tensor') {
            text = JSON.stringify(header).replace(/}$/, `,${JSON.stringify(name)}:${JSON.stringify(header[name])}}`);
            path = `$${/^[A-Za-z_$][\w$-]*$/.test(name) ? `.${name}` : `[${JSON.stringify(name)}]`}`;
          } else if (where === 'field') {
            const field = ['dtype', 'shape', 'data_offsets'][pick % 3]!;
            const entry = JSON.stringify(header[name]).replace(/}$/, `,${JSON.stringify(field)}:${JSON.stringify(header[name]![field])}}`);
            text = JSON.stringify({ ...header, [name]: '@' }).replace('"@"', entry);
            path = `${/^[A-Za-z_$][\w$-]*$/.test(name) ? `$.${name}` : `$[${JSON.stringify(name)}]`}.${field}`;
          } else {
            text = JSON.stringify(header).replace('{"format":"pt"}', '{"format":"pt","format":"np"}');
            path = '$.__metadata__.format';
          }
          const data = valid.subarray(8 + n);
          const file = dir.write(buildRaw(text, data), 'dup.safetensors');
          const e = await readSafetensorsHeader(file).then(
            () => null,
            (err: unknown) => err,
          );
          expect(e).toBeInstanceOf(GegluError);
          expect((e as Error).message).toContain(`header ${path}: duplicate key`);
        },
      ),
    );
  });
});
