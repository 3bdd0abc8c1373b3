import type { BenchOptions, MlpShape, Workload } from './types.js';

function pow2(n: number): string {
  const k = Math.log2(n);
  return Number.isInteger(k) ? `2^${k}` : String(n);
}

/** 2·T·d·f per matmul, three matmuls (gate, up, down); the gelu and product are not counted. */
export function mlpFlops(s: MlpShape): number {
  return 2 * s.tokens * s.hidden * s.intermediate * 3;
}

/** The backward pass's own products: dA = dy·W_down, dx (two), dW_gate, dW_up, dW_down; the recomputed forward is not counted. */
export function mlpBackwardFlops(s: MlpShape): number {
  return 2 * s.tokens * s.hidden * s.intermediate * 6;
}

export function workloads(o: BenchOptions): Workload[] {
  const list: Workload[] = [];
  for (const approximate of ['none', 'tanh'] as const) {
    for (const n of o.sizes) {
      list.push({
        id: `gelu-${approximate}-${pow2(n)}`,
        title: `gelu ${approximate}, ${pow2(n)} f32`,
        kind: 'gelu',
        approximate,
        elements: n,
        unit: 'Melem/s',
        work: n,
      });
    }
  }
  list.push({
    id: `gelu-tanh-${pow2(o.allocSize)}-alloc`,
    title: `gelu tanh, ${pow2(o.allocSize)} f32, fresh output each run`,
    kind: 'gelu-alloc',
    approximate: 'tanh',
    elements: o.allocSize,
    unit: 'Melem/s',
    work: o.allocSize,
  });
  const { rows, features } = o.gegluShape;
  list.push({
    id: `geglu-tanh-${rows}x${features}`,
    title: `GeGLU tanh, ${rows} × ${features} f32`,
    kind: 'geglu',
    approximate: 'tanh',
    elements: rows * features,
    unit: 'Melem/s',
    work: rows * features,
  });
  list.push({
    id: `geglu-tanh-${rows}x${features}-normal`,
    title: `GeGLU tanh, ${rows} × ${features} f32, gate ~ N(0, 2²)`,
    kind: 'geglu',
    approximate: 'tanh',
    elements: rows * features,
    inputs: 'normal',
    unit: 'Melem/s',
    work: rows * features,
  });
  list.push({
    id: `geglu-backward-tanh-${rows}x${features}`,
    title: `GeGLU tanh backward (dgate, dup), ${rows} × ${features} f32`,
    kind: 'geglu-backward',
    approximate: 'tanh',
    elements: rows * features,
    unit: 'Melem/s',
    work: rows * features,
  });
  for (const { name, shape } of o.mlpShapes) {
    list.push({
      id: `mlp-backward-${name}`,
      title: `Gemma 2 MLP backward ${name} (T ${shape.tokens}, d ${shape.hidden}, f ${shape.intermediate}): dx, dW_gate, dW_up, dW_down; GFLOP counts 2·T·d·f·6`,
      kind: 'mlp-backward',
      approximate: 'tanh',
      elements: shape.tokens * shape.hidden,
      mlp: shape,
      unit: 'GFLOP/s',
      work: mlpBackwardFlops(shape),
    });
  }
  for (const { name, shape } of o.mlpShapes) {
    list.push({
      id: `mlp-${name}`,
      title: `Gemma 2 MLP ${name} (T ${shape.tokens}, d ${shape.hidden}, f ${shape.intermediate})`,
      kind: 'mlp',
      approximate: 'tanh',
      elements: shape.tokens * shape.hidden,
      mlp: shape,
      unit: 'GFLOP/s',
      work: mlpFlops(shape),
    });
  }
  return list;
}

export const GEMMA2_2B: MlpShape = { tokens: 64, hidden: 2304, intermediate: 9216 };

export function defaultOptions(quick: boolean): BenchOptions {
  if (quick) {
    return {
      quick,
      repeats: 3,
      warmup: 1,
      sampleSize: 512,
      sizes: [2 ** 12, 2 ** 16],
      allocSize: 2 ** 16,
      gegluShape: { rows: 4, features: 1024 },
      mlpShapes: [{ name: 'small', shape: { tokens: 4, hidden: 64, intermediate: 256 } }],
      maxRunSeconds: 5,
      rowBudgetSeconds: 5,
      oracleElements: 16,
      // Exercises the rounds in CI; tiny sizes, so they cost little.
      rounds: 2,
    };
  }
  return {
    quick,
    repeats: 9,
    warmup: 2,
    sampleSize: 3000,
    sizes: [2 ** 20, 2 ** 24],
    allocSize: 2 ** 24,
    // Gemma-2-2b's gate/up activations for 64 tokens: 64 × 9216.
    gegluShape: { rows: 64, features: 9216 },
    mlpShapes: [
      { name: 'small', shape: { tokens: 64, hidden: 256, intermediate: 1024 } },
      { name: 'gemma-2-2b', shape: GEMMA2_2B },
    ],
    // Keeps a full run near ten minutes on a 2-core machine while slow rows
    // (gpu.js cpu/webasm at 2^24, the JS MLP) still get several runs.
    maxRunSeconds: 15,
    rowBudgetSeconds: 30,
    oracleElements: 200,
    // The goal ratios swing from run to run here (issue 19): five rounds of their rows give a spread.
    rounds: 5,
  };
}
