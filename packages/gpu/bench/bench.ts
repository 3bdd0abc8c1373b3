/**
 * Benchmarks every available @geglu/gpu backend side by side with
 * @geglu/kernel (plain TypeScript/WebAssembly on the CPU) in one run.
 *
 *   node packages/gpu/dist/bench/bench.js [--n 1048576] [--mlp 4,256,1024] [--backends webgpu,webasm,cpu] [--time 1.5]
 *
 * Elementwise: gelu (both variants) on n float32 values (default 2^20), one
 * call = upload + kernel + readback (+ the host's non-finite scan), which is
 * what a caller of the async API pays. MLP: the Gemma 2 MLP at
 * [tokens, hidden] × [intermediate, hidden] (default 4 × 256 × 1024), one
 * pipeline call. Each row: median of repeated calls after 2 warm-up calls
 * (which include kernel compilation), repeated for at least --time seconds
 * per row (default 1.5) and at least 5 times.
 */
import { cpus } from 'node:os';
import { GegluGpu, availableGpuBackends, type ResolvedGpuBackend } from '@geglu/gpu';

interface Row {
  impl: string;
  device: string;
  op: string;
  medianMs: number;
  rate: string;
}

async function time(fn: () => Promise<unknown> | unknown, minSeconds: number): Promise<number> {
  await fn();
  await fn();
  const ts: number[] = [];
  const start = performance.now();
  while (ts.length < 5 || performance.now() - start < minSeconds * 1000) {
    const t0 = performance.now();
    await fn();
    ts.push(performance.now() - t0);
    if (ts.length >= 200) break;
  }
  ts.sort((a, b) => a - b);
  return ts[Math.floor(ts.length / 2)]!;
}

function fill(n: number, seed: number, s: number): Float32Array {
  const out = new Float32Array(n);
  let st = seed >>> 0;
  for (let i = 0; i < n; i++) {
    st = (Math.imul(st, 1664525) + 1013904223) >>> 0;
    out[i] = (st / 2 ** 32 - 0.5) * 2 * s;
  }
  return out;
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const opt = (name: string): string | undefined => {
    const i = args.indexOf(name);
    return i >= 0 ? args[i + 1] : undefined;
  };
  const n = Number(opt('--n') ?? 2 ** 20);
  const [T, d, f] = (opt('--mlp') ?? '4,256,1024').split(',').map(Number) as [number, number, number];
  const only = opt('--backends')?.split(',');
  const minSeconds = Number(opt('--time') ?? 1.5);
  const x = fill(n, 1, 8);
  const mx = fill(T * d, 2, 2);
  const weights = { gate: fill(f * d, 3, 0.1), up: fill(f * d, 4, 0.1), down: fill(d * f, 5, 0.1), hidden: d, intermediate: f };
  const mlpFlop = 2 * T * d * f * 3;
  const rows: Row[] = [];
  const elemRate = (ms: number): string => `${((n / ms) * 1e-3).toFixed(1)} M elem/s`;
  const mlpRate = (ms: number): string => `${((mlpFlop / ms) * 1e-6).toFixed(2)} GFLOP/s`;

  console.log(`node ${process.version}, ${cpus().length} CPU(s): ${cpus()[0]?.model ?? 'unknown'}`);
  console.log(`elementwise n = ${n}; MLP tokens × hidden × intermediate = ${T} × ${d} × ${f} (${(mlpFlop / 1e6).toFixed(1)} MFLOP)`);

  // @geglu/kernel, the float kernel on the CPU, for comparison
  try {
    const k = (await import('@geglu/kernel')) as {
      geluArray?: (x: Float32Array, o: { approximate: 'none' | 'tanh'; out: Float32Array }) => Float32Array;
      gemma2Mlp?: (x: Float32Array, t: number, w: typeof weights, o?: { approximate: 'tanh' }) => Float32Array;
    };
    const out = new Float32Array(n);
    if (k.geluArray) {
      for (const approximate of ['none', 'tanh'] as const) {
        const ms = await time(() => k.geluArray!(x, { approximate, out }), minSeconds);
        rows.push({ impl: '@geglu/kernel', device: 'CPU (main thread)', op: `gelu ${approximate}`, medianMs: ms, rate: elemRate(ms) });
      }
    }
    if (k.gemma2Mlp) {
      const ms = await time(() => k.gemma2Mlp!(mx, T, weights, { approximate: 'tanh' }), minSeconds);
      rows.push({ impl: '@geglu/kernel', device: 'CPU (main thread)', op: 'gemma2Mlp tanh', medianMs: ms, rate: mlpRate(ms) });
    }
  } catch (e) {
    console.log(`@geglu/kernel: skipped (${(e as Error).message.split('\n')[0]})`);
  }

  for (const a of await availableGpuBackends()) {
    if (only && !only.includes(a.backend)) continue;
    if (!a.available) {
      console.log(`${a.backend}: skipped (${a.reason})`);
      continue;
    }
    const g = await GegluGpu.create({ backend: a.backend as ResolvedGpuBackend });
    try {
      const impl = `@geglu/gpu ${g.backend}`;
      for (const approximate of ['none', 'tanh'] as const) {
        const ms = await time(() => g.gelu(x, { approximate }), minSeconds);
        rows.push({ impl, device: g.device, op: `gelu ${approximate}`, medianMs: ms, rate: elemRate(ms) });
      }
      const ms = await time(() => g.gemma2Mlp(mx, T, weights), minSeconds);
      rows.push({ impl, device: g.device, op: 'gemma2Mlp tanh', medianMs: ms, rate: mlpRate(ms) });
    } finally {
      await g.dispose();
    }
  }

  console.log('\n| implementation | device | operation | median ms/call | throughput |');
  console.log('|---|---|---|---:|---:|');
  for (const r of rows) console.log(`| ${r.impl} | ${r.device} | ${r.op} | ${r.medianMs.toFixed(2)} | ${r.rate} |`);
}

await main();
