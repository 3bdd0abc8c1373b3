import { median } from './measure.js';
import type { BenchReport, RoundRatio, RowResult } from './types.js';

function sig(v: number, digits: number): string {
  if (!Number.isFinite(v)) return String(v);
  if (v === 0) return '0';
  const magnitude = Math.floor(Math.log10(Math.abs(v)));
  const decimals = Math.max(0, digits - 1 - magnitude);
  return v.toFixed(Math.min(decimals, 6));
}

export function ratio(v: number | null | undefined): string {
  if (v === null || v === undefined) return '—';
  return `${sig(v, 3)}×`;
}

function escapeCell(text: string): string {
  return text.replace(/\|/g, '\\|').replace(/\n/g, ' ');
}

/** Step counts reach ~2e9 when a tiny result is flushed; keep the cell short. */
export function formatSteps(steps: number | null, nan: number): string {
  if (steps === null) return `NaN on ${nan}`;
  return steps < 1e5 ? String(steps) : steps.toExponential(1).replace('e+', 'e');
}

function accuracyCells(r: RowResult): [string, string, string, string] {
  if (r.group === 'oracle') return ['reference', 'reference', '—', '—'];
  const a = r.accuracy;
  if (a === undefined || a === null) return ['—', '—', '—', '—'];
  const suffix = a.format === 'f64' ? ' (f64)' : '';
  return [
    `${formatSteps(a.maxStepsBody, a.nanOutputs)}${suffix}`,
    `${formatSteps(a.maxStepsTail, a.nanOutputs)}${suffix}`,
    a.tailNonzero === 0 ? '—' : `${a.flushedToZero} / ${a.tailNonzero}`,
    a.zeroSign === undefined ? '—' : String(a.zeroSign),
  ];
}

export const TABLE_HEADER = [
  'Workload',
  'Implementation',
  'Prec.',
  'Median ms',
  'Min–max ms',
  'Runs',
  'Throughput',
  '× ORT 1t',
  '× copy',
  'Max steps x > −3',
  'Max steps x ≤ −3',
  'Tail flushed',
  'Zero sign',
  'Notes',
];

export function tableRows(report: BenchReport): string[][] {
  const titles = new Map(report.workloads.map((w) => [w.id, w]));
  return report.rows.map((r) => {
    const w = titles.get(r.workload);
    const title = w?.title ?? r.workload;
    if (r.status === 'skipped') {
      return [title, r.label, ...TABLE_HEADER.slice(2, -1).map(() => '—'), `skipped: ${r.reason ?? ''}`];
    }
    const [body, tail, flushed, zeroSign] = accuracyCells(r);
    const notes = [...(r.notes ?? [])];
    if (r.accuracy === null && r.accuracyNote !== undefined && (r.group === 'geglu' || r.group === 'peer')) {
      notes.push(`accuracy: ${r.accuracyNote}`);
    }
    return [
      title,
      r.label,
      r.precision ?? '—',
      sig(r.medianMs!, 3),
      `${sig(r.minMs!, 3)}–${sig(r.maxMs!, 3)}`,
      String(r.runs),
      `${sig(r.throughput!, 3)} ${w?.unit ?? ''}`.trim(),
      ratio(r.vsOrt1t),
      ratio(r.vsCopy),
      body,
      tail,
      flushed,
      zeroSign,
      notes.join('; '),
    ];
  });
}

export function markdownTable(
  header: readonly string[],
  rows: readonly (readonly string[])[],
  alignment?: readonly ('left' | 'right')[],
): string {
  const line = (cells: readonly string[]) => `| ${cells.map(escapeCell).join(' | ')} |`;
  const align = header.map((h, i) => {
    const right = alignment ? alignment[i] === 'right' : /ms|Runs|Throughput|×|steps|flushed/.test(h);
    return right ? '---:' : '---';
  });
  return [line(header), `|${align.join('|')}|`, ...rows.map(line)].join('\n');
}

export function machineLine(report: BenchReport): string {
  const m = report.machine;
  const simd = m.simd !== undefined && m.simd.length > 0 ? ` (${m.simd.join(' ')})` : '';
  return `${m.cpu}${simd}, ${m.cores} cores, ${m.memoryGiB} GiB, ${m.platform} (${m.arch}), Node ${m.node}`;
}

/**
 * The versions of everything measured, for the markdown: the geglu commit stays in latest.json
 * only (a results file's own commit in git says when it was measured; the prose states the
 * current fact once).
 */
export function versionsLine(report: BenchReport): string {
  return Object.entries(report.versions)
    .filter(([k]) => k !== 'geglu commit')
    .map(([k, v]) => `${k} ${v}`)
    .join(', ');
}

/** "row ÷ reference", in labels. */
export function ratioName(report: BenchReport, r: RoundRatio): string {
  const label = (id: string) => report.rounds?.labels[id] ?? id;
  return `${label(r.row)} ÷ ${label(r.reference)}`;
}

/** A ratio's min, median and max over the rounds: "0.45× / 0.80× / 1.25×", or "—" when no round measured it. */
export function ratioSpread(r: RoundRatio): string {
  return r.median === undefined ? '—' : `${ratio(r.min)} / ${ratio(r.median)} / ${ratio(r.max)}`;
}

/** "3 / 5": in how many of the rounds that measured it the ratio reached its goal. */
export function roundsAtGoal(r: RoundRatio): string {
  if (r.goal === undefined) return '—';
  const measured = r.perRound.filter((v): v is number => v !== null);
  return `${measured.filter((v) => v >= r.goal!).length} / ${measured.length}`;
}

/** How the rounds ran, in one sentence (latest.md and the READMEs say the same). */
export function roundsMethod(report: BenchReport): string {
  const n = report.rounds!.count;
  return (
    `After the table, only the rows of issue 19’s goal ratios ran ${n} more round${n === 1 ? '' : 's'}: in each round each of their workloads was prepared afresh ` +
    `and its rows timed interleaved run by run (median of up to ${report.options.repeats} runs each), the rows’ order rotated from round to round and reversed every other round, ` +
    'so each ratio is taken side by side within one round; min / median / max over the rounds'
  );
}

function roundsSection(report: BenchReport): string[] {
  const rounds = report.rounds;
  if (rounds === undefined) return [];
  const titles = new Map(report.workloads.map((w) => [w.id, w]));
  // A row that skipped in every round (a Node 22 variant without GEGLU_NODE22) is only listed with its reason.
  const ranOnce = (workload: string, id: string) => rounds.runs.some((r) => r.workload === workload && r.throughput[id] != null);
  const ratios = rounds.ratios
    .filter((r) => ranOnce(r.workload, r.row) && ranOnce(r.workload, r.reference))
    .map((r) => [
      titles.get(r.workload)?.title ?? r.workload,
      ratioName(report, r),
      r.goal === undefined ? '—' : `≥ ${ratio(r.goal)}`,
      ratio(r.min),
      ratio(r.median),
      ratio(r.max),
      roundsAtGoal(r),
      r.perRound.map((v) => (v === null ? 'skipped' : ratio(v))).join(', '),
    ]);
  const throughputs: string[][] = [];
  for (const w of report.workloads) {
    const runs = rounds.runs.filter((r) => r.workload === w.id);
    const ids = [...new Set(runs.flatMap((r) => r.order))].filter((id) => ranOnce(w.id, id));
    for (const id of ids) {
      const per = runs.map((r) => r.throughput[id] ?? null);
      const got = per.filter((v): v is number => v !== null).sort((a, b) => a - b);
      throughputs.push([
        w.title,
        rounds.labels[id] ?? id,
        `${sig(got[0]!, 3)} / ${sig(median(got), 3)} / ${sig(got[got.length - 1]!, 3)} ${w.unit}`,
        per.map((v) => (v === null ? 'skipped' : sig(v, 3))).join(', '),
      ]);
    }
  }
  // Each (workload, row, reason) once, with the rounds it held in.
  const skips = new Map<string, number[]>();
  for (const r of rounds.runs) {
    for (const [id, why] of Object.entries(r.skipped ?? {})) {
      const key = `${r.workload}, ${rounds.labels[id] ?? id}: ${why}`;
      skips.set(key, [...(skips.get(key) ?? []), r.round]);
    }
  }
  const skipLines = [...skips].map(([key, at]) => `${key} (${at.length === rounds.count ? 'every round' : `round ${at.join(', ')}`})`);
  return [
    `## Ratios over ${rounds.count} rounds`,
    '',
    `${roundsMethod(report)}. “At goal”: the rounds whose ratio reached the goal.`,
    '',
    markdownTable(['Workload', 'Ratio', 'Goal', 'Min', 'Median', 'Max', 'At goal', 'Per round'], ratios, [
      'left',
      'left',
      'right',
      'right',
      'right',
      'right',
      'right',
      'left',
    ]),
    '',
    'The rows’ own throughput in those rounds (min / median / max, then per round):',
    '',
    markdownTable(['Workload', 'Implementation', 'Min / median / max', 'Per round'], throughputs, ['left', 'left', 'right', 'left']),
    '',
    ...(skipLines.length > 0 ? [`Skipped in the rounds: ${skipLines.join('; ')}.`, ''] : []),
  ];
}

/** The full results file: provenance, the one table, the rounds' ratios, and what each row means. */
export function renderMarkdown(report: BenchReport): string {
  const lines = [
    '# geglu benchmark',
    '',
    `Produced by \`${report.command}\` on ${report.date} (${report.durationSeconds} s).`,
    '',
    `- Machine: ${machineLine(report)}`,
    `- Versions: ${versionsLine(report)}`,
    `- Runs: ${report.options.warmup} warm-up, then up to ${report.options.repeats} timed runs per row, rows interleaved run by run within each workload, all in one process${report.options.quick ? ' (**--quick**: small sizes, few runs; not for comparison)' : ''}${report.options.only ? `; \`--only ${report.options.only}\`` : ''}.`,
    '',
    markdownTable(TABLE_HEADER, tableRows(report)),
    '',
    ...roundsSection(report),
    '## Columns',
    '',
    '- Median and min–max wall time per run; throughput from the median (elements per second, or for the MLP 2·T·d·f·3 flops per second).',
    '- × ORT 1t: throughput divided by onnxruntime-node’s with one thread on the same workload (> 1 is faster). × copy: divided by the typed-array copy’s, the bandwidth floor.',
    `- Max steps: the largest number of representable values between the row’s output and the correctly rounded result (0 = correctly rounded), over an accuracy sample of ${report.accuracySample.size} inputs evaluated by the same implementation, split at x = −3 because one flushed tail value is ~10^9 steps from its tiny true result. Reference: ${report.accuracySample.reference}.`,
    '- Tail flushed: of the sample inputs x ≤ −3 whose correctly rounded result is nonzero, how many came back as ±0.',
    '- MLP rows: max steps over the outputs of the first token of the workload’s own input and weights, against the oracle’s gemma2Mlp (small shapes only).',
    `- Accuracy sample: ${report.accuracySample.composition}.`,
    ...(report.timingInputs ? [`- Timed inputs: ${report.timingInputs}.`] : []),
    '',
    '## Implementations',
    '',
    ...report.implementations.map((i) => `- **${i.label}** (\`${i.id}\`): ${i.description}`),
    '',
  ];
  return lines.join('\n');
}
