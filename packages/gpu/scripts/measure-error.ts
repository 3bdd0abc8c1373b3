/**
 * Measures each available backend's worst error, in float32 steps, for gelu,
 * gelu-tanh, erf and erfc over the whole float32 range, per input region
 * (inputs, references and regions: src/measure.ts, shared with
 * tools/browser's measure-gpu for a page's backends).
 *
 *   node packages/gpu/dist/scripts/measure-error.js [--samples N] [--backends webgpu,webasm,cpu] [--oracle-check N] [--oracle all] [--json]
 *
 * `--oracle all` scores every input with @geglu/oracle (slow, ~1-2 ms per value).
 */
import { GegluGpu, availableGpuBackends, type ResolvedGpuBackend } from '@geglu/gpu';
import { parseMeasureArgs, runMeasurement, runScript } from '@geglu/gpu/measure';

async function main(): Promise<void> {
  const opts = parseMeasureArgs('measure-error', process.argv.slice(2), 'webgpu,webasm,cpu');
  await runMeasurement(opts, async (measureOne) => {
    for (const a of await availableGpuBackends()) {
      if (opts.backends && !opts.backends.includes(a.backend)) continue;
      if (!a.available) {
        console.log(`\n${a.backend}: skipped (${a.reason})`);
        continue;
      }
      const gpu = await GegluGpu.create({ backend: a.backend as ResolvedGpuBackend });
      try {
        await measureOne(gpu.backend, gpu.device, gpu);
      } finally {
        await gpu.dispose();
      }
    }
  });
}

await runScript(main);
