/**
 * One workload of @geglu/kernel, run the same way in Node and on a page, whose
 * results are compared bit for bit. The function is self-contained (no
 * imports, no outside helpers) because playwright serialises it to the page,
 * where it finds the bundled package at globalThis.geglu.kernel.
 */
import type * as Kernel from '@geglu/kernel';

export interface KernelCaseInput {
  /** float32 inputs as their bit patterns (uint32). */
  xBits: number[];
  /** Gemma 2 MLP shape for the matmul case. */
  tokens: number;
  hidden: number;
  intermediate: number;
}

/** Every result as its format and bit patterns (uint32 words; float64 as two words, little end first; bf16/f16 one word each). */
export type KernelCaseOutput = Record<string, { format: 'f32' | 'f64' | 'bf16' | 'f16'; words: number[] }>;

export function kernelCases(input: KernelCaseInput, kernel?: typeof Kernel): KernelCaseOutput {
  const k = kernel ?? (globalThis as unknown as { geglu: { kernel: typeof Kernel } }).geglu.kernel;
  const words = (a: Float32Array | Float64Array | Uint16Array, half?: 'bf16' | 'f16') => ({
    format: half ?? (a instanceof Float64Array ? ('f64' as const) : ('f32' as const)),
    words: a instanceof Uint16Array ? Array.from(a) : Array.from(new Uint32Array(a.buffer, a.byteOffset, a.byteLength / 4)),
  });
  const x = new Float32Array(new Uint32Array(input.xBits).buffer);
  const up = x.slice().reverse();
  const out: KernelCaseOutput = {};
  for (const approximate of ['none', 'tanh'] as const) {
    out[`geluArray f32 ${approximate}`] = words(k.geluArray(x, { approximate }));
    out[`geglu f32 ${approximate}`] = words(k.geglu(x, up, { approximate }));
    const x64 = Float64Array.from(x.subarray(0, 4096));
    out[`geluArray f64 ${approximate}`] = words(k.geluArray(x64, { approximate }));
    out[`gelu scalar f64 ${approximate}`] = words(Float64Array.from(x64, (v) => k.gelu(v, { approximate })));
    const bf16 = k.f32ToBf16Array(x.subarray(0, 4096));
    out[`geluBf16Array ${approximate}`] = words(k.geluBf16Array(bf16, { approximate }), 'bf16');
    const f16 = k.f32ToF16Array(x.subarray(0, 4096));
    out[`geluF16Array ${approximate}`] = words(k.geluF16Array(f16, { approximate }), 'f16');
  }
  // Gemma 2 MLP on weights made from the inputs' finite values, scaled into [-1, 1].
  const { tokens, hidden: d, intermediate: f } = input;
  const finite = x.filter((v) => Number.isFinite(v) && Math.abs(v) < 4);
  const take = (n: number, from: number) => Float32Array.from({ length: n }, (_, i) => finite[(from + i * 7) % finite.length]! / 4);
  const weights = { hidden: d, intermediate: f, gate: take(f * d, 1), up: take(f * d, 2), down: take(d * f, 3) };
  out['gemma2Mlp f32 tanh'] = words(k.gemma2Mlp(take(tokens * d, 0), tokens, weights, { approximate: 'tanh' }));
  return out;
}
