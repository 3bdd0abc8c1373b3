/**
 * One workload of @geglu/gpu per backend, run the same way in Node and on a
 * page. Self-contained like ./kernel-cases.ts: on a page it finds the bundled
 * package at globalThis.geglu.gpu.
 */
import type * as Gpu from '@geglu/gpu';
import type { KernelCaseOutput } from './kernel-cases.js';

export interface GpuCaseInput {
  /** float32 inputs as their bit patterns (uint32). */
  xBits: number[];
  backends: Gpu.ResolvedGpuBackend[];
}

export interface GpuCaseRun {
  backend: string;
  /** What GegluGpu.create opened (its `backend` and `device`), or why it could not. */
  ran?: string;
  device?: string;
  error?: string;
  results?: KernelCaseOutput;
}

export async function gpuCases(input: GpuCaseInput, gpu?: typeof Gpu): Promise<GpuCaseRun[]> {
  const g = gpu ?? (globalThis as unknown as { geglu: { gpu: typeof Gpu } }).geglu.gpu;
  const words = (a: Float32Array) => ({ format: 'f32' as const, words: Array.from(new Uint32Array(a.buffer, a.byteOffset, a.length)) });
  const x = new Float32Array(new Uint32Array(input.xBits).buffer);
  const up = x.slice().reverse();
  const runs: GpuCaseRun[] = [];
  for (const backend of input.backends) {
    let inst: Gpu.GegluGpu;
    try {
      inst = await g.GegluGpu.create({ backend });
    } catch (e) {
      runs.push({ backend, error: (e as Error).message });
      continue;
    }
    try {
      const results: KernelCaseOutput = {};
      for (const approximate of ['none', 'tanh'] as const) {
        results[`gelu ${approximate}`] = words(await inst.gelu(x, { approximate }));
        results[`geglu ${approximate}`] = words(await inst.geglu(x, up, { approximate }));
      }
      results.erf = words(await inst.erf(x));
      results.erfc = words(await inst.erfc(x));
      // Gemma 2 MLP (a gpu.js pipeline) on weights from the inputs' finite values scaled into [-1, 1].
      const finite = x.filter((v) => Number.isFinite(v) && Math.abs(v) < 4);
      const take = (n: number, from: number) => Float32Array.from({ length: n }, (_, i) => finite[(from + i * 7) % finite.length]! / 4);
      const [d, f, tokens] = [16, 24, 3];
      const weights = { hidden: d, intermediate: f, gate: take(f * d, 1), up: take(f * d, 2), down: take(d * f, 3) };
      results['gemma2Mlp tanh'] = words(await inst.gemma2Mlp(take(tokens * d, 0), tokens, weights));
      runs.push({ backend, ran: inst.backend, device: inst.device, results });
    } catch (e) {
      runs.push({ backend, ran: inst.backend, device: inst.device, error: (e as Error).message });
    } finally {
      await inst.dispose();
    }
  }
  return runs;
}
