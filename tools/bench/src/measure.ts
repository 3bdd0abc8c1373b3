import type { BenchOptions, Implementation, Prepared, RowResult, Workload, WorkloadInputs } from './types.js';
import { SkipRow } from './types.js';

/** The rows every ratio column divides by; they run whenever their workload runs. */
export const ORT_REFERENCE = 'ort-node-1t';
export const COPY_REFERENCE = 'copy';

/** The median of an ascending array (the mean of the middle two for an even length). */
export function median(sorted: readonly number[]): number {
  const n = sorted.length;
  const mid = Math.floor(n / 2);
  return n % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

async function timeOnce(p: Prepared): Promise<number> {
  if (p.timedRun !== undefined) return p.timedRun();
  const t0 = performance.now();
  await p.run();
  return performance.now() - t0;
}

export function skipped(impl: Implementation, w: Workload, reason: string): RowResult {
  return {
    workload: w.id,
    implementation: impl.id,
    label: impl.label,
    group: impl.group,
    status: 'skipped',
    reason,
  };
}

interface LiveRow {
  impl: Implementation;
  result: RowResult;
  prepared: Prepared;
  target: number;
  times: number[];
}

export interface MeasureHooks {
  /** Seconds one run of `impl` would take, from its speed elsewhere; over maxRunSeconds skips the row. */
  predict?(impl: Implementation, work: number): { seconds: number; from: Workload } | undefined;
  /** Called for each timed row before its runtime is released (the accuracy columns). */
  afterTiming?(result: RowResult, prepared: Prepared): Promise<void>;
}

/**
 * Prepares `impls` on one workload in the order given, warms each up, then times them
 * interleaved run by run, so a noisy neighbour slows every row of a repetition alike instead of
 * whichever row was unlucky. Returns one result per row (timed or skipped with the reason), each
 * row's runtime released.
 */
export async function measureWorkload(
  w: Workload,
  impls: readonly Implementation[],
  inputs: WorkloadInputs,
  options: BenchOptions,
  log: (line: string) => void,
  hooks: MeasureHooks = {},
): Promise<RowResult[]> {
  const done: RowResult[] = [];
  const live: LiveRow[] = [];
  for (const impl of impls) {
    let prepared: Prepared;
    try {
      prepared = await impl.prepare(w, inputs);
    } catch (e) {
      const reason = e instanceof SkipRow ? e.message : `failed to prepare: ${(e as Error).message.split('\n')[0]}`;
      log(`  ${impl.id}: skipped (${reason})`);
      done.push(skipped(impl, w, reason));
      continue;
    }
    // After prepare, because a row may do less work per run than the workload (the oracle).
    const predicted = hooks.predict?.(impl, prepared.work ?? w.work);
    if (predicted !== undefined && predicted.seconds > options.maxRunSeconds) {
      const reason = `one run would take about ${predicted.seconds < 100 ? predicted.seconds.toFixed(1) : predicted.seconds.toFixed(0)} s (extrapolated from ${predicted.from.id}), over the ${options.maxRunSeconds} s limit`;
      log(`  ${impl.id}: skipped (${reason})`);
      await prepared.dispose?.();
      done.push(skipped(impl, w, reason));
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
      done.push(skipped(impl, w, `failed in warm-up: ${(e as Error).message.split('\n')[0]}`));
      continue;
    }
    live.push(row);
  }

  for (let r = 0; r < options.repeats; r++) {
    for (const row of live) {
      if (row.times.length >= row.target || row.result.status !== 'ok') continue;
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
    if (result.status === 'ok') {
      const sorted = [...row.times].sort((a, b) => a - b);
      result.runs = sorted.length;
      result.timesMs = row.times;
      result.medianMs = median(sorted);
      result.minMs = sorted[0];
      result.maxMs = sorted[sorted.length - 1];
      result.work = prepared.work ?? w.work;
      const scale = w.unit === 'GFLOP/s' ? 1e9 : 1e6;
      result.throughput = result.work / (result.medianMs! / 1000) / scale;
      await hooks.afterTiming?.(result, prepared);
    }
    try {
      await prepared.dispose?.();
    } catch {
      // A failed release must not lose the numbers already measured.
    }
    if (result.status === 'skipped') {
      delete result.precision;
      delete result.notes;
    }
    done.push(result);
  }
  return done;
}
