import { accuracySample, accuracyUp, inputsFor, SAMPLE_COMPOSITION, TIMING_INPUTS } from './inputs.js';
import { machineInfo, packageVersions } from './machine.js';
import { loadOracle, measureAccuracy, MLP_ORACLE_MAX_WEIGHTS, References } from './oracle.js';
import { COPY_REFERENCE, measureWorkload, ORT_REFERENCE } from './measure.js';
import { runRounds } from './rounds.js';
import type { BenchOptions, BenchReport, Implementation, Prepared, RowResult, Workload, WorkloadInputs } from './types.js';
import { workloads as listWorkloads } from './workloads.js';

export { COPY_REFERENCE, ORT_REFERENCE } from './measure.js';

/**
 * Runs every selected (workload, implementation) pair in this one process, rows
 * interleaved run by run within each workload (./measure.ts), then the rounds of
 * the goal ratios' rows (./rounds.ts) when options.rounds > 0.
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
    const measured = await measureWorkload(w, impls, inputs, options, log, {
      predict: (impl, work) => predictSeconds(w, work, impl, rows, all),
      afterTiming: async (result, prepared) => {
        await addAccuracy(result, w, inputs, prepared, refs, oracle, sampleX, sampleUp);
        log(
          `  ${result.implementation}: median ${result.medianMs!.toFixed(3)} ms, ${result.throughput!.toPrecision(4)} ${w.unit}` +
            (result.accuracy
              ? `, max ${result.accuracy.maxStepsBody ?? 'NaN'} steps` +
                (result.accuracy.tailNonzero > 0
                  ? ` for x > -3, ${result.accuracy.flushedToZero}/${result.accuracy.tailNonzero} tail flushed`
                  : '')
              : ''),
        );
      },
    });
    rows.push(...measured);
  }

  const rounds = options.rounds > 0 ? await runRounds(options, implementations, all, log) : undefined;

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
      rounds: rounds === undefined ? 0 : options.rounds,
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
    ...(rounds !== undefined ? { rounds } : {}),
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
