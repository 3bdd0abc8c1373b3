import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { COPY_REFERENCE, ORT_REFERENCE, runBench } from '../src/bench.js';
import { loadOracle } from '../src/oracle.js';
import { allImplementations } from '../src/registry.js';
import { renderMarkdown, TABLE_HEADER } from '../src/render.js';
import { renderReadmeSection } from '../src/readme-section.js';
import { writeResults } from '../src/results.js';
import { type BenchOptions, type BenchReport, isBackward } from '../src/types.js';
import { defaultOptions, workloads } from '../src/workloads.js';

/** Tiny sizes: this checks structure and bookkeeping, never speed. */
function tinyOptions(): BenchOptions {
  return {
    ...defaultOptions(true),
    repeats: 2,
    warmup: 1,
    sampleSize: 64,
    sizes: [256],
    allocSize: 256,
    gegluShape: { rows: 2, features: 64 },
    mlpShapes: [
      { name: 'tiny', shape: { tokens: 2, hidden: 8, intermediate: 16 } },
      { name: 'tiny-2x', shape: { tokens: 2, hidden: 16, intermediate: 32 } },
    ],
    oracleElements: 4,
  };
}

// Decided before the tests are collected, so skipIf sees it; a missing oracle
// shows as a skipped test, never as a pass.
const oracle = await loadOracle();
const oracleMissing = typeof oracle === 'string' ? oracle : undefined;

let report: BenchReport;
let dir: string;

beforeAll(async () => {
  const options = tinyOptions();
  report = await runBench(options, allImplementations(options), 'vitest harness.test.ts');
  dir = await mkdtemp(path.join(os.tmpdir(), 'geglu-bench-'));
}, 120_000);

afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('bench harness in quick mode on tiny sizes', () => {
  it('has one row per (workload, implementation that supports it), each ok with timings or skipped with a reason', () => {
    const impls = allImplementations(tinyOptions());
    const expected = workloads(tinyOptions()).flatMap((w) => impls.filter((i) => i.supports(w)).map((i) => `${w.id}/${i.id}`));
    expect(report.rows.map((r) => `${r.workload}/${r.implementation}`).sort()).toEqual(expected.sort());
    for (const r of report.rows) {
      if (r.status === 'skipped') {
        expect(r.reason, `${r.workload}/${r.implementation}`).toMatch(/\S/);
        continue;
      }
      expect(r.runs).toBe(r.timesMs!.length);
      expect(r.runs).toBeGreaterThanOrEqual(1);
      expect(r.minMs!).toBeLessThanOrEqual(r.medianMs!);
      expect(r.medianMs!).toBeLessThanOrEqual(r.maxMs!);
      expect(Number.isFinite(r.throughput!) && r.throughput! > 0).toBe(true);
    }
  });

  it('the peers every ratio divides by ran, and their own ratios are exactly 1', () => {
    for (const w of report.workloads) {
      // gradient workloads have no onnxruntime or copy row: no ratios to check
      if (isBackward(w.kind)) continue;
      const ort = report.rows.find((r) => r.workload === w.id && r.implementation === ORT_REFERENCE)!;
      expect(ort.status, `${w.id}: ${ort.reason}`).toBe('ok');
      expect(ort.vsOrt1t).toBe(1);
      if (w.kind !== 'mlp') {
        const copy = report.rows.find((r) => r.workload === w.id && r.implementation === COPY_REFERENCE)!;
        expect(copy.vsCopy).toBe(1);
        expect(ort.vsCopy).toBeCloseTo(ort.throughput! / copy.throughput!, 12);
      }
    }
  });

  it.skipIf(oracleMissing !== undefined)(
    'accuracy columns are computed on the sample for every elementwise peer that can evaluate it',
    () => {
      const measured = report.rows.filter((r) => r.status === 'ok' && r.accuracy !== null && r.accuracy !== undefined);
      const ids = new Set(measured.map((r) => r.implementation));
      for (const id of [ORT_REFERENCE, 'ort-web', 'math-tanh', 'stdlib-erf', 'tfjs-wasm']) expect(ids).toContain(id);
      for (const r of measured.filter((m) => !m.workload.startsWith('mlp-'))) {
        const a = r.accuracy!;
        expect(a.sampleSize).toBe(64);
        expect(a.tailNonzero).toBeGreaterThan(0);
        expect(a.flushedToZero).toBeLessThanOrEqual(a.tailNonzero);
        expect(a.maxSteps === null ? a.nanOutputs > 0 : a.maxSteps >= 0).toBe(true);
      }
      // The Math.tanh loop computes 1 + tanh(u), which is exactly 0 once tanh(u)
      // rounds to −1 (u ≲ −19, x ≲ −7.6): it must flush part of the tail.
      const mathTanh = measured.find((r) => r.implementation === 'math-tanh' && r.workload.startsWith('gelu-'))!;
      expect(mathTanh.accuracy!.flushedToZero).toBeGreaterThan(0);
    },
  );

  it.skipIf(typeof oracle === 'string' || typeof oracle.gemma2Mlp !== 'function')(
    'MLP accuracy is measured on the first token (hidden outputs) for onnxruntime-node at the tiny shapes',
    () => {
      for (const w of report.workloads.filter((x) => x.kind === 'mlp')) {
        const r = report.rows.find((x) => x.workload === w.id && x.implementation === ORT_REFERENCE)!;
        expect(r.accuracy, r.accuracyNote).not.toBeNull();
        expect(r.accuracy!.sampleSize).toBe(w.mlp!.hidden);
        expect(r.accuracy!.tailNonzero).toBe(0);
      }
    },
  );

  it('the 2-thread MLP rows (the kernel engine, onnxruntime-web in its own worker) run and answer the accuracy sample', () => {
    for (const w of report.workloads.filter((x) => x.kind === 'mlp')) {
      for (const id of ['kernel-f32-2t', 'ort-web-2t']) {
        const r = report.rows.find((x) => x.workload === w.id && x.implementation === id)!;
        expect(r.status, `${w.id}/${id}: ${r.reason ?? ''}`).toBe('ok');
        if (typeof oracle !== 'string') expect(r.accuracy, `${w.id}/${id}: ${r.accuracyNote ?? ''}`).not.toBeNull();
      }
    }
  });

  it('the kernel-arrays row runs on the gelu and GeGLU workloads only, and is correctly rounded on the sample like kernel-f32', () => {
    const rows = report.rows.filter((r) => r.implementation === 'kernel-f32-arrays');
    const kinds = new Set(rows.map((r) => report.workloads.find((w) => w.id === r.workload)!.kind));
    expect([...kinds].sort()).toEqual(['geglu', 'gelu']);
    for (const r of rows) {
      expect(r.status, `${r.workload}: ${r.reason ?? ''}`).toBe('ok');
      if (typeof oracle === 'string') continue;
      expect(r.accuracy, r.workload).not.toBeNull();
      expect(r.accuracy!.maxSteps, r.workload).toBe(0);
      expect(r.accuracy!.flushedToZero, r.workload).toBe(0);
    }
  });

  it.skipIf(oracleMissing === undefined)('without the oracle, rows say why accuracy is missing instead of inventing it', () => {
    const ort = report.rows.find((r) => r.implementation === ORT_REFERENCE && r.workload.startsWith('gelu-'))!;
    expect(ort.accuracy).toBeNull();
    expect(ort.accuracyNote).toContain(oracleMissing);
  });

  it('the larger MLP row is skipped up front when the smaller one predicts a run over the limit', async () => {
    const options = { ...tinyOptions(), maxRunSeconds: 1e-9, only: /^mlp-/, rounds: 0 };
    const r = await runBench(options, allImplementations(options), 'vitest');
    const big = r.rows.find((x) => x.workload === 'mlp-tiny-2x' && x.implementation === ORT_REFERENCE)!;
    expect(big.status).toBe('skipped');
    expect(big.reason).toMatch(/extrapolated from mlp-tiny\b/);
  }, 60_000);

  it('the rounds re-ran only the ratios’ rows, every round, rotating (and every other round reversing) their order, each ratio divided within its round', () => {
    const rounds = report.rounds!;
    expect(report.options.rounds).toBe(2);
    expect(rounds.count).toBe(2);
    const gelu = report.workloads.filter((w) => w.kind === 'gelu').map((w) => w.id);
    // the larger tiny MLP only
    expect([...new Set(rounds.runs.map((r) => r.workload))].sort()).toEqual([...gelu, 'mlp-tiny-2x'].sort());
    for (const spec of rounds.ratios) {
      expect(spec.perRound).toHaveLength(2);
      for (let i = 0; i < 2; i++) {
        const run = rounds.runs.find((r) => r.round === i + 1 && r.workload === spec.workload)!;
        expect(run.order).toContain(spec.row);
        expect(run.order).toContain(spec.reference);
        const a = run.throughput[spec.row];
        const b = run.throughput[spec.reference];
        expect(spec.perRound[i]).toBe(a != null && b != null ? a / b : null);
      }
      if (spec.row.includes('@node22')) continue; // skipped without GEGLU_NODE22
      expect(
        spec.perRound.every((v) => v !== null && v > 0),
        `${spec.workload}/${spec.row}`,
      ).toBe(true);
      expect(spec.min!).toBeLessThanOrEqual(spec.median!);
      expect(spec.median!).toBeLessThanOrEqual(spec.max!);
    }
    for (const w of gelu) {
      const [one, two] = [1, 2].map((round) => rounds.runs.find((r) => r.round === round && r.workload === w)!.order);
      // the second round's order is the first's reversed
      expect(two).toEqual([...one!].reverse());
      expect(one).toContain('kernel-f32');
      expect(one).not.toContain('copy');
    }
  });

  it('writes latest.md with one table row per result and latest.json that round-trips', async () => {
    const written = await writeResults(report, dir);
    const md = await readFile(written.markdown, 'utf8');
    expect(md).toContain(`| ${TABLE_HEADER.join(' | ')} |`);
    const tableLines = md
      .slice(0, md.indexOf('## Ratios over'))
      .split('\n')
      .filter((l) => l.startsWith('| ') && !l.startsWith('| Workload'));
    expect(tableLines).toHaveLength(report.rows.length);
    for (const line of tableLines) expect(line.split(' | ')).toHaveLength(TABLE_HEADER.length);
    expect(md).toBe(`${renderMarkdown(report)}\n`);
    const json = JSON.parse(await readFile(written.json, 'utf8')) as BenchReport;
    expect(json).toEqual(JSON.parse(JSON.stringify(report)));
    expect(json.machine.cores).toBeGreaterThan(0);
    expect(json.versions['onnxruntime-node']).toBe('1.30.0');
    expect(Date.parse(json.date)).not.toBeNaN();
  });

  it('the README section names the command, no date (git dates it), and has one line per implementation that ran', () => {
    const section = renderReadmeSection(report);
    expect(section).toContain('`vitest harness.test.ts`');
    expect(section).not.toContain(report.date.slice(0, 10));
    expect(section).toContain('Quick mode');
    const ran = new Set(report.rows.filter((r) => r.status === 'ok').map((r) => r.label));
    const table = section.slice(section.indexOf('| Implementation'));
    const lines = table
      .slice(0, table.indexOf('\n\n'))
      .split('\n')
      .filter((l) => l.startsWith('| ') && !l.startsWith('| Implementation'));
    expect(new Set(lines.map((l) => l.split(' | ')[0]!.slice(2)))).toEqual(ran);
  });
});
