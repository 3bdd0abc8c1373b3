import { pathToFileURL } from 'node:url';
import {
  formatSteps,
  machineLine,
  markdownTable,
  ratio,
  ratioName,
  ratioSpread,
  roundsAtGoal,
  roundsMethod,
  versionsLine,
} from './render.js';
import { readReport } from './results.js';
import type { BenchReport, RowResult, Workload } from './types.js';

function fmt(v: number): string {
  if (v >= 100) return v.toFixed(0);
  if (v >= 10) return v.toFixed(1);
  return v.toPrecision(2);
}

/** The largest workload of each kind: the column a reader compares. */
function pickColumns(report: BenchReport): Workload[] {
  const pick: Workload[] = [];
  const largest = (pred: (w: Workload) => boolean) => report.workloads.filter(pred).sort((a, b) => b.work - a.work)[0];
  for (const w of [
    largest((w) => w.kind === 'gelu' && w.approximate === 'none'),
    largest((w) => w.kind === 'gelu' && w.approximate === 'tanh'),
    largest((w) => w.kind === 'geglu' && w.inputs !== 'normal'),
    largest((w) => w.kind === 'geglu' && w.inputs === 'normal'),
    ...report.workloads.filter((w) => w.kind === 'mlp'),
    largest((w) => w.kind === 'geglu-backward'),
    ...report.workloads.filter((w) => w.kind === 'mlp-backward'),
  ]) {
    if (w !== undefined) pick.push(w);
  }
  return pick;
}

function cell(r: RowResult | undefined): string {
  if (r === undefined) return '';
  if (r.status !== 'ok' || r.throughput === undefined) return 'skipped';
  return fmt(r.throughput);
}

function accuracyCell(r: RowResult | undefined): string {
  const a = r?.accuracy;
  if (r?.group === 'oracle') return r.status === 'ok' ? 'reference' : '';
  if (a === undefined || a === null) return '';
  const suffix = a.format === 'f64' ? ' (f64)' : '';
  const flushed = a.tailNonzero > 0 ? `; ${a.flushedToZero}/${a.tailNonzero} tail flushed` : '';
  const zeroSign = a.zeroSign ? `; ${a.zeroSign} zero sign` : '';
  return `${formatSteps(a.maxStepsBody, a.nanOutputs)}${suffix}${flushed}${zeroSign}`;
}

/**
 * Renders the README's performance section from a benchmark report (latest.json):
 * one row per implementation, throughput at the largest size of each workload,
 * and accuracy on the gelu tanh sample, stamped with the command and the date.
 */
export function renderReadmeSection(report: BenchReport, options: { resultsPath?: string } = {}): string {
  const resultsPath = options.resultsPath ?? 'tools/bench/results/latest.md';
  const columns = pickColumns(report);
  const accuracyFrom = columns.find((w) => w.kind === 'gelu' && w.approximate === 'tanh');
  const exactFrom = columns.find((w) => w.kind === 'gelu' && w.approximate === 'none');
  const ids = report.implementations.map((i) => i.id);
  const find = (w: Workload | undefined, id: string) =>
    w === undefined ? undefined : report.rows.find((r) => r.workload === w.id && r.implementation === id);
  // Accuracy does not depend on the size (same sample, same code), so a row
  // skipped at the largest size shows what it measured at another.
  const accuracyOf = (w: Workload, id: string) =>
    find(w, id)?.accuracy
      ? find(w, id)
      : (report.rows.find(
          (r) =>
            r.implementation === id &&
            r.accuracy &&
            report.workloads.some((o) => o.id === r.workload && o.kind === w.kind && o.approximate === w.approximate),
        ) ?? find(w, id));
  const mlpFrom = report.workloads.find((w) => w.kind === 'mlp' && report.rows.some((r) => r.workload === w.id && r.accuracy));
  const header = [
    'Implementation',
    ...columns.map((w) => `${w.title} (${w.unit})`),
    ...(exactFrom ? ['Max steps, gelu none'] : []),
    ...(accuracyFrom ? ['Max steps, gelu tanh'] : []),
    ...(mlpFrom ? [`Max steps, MLP ${mlpFrom.id.replace(/^mlp-/, '')}`] : []),
  ];
  const body = ids
    .map((id) => {
      const label = report.rows.find((r) => r.implementation === id)!.label;
      return [
        label,
        ...columns.map((w) => cell(find(w, id))),
        ...(exactFrom ? [accuracyCell(accuracyOf(exactFrom, id))] : []),
        ...(accuracyFrom ? [accuracyCell(accuracyOf(accuracyFrom, id))] : []),
        ...(mlpFrom ? [accuracyCell(find(mlpFrom, id))] : []),
      ];
    })
    .filter((cells) => cells.slice(1).some((c) => c !== '' && c !== 'skipped'));
  const titles = new Map(report.workloads.map((w) => [w.id, w.title]));
  const goals = report.rounds?.ratios.filter((r) => r.goal !== undefined) ?? [];
  const skipped = ids.filter((id) => report.rows.filter((r) => r.implementation === id).every((r) => r.status === 'skipped'));
  const lines = [
    '## Performance',
    '',
    `Measured by \`${report.command}\` — ${machineLine(report)}.` +
      (report.options.quick ? ' **Quick mode: tiny sizes, not for comparison.**' : ''),
    `Throughput is from the median of up to ${report.options.repeats} runs after warm-up, all rows in one process; ` +
      `max steps is the largest distance to the correctly rounded result (0 = correctly rounded) over the ${report.accuracySample.size}-input sample for x > −3, ` +
      'and "tail flushed" counts sample inputs x ≤ −3 whose true result is nonzero but came back as 0; ' +
      '"zero sign", where a row has any, counts results that are a zero of the wrong sign (0 steps away, yet not correctly rounded); ' +
      'for the MLP, over the first token’s outputs. "skipped" means the row could not run there or one run was predicted to exceed the time limit.',
    '',
    markdownTable(
      header,
      body,
      header.map((_, i) => (i === 0 ? 'left' : 'right')),
    ),
    '',
    ...(goals.length > 0
      ? [
          `Issue 19’s goal ratios. ${roundsMethod(report)}; “at goal”: the rounds whose ratio reached the goal.`,
          '',
          markdownTable(
            ['Workload', 'Ratio', 'Goal', 'Min / median / max', 'At goal'],
            goals.map((r) => [
              titles.get(r.workload) ?? r.workload,
              ratioName(report, r),
              `≥ ${ratio(r.goal)}`,
              ratioSpread(r),
              roundsAtGoal(r),
            ]),
            ['left', 'left', 'right', 'right', 'right'],
          ),
          '',
        ]
      : []),
    ...(skipped.length > 0
      ? [
          `Not run on that machine: ${skipped
            .map((id) => {
              const r = report.rows.find((x) => x.implementation === id)!;
              return `${r.label} (${r.reason ?? 'skipped'})`;
            })
            .join('; ')}.`,
          '',
        ]
      : []),
    `Versions: ${versionsLine(report)}. Every row, the min–max spread, the ratios to onnxruntime-node and to a plain copy, and how each peer was run: [${resultsPath}](${resultsPath}).`,
    '',
  ];
  return lines.join('\n');
}

export async function readmeSectionFromFile(jsonPath: string): Promise<string> {
  return renderReadmeSection(await readReport(jsonPath));
}

// `node dist/readme-section.js [latest.json]` prints the section for splicing into the root README.
if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const file = process.argv[2] ?? new URL('../results/latest.json', import.meta.url).pathname;
  readmeSectionFromFile(file).then(
    (text) => process.stdout.write(text),
    (e: unknown) => {
      process.stderr.write(`${(e as Error).message}\n`);
      process.exit(1);
    },
  );
}
