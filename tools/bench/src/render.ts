import type { BenchReport, RowResult } from './types.js';

function sig(v: number, digits: number): string {
  if (!Number.isFinite(v)) return String(v);
  if (v === 0) return '0';
  const magnitude = Math.floor(Math.log10(Math.abs(v)));
  const decimals = Math.max(0, digits - 1 - magnitude);
  return v.toFixed(Math.min(decimals, 6));
}

function ratio(v: number | null | undefined): string {
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

export function versionsLine(report: BenchReport): string {
  return Object.entries(report.versions)
    .map(([k, v]) => `${k} ${v}`)
    .join(', ');
}

/** The full results file: provenance, the one table, and what each row means. */
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
