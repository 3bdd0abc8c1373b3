import { accuracySample, accuracyUp, elementwiseInputs, mlpInputs, SAMPLE_COMPOSITION, TIMING_INPUTS, withGradient } from './inputs.js';
import { machineInfo, packageVersions } from './machine.js';
import { loadOracle, measureAccuracy, MLP_ORACLE_MAX_WEIGHTS, References } from './oracle.js';
import type { BenchOptions, BenchReport, Implementation, Prepared, RowResult, Workload, WorkloadInputs } from './types.js';
import { SkipRow } from './types.js';
import { workloads as listWorkloads } from './workloads.js';

/** The rows every ratio column divides by; they run whenever their workload runs. */
export const ORT_REFERENCE = 'ort-node-1t';
export const COPY_REFERENCE = 'copy';

interface LiveRow {
  impl: Implementation;
  result: RowResult;
  prepared?: Prepared;
  target: number;
  times: number[];
}

function median(sorted: readonly number[]): number {
  const n = sorted.length;
  const mid = Math.floor(n / 2);
  return n % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

async function timeOnce(p: Prepared): Promise<number> {
  const t0 = performance.now();
  await p.run();
  return performance.now() - t0;
}

function inputsFor(w: Workload): WorkloadInputs {
  if (w.kind === 'mlp') return mlpInputs(w.mlp!);
  if (w.kind === 'mlp-backward') return withGradient(mlpInputs(w.mlp!));
  if (w.kind === 'geglu-backward') return withGradient(elementwiseInputs(w, true));
  return elementwiseInputs(w, w.kind === 'geglu');
}

function skipped(impl: Implementation, w: Workload, reason: string): RowResult {
  return {
    workload: w.id,
    implementation: impl.id,
    label: impl.label,
    group: impl.group,
    status: 'skipped',
    reason,
  };
}

/**
 * Runs every selected (workload, implementation) pair in this one process.
 * Within a workload the rows are interleaved run by run, so a noisy neighbour
 * slows every row of a repetition alike instead of whichever row was unlucky.
 */
export async function runBench(options: BenchOptions, implementations: readonly Implementation[], command: string): Promise<BenchReport> {
  const log = options.log ?? (() => {});
  const started = Date.now();
  // Versions (and the commit, with whether the tree had uncommitted edits)
  // as the run starts: the code that was measured, whatever is edited meanwhile.
  const versions = await packageVersions();
  const rows: RowResult[] = [];

  const sampleX = accuracySample(options.sampleSize);
  const sampleUp = accuracyUp(options.sampleSize);
  const oracle = await loadOracle();
  const refs = typeof oracle === 'string' ? undefined : new References(oracle, sampleX, sampleUp);
  if (typeof oracle === 'string') log(`accuracy columns skipped: ${oracle}`);

  const selected = (w: Workload, impl: Implementation) => options.only === undefined || options.only.test(`${w.id}/${impl.id}`);

  const all = listWorkloads(options);
  const chosen = all.filter((w) => implementations.some((i) => i.supports(w) && selected(w, i)));
  for (const w of chosen) {
    const impls = implementations.filter((i) => i.supports(w) && (selected(w, i) || i.id === ORT_REFERENCE || i.id === COPY_REFERENCE));
    log(`\n${w.title}: ${impls.map((i) => i.id).join(', ')}`);
    const inputs = inputsFor(w);
    const live: LiveRow[] = [];
    for (const impl of impls) {
      let prepared: Prepared;
      try {
        prepared = await impl.prepare(w, inputs);
      } catch (e) {
        const reason = e instanceof SkipRow ? e.message : `failed to prepare: ${(e as Error).message.split('\n')[0]}`;
        log(`  ${impl.id}: skipped (${reason})`);
        rows.push(skipped(impl, w, reason));
        continue;
      }
      // After prepare, because a row may do less work per run than the workload (the oracle).
      const predicted = predictSeconds(w, prepared.work ?? w.work, impl, rows, all);
      if (predicted !== undefined && predicted.seconds > options.maxRunSeconds) {
        const reason = `one run would take about ${predicted.seconds < 100 ? predicted.seconds.toFixed(1) : predicted.seconds.toFixed(0)} s (extrapolated from ${predicted.from.id}), over the ${options.maxRunSeconds} s limit`;
        log(`  ${impl.id}: skipped (${reason})`);
        await prepared.dispose?.();
        rows.push(skipped(impl, w, reason));
        continue;
      }
      const result: RowResult = {
        workload: w.id,
        implementation: impl.id,
        label: impl.label,
        group: impl.group,
        status: 'ok',
        precision: prepared.precision,
        notes: [...(prepared.notes ?? [])],
        ...(prepared.device !== undefined ? { device: prepared.device } : {}),
      };
      const row: LiveRow = { impl, result, prepared, target: options.repeats, times: [] };
      try {
        let last = 0;
        for (let k = 0; k < options.warmup; k++) {
          last = (await timeOnce(prepared)) / 1000;
          if (last > options.maxRunSeconds) {
            // Too slow to repeat: its one (cold) run is all it gets, and the row says so.
            row.times.push(last * 1000);
            row.target = 1;
            result.notes!.push(`1 cold run only: over the ${options.maxRunSeconds} s per-run limit`);
            break;
          }
        }
        if (row.target > 1 && last * options.repeats > options.rowBudgetSeconds) {
          row.target = Math.max(1, Math.floor(options.rowBudgetSeconds / Math.max(last, 1e-9)));
          result.notes!.push(`${row.target} runs (${options.rowBudgetSeconds} s row budget)`);
        }
      } catch (e) {
        log(`  ${impl.id}: failed in warm-up (${(e as Error).message})`);
        await prepared.dispose?.();
        rows.push(skipped(impl, w, `failed in warm-up: ${(e as Error).message.split('\n')[0]}`));
        continue;
      }
      live.push(row);
    }

    for (let r = 0; r < options.repeats; r++) {
      for (const row of live) {
        if (row.times.length >= row.target || row.prepared === undefined || row.result.status !== 'ok') continue;
        try {
          row.times.push(await timeOnce(row.prepared));
        } catch (e) {
          row.result.status = 'skipped';
          row.result.reason = `failed while timed: ${(e as Error).message.split('\n')[0]}`;
        }
      }
    }

    for (const row of live) {
      const { result, prepared } = row;
      if (prepared !== undefined && result.status === 'ok') {
        const sorted = [...row.times].sort((a, b) => a - b);
        result.runs = sorted.length;
        result.timesMs = row.times;
        result.medianMs = median(sorted);
        result.minMs = sorted[0];
        result.maxMs = sorted[sorted.length - 1];
        result.work = prepared.work ?? w.work;
        const scale = w.unit === 'GFLOP/s' ? 1e9 : 1e6;
        result.throughput = result.work / (result.medianMs! / 1000) / scale;
        await addAccuracy(result, w, inputs, prepared, refs, oracle, sampleX, sampleUp);
        log(
          `  ${row.impl.id}: median ${result.medianMs!.toFixed(3)} ms, ${result.throughput.toPrecision(4)} ${w.unit}` +
            (result.accuracy
              ? `, max ${result.accuracy.maxStepsBody ?? 'NaN'} steps` +
                (result.accuracy.tailNonzero > 0
                  ? ` for x > -3, ${result.accuracy.flushedToZero}/${result.accuracy.tailNonzero} tail flushed`
                  : '')
              : ''),
        );
      }
      try {
        await prepared?.dispose?.();
      } catch {
        // A failed release must not lose the numbers already measured.
      }
      if (result.status === 'skipped') {
        delete result.precision;
        delete result.notes;
      }
      rows.push(result);
    }
  }

  for (const impl of implementations) {
    try {
      await impl.shutdown?.();
    } catch {
      // Same: shutting a runtime down is best effort once the numbers exist.
    }
  }

  // Skipped rows were recorded as they happened; print in registry order instead.
  const order = new Map(implementations.map((impl, i) => [impl.id, i]));
  const workloadOrder = new Map(chosen.map((w, i) => [w.id, i]));
  rows.sort(
    (a, b) =>
      workloadOrder.get(a.workload)! - workloadOrder.get(b.workload)! || order.get(a.implementation)! - order.get(b.implementation)!,
  );
  addRatios(rows);
  return {
    schema: 1,
    command,
    date: new Date(started).toISOString(),
    durationSeconds: Math.round((Date.now() - started) / 100) / 10,
    machine: machineInfo(),
    versions,
    options: {
      quick: options.quick,
      only: options.only?.source ?? null,
      repeats: options.repeats,
      warmup: options.warmup,
      sampleSize: options.sampleSize,
    },
    accuracySample: {
      size: options.sampleSize,
      composition: SAMPLE_COMPOSITION,
      reference:
        typeof oracle === 'string'
          ? `not available: ${oracle}`
          : '@geglu/oracle correctlyRounded (gelu, gelu-tanh) and geglu + roundDecimal, in the row’s precision',
    },
    timingInputs: TIMING_INPUTS,
    workloads: chosen,
    rows,
    implementations: implementations
      .filter((i) => rows.some((r) => r.implementation === i.id))
      .map((i) => {
        const device = rows.find((r) => r.implementation === i.id && r.device !== undefined)?.device;
        return {
          id: i.id,
          label: i.label,
          description: device === undefined ? i.description : `${i.description} Ran on: ${device}.`,
        };
      }),
  };
}

async function addAccuracy(
  result: RowResult,
  w: Workload,
  inputs: WorkloadInputs,
  prepared: Prepared,
  refs: References | undefined,
  oracle: Awaited<ReturnType<typeof loadOracle>>,
  sampleX: Float32Array,
  sampleUp: Float32Array,
): Promise<void> {
  if (prepared.evaluate === undefined) {
    result.accuracy = null;
    result.accuracyNote = prepared.accuracyNote ?? 'not measured';
    return;
  }
  if (refs === undefined || typeof oracle === 'string') {
    result.accuracy = null;
    result.accuracyNote = `no reference: ${oracle as string}`;
    return;
  }
  try {
    const format = prepared.precision;
    if (w.kind === 'mlp') {
      const shape = w.mlp!;
      if (shape.hidden * shape.intermediate > MLP_ORACLE_MAX_WEIGHTS) {
        result.accuracy = null;
        result.accuracyNote = `not measured at this shape (the oracle MLP is measured up to ${MLP_ORACLE_MAX_WEIGHTS} weights per matrix)`;
        return;
      }
      // The first token of the workload's own input, against the oracle's MLP on the same weights.
      const x0 = inputs.x.slice(0, shape.hidden);
      const ref = refs.mlp(w.id, x0, inputs.mlpWeights!, format);
      const got = await prepared.evaluate(x0);
      result.accuracy = measureAccuracy(null, got, ref, format);
      return;
    }
    const ref = w.kind === 'geglu' ? refs.geglu(w.approximate, format) : refs.gelu(w.approximate, format);
    const got = await prepared.evaluate(sampleX, w.kind === 'geglu' ? sampleUp : undefined);
    result.accuracy = measureAccuracy(sampleX, got, ref, format);
  } catch (e) {
    result.accuracy = null;
    result.accuracyNote = (e as Error).message.split('\n')[0];
  }
}

/**
 * A row is skipped up front when its speed on an earlier workload of the same
 * family (same function and variant, another size) says one run here would
 * exceed the limit: the gpu.js cpu backend on the gemma-2-2b MLP, or a
 * correctly rounded f64 path at 2^24 elements, would otherwise take minutes.
 */
function predictSeconds(
  w: Workload,
  work: number,
  impl: Implementation,
  done: readonly RowResult[],
  all: readonly Workload[],
): { seconds: number; from: Workload } | undefined {
  const family = (x: Workload) => `${x.kind === 'gelu-alloc' ? 'gelu' : x.kind}/${x.approximate}`;
  let best: { seconds: number; from: Workload } | undefined;
  for (const o of all) {
    if (o.id === w.id || family(o) !== family(w) || o.unit !== w.unit) continue;
    const r = done.find((d) => d.workload === o.id && d.implementation === impl.id && d.status === 'ok');
    if (r?.throughput === undefined) continue;
    const scale = w.unit === 'GFLOP/s' ? 1e9 : 1e6;
    const seconds = work / (r.throughput * scale);
    if (best === undefined || seconds < best.seconds) best = { seconds, from: o };
  }
  return best;
}

function addRatios(rows: RowResult[]): void {
  for (const r of rows) {
    if (r.status !== 'ok' || r.throughput === undefined) continue;
    const ort = rows.find((o) => o.workload === r.workload && o.implementation === ORT_REFERENCE);
    const copy = rows.find((o) => o.workload === r.workload && o.implementation === COPY_REFERENCE);
    r.vsOrt1t = ort?.throughput !== undefined ? r.throughput / ort.throughput : null;
    r.vsCopy = copy?.throughput !== undefined ? r.throughput / copy.throughput : null;
  }
}
