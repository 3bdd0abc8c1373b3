/**
 * Replays of inputs the gpu.js backends were seen to fail on, and of every committed sweep result's
 * worst inputs: the table's gated bounds must hold there, and a sweep's record must reproduce.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { existsSync, readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { DEFAULT_RUNS } from '../../src/commands/verify.js';
import { openSession, runProperty, SUITES } from '../../src/suites/index.js';
import { loadImpl } from '../../src/sweep/impl.js';
import { readResult } from '../../src/sweep/result.js';
import { gatedSteps, toleranceFor, REGIONS } from '../../src/tolerances/index.js';
import { formatFailure } from './harness.js';

const session = await openSession({ backends: ['gpu-webasm', 'gpu-webgpu', 'gpu-cpu'] });
const targets = session.ok ? session.targets.filter((t) => t.unavailable === undefined && t.gelu) : [];
afterAll(() => (session.ok ? session.close() : undefined));

const SWEEPS = fileURLToPath(new URL('../../sweeps/', import.meta.url));
const sweepFiles = existsSync(SWEEPS) ? readdirSync(SWEEPS).filter((f) => f.endsWith('.json')) : [];

describe.skipIf(!session.ok)('replays on the gpu.js backends', () => {
  // GEGLU_SEED=233192594 geglu verify found gelu(-6.079483509063721) 5 steps off on gpu-webasm and gpu-webgpu
  // while the table (from a sample) said 4 for the tail; the float32-pair tails round it correctly.
  // gpu-webasm's gelu has no gated bound until its sweep is rerun on those tails, so only gpu-webgpu replays.
  for (const backend of ['gpu-webgpu']) {
    const target = targets.find((t) => t.backend === backend && t.dtype === 'f32');
    it.skipIf(!target)(
      `${backend}: gelu(-6.079483509063721) is within the table's gated tail bound, which is a bound over all inputs`,
      async () => {
        const ctx = (session as Extract<typeof session, { ok: true }>).ctx;
        const x = -6.079483509063721;
        const got = (await target!.gelu!('gelu', Float64Array.of(x)))[0]!;
        const steps = ctx.oracle.stepDistance(got, ctx.correctlyRounded('gelu', x, 'f32'), 'f32');
        const entry = toleranceFor(ctx.table!, target!.backend as 'gpu-webasm', 'gelu', 'f32', 'tail')!;
        expect(entry.basis).toBe('exhaustive');
        expect(steps).toBeLessThanOrEqual(gatedSteps(entry)!);
      },
    );
    it.skipIf(!target)(
      `${backend}: the agreement property gelu/tail passes with GEGLU_SEED=233192594 and geglu verify's runs`,
      async () => {
        const ctx = (session as Extract<typeof session, { ok: true }>).ctx;
        const spec = SUITES.agreement.find((s) => s.id === 'oracle/gelu/tail')!;
        const r = await runProperty(spec, ctx, target!, { seed: 233192594, numRuns: DEFAULT_RUNS });
        expect(r.status, formatFailure(r)).toBe('pass');
      },
    );
  }
});

describe.skipIf(!session.ok || sweepFiles.length === 0)('committed sweep results (packages/verify/sweeps) reproduce', () => {
  for (const file of sweepFiles) {
    it(`${file}: each region's worst input gives the recorded result on this backend, and the oracle's correctly rounded value`, async () => {
      const r = readResult(`${SWEEPS}${file}`);
      expect(r.complete).toBe(true);
      const ctx = (session as Extract<typeof session, { ok: true }>).ctx;
      // the sweep's own implementation (one GegluGpu), compared only on the device the sweep ran on
      const impl = await loadImpl(r.backend, r.fn, r.relaxedSimd === undefined ? 'auto' : r.relaxedSimd ? 'on' : 'off');
      const same = typeof impl !== 'string' && impl.device === r.device;
      for (const region of REGIONS) {
        const w = r.regions[region].worst;
        if (!w) continue;
        const x = Number(w.x);
        expect(ctx.oracle.correctlyRounded(r.fn, x, r.dtype), `${r.fn}(${w.x}) correctly rounded`).toBe(Number(w.expected));
        // the table's gated figure for this backend is the sweep's maximum
        const entry = toleranceFor(ctx.table!, r.backend as 'gpu-webasm', r.fn, r.dtype, region)!;
        expect({ basis: entry.basis, maxSteps: entry.maxSteps }).toEqual({ basis: 'exhaustive', maxSteps: r.regions[region].maxSteps });
        if (!same) continue;
        const out = new Float32Array(1);
        await impl.impl(Float32Array.of(x), out);
        expect(Object.is(out[0], Number(w.got)), `${r.backend} ${r.fn}(${w.x}) = ${out[0]}, the sweep recorded ${w.got}`).toBe(true);
      }
      if (typeof impl !== 'string') await impl.close();
    });
  }
});
