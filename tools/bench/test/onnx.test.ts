import * as ort from 'onnxruntime-node';
import { describe, expect, it } from 'vitest';
import { gegluModel, geluModel, gemma2MlpModel, transpose, varint } from '../src/onnx.js';

async function run(model: Uint8Array, feeds: Record<string, ort.Tensor>): Promise<Float32Array> {
  const session = await ort.InferenceSession.create(model, { intraOpNumThreads: 1 });
  try {
    const out = await session.run(feeds);
    return out.y!.data as Float32Array;
  } finally {
    await session.release();
  }
}

const SQRT_2_OVER_PI = Math.sqrt(2 / Math.PI);
const geluTanh64 = (x: number) => 0.5 * x * (1 + Math.tanh(SQRT_2_OVER_PI * (x + 0.044715 * x ** 3)));

describe('hand-written ONNX encoder', () => {
  it('encodes varints as protobuf does (300 → AC 02, the protobuf encoding guide example)', () => {
    expect([...varint(300)]).toEqual([0xac, 0x02]);
    expect([...varint(0)]).toEqual([0]);
    expect([...varint(2 ** 35)]).toEqual([0x80, 0x80, 0x80, 0x80, 0x80, 0x01]);
    expect(() => varint(-1)).toThrow(/non-negative/);
  });

  it('opset-20 Gelu none model runs in onnxruntime-node: gelu(1) = Φ(1) within ORT’s 1e-4 relative', async () => {
    // Φ(1) = 0.8413447460685429 (standard normal CDF, Abramowitz & Stegun table 26.1).
    const y = await run(geluModel('none'), { x: new ort.Tensor('float32', Float32Array.of(1, -1, 0, 3), [4]) });
    expect(y[0]).toBeCloseTo(0.8413447460685429, 4);
    expect(y[1]).toBeCloseTo(-(1 - 0.8413447460685429), 4);
    expect(y[2]).toBe(0);
  });

  it('Gelu tanh and GeGLU models follow ½x(1+tanh(√(2/π)(x+0.044715x³))) within 1e-4 relative', async () => {
    const x = Float32Array.of(-2.5, -0.75, 0.5, 2.7);
    const up = Float32Array.of(2, -1, 0.25, 3);
    const g = await run(geluModel('tanh'), { x: new ort.Tensor('float32', x, [4]) });
    const gg = await run(gegluModel('tanh'), {
      gate: new ort.Tensor('float32', x, [4]),
      up: new ort.Tensor('float32', up, [4]),
    });
    for (let i = 0; i < x.length; i++) {
      const want = geluTanh64(x[i]!);
      expect(Math.abs(g[i]! - want)).toBeLessThanOrEqual(1e-4 * Math.abs(want));
      expect(Math.abs(gg[i]! - want * up[i]!)).toBeLessThanOrEqual(1e-4 * Math.abs(want * up[i]!));
    }
  });

  it('Gemma 2 MLP model equals (gelu_tanh(x·Wgᵀ) ⊙ x·Wuᵀ)·Wdᵀ computed in f64, within 1e-5 relative', async () => {
    const [T, d, f] = [2, 3, 4];
    const vals = (n: number, s: number) => Float32Array.from({ length: n }, (_, i) => Math.sin(i * 1.7 + s));
    const x = vals(T * d, 0.1);
    const gate = vals(f * d, 0.2);
    const up = vals(f * d, 0.3);
    const down = vals(d * f, 0.4);
    const y = await run(gemma2MlpModel({ hidden: d, intermediate: f, gate, up, down }), {
      x: new ort.Tensor('float32', x, [T, d]),
    });
    for (let t = 0; t < T; t++) {
      const h: number[] = [];
      for (let j = 0; j < f; j++) {
        let g = 0;
        let u = 0;
        for (let k = 0; k < d; k++) {
          g += x[t * d + k]! * gate[j * d + k]!;
          u += x[t * d + k]! * up[j * d + k]!;
        }
        h.push(geluTanh64(g) * u);
      }
      for (let i = 0; i < d; i++) {
        let want = 0;
        for (let j = 0; j < f; j++) want += h[j]! * down[i * f + j]!;
        expect(Math.abs(y[t * d + i]! - want)).toBeLessThanOrEqual(1e-5 * Math.max(1, Math.abs(want)));
      }
    }
  });

  it('transpose maps [rows, cols] to [cols, rows]', () => {
    expect([...transpose(Float32Array.of(1, 2, 3, 4, 5, 6), 2, 3)]).toEqual([1, 4, 2, 5, 3, 6]);
  });
});
