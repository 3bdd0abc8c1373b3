import { SUITE_TITLES } from '../suites/types.js';
import { cells, cellText, SUITE_IDS, type VerifyReport } from './model.js';

/** The suite × target table for the terminal (plain text, aligned columns). */
export function formatTable(report: Pick<VerifyReport, 'results' | 'targets'>): string {
  const targets = report.targets.map((t) => `${t.backend} ${t.dtype}`);
  const grid = cells(report.results);
  const rows: string[][] = [['suite', ...targets]];
  for (const s of SUITE_IDS) {
    const row = grid.get(s);
    if (!row) continue;
    rows.push([SUITE_TITLES[s], ...targets.map((t) => cellText(row.get(t)))]);
  }
  // Transposed when there are many targets: one line per target reads better in 100 columns.
  const t = rows[0]!.map((_, i) => rows.map((r) => r[i]!));
  const w = t[0]!.map((_, i) => Math.max(...t.map((r) => r[i]!.length)));
  return t
    .map((r) =>
      r
        .map((c, i) => c.padEnd(w[i]!))
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}
