import { describe, expect, it } from 'vitest';
import { renderKernelSection } from '../src/kernel-section.js';
import { renderReadmeSection } from '../src/readme-section.js';
import { allImplementations } from '../src/registry.js';
import { renderMarkdown } from '../src/render.js';
import { GOALS, ratiosFromRuns, roundOrder, roundRatios } from '../src/rounds.js';
import type { BenchReport, RoundRun, RoundsReport } from '../src/types.js';
import { defaultOptions, workloads } from '../src/workloads.js';

const full = defaultOptions(false);
const implementations = allImplementations(full);

describe('the ratios the rounds take', () => {
  const specs = roundRatios(workloads(full), implementations);

  it('include every goal of issue 19 with its target, and only the goals’ rows and their variants on the other multiply-add paths carry one', () => {
    for (const g of GOALS) expect(specs).toContainEqual(g);
    const withGoal = specs.filter((s) => s.goal !== undefined).map((s) => `${s.workload}/${s.row}÷${s.reference} ${s.goal}`);
    // the gelu rows' variants run on the 2^24-element workloads only
    const expected = GOALS.flatMap((g) =>
      (g.workload.endsWith('2^20') ? [''] : ['', '@relaxed', '@node22', '@node22-off']).map(
        (v) => `${g.workload}/${g.row}${v}÷${g.reference} ${g.goal}`,
      ),
    );
    expect(withGoal.sort()).toEqual(expected.sort());
  });

  it('are the gelu workloads’ kernel rows (on ordinary arrays with their variants at 2^24, on kernel arrays) ÷ onnxruntime-node 1 thread (and ÷ the Math.tanh loop for tanh), and the largest MLP’s 2-thread kernel rows ÷ onnxruntime-node 2 threads, its WebAssembly ceilings ÷ as many threads', () => {
    const keys = specs.map((s) => `${s.workload}/${s.row}÷${s.reference}`);
    expect(keys).toEqual([
      'gelu-none-2^20/kernel-f32÷ort-node-1t',
      'gelu-none-2^20/kernel-f32-arrays÷ort-node-1t',
      'gelu-none-2^24/kernel-f32÷ort-node-1t',
      'gelu-none-2^24/kernel-f32@relaxed÷ort-node-1t',
      'gelu-none-2^24/kernel-f32@node22÷ort-node-1t',
      'gelu-none-2^24/kernel-f32@node22-off÷ort-node-1t',
      'gelu-none-2^24/kernel-f32-arrays÷ort-node-1t',
      'gelu-tanh-2^20/kernel-f32÷ort-node-1t',
      'gelu-tanh-2^20/kernel-f32-arrays÷ort-node-1t',
      'gelu-tanh-2^20/kernel-f32÷math-tanh',
      'gelu-tanh-2^24/kernel-f32÷ort-node-1t',
      'gelu-tanh-2^24/kernel-f32@relaxed÷ort-node-1t',
      'gelu-tanh-2^24/kernel-f32@node22÷ort-node-1t',
      'gelu-tanh-2^24/kernel-f32@node22-off÷ort-node-1t',
      'gelu-tanh-2^24/kernel-f32-arrays÷ort-node-1t',
      'gelu-tanh-2^24/kernel-f32÷math-tanh',
      'gelu-tanh-2^24/kernel-f32@relaxed÷math-tanh',
      'gelu-tanh-2^24/kernel-f32@node22÷math-tanh',
      'gelu-tanh-2^24/kernel-f32@node22-off÷math-tanh',
      'mlp-gemma-2-2b/kernel-f32-2t÷ort-node-2t',
      'mlp-gemma-2-2b/kernel-f32-2t@relaxed÷ort-node-2t',
      'mlp-gemma-2-2b/kernel-f32-2t@node22÷ort-node-2t',
      'mlp-gemma-2-2b/kernel-f32-2t@node22-off÷ort-node-2t',
      'mlp-gemma-2-2b/wasm-ceiling÷ort-node-1t',
      'mlp-gemma-2-2b/wasm-ceiling@relaxed÷ort-node-1t',
      'mlp-gemma-2-2b/wasm-ceiling@node22÷ort-node-1t',
      'mlp-gemma-2-2b/wasm-ceiling@node22-off÷ort-node-1t',
      'mlp-gemma-2-2b/wasm-ceiling-2t÷ort-node-2t',
      'mlp-gemma-2-2b/wasm-ceiling-2t@relaxed÷ort-node-2t',
      'mlp-gemma-2-2b/wasm-ceiling-2t@node22÷ort-node-2t',
      'mlp-gemma-2-2b/wasm-ceiling-2t@node22-off÷ort-node-2t',
    ]);
  });

  it('--only selects among them by "<workload>/<row>"; a pattern matching none selects none', () => {
    const some = roundRatios(workloads(full), implementations, /^gelu-none-2\^20\/kernel-f32$/);
    expect(some.map((s) => `${s.workload}/${s.row}÷${s.reference}`)).toEqual(['gelu-none-2^20/kernel-f32÷ort-node-1t']);
    expect(roundRatios(workloads(full), implementations, /^geglu/)).toEqual([]);
  });
});

describe('the rows’ order in each round', () => {
  it('changes which row is first and which row each row runs after', () => {
    for (const ids of [
      ['kernel-f32', 'kernel-f32-arrays', 'ort-node-1t'],
      ['kernel-f32', 'kernel-f32-arrays', 'ort-node-1t', 'math-tanh'],
    ]) {
      const orders = [1, 2, 3, 4, 5].map((round) => roundOrder(ids, round));
      expect(orders[0]).toEqual(ids);
      for (const o of orders) expect([...o].sort()).toEqual([...ids].sort());
      // 5 rounds: every one of up to 5 rows is first in one of them
      expect(new Set(orders.map((o) => o[0]))).toEqual(new Set(ids));
      // the runs of a round go round its order again and again: each row's predecessors in that cycle
      const after = new Map(ids.map((id) => [id, new Set<string>()]));
      for (const o of orders) o.forEach((id, i) => after.get(id)!.add(o[(i + o.length - 1) % o.length]!));
      for (const id of ids) expect(after.get(id)!.size, id).toBe(2);
    }
  });
});

const run = (round: number, workload: string, throughput: Record<string, number | null>): RoundRun => ({
  round,
  workload,
  order: Object.keys(throughput),
  throughput,
  ...(Object.values(throughput).includes(null) ? { skipped: { 'kernel-f32': 'failed while timed: test' } } : {}),
});

describe('ratios from the rounds’ throughputs', () => {
  const spec = { workload: 'gelu-none-2^20', row: 'kernel-f32', reference: 'ort-node-1t', goal: 0.8 };
  it('divide within each round, in round order; min / median / max over the rounds that measured both rows', () => {
    const runs = [
      run(2, 'gelu-none-2^20', { 'kernel-f32': 300, 'ort-node-1t': 600 }),
      run(1, 'gelu-none-2^20', { 'kernel-f32': 450, 'ort-node-1t': 360 }),
      run(3, 'gelu-none-2^20', { 'kernel-f32': null, 'ort-node-1t': 500 }),
      run(4, 'gelu-none-2^20', { 'kernel-f32': 400, 'ort-node-1t': 500 }),
      run(5, 'gelu-none-2^20', { 'kernel-f32': 330, 'ort-node-1t': 300 }),
    ];
    const [r] = ratiosFromRuns([spec], runs, 5);
    expect(r!.perRound).toEqual([1.25, 0.5, null, 0.8, 1.1]);
    expect(r!.min).toBe(0.5);
    // four rounds measured: the median is the mean of the middle two (0.8 and 1.1)
    expect(r!.median).toBeCloseTo(0.95, 15);
    expect(r!.max).toBe(1.25);
  });
  it('leave min / median / max out when no round measured the ratio', () => {
    const [r] = ratiosFromRuns([spec], [run(1, 'gelu-none-2^20', { 'kernel-f32': null, 'ort-node-1t': 500 })], 1);
    expect(r!.perRound).toEqual([null]);
    expect(r!.median).toBeUndefined();
  });
});

function reportWith(rounds: RoundsReport | undefined): BenchReport {
  const row = (workload: string, implementation: string, label: string, throughput: number) => ({
    workload,
    implementation,
    label,
    group: 'peer' as const,
    status: 'ok' as const,
    precision: 'f32' as const,
    runs: 1,
    timesMs: [1],
    medianMs: 1,
    minMs: 1,
    maxMs: 1,
    throughput,
  });
  return {
    schema: 1,
    command: 'pnpm bench',
    date: '2026-12-06T02:00:00.000Z',
    durationSeconds: 1,
    machine: { cpu: 'cpu', cores: 2, memoryGiB: 4, platform: 'linux', arch: 'x64', node: '20.20.2' },
    versions: { 'geglu commit': 'abc123' },
    options: { quick: false, only: null, repeats: 9, warmup: 2, sampleSize: 3000, rounds: rounds?.count ?? 0 },
    accuracySample: { size: 3000, composition: 'c', reference: 'r' },
    workloads: [
      {
        id: 'gelu-none-2^20',
        title: 'gelu none, 2^20 f32',
        kind: 'gelu',
        approximate: 'none',
        elements: 2 ** 20,
        unit: 'Melem/s',
        work: 2 ** 20,
      },
      {
        id: 'mlp-gemma-2-2b',
        title: 'Gemma 2 MLP gemma-2-2b',
        kind: 'mlp',
        approximate: 'tanh',
        elements: 1,
        unit: 'GFLOP/s',
        work: 1,
      },
    ],
    rows: [
      row('gelu-none-2^20', 'kernel-f32', 'geglu kernel f32', 300),
      row('gelu-none-2^20', 'ort-node-1t', 'onnxruntime-node, 1 thread', 600),
      row('mlp-gemma-2-2b', 'kernel-f32-2t', 'geglu kernel f32, 2 threads', 50),
      row('mlp-gemma-2-2b', 'ort-node-2t', 'onnxruntime-node, 2 threads', 180),
    ],
    implementations: [
      { id: 'kernel-f32', label: 'geglu kernel f32', description: 'd' },
      { id: 'kernel-f32-2t', label: 'geglu kernel f32, 2 threads', description: 'd' },
      { id: 'ort-node-1t', label: 'onnxruntime-node, 1 thread', description: 'd' },
      { id: 'ort-node-2t', label: 'onnxruntime-node, 2 threads', description: 'd' },
    ],
    ...(rounds !== undefined ? { rounds } : {}),
  };
}

const threeRounds: RoundsReport = (() => {
  const runs = [
    run(1, 'gelu-none-2^20', { 'kernel-f32': 450, 'ort-node-1t': 1000 }),
    run(1, 'mlp-gemma-2-2b', { 'kernel-f32-2t': 54, 'ort-node-2t': 180 }),
    run(2, 'gelu-none-2^20', { 'ort-node-1t': 400, 'kernel-f32': 500 }),
    run(2, 'mlp-gemma-2-2b', { 'ort-node-2t': 200, 'kernel-f32-2t': 60 }),
    run(3, 'gelu-none-2^20', { 'kernel-f32': 400, 'ort-node-1t': 500 }),
    run(3, 'mlp-gemma-2-2b', { 'kernel-f32-2t': 70, 'ort-node-2t': 175 }),
  ];
  const specs = GOALS.filter((g) => g.workload === 'gelu-none-2^20' || g.workload === 'mlp-gemma-2-2b');
  return {
    count: 3,
    runs,
    ratios: ratiosFromRuns(specs, runs, 3),
    labels: {
      'kernel-f32': 'geglu kernel f32',
      'ort-node-1t': 'onnxruntime-node, 1 thread',
      'kernel-f32-2t': 'geglu kernel f32, 2 threads',
      'ort-node-2t': 'onnxruntime-node, 2 threads',
    },
  };
})();

describe('the rounds in latest.md and the README sections', () => {
  const report = reportWith(threeRounds);

  it('latest.md lists each ratio’s min, median, max, rounds at goal and every round’s value', () => {
    const md = renderMarkdown(report);
    expect(md).toContain('## Ratios over 3 rounds');
    expect(md).toContain(
      '| gelu none, 2^20 f32 | geglu kernel f32 ÷ onnxruntime-node, 1 thread | ≥ 0.800× | 0.450× | 0.800× | 1.25× | 2 / 3 | 0.450×, 1.25×, 0.800× |',
    );
    expect(md).toContain(
      '| Gemma 2 MLP gemma-2-2b | geglu kernel f32, 2 threads ÷ onnxruntime-node, 2 threads | ≥ 0.500× | 0.300× | 0.300× | 0.400× | 0 / 3 |',
    );
    expect(md).toContain('| gelu none, 2^20 f32 | onnxruntime-node, 1 thread | 400 / 500 / 1000 Melem/s | 1000, 400, 500 |');
  });

  it('the root README section shows the goal ratios’ spread and how many rounds met each goal', () => {
    const section = renderReadmeSection(report);
    expect(section).toContain('ran 3 more rounds');
    expect(section).toContain(
      '| gelu none, 2^20 f32 | geglu kernel f32 ÷ onnxruntime-node, 1 thread | ≥ 0.800× | 0.450× / 0.800× / 1.25× | 2 / 3 |',
    );
  });

  it('the kernel README section adds the spread under the one-run ratios, for the gelu table and the MLP', () => {
    const section = renderKernelSection(report);
    expect(section).toContain('| geglu kernel f32 ÷ onnxruntime-node, 1 thread | 0.50× |');
    expect(section).toContain(
      '| geglu kernel f32 ÷ onnxruntime-node, 1 thread, min / median / max of 3 rounds | 0.450× / 0.800× / 1.25× |',
    );
    expect(section).toContain('| geglu kernel f32, 2 threads ÷ onnxruntime-node, 2 threads | 0.300× / 0.300× / 0.400× |');
  });

  it('the markdown names the versions measured but not the geglu commit (latest.json keeps it; git dates it)', () => {
    expect(renderReadmeSection(report)).not.toContain('abc123');
    expect(renderKernelSection(report)).not.toContain('abc123');
    expect(report.versions['geglu commit']).toBe('abc123');
  });

  it('a report without rounds (from before them, or --rounds 0) renders no rounds section', () => {
    const none = reportWith(undefined);
    expect(renderMarkdown(none)).not.toContain('rounds');
    expect(renderReadmeSection(none)).not.toContain('rounds');
    expect(renderKernelSection(none)).not.toContain('rounds');
  });
});
