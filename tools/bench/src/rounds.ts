/**
 * Issue 19's speed goals are ratios that swing between runs on a shared 2-core machine (the
 * other process's load, what else sits in the caches), so one run's ratio says little. The
 * rounds re-run only the rows those ratios divide, several times after the table: in each round,
 * each such workload is prepared afresh and its rows timed interleaved run by run (as in the
 * table), so every ratio is taken side by side within one round; the rows' order rotates from
 * round to round, and every other round it is reversed, so that no row is always first nor always
 * runs right after the same row (roundOrder). Each ratio is then reported as min / median / max
 * over the rounds.
 */
import { inputsFor } from './inputs.js';
import { measureWorkload, median, ORT_REFERENCE } from './measure.js';
import type { BenchOptions, Implementation, RoundRatio, RoundRatioSpec, RoundRun, RoundsReport, Workload } from './types.js';

export const MATH_TANH = 'math-tanh';
export const KERNEL_F32 = 'kernel-f32';
export const KERNEL_ARRAYS = 'kernel-f32-arrays';
export const KERNEL_MLP_2T = 'kernel-f32-2t';
export const ORT_2T = 'ort-node-2t';
export const WASM_CEILING = 'wasm-ceiling';
export const WASM_CEILING_2T = 'wasm-ceiling-2t';

/**
 * Issue 19's goals (ordinary Float32Arrays, preallocated output, this 2-core machine): the
 * kernel's ratio to the reference must be at least `goal`. The row's variants on the other
 * multiply-add paths (`<row>@…`) are held to the same goal: they run in child processes, and only
 * on workloads whose runs last tens of milliseconds (the 2^24-element gelu arrays, the MLP), where a
 * child's wake-up is small beside a run (../impl/geglu.ts VARIANT_MIN_ELEMENTS).
 */
export const GOALS: readonly Required<RoundRatioSpec>[] = [
  { workload: 'gelu-none-2^20', row: KERNEL_F32, reference: ORT_REFERENCE, goal: 0.8 },
  { workload: 'gelu-none-2^24', row: KERNEL_F32, reference: ORT_REFERENCE, goal: 1 },
  { workload: 'gelu-tanh-2^20', row: KERNEL_F32, reference: ORT_REFERENCE, goal: 1 },
  { workload: 'gelu-tanh-2^24', row: KERNEL_F32, reference: ORT_REFERENCE, goal: 1 },
  { workload: 'gelu-tanh-2^20', row: KERNEL_F32, reference: MATH_TANH, goal: 10 },
  { workload: 'gelu-tanh-2^24', row: KERNEL_F32, reference: MATH_TANH, goal: 10 },
  { workload: 'mlp-gemma-2-2b', row: KERNEL_MLP_2T, reference: ORT_2T, goal: 0.5 },
];

/**
 * The ratios the rounds take: on every gelu workload (into a preallocated output), the kernel on
 * ordinary arrays (and its relaxed-SIMD variants, `kernel-f32@…`) and on kernel arrays ÷
 * onnxruntime-node with 1 thread, and for the tanh form the kernel on ordinary arrays (and its
 * variants) ÷ the Math.tanh loop; on the MLP workload with the most work, the kernel's 2-thread
 * engine and its relaxed-SIMD variants (`kernel-f32-2t@…`) ÷ onnxruntime-node with 2 threads,
 * and one thread's WebAssembly ceiling (`wasm-ceiling` and its variants, ./impl/ceiling.ts) ÷
 * onnxruntime-node with 1 thread, two threads' (`wasm-ceiling-2t`, and variants) ÷ with 2 threads:
 * what 128-bit vectors leave at most.
 * A pair is kept when both rows exist and support the workload and `only` (if given) matches
 * "<workload>/<row>"; GOALS supplies the goal where it names the pair.
 */
export function roundRatios(workloads: readonly Workload[], implementations: readonly Implementation[], only?: RegExp): RoundRatioSpec[] {
  const runs = (id: string, w: Workload) => implementations.some((i) => i.id === id && i.supports(w));
  const pairs: RoundRatioSpec[] = [];
  const add = (w: Workload, row: string, reference: string) => {
    if (!runs(row, w) || !runs(reference, w)) return;
    if (only !== undefined && !only.test(`${w.id}/${row}`)) return;
    // A row's variants on the other multiply-add paths (`<row>@…`) are held to the row's goal.
    const goal = GOALS.find(
      (g) => g.workload === w.id && (g.row === row || row.startsWith(`${g.row}@`)) && g.reference === reference,
    )?.goal;
    pairs.push({ workload: w.id, row, reference, ...(goal !== undefined ? { goal } : {}) });
  };
  const variants = (id: string) => implementations.filter((x) => x.id === id || x.id.startsWith(`${id}@`)).map((x) => x.id);
  for (const w of workloads.filter((x) => x.kind === 'gelu')) {
    for (const row of variants(KERNEL_F32)) add(w, row, ORT_REFERENCE);
    add(w, KERNEL_ARRAYS, ORT_REFERENCE);
    if (w.approximate === 'tanh') for (const row of variants(KERNEL_F32)) add(w, row, MATH_TANH);
  }
  const mlp = workloads.filter((x) => x.kind === 'mlp').sort((a, b) => b.work - a.work)[0];
  if (mlp !== undefined) {
    for (const row of variants(KERNEL_MLP_2T)) add(mlp, row, ORT_2T);
    for (const row of variants(WASM_CEILING)) add(mlp, row, ORT_REFERENCE);
    for (const row of variants(WASM_CEILING_2T)) add(mlp, row, ORT_2T);
  }
  return pairs;
}

/**
 * The order of a workload's rows in round `round` (from 1): odd rounds take the rows in order,
 * even rounds reversed, each rotated by ⌊(round − 1)/2⌋ places. Rotation alone would keep each
 * row right after the same row in the cycle of runs (the row timed after one that leaves the
 * kernel's worker threads asleep would always have to wake them); reversed, each row has the
 * other neighbour.
 */
export function roundOrder<T>(ids: readonly T[], round: number): T[] {
  const base = round % 2 === 0 ? [...ids].reverse() : [...ids];
  const shift = Math.floor((round - 1) / 2);
  return base.map((_, i) => base[(i + shift) % base.length]!);
}

/** Min, median and max of the rounds where the ratio was measured. */
export function summarize(spec: RoundRatioSpec, perRound: (number | null)[]): RoundRatio {
  const measured = perRound.filter((v): v is number => v !== null).sort((a, b) => a - b);
  if (measured.length === 0) return { ...spec, perRound };
  return { ...spec, perRound, min: measured[0]!, median: median(measured), max: measured[measured.length - 1]! };
}

/** The ratios of `specs` from the rounds' throughputs, one entry per round in round order. */
export function ratiosFromRuns(specs: readonly RoundRatioSpec[], runs: readonly RoundRun[], count: number): RoundRatio[] {
  return specs.map((spec) => {
    const perRound: (number | null)[] = [];
    for (let round = 1; round <= count; round++) {
      const run = runs.find((r) => r.round === round && r.workload === spec.workload);
      const a = run?.throughput[spec.row];
      const b = run?.throughput[spec.reference];
      perRound.push(a != null && b != null ? a / b : null);
    }
    return summarize(spec, perRound);
  });
}

/**
 * Runs options.rounds rounds of the rows the selected ratios divide; undefined when no ratio is
 * selected (`--only` matched none of their rows).
 */
export async function runRounds(
  options: BenchOptions,
  implementations: readonly Implementation[],
  workloads: readonly Workload[],
  log: (line: string) => void,
): Promise<RoundsReport | undefined> {
  const specs = roundRatios(workloads, implementations, options.only);
  if (specs.length === 0) return undefined;
  const order = new Map(implementations.map((impl, i) => [impl.id, i]));
  const chosen = workloads.filter((w) => specs.some((s) => s.workload === w.id));
  const runs: RoundRun[] = [];
  log(`\n${options.rounds} rounds of the goal ratios' rows: ${chosen.map((w) => w.id).join(', ')}`);
  for (let round = 1; round <= options.rounds; round++) {
    for (const w of chosen) {
      const ids = [...new Set(specs.filter((s) => s.workload === w.id).flatMap((s) => [s.row, s.reference]))];
      ids.sort((a, b) => order.get(a)! - order.get(b)!);
      const rotated = roundOrder(ids, round);
      const impls = rotated.map((id) => implementations.find((i) => i.id === id)!);
      const results = await measureWorkload(w, impls, inputsFor(w), options, log);
      const run: RoundRun = { round, workload: w.id, order: rotated, throughput: {} };
      for (const r of results) {
        run.throughput[r.implementation] = r.status === 'ok' ? r.throughput! : null;
        if (r.status !== 'ok') (run.skipped ??= {})[r.implementation] = r.reason ?? 'skipped';
      }
      runs.push(run);
      log(
        `round ${round}/${options.rounds}, ${w.id}: ` +
          rotated.map((id) => `${id} ${run.throughput[id]?.toPrecision(4) ?? 'skipped'}`).join(', ') +
          ` ${w.unit}`,
      );
    }
  }
  const labels: Record<string, string> = {};
  for (const s of specs) {
    for (const id of [s.row, s.reference]) labels[id] = implementations.find((i) => i.id === id)!.label;
  }
  return { count: options.rounds, ratios: ratiosFromRuns(specs, runs, options.rounds), runs, labels };
}
