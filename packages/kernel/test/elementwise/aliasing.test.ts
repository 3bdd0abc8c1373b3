import { MessageChannel } from 'node:worker_threads';
import { describe, expect, it } from 'vitest';
import { GegluError, createGemma2Mlp, geglu, gegluPacked, gemma2Mlp, geluArray } from '../../src/index.js';

// Two SharedArrayBuffer objects can be views of one memory, and JavaScript cannot tell: one
// received back through a MessageChannel, or a shared WebAssembly.Memory's buffer before and after
// grow. Every result must then equal the result on unaliased copies of the inputs, bit for bit.

/** The same memory as `sab` under a different SharedArrayBuffer object (structured clone). */
async function sameMemoryOtherObject(sab: SharedArrayBuffer): Promise<SharedArrayBuffer> {
  const { port1, port2 } = new MessageChannel();
  const other = await new Promise<SharedArrayBuffer>((resolve) => {
    port2.once('message', resolve);
    port1.postMessage(sab);
  });
  port1.close();
  expect(other).not.toBe(sab);
  return other;
}

const N = 50_000;
/** Elements that differ bit for bit (Object.is: ±0 apart, NaN equal to NaN). */
const wrong = (a: ArrayLike<number>, b: ArrayLike<number>): number => {
  let n = 0;
  for (let i = 0; i < a.length; i++) if (!Object.is(a[i], b[i])) n++;
  return n;
};

function fill(a: Float32Array | Float64Array): void {
  // values in [−8, 8] with the sign changing often: most of gelu's regions
  for (let i = 0; i < a.length; i++) a[i] = Math.sin(i * 0.7) * 8;
}

describe('outputs that share memory with an input through another SharedArrayBuffer object', () => {
  // shifts in elements of out relative to x: before, in place, just after, a block after
  const shifts = [-3, 0, 1, 3, 1000];
  type FloatType = {
    new (buffer: ArrayBufferLike, byteOffset?: number, length?: number): Float32Array | Float64Array;
    BYTES_PER_ELEMENT: number;
    name: string;
  };
  for (const Type of [Float32Array, Float64Array] as FloatType[]) {
    for (const approximate of ['none', 'tanh'] as const) {
      it(`geluArray ${Type.name} ${approximate}: every shift gives the unaliased result`, async () => {
        const n = Type === Float32Array ? N : 5000;
        const pad = 2000;
        const sab = new SharedArrayBuffer(Type.BYTES_PER_ELEMENT * (n + 2 * pad));
        const other = await sameMemoryOtherObject(sab);
        const all = new Type(sab);
        for (const s of shifts) {
          fill(all);
          const x = new Type(sab, Type.BYTES_PER_ELEMENT * pad, n);
          const out = new Type(other, Type.BYTES_PER_ELEMENT * (pad + s), n);
          const want = geluArray(x.slice(), { approximate });
          expect(geluArray(x, { out, approximate })).toBe(out);
          expect(wrong(out, want), `shift ${s}`).toBe(0);
        }
      });
    }
  }

  it('geglu and gegluPacked (float32, with and without biases): every shift gives the unaliased result', async () => {
    const pad = 2000;
    const sab = new SharedArrayBuffer(4 * (2 * N + 2 * pad));
    const other = await sameMemoryOtherObject(sab);
    const all = new Float32Array(sab);
    for (const s of shifts) {
      for (const biased of [false, true]) {
        fill(all);
        const gate: Float32Array = new Float32Array(sab, 4 * pad, N);
        const up: Float32Array = new Float32Array(sab, 4 * (pad + 7), N);
        const out: Float32Array = new Float32Array(other, 4 * (pad + s), N);
        const bias = biased ? { gateBias: new Float32Array(100).fill(0.25), upBias: new Float32Array(100).fill(-1) } : {};
        const want = geglu(gate.slice(), up.slice(), bias);
        geglu(gate, up, { out, ...bias });
        expect(wrong(out, want), `geglu shift ${s} biased ${biased}`).toBe(0);

        fill(all);
        const gateUp: Float32Array = new Float32Array(sab, 4 * pad, 2 * N);
        const packedOut: Float32Array = new Float32Array(other, 4 * (pad + s), N);
        const packedBias = biased ? { gateBias: new Float32Array(50).fill(0.25), upBias: new Float32Array(50).fill(-1) } : {};
        const wantPacked = gegluPacked(gateUp.slice(), 50, packedBias);
        gegluPacked(gateUp, 50, { out: packedOut, ...packedBias });
        expect(wrong(packedOut, wantPacked), `gegluPacked shift ${s} biased ${biased}`).toBe(0);
      }
    }
  });

  it('a shared WebAssembly.Memory: views made before and after grow', () => {
    // the ES2022 lib has no WebAssembly types (as src/elementwise/simd.ts notes)
    const { Memory } = (
      globalThis as unknown as { WebAssembly: { Memory: new (d: object) => { buffer: SharedArrayBuffer; grow(pages: number): number } } }
    ).WebAssembly;
    const memory = new Memory({ initial: 4, maximum: 8, shared: true });
    const x = new Float32Array(memory.buffer, 0, N);
    fill(x);
    memory.grow(1);
    const out = new Float32Array(memory.buffer, 4 * 5, N);
    expect(out.buffer).not.toBe(x.buffer);
    const want = geluArray(x.slice());
    geluArray(x, { out });
    expect(wrong(out, want)).toBe(0);
  });
});

describe('arrays the kernel cannot take, refused before any work', () => {
  it('a detached input or output is an error, not an empty result', () => {
    for (const f of [
      (a: Float32Array) => geluArray(a),
      (a: Float32Array) => geluArray(new Float32Array(0), { out: a }),
      (a: Float32Array) => geglu(a, new Float32Array(0)),
      (a: Float32Array) => gegluPacked(a, 2),
    ]) {
      const a = new Float32Array(8);
      structuredClone(a.buffer, { transfer: [a.buffer] });
      expect(a.length).toBe(0);
      expect(() => f(a)).toThrow(GegluError);
      expect(() => f(a)).toThrow(/is a detached .*Float32Array/);
    }
  });

  it('a genuinely empty array is still fine', () => {
    expect(geluArray(new Float32Array(0))).toHaveLength(0);
    expect(geglu(new Float64Array(0), new Float64Array(0))).toHaveLength(0);
  });

  it('2^31 float32 elements: a GegluError naming the limit, not a WebAssembly RuntimeError', (ctx) => {
    let x: Float32Array;
    try {
      // 8 GiB of address space; pages never touched stay unallocated, since the check comes first
      x = new Float32Array(2 ** 31);
    } catch {
      ctx.skip();
      return;
    }
    expect(() => geluArray(x, { out: x })).toThrow(GegluError);
    expect(() => geluArray(x, { out: x })).toThrow(/x has length 2147483648, expected at most 2147483647/);
    expect(() => geglu(x, x, { out: x })).toThrow(/gate has length 2147483648, expected at most 2147483647/);
  });
});

describe('the Gemma 2 MLP with out on another SharedArrayBuffer object of the same memory as x', () => {
  // more tokens than one chunk of 64: the second chunk's x is still to be read when the first chunk's y is written
  const tokens = 70;
  const hidden = 8;
  const intermediate = 12;
  const weight = (n: number, seed: number) => Float32Array.from({ length: n }, (_, i) => Math.sin(i * 0.37 + seed) * 0.4);
  const weights = {
    gate: weight(intermediate * hidden, 1),
    up: weight(intermediate * hidden, 2),
    down: weight(hidden * intermediate, 3),
    hidden,
    intermediate,
  };

  for (const shift of [3, 8]) {
    it(`gemma2Mlp and createGemma2Mlp(…).forward: out ${shift} elements after x gives the unaliased result`, async () => {
      const n = tokens * hidden;
      const sab = new SharedArrayBuffer(4 * (n + 16));
      const other = await sameMemoryOtherObject(sab);
      // typed as plain Float32Arrays, like the weights, as a caller holding both kinds would
      const fillX = (): Float32Array => {
        const x: Float32Array = new Float32Array(sab, 0, n) as unknown as Float32Array;
        for (let i = 0; i < n; i++) x[i] = Math.cos(i * 0.9) * 2;
        return x;
      };
      const want = gemma2Mlp(fillX().slice(), tokens, weights);
      const x = fillX();
      expect(wrong(gemma2Mlp(x, tokens, weights, { out: new Float32Array(other, 4 * shift, n) as unknown as Float32Array }), want)).toBe(0);
      const mlp = createGemma2Mlp(weights, { threads: 1 });
      try {
        // its own unaliased result: its tiles may use relaxed SIMD, whose multiply-add may fuse
        const wantPlan = mlp.forward(fillX().slice(), tokens);
        const x2 = fillX();
        expect(wrong(mlp.forward(x2, tokens, { out: new Float32Array(other, 4 * shift, n) as unknown as Float32Array }), wantPlan)).toBe(0);
      } finally {
        mlp.dispose();
      }
    });
  }
});
