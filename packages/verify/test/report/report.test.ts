import { mkdtemp, readFile, readdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  exceededBounds,
  formatMarkdown,
  formatTable,
  gapCurveSvg,
  regionErrorSvg,
  summarize,
  ticks,
  writeReport,
  type VerifyReport,
} from '../../src/report/index.js';
import type { PropertyResult } from '../../src/suites/index.js';

const result = (over: Partial<PropertyResult>): PropertyResult => ({
  suite: 'agreement',
  id: 'oracle/gelu/core',
  property: 'gelu (kernel-f32 f32) is within the tolerance table’s steps on the core region',
  backend: 'kernel-f32',
  dtype: 'f32',
  status: 'pass',
  runs: 10,
  durationMs: 1,
  fn: 'gelu',
  region: 'core',
  unit: 'steps',
  bound: 0,
  maxObserved: 0,
  ...over,
});

const results: PropertyResult[] = [
  result({}),
  result({
    region: 'tail',
    id: 'oracle/gelu/tail',
    status: 'fail',
    maxObserved: 3,
    reason: 'gelu(-5) = … : 3 steps > 0',
    counterexample: 'Float64Array.from([-5])',
  }),
  result({
    backend: 'gpu-cpu',
    status: 'skipped',
    reason: 'not measured; measured, not gated: max 2 steps',
    maxObserved: 2,
    bound: Infinity,
  }),
  result({
    suite: 'shapes',
    id: 'rows',
    backend: 'gpu-webgpu',
    status: 'skipped',
    reason: 'no gemma2Mlp',
    runs: 0,
    unit: undefined,
    bound: undefined,
    maxObserved: undefined,
  }),
];

function report(): VerifyReport {
  return {
    tool: 'geglu verify',
    version: '0.1.0',
    seed: 42,
    runs: 10,
    startedAt: '2026-01-01T00:00:00.000Z',
    durationMs: 1234,
    node: '20',
    tolerances: 'test',
    targets: [
      { backend: 'kernel-f32', dtype: 'f32', precision: 'f32' },
      { backend: 'gpu-cpu', dtype: 'f32', precision: 'f32' },
      { backend: 'gpu-webgpu', dtype: 'f32', precision: 'f32', unavailable: 'no adapter' },
    ],
    landmarks: { maxGeluGap: { argmax: 2.69, value: '4.73e-4', source: 'test' } },
    gapCurve: [-3, -2.7, 0.5, 2.7, 3].map((x) => ({ x, gap: Math.sign(x) * 4e-4 })),
    results,
    summary: summarize(results),
    exceeded: exceededBounds(results),
  };
}

describe('report', () => {
  it('summary counts pass, fail and skipped separately (skipped never counted as passed)', () => {
    expect(summarize(results)).toEqual({ passed: 1, failed: 1, skipped: 2 });
  });

  it('every failed property is named with its reason, max observed vs bound and counterexample', () => {
    const e = exceededBounds(results);
    expect(e).toHaveLength(1);
    expect(e[0]).toContain('kernel-f32 f32');
    expect(e[0]).toContain('[max 3 vs bound 0 steps]');
    expect(e[0]).toContain('counterexample Float64Array.from([-5])');
  });

  it('the terminal table has one line per target and marks the failing cell', () => {
    const t = formatTable(report()).split('\n');
    expect(t).toHaveLength(4);
    // columns: the suites that ran, in suite order (4. Shapes, 5. Agreement)
    expect(t[0]).toMatch(/^suite\s+4\. Shapes\s+5\. Agreement$/);
    expect(t[1]).toMatch(/^kernel-f32 f32\s+–\s+FAIL 1\/2 \(3\/0 steps\)$/);
    expect(t[3]).toMatch(/^gpu-webgpu f32\s+skipped\s+–$/);
  });

  it('every suite has its column, the gradients (6) included', () => {
    const r = report();
    const withGradients = { ...r, results: [...r.results, result({ suite: 'gradients', id: 'gradients/gelu-grad/sum' })] };
    expect(formatTable(withGradients).split('\n')[0]).toMatch(/^suite\s+4\. Shapes\s+5\. Agreement\s+6\. Gradients$/);
    expect(formatMarkdown(withGradients)).toMatch(/\| 6\. Gradients \|/);
  });

  it('report.md lists the exceeded bound, the seed replay line and "not gated" for measure-only rows', () => {
    const md = formatMarkdown(report());
    expect(md).toContain('GEGLU_SEED=42');
    expect(md).toContain('## Exceeded bounds\n\n- agreement · kernel-f32 f32');
    expect(md).toContain('not gated');
    expect(md).toContain('unavailable: no adapter');
  });

  it('ticks are round numbers covering the range', () => {
    expect(ticks(0, 10, 5)).toEqual([0, 2, 4, 6, 8, 10]);
    expect(ticks(-5e-4, 5e-4, 4)).toEqual([-5e-4, -2.5e-4, 0, 2.5e-4, 5e-4]);
  });

  it('the region plot draws one bar per (backend, region) with data and a bound line for gated ones', () => {
    const svg = regionErrorSvg(results, 'gelu');
    expect(svg.startsWith('<svg')).toBe(true);
    expect(svg.trimEnd().endsWith('</svg>')).toBe(true);
    // kernel-f32 core (0 steps), kernel-f32 tail (3, failed), gpu-cpu core (measure-only, faded), gpu-cpu tail (no data)
    expect(svg.match(/<title>kernel-f32 f32 tail: 3 steps/g)).toHaveLength(1);
    expect(svg).toContain('fill-opacity="0.35"');
    expect(svg).not.toMatch(/NaN|Infinity|undefined/);
    expect(svg).toContain('stroke="#c00"');
  });

  it('the gap plot marks ±argmax and the ±max lines', () => {
    const svg = gapCurveSvg(report().gapCurve, { argmax: 2.7, value: 4.73e-4 });
    expect(svg.match(/<circle /g)).toHaveLength(2);
    expect(svg).not.toMatch(/NaN|Infinity|undefined/);
    expect(svg).toContain('max |gap| = 0.000473000 at x = ±2.7000000');
  });

  it('writeReport writes report.json (round-trips), report.md and three SVG files', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'geglu-report-'));
    await writeReport(dir, report());
    expect((await readdir(dir)).sort()).toEqual([
      'error-by-region-gelu-tanh.svg',
      'error-by-region-gelu.svg',
      'report.json',
      'report.md',
      'tanh-vs-erf.svg',
    ]);
    const json = JSON.parse(await readFile(join(dir, 'report.json'), 'utf8')) as VerifyReport;
    expect(json.summary).toEqual({ passed: 1, failed: 1, skipped: 2 });
  });
});
