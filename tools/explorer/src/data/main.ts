/**
 * The explorer's data step (run by `build` before Vite): scores every backend the benchmark
 * knows on the benchmark's accuracy sample against @geglu/oracle, ships the oracle's correctly
 * rounded float32 results for the page's "Your device" section, summarises the committed
 * exhaustive sweeps (packages/verify/sweeps), and finds the largest gap between the two GELUs.
 * Writes public/data/explorer.json, which Vite copies into dist/.
 */
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { compareResult, f32ToBits } from '@geglu/float';
import * as oracle from '@geglu/oracle';
import { accuracySample, lazyInputs, SAMPLE_COMPOSITION } from '@geglu/tool-bench/dist/inputs.js';
import { References } from '@geglu/tool-bench/dist/oracle.js';
import { baseImplementations } from '@geglu/tool-bench/dist/registry.js';
import type { Implementation, Workload } from '@geglu/tool-bench/dist/types.js';
import type { ExplorerData, ScoredBackend, ScoredRun, SweepSummary } from './format.js';

/** The benchmark's own sample size (tools/bench's default), so the page and the bench table score the same inputs. */
const SAMPLE_SIZE = 3000;
/** Rows that give no new error curve: the floor, the oracle itself, and the same code on more threads or arrays. */
const LEFT_OUT = new Set(['copy', 'oracle', 'kernel-f32-arrays', 'kernel-f32-2t', 'ort-node-2t', 'ort-web-2t']);
/** A backend that cannot start within this is reported as skipped (a GPU runtime that hangs must not stall the build). */
const PREPARE_MS = 20_000;

const here = dirname(fileURLToPath(import.meta.url));
const packageDir = join(here, '..', '..');

function withTimeout<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} took over ${ms / 1000} s`)), ms);
  });
  return Promise.race([p, late]).finally(() => clearTimeout(timer));
}

function score(got: Float32Array | Float64Array, want: Float64Array, format: 'f32' | 'f64'): ScoredRun {
  const steps: number[] = [];
  const zeroSign: number[] = [];
  let maxSteps: number | null = 0;
  for (let i = 0; i < want.length; i++) {
    const c = compareResult(got[i]!, want[i]!, format);
    const s = Number.isFinite(c.steps) ? c.steps : -1;
    steps.push(s);
    if (c.zeroSign) zeroSign.push(i);
    if (s === -1) maxSteps = null;
    else if (maxSteps !== null && s > maxSteps) maxSteps = s;
  }
  return { steps, zeroSign, maxSteps };
}

async function scoreBackend(impl: Implementation, x: Float32Array, refs: References): Promise<ScoredBackend> {
  const row: ScoredBackend = { id: impl.id, label: impl.label, description: impl.description, precision: 'f32', device: null, runs: {} };
  for (const approximate of ['none', 'tanh'] as const) {
    const w: Workload = {
      id: `explorer-gelu-${approximate}`,
      title: `gelu ${approximate}`,
      kind: 'gelu',
      approximate,
      elements: x.length,
      unit: 'Melem/s',
      work: x.length,
    };
    if (!impl.supports(w)) {
      row.runs[approximate] = { skipped: `${impl.label} has no gelu ${approximate}` };
      continue;
    }
    try {
      const prepared = await withTimeout(
        impl.prepare(w, lazyInputs(x, undefined, new Float32Array(x.length))),
        PREPARE_MS,
        `${impl.id} start-up`,
      );
      try {
        row.precision = prepared.precision;
        row.device = prepared.device ?? row.device;
        if (prepared.evaluate === undefined) {
          row.runs[approximate] = { skipped: prepared.accuracyNote ?? 'accuracy not measured for this row' };
          continue;
        }
        const got = await withTimeout(prepared.evaluate(x), PREPARE_MS, `${impl.id} evaluation`);
        row.runs[approximate] = score(got, refs.gelu(approximate, prepared.precision), prepared.precision);
      } finally {
        await prepared.dispose?.();
      }
    } catch (e) {
      row.runs[approximate] = { skipped: (e as Error).message.split('\n')[0]! };
    }
  }
  return row;
}

/**
 * Outputs of implementations that cannot run here (PyTorch: CI has none), recorded on this same
 * sample by a script in ../../scripts and committed under ../../recorded. A recording made on
 * another sample is reported as skipped, naming the script that remakes it.
 */
function recorded(x: Float32Array, refs: References): ScoredBackend[] {
  const dir = join(packageDir, 'recorded');
  const xBits = Array.from(x, (v) => f32ToBits(v));
  return readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    .sort()
    .map((file) => {
      const r = JSON.parse(readFileSync(join(dir, file), 'utf8')) as RecordedBackend;
      const row: ScoredBackend = { id: r.id, label: r.label, description: r.description, precision: 'f32', device: r.device, runs: {} };
      const same = r.sample.xBits.length === xBits.length && r.sample.xBits.every((b, i) => b === xBits[i]);
      for (const approximate of ['none', 'tanh'] as const) {
        const bits = r.outputs[approximate];
        if (!same)
          row.runs[approximate] = {
            skipped: `recorded/${file} was made on another sample; rerun tools/explorer/scripts/record_pytorch.py`,
          };
        else if (bits === undefined) row.runs[approximate] = { skipped: `recorded/${file} has no gelu ${approximate}` };
        else row.runs[approximate] = score(new Float32Array(new Uint32Array(bits).buffer), refs.gelu(approximate, 'f32'), 'f32');
      }
      return row;
    });
}

/** A file under ../../recorded (see record_pytorch.py). */
interface RecordedBackend {
  id: string;
  label: string;
  description: string;
  device: string;
  sample: { composition: string; xBits: number[] };
  outputs: Partial<Record<'none' | 'tanh', number[]>>;
}

function sweeps(): SweepSummary[] {
  const verifyDir = dirname(createRequire(import.meta.url).resolve('@geglu/verify/package.json'));
  const dir = join(verifyDir, 'sweeps');
  return readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    .sort()
    .map((file) => {
      const r = JSON.parse(readFileSync(join(dir, file), 'utf8'));
      const regions: SweepSummary['regions'] = {};
      for (const [name, g] of Object.entries(r.regions as Record<string, { checked: number; mismatches: number; maxSteps: number }>)) {
        regions[name] = { checked: g.checked, mismatches: g.mismatches, maxSteps: g.maxSteps };
      }
      return {
        file: `packages/verify/sweeps/${file}`,
        backend: r.backend,
        fn: r.fn,
        dtype: r.dtype,
        impl: r.impl,
        device: r.device,
        complete: r.complete,
        checked: r.checked,
        mismatches: r.mismatches,
        zeroSign: r.zeroSign,
        maxSteps: Math.max(...Object.values(regions).map((g) => g.maxSteps)),
        regions,
      };
    });
}

/**
 * The largest |gelu tanh(x) − gelu(x)| for x > 0, from the oracle's values at `digits` digits:
 * a scan on a 0.005 grid over (0, 8] (the gap is below 1e-12 beyond), then a golden-section
 * search in the grid cell on each side of the best point.
 */
function peakGap(digits: number): ExplorerData['peak'] {
  const gap = (x: number) =>
    Math.abs(
      oracle
        .evaluate('gelu-tanh', x, { digits })
        .value.minus(oracle.evaluate('gelu', x, { digits }).value)
        .toNumber(),
    );
  let best = 0.005;
  for (let x = 0.005; x <= 8; x += 0.005) if (gap(x) > gap(best)) best = x;
  let [a, b] = [best - 0.005, best + 0.005];
  const phi = (Math.sqrt(5) - 1) / 2;
  while (b - a > 1e-12) {
    const c = b - phi * (b - a);
    const d = a + phi * (b - a);
    if (gap(c) > gap(d)) b = d;
    else a = c;
  }
  const x = (a + b) / 2;
  return {
    x,
    difference: oracle
      .evaluate('gelu-tanh', x, { digits })
      .value.minus(oracle.evaluate('gelu', x, { digits }).value)
      .toNumber(),
    digits,
  };
}

async function main(): Promise<void> {
  const started = performance.now();
  const x = accuracySample(SAMPLE_SIZE);
  const refs = new References(oracle, x, new Float32Array(x.length));
  const bits = (a: ArrayLike<number>) => Array.from(a, (v) => f32ToBits(v));
  const backends: ScoredBackend[] = [];
  const impls = baseImplementations({ oracleElements: 0 }).filter((i) => !LEFT_OUT.has(i.id) && i.backward !== true);
  for (const impl of impls) {
    backends.push(await scoreBackend(impl, x, refs));
    const runs = Object.entries(backends.at(-1)!.runs).map(
      ([a, r]) => `${a}: ${'skipped' in r ? `skipped (${r.skipped})` : `max ${r.maxSteps ?? 'NaN'} steps`}`,
    );
    console.log(`explorer data: ${impl.id}: ${runs.join(', ')}`);
  }
  for (const impl of impls) await impl.shutdown?.();
  for (const row of recorded(x, refs)) {
    backends.push(row);
    const runs = Object.entries(row.runs).map(
      ([a, r]) => `${a}: ${'skipped' in r ? `skipped (${r.skipped})` : `max ${r.maxSteps ?? 'NaN'} steps`}`,
    );
    console.log(`explorer data: ${row.id} (recorded): ${runs.join(', ')}`);
  }
  const data: ExplorerData = {
    peak: peakGap(30),
    sample: {
      composition: SAMPLE_COMPOSITION,
      xBits: bits(x),
      reference: { none: bits(refs.gelu('none', 'f32')), tanh: bits(refs.gelu('tanh', 'f32')) },
    },
    backends,
    sweeps: sweeps(),
  };
  const out = join(packageDir, 'public', 'data');
  mkdirSync(out, { recursive: true });
  writeFileSync(join(out, 'explorer.json'), JSON.stringify(data));
  console.log(
    `explorer data: ${backends.length} backends, ${data.sweeps.length} sweeps, peak |tanh − exact| ${data.peak.difference.toPrecision(4)} at x = ±${data.peak.x.toFixed(4)}; ${((performance.now() - started) / 1000).toFixed(1)} s`,
  );
}

await main();
// GPU runtimes and worker pools may hold the event loop open once done
process.exit(0);
