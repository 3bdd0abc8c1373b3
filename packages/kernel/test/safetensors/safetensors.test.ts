import { execFileSync, spawn } from 'node:child_process';
import { truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  GegluError,
  SafetensorsError,
  gemma2Mlp,
  loadGemma2MlpLayer,
  readSafetensorsHeader,
  readSafetensorsTensor,
} from '../../src/index.js';
import { mlpReference } from '../mlp/reference.js';
import { TempDir, bf16Bits, bf16Decode, buildRaw, buildSafetensors, f16DecodeBits, f32Bytes, f64Bytes, u16Bytes } from './write.js';

const dir = new TempDir();
afterAll(() => dir.remove());

async function rejection(p: Promise<unknown>): Promise<Error> {
  try {
    await p;
  } catch (e) {
    expect(e).toBeInstanceOf(GegluError);
    return e as Error;
  }
  throw new Error('expected a rejection');
}

describe('safetensors reader: valid files', () => {
  it('reads header, metadata and one tensor of each float dtype exactly (bf16, f16, f32, f64)', async () => {
    const file = dir.write(
      buildSafetensors(
        [
          { name: 'a', dtype: 'BF16', shape: [2, 2], bytes: u16Bytes([bf16Bits(1), bf16Bits(-2.5), bf16Bits(0.1171875), 0x0001]) },
          { name: 'b', dtype: 'F16', shape: [3], bytes: u16Bytes([0x3c00, 0x7bff, 0x0001]) },
          { name: 'c', dtype: 'F32', shape: [2], bytes: f32Bytes([Math.fround(0.1), -0]) },
          { name: 'd', dtype: 'F64', shape: [1], bytes: f64Bytes([0.1]) },
        ],
        { format: 'pt' },
      ),
    );
    const h = await readSafetensorsHeader(file);
    expect(h.metadata).toEqual({ format: 'pt' });
    expect([...h.tensors.keys()]).toEqual(['a', 'b', 'c', 'd']);
    expect(h.tensors.get('b')).toMatchObject({ dtype: 'F16', shape: [3], elements: 3, byteLength: 6 });
    const a = await readSafetensorsTensor(file, 'a');
    expect(a.shape).toEqual([2, 2]);
    // 0x0001 is the smallest positive bf16 subnormal: the float32 with bits 0x00010000 = 2^−133.
    expect([...a.data]).toEqual([1, -2.5, 0.1171875, 2 ** -133]);
    // binary16: 0x3c00 = 1, 0x7bff = 65504 (largest finite), 0x0001 = 2^−24 (IEEE 754-2008 §3.6).
    expect([...(await readSafetensorsTensor(file, 'b')).data]).toEqual([1, 65504, 2 ** -24]);
    const c = await readSafetensorsTensor(file, 'c');
    expect(c.data[0]).toBe(Math.fround(0.1));
    expect(Object.is(c.data[1], -0)).toBe(true);
    const d64 = await readSafetensorsTensor(file, 'd', { dtype: 'f64' });
    expect(d64.data).toBeInstanceOf(Float64Array);
    expect(d64.data[0]).toBe(0.1);
    // Into f32 an F64 tensor rounds to nearest-even.
    expect((await readSafetensorsTensor(file, 'd')).data[0]).toBe(Math.fround(0.1));
  });

  it('bf16 decodes all 65536 bit patterns exactly: float32 bits = h << 16, NaN payloads kept', async () => {
    const all = Array.from({ length: 65536 }, (_, h) => h);
    const file = dir.write(buildSafetensors([{ name: 'all', dtype: 'BF16', shape: [256, 256], bytes: u16Bytes(all) }]));
    const t = await readSafetensorsTensor(file, 'all');
    const bits = new Uint32Array(t.data.buffer);
    for (let h = 0; h < 65536; h++)
      if (bits[h] !== (h << 16) >>> 0) throw new Error(`bf16 0x${h.toString(16)} → 0x${bits[h]!.toString(16)}`);
    expect(Object.is(t.data[0x8000], -0)).toBe(true);
    expect(t.data[0x7f80]).toBe(Infinity);
    expect(t.data[0xff80]).toBe(-Infinity);
    expect(Number.isNaN(t.data[0x7fc0])).toBe(true);
    expect(bf16Decode(0x3f80)).toBe(1);
  });

  it('f16 decodes all 65536 bit patterns exactly (subnormals, ±0, ±Inf, NaN), into f32 and f64', async () => {
    const all = Array.from({ length: 65536 }, (_, h) => h);
    const file = dir.write(buildSafetensors([{ name: 'all', dtype: 'F16', shape: [65536], bytes: u16Bytes(all) }]));
    for (const dtype of ['f32', 'f64'] as const) {
      const t = await readSafetensorsTensor(file, 'all', { dtype });
      for (let h = 0; h < 65536; h++) {
        const want = f16DecodeBits(h);
        if (!Object.is(t.data[h], want)) throw new Error(`f16 0x${h.toString(16)}: got ${t.data[h]}, expected ${want}`);
      }
    }
    // Spot values from IEEE 754-2008 binary16: largest subnormal 1023·2^−24, smallest normal 2^−14.
    expect(f16DecodeBits(0x03ff)).toBe(1023 * 2 ** -24);
    expect(f16DecodeBits(0x0400)).toBe(2 ** -14);
    expect(f16DecodeBits(0xfc00)).toBe(-Infinity);
  });

  it('reads one tensor without reading an unrelated 1 GiB tensor (sparse file; ArrayBuffer growth < 64 MiB)', async () => {
    const small = u16Bytes([bf16Bits(3), bf16Bits(-1)]);
    const big = 2 ** 29; // elements of BF16 → 1 GiB
    const header = JSON.stringify({
      small: { dtype: 'BF16', shape: [2], data_offsets: [0, 4] },
      big: { dtype: 'BF16', shape: [big], data_offsets: [4, 4 + 2 * big] },
    });
    const file = dir.write(buildRaw(header, small));
    truncateSync(file, 8 + header.length + 4 + 2 * big);
    const before = process.memoryUsage().arrayBuffers;
    const t = await readSafetensorsTensor(file, 'small');
    const grown = process.memoryUsage().arrayBuffers - before;
    expect([...t.data]).toEqual([3, -1]);
    expect(grown).toBeLessThan(64 * 2 ** 20);
  });
});

describe('safetensors reader: hostile files get a SafetensorsError naming file and tensor', () => {
  const cases: [string, () => Uint8Array, RegExp, string?][] = [
    ['file shorter than 8 bytes', () => new Uint8Array(5), /file has 5 bytes, expected at least 8/],
    [
      'header length beyond the file',
      () => buildRaw('{}', new Uint8Array(0), 1000n),
      /header length is 1000 bytes, expected at most the 2 bytes after the length field/,
    ],
    [
      'header claiming 2^40 bytes',
      () => buildRaw('{}', new Uint8Array(0), 2n ** 40n),
      /header length is 1099511627776 bytes, expected at most 16777216/,
    ],
    [
      'header one byte over the 16 MiB limit',
      () => buildRaw('{}', new Uint8Array(16 * 2 ** 20), 16n * 2n ** 20n + 1n),
      /header length is 16777217 bytes, expected at most 16777216/,
    ],
    [
      'a tensor named twice (JSON.parse would keep the second)',
      () =>
        buildRaw(
          '{"w":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},"w":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}}',
          new Uint8Array(8),
        ),
      /header \$\.w: duplicate key/,
    ],
    [
      'a key twice inside an entry',
      () => buildRaw('{"w":{"dtype":"F32","shape":[1],"data_offsets":[0,4],"shape":[2]}}', new Uint8Array(8)),
      /header \$\.w\.shape: duplicate key/,
    ],
    [
      'nesting 100,000 deep',
      () => buildRaw(`{"w":${'['.repeat(100_000)}${']'.repeat(100_000)}}`),
      /header \$\.w(\[0\])+: nested deeper than 64 levels/,
    ],
    ['header length 2^64 − 1', () => buildRaw('{}', new Uint8Array(0), 2n ** 64n - 1n), /header length is 18446744073709551615 bytes/],
    ['header not JSON', () => buildRaw('{"a":'), /header is not valid JSON/],
    [
      'header not UTF-8',
      () => {
        const f = buildRaw('{"a":1}');
        f[10] = 0xff;
        return f;
      },
      /header is not valid UTF-8/,
    ],
    ['header a JSON array', () => buildRaw('[1,2]'), /header is an Array of length 2, expected a JSON object/],
    [
      'unknown dtype',
      () => buildRaw('{"w":{"dtype":"F12","shape":[1],"data_offsets":[0,2]}}', new Uint8Array(2)),
      /tensor "w": dtype is "F12", expected one of/,
    ],
    [
      'negative dim',
      () => buildRaw('{"w":{"dtype":"F32","shape":[-1],"data_offsets":[0,4]}}', new Uint8Array(4)),
      /tensor "w": shape\[0\] is -1, expected an integer ≥ 0/,
    ],
    [
      'fractional dim',
      () => buildRaw('{"w":{"dtype":"F32","shape":[1.5],"data_offsets":[0,4]}}', new Uint8Array(4)),
      /tensor "w": shape\[0\] is 1\.5/,
    ],
    [
      'offsets beyond the data (truncated data section)',
      () => buildRaw('{"w":{"dtype":"F32","shape":[4],"data_offsets":[0,16]}}', new Uint8Array(12)),
      /tensor "w": data_offsets \[0, 16\] reach past the data section of 12 bytes/,
    ],
    [
      'end before begin',
      () => buildRaw('{"w":{"dtype":"F32","shape":[0],"data_offsets":[8,4]}}', new Uint8Array(8)),
      /tensor "w": data_offsets \[8, 4\] end before begin/,
    ],
    [
      'byte count not matching dtype × shape',
      () => buildRaw('{"w":{"dtype":"BF16","shape":[3],"data_offsets":[0,8]}}', new Uint8Array(8)),
      /tensor "w": holds 8 bytes, expected BF16 × shape \[3\] = 6 bytes/,
    ],
    [
      'shape product beyond 2^53',
      () => buildRaw('{"w":{"dtype":"F32","shape":[4294967296,4294967296],"data_offsets":[0,8]}}', new Uint8Array(8)),
      /tensor "w": holds 8 bytes, expected F32 × shape \[4294967296, 4294967296\] = 73786976294838206464 bytes/,
    ],
    [
      'overlapping offsets',
      () =>
        buildRaw(
          '{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"b":{"dtype":"F32","shape":[2],"data_offsets":[4,12]}}',
          new Uint8Array(12),
        ),
      /tensor "b": data_offsets overlap those of tensor "a"/,
    ],
    ['metadata not strings', () => buildRaw('{"__metadata__":{"k":1}}'), /__metadata__\.k is 1, expected a string/],
  ];
  for (const [name, make, message] of cases) {
    it(`${name}: ${message}`, async () => {
      const file = dir.write(make());
      const before = process.memoryUsage().arrayBuffers;
      const e = await rejection(readSafetensorsHeader(file));
      expect(e).toBeInstanceOf(SafetensorsError);
      expect(e.message).toContain(file);
      expect(e.message).toMatch(message);
      // Nothing near the claimed sizes was allocated.
      expect(process.memoryUsage().arrayBuffers - before).toBeLessThan(2 ** 24);
    });
  }

  it('a data section cut short after the header was read: the tensor read names file, tensor and bytes', async () => {
    const file = dir.write(buildSafetensors([{ name: 'w', dtype: 'F32', shape: [8], bytes: f32Bytes(new Float32Array(8)) }]));
    const h = await readSafetensorsHeader(file);
    truncateSync(file, h.dataOffset + 10);
    const e = await rejection(readSafetensorsTensor(file, 'w'));
    expect(e.message).toMatch(/tensor "w": data_offsets \[0, 32\] reach past the data section of 10 bytes/);
  });

  it('a missing tensor is named with the tensors the file has', async () => {
    const file = dir.write(buildSafetensors([{ name: 'present', dtype: 'F32', shape: [1], bytes: f32Bytes([1]) }]));
    const e = await rejection(readSafetensorsTensor(file, 'absent'));
    expect(e.message).toMatch(
      new RegExp(
        `safetensors ${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: tensor "absent": not found; the file has 1 tensors \\("present"\\)`,
      ),
    );
  });

  it('an integer tensor is listed in the header but refused as weights', async () => {
    const file = dir.write(buildSafetensors([{ name: 'ids', dtype: 'I32', shape: [1], bytes: new Uint8Array(4) }]));
    expect((await readSafetensorsHeader(file)).tensors.get('ids')?.dtype).toBe('I32');
    expect((await rejection(readSafetensorsTensor(file, 'ids'))).message).toMatch(
      /tensor "ids": dtype is I32, expected one of BF16, F16, F32, F64/,
    );
  });

  it('a missing file and a bad path argument', async () => {
    expect((await rejection(readSafetensorsHeader(join(dir.path, 'nope.safetensors')))).message).toMatch(/nope\.safetensors: cannot open/);
    expect((await rejection(readSafetensorsHeader(42 as never))).message).toMatch(
      /readSafetensorsHeader: source is 42, expected a non-empty file path string, an ArrayBuffer, a typed array, a Blob or a Response/,
    );
    expect((await rejection(readSafetensorsTensor(join(dir.path, 'x'), 'w', { dtype: 'f16' as never }))).message).toMatch(
      /options\.dtype is "f16", expected 'f32' or 'f64'/,
    );
  });
});

/** A tiny Gemma-2-like layer with random finite bf16 weights. */
function layerFile(layer: number, d: number, f: number, seed: number, dtype: 'BF16' | 'F16' | 'F32' = 'BF16') {
  let s = seed >>> 0;
  const rand = () => (s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32;
  // Values k/64 with |k| ≤ 32 are exact in bf16, f16 and f32.
  const vals = (n: number) => Array.from({ length: n }, () => Math.round((rand() - 0.5) * 64) / 64);
  const enc = (v: number[]) =>
    dtype === 'F32' ? f32Bytes(v) : dtype === 'BF16' ? u16Bytes(v.map(bf16Bits)) : u16Bytes(v.map(f16BitsExact));
  const gate = vals(f * d);
  const up = vals(f * d);
  const down = vals(d * f);
  const p = `model.layers.${layer}.mlp`;
  const tensors = [
    { name: `model.layers.${layer}.input_layernorm.weight`, dtype, shape: [d], bytes: enc(vals(d)) },
    { name: `${p}.down_proj.weight`, dtype, shape: [d, f], bytes: enc(down) },
    { name: `${p}.gate_proj.weight`, dtype, shape: [f, d], bytes: enc(gate) },
    { name: `${p}.up_proj.weight`, dtype, shape: [f, d], bytes: enc(up) },
  ];
  return { tensors, gate, up, down };
}

/** binary16 bits of k/64, |k| ≤ 32 (exact): found by search over the decoder of write.ts. */
const F16_OF = new Map<number, number>();
// Map keys compare with SameValueZero (0 === −0), so the zeros are handled in f16BitsExact.
for (let h = 1; h < 0x7c00; h++) {
  F16_OF.set(f16DecodeBits(h), h);
  F16_OF.set(-f16DecodeBits(h), h | 0x8000);
}
function f16BitsExact(x: number): number {
  if (x === 0) return Object.is(x, -0) ? 0x8000 : 0;
  const h = F16_OF.get(x);
  if (h === undefined) throw new Error(`test bug: ${x} not in f16`);
  return h;
}

describe('loadGemma2MlpLayer', () => {
  for (const dtype of ['BF16', 'F16', 'F32'] as const) {
    it(`loads layer 1 of a ${dtype} file into Float32Array exactly and runs the MLP within the stated bound`, async () => {
      const d = 6;
      const f = 10;
      const l0 = layerFile(0, d, f, 1, dtype);
      const l1 = layerFile(1, d, f, 2, dtype);
      const file = dir.write(buildSafetensors([...l0.tensors, ...l1.tensors]));
      const layer = await loadGemma2MlpLayer(file, { layer: 1 });
      expect(layer).toMatchObject({ layer: 1, hidden: d, intermediate: f, sourceDtypes: { gate: dtype, up: dtype, down: dtype } });
      expect([...layer.gate]).toEqual(l1.gate);
      expect([...layer.up]).toEqual(l1.up);
      expect([...layer.down]).toEqual(l1.down);
      const x = new Float32Array([0.5, -1, 0.25, 2, -0.75, 1.5, 1, 0, -0.5, 0.125, 3, -2]);
      const y = gemma2Mlp(x, 2, layer);
      const ref = mlpReference(x, 2, d, f, l1.gate, l1.up, l1.down, 'tanh', 'f32');
      for (let i = 0; i < y.length; i++) expect(Math.abs(y[i]! - ref.y[i]!)).toBeLessThanOrEqual(ref.bound[i]!);
      const as64 = await loadGemma2MlpLayer(file, { layer: 1, dtype: 'f64' });
      expect(as64.gate).toBeInstanceOf(Float64Array);
      expect([...as64.down]).toEqual(l1.down);
    });
  }

  it('shapes are checked against the preset and against each other', async () => {
    const { tensors } = layerFile(0, 4, 8, 3);
    const file = dir.write(buildSafetensors(tensors));
    const e = await rejection(loadGemma2MlpLayer(file, { layer: 0, preset: 'gemma-2-2b' }));
    expect(e.message).toMatch(
      /tensor "model\.layers\.0\.mlp\.gate_proj\.weight": shape \[8, 4\], expected \[9216, 2304\] \(\[intermediate, hidden\] of the preset\)/,
    );
    expect(e.message).toContain(file);
    await expect(loadGemma2MlpLayer(file, { layer: 0, preset: { hidden: 4, intermediate: 8 } })).resolves.toMatchObject({ hidden: 4 });
    const bad = tensors.map((t) => (t.name.endsWith('down_proj.weight') ? { ...t, shape: [8, 4] } : t));
    const e2 = await rejection(loadGemma2MlpLayer(dir.write(buildSafetensors(bad)), { layer: 0 }));
    expect(e2.message).toMatch(/tensor "model\.layers\.0\.mlp\.down_proj\.weight": shape \[8, 4\], expected \[4, 8\]/);
  });

  it('a missing layer names the tensor it looked for', async () => {
    const file = dir.write(buildSafetensors(layerFile(0, 2, 2, 4).tensors));
    const e = await rejection(loadGemma2MlpLayer(file, { layer: 7 }));
    expect(e.message).toMatch(/tensor "model\.layers\.7\.mlp\.gate_proj\.weight": not found/);
  });

  it('NaN and ±Inf weights are refused with tensor, flat index, row and column', async () => {
    const { tensors } = layerFile(0, 3, 4, 5);
    const up = tensors.find((t) => t.name.endsWith('up_proj.weight'))!;
    new DataView(up.bytes.buffer).setUint16(2 * 7, 0x7fc0, true); // bf16 NaN at element 7 = row 2, column 1 of [4, 3]
    const file = dir.write(buildSafetensors(tensors));
    const e = await rejection(loadGemma2MlpLayer(file, { layer: 0 }));
    expect(e.message).toMatch(
      /tensor "model\.layers\.0\.mlp\.up_proj\.weight": element 7 \(row 2, column 1\) is NaN, expected a finite weight/,
    );
    const down = tensors.find((t) => t.name.endsWith('down_proj.weight'))!;
    new DataView(up.bytes.buffer).setUint16(2 * 7, 0, true);
    new DataView(down.bytes.buffer).setUint16(0, 0xff80, true); // bf16 −Inf
    const e2 = await rejection(loadGemma2MlpLayer(dir.write(buildSafetensors(tensors)), { layer: 0 }));
    expect(e2.message).toMatch(/down_proj\.weight": element 0 \(row 0, column 0\) is -Infinity/);
    await expect(loadGemma2MlpLayer(dir.write(buildSafetensors(tensors)), { layer: 0, allowNonFinite: true })).resolves.toBeDefined();
  });

  it('bad options are refused before the file is opened', async () => {
    const missing = join(dir.path, 'missing.safetensors');
    expect((await rejection(loadGemma2MlpLayer(missing, { layer: -1 }))).message).toMatch(
      /loadGemma2MlpLayer: options\.layer is -1, expected an integer ≥ 0/,
    );
    expect((await rejection(loadGemma2MlpLayer(missing, { layer: 0.5 }))).message).toMatch(/options\.layer is 0\.5/);
    expect((await rejection(loadGemma2MlpLayer(missing, { layer: 0, preset: 'gemma-3' as never }))).message).toMatch(
      /options\.preset is "gemma-3", expected one of gemma-2-2b, gemma-2-9b, gemma-2-27b/,
    );
    expect((await rejection(loadGemma2MlpLayer(missing, undefined as never))).message).toMatch(
      /options is undefined, expected \{ layer \}/,
    );
  });

  it.skipIf(process.platform !== 'linux')('an index that is a FIFO fed without end stops at 16 MiB read (Linux only: mkfifo)', async () => {
    const fifoDir = new TempDir();
    const fifo = join(fifoDir.path, 'model.safetensors.index.json');
    execFileSync('mkfifo', [fifo]);
    const writer = spawn('sh', ['-c', `yes > ${fifo}`], { stdio: 'ignore' });
    try {
      expect((await rejection(loadGemma2MlpLayer(fifo, { layer: 0 }))).message).toMatch(/safetensors index .*: more than 16777216 bytes/);
    } finally {
      writer.kill();
      fifoDir.remove();
    }
  });

  it('sharded checkpoints: model.safetensors.index.json maps each tensor to its shard', async () => {
    const { tensors, gate, down } = layerFile(3, 4, 6, 6);
    const shardDir = new TempDir();
    try {
      shardDir.write(buildSafetensors(tensors.slice(0, 2)), 'model-00001-of-00002.safetensors');
      shardDir.write(buildSafetensors(tensors.slice(2)), 'model-00002-of-00002.safetensors');
      const weight_map: Record<string, string> = {};
      tensors.forEach((t, i) => (weight_map[t.name] = i < 2 ? 'model-00001-of-00002.safetensors' : 'model-00002-of-00002.safetensors'));
      writeFileSync(join(shardDir.path, 'model.safetensors.index.json'), JSON.stringify({ metadata: {}, weight_map }));
      for (const p of [shardDir.path, join(shardDir.path, 'model.safetensors.index.json')]) {
        const layer = await loadGemma2MlpLayer(p, { layer: 3 });
        expect([...layer.gate]).toEqual(gate);
        expect([...layer.down]).toEqual(down);
        expect(layer.files.down).toMatch(/model-00001-of-00002\.safetensors$/);
        expect(layer.files.gate).toMatch(/model-00002-of-00002\.safetensors$/);
      }
      weight_map[tensors[2]!.name] = '../elsewhere.safetensors';
      writeFileSync(join(shardDir.path, 'model.safetensors.index.json'), JSON.stringify({ weight_map }));
      expect((await rejection(loadGemma2MlpLayer(shardDir.path, { layer: 3 }))).message).toMatch(
        /shard "\.\.\/elsewhere\.safetensors" is not a plain file name beside the index/,
      );
      const indexPath = join(shardDir.path, 'model.safetensors.index.json');
      writeFileSync(indexPath, `{"weight_map": {"${tensors[2]!.name}": "a.safetensors", "${tensors[2]!.name}": "b.safetensors"}}`);
      expect((await rejection(loadGemma2MlpLayer(shardDir.path, { layer: 3 }))).message).toMatch(
        /safetensors index .*: \$\.weight_map\["model\.layers\.3\.mlp\.gate_proj\.weight"\]: duplicate key/,
      );
      delete weight_map[tensors[2]!.name];
      writeFileSync(join(shardDir.path, 'model.safetensors.index.json'), JSON.stringify({ weight_map }));
      expect((await rejection(loadGemma2MlpLayer(shardDir.path, { layer: 3 }))).message).toMatch(
        /tensor "model\.layers\.3\.mlp\.gate_proj\.weight": not in weight_map/,
      );
    } finally {
      shardDir.remove();
    }
  });
});
