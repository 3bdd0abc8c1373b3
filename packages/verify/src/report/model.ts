import { type PropertyResult, SUITE_TITLES, type SuiteId } from '../suites/types.js';

/** A point of the tanh-vs-erf curve: x and gelu_tanh(x) − gelu(x) (signed). */
export interface GapPoint {
  x: number;
  gap: number;
}

/** Everything `geglu verify` writes to report.json (report.md and the plots are rendered from it). */
export interface VerifyReport {
  tool: 'geglu verify';
  version: string;
  seed: number;
  runs: number;
  startedAt: string;
  durationMs: number;
  node: string;
  tolerances: string;
  targets: { backend: string; dtype: string; precision: string; ran?: string; unavailable?: string }[];
  landmarks: {
    maxGeluGap?: { argmax: number; value: string; source: string };
    maxPhiGap?: { argmax: number; value: string };
    minimum?: Record<string, { argmin: number; value: string }>;
    thresholds?: Record<string, { underflowToZero: number; normalFrom: number; identityFrom: number }>;
  };
  gapCurve: GapPoint[];
  results: PropertyResult[];
  summary: { passed: number; failed: number; skipped: number };
  /** One line per failed property: which bound was exceeded, where. */
  exceeded: string[];
}

/** Every suite, in the order of their titles (a suite left out here was missing from the tables). */
export const SUITE_IDS = Object.keys(SUITE_TITLES) as readonly SuiteId[];

export function summarize(results: readonly PropertyResult[]): VerifyReport['summary'] {
  return {
    passed: results.filter((r) => r.status === 'pass').length,
    failed: results.filter((r) => r.status === 'fail').length,
    skipped: results.filter((r) => r.status === 'skipped').length,
  };
}

/** "suite · backend dtype · property: reason (counterexample …)" for every failure. */
export function exceededBounds(results: readonly PropertyResult[]): string[] {
  return results
    .filter((r) => r.status === 'fail')
    .map((r) => {
      const bound = r.bound !== undefined ? ` [max ${fmt(r.maxObserved)} vs bound ${fmt(r.bound)}${r.unit ? ` ${r.unit}` : ''}]` : '';
      const ce = r.counterexample ? `; counterexample ${truncate(r.counterexample, 160)}` : '';
      return `${r.suite} · ${r.backend} ${r.dtype} · ${r.property}: ${r.reason ?? 'failed'}${bound}${ce}`;
    });
}

export function fmt(v: number | undefined): string {
  if (v === undefined) return '–';
  if (!Number.isFinite(v)) return String(v);
  if (Number.isInteger(v)) return String(v);
  return Number(v.toPrecision(3)).toString();
}

export function truncate(s: string, n: number): string {
  return s.length > n ? `${s.slice(0, n - 1)}…` : s;
}

/** Rows of the suite × target table: per cell the worst status and, where bounded, max observed vs bound. */
export interface Cell {
  status: 'pass' | 'fail' | 'skipped' | 'partial';
  passed: number;
  failed: number;
  skipped: number;
  /** The largest observed/bound ratio among properties measured in steps; for display. */
  worst?: { observed: number; bound: number; unit: string };
}

export function cells(results: readonly PropertyResult[]): Map<string, Map<string, Cell>> {
  const out = new Map<string, Map<string, Cell>>();
  for (const r of results) {
    const target = `${r.backend} ${r.dtype}`;
    let row = out.get(r.suite);
    if (!row) out.set(r.suite, (row = new Map()));
    let c = row.get(target);
    if (!c) row.set(target, (c = { status: 'skipped', passed: 0, failed: 0, skipped: 0 }));
    if (r.status === 'pass') c.passed++;
    else if (r.status === 'fail') c.failed++;
    else c.skipped++;
    c.status = c.failed > 0 ? 'fail' : c.passed > 0 ? (c.skipped > 0 ? 'partial' : 'pass') : 'skipped';
    if (r.unit === 'steps' && r.maxObserved !== undefined && r.bound !== undefined && r.status !== 'skipped') {
      const ratio = (o: number, b: number) => (b === 0 ? (o === 0 ? 0 : Infinity) : o / b);
      if (
        !c.worst ||
        ratio(r.maxObserved, r.bound) > ratio(c.worst.observed, c.worst.bound) ||
        (r.maxObserved > c.worst.observed && r.bound >= c.worst.bound)
      ) {
        c.worst = { observed: r.maxObserved, bound: r.bound, unit: r.unit };
      }
    }
  }
  return out;
}

export function cellText(c: Cell | undefined): string {
  if (!c) return '–';
  const counts =
    c.status === 'partial'
      ? `pass ${c.passed}, skip ${c.skipped}`
      : c.status === 'fail'
        ? `FAIL ${c.failed}/${c.passed + c.failed}`
        : c.status;
  return c.worst ? `${counts} (${fmt(c.worst.observed)}/${fmt(c.worst.bound)} steps)` : counts;
}
