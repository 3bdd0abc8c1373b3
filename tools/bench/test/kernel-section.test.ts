import { describe, expect, it } from 'vitest';
import { renderKernelSection } from '../src/kernel-section.js';
import type { BenchReport, RowResult } from '../src/types.js';

const workloads = [
  { id: 'gelu-none-2^20', title: 'gelu none, 2^20' },
  { id: 'gelu-tanh-2^20', title: 'gelu tanh, 2^20' },
  { id: 'mlp-gemma-2-2b', title: 'gemma-2-2b MLP' },
];
const row = (workload: string, implementation: string, label: string, throughput?: number): RowResult =>
  ({ workload, implementation, label, status: throughput === undefined ? 'skipped' : 'ok', throughput }) as unknown as RowResult;

const report = {
  command: 'pnpm bench',
  date: '2026-12-06T02:00:00.000Z',
  machine: { cores: 2, node: '20.20.2' },
  versions: { 'geglu commit': 'abc123' },
  options: { repeats: 9 },
  workloads,
  rows: [
    row('gelu-none-2^20', 'kernel-f32', 'geglu kernel f32', 300),
    row('gelu-none-2^20', 'ort-node-1t', 'onnxruntime-node, 1 thread', 600),
    row('gelu-tanh-2^20', 'kernel-f32', 'geglu kernel f32', 500),
    row('gelu-tanh-2^20', 'kernel-f32@relaxed', 'geglu kernel f32, relaxed SIMD on', 600),
    row('gelu-tanh-2^20', 'ort-node-1t', 'onnxruntime-node, 1 thread', 400),
    row('gelu-tanh-2^20', 'math-tanh', 'Math.tanh loop', 40),
    row('mlp-gemma-2-2b', 'kernel-f32-2t', 'geglu kernel f32, 2 threads', 40),
    row('mlp-gemma-2-2b', 'ort-node-2t', 'onnxruntime-node, 2 threads'),
  ],
} as unknown as BenchReport;

describe('the kernel README speed section', () => {
  const section = renderKernelSection(report);
  it('is stamped once with the command, not the date or the commit (git has both)', () => {
    expect(section).toContain('`pnpm bench` (2 cores');
    expect(section).not.toContain('2026-12-06');
    expect(section).not.toContain('abc123');
  });
  it('shows the ratio to onnxruntime-node from the same run', () => {
    expect(section).toContain('| geglu kernel f32 ÷ onnxruntime-node, 1 thread | 0.50× | 1.25× |');
    expect(section).toContain('| Math.tanh loop |  | 40.0 |');
    expect(section).toContain('| geglu kernel f32, relaxed SIMD on |  | 600 |');
    expect(section).toContain('| geglu kernel f32, relaxed SIMD on ÷ onnxruntime-node, 1 thread |  | 1.50× |');
  });
  it('leaves out rows that did not run', () => {
    expect(section).toContain('| geglu kernel f32, 2 threads | 40.0 |');
    expect(section).not.toContain('onnxruntime-node, 2 threads');
  });
});
