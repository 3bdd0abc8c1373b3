import type { MlpShape, MlpWeights32, Workload, WorkloadInputs } from './types.js';

/**
 * xorshift128+ gives every run, row and machine the same inputs, which is what
 * lets accuracy columns be compared across rows and across runs.
 */
export class Rng {
  private s0: bigint;
  private s1: bigint;
  constructor(seed: number) {
    // splitmix64 expands the seed so that nearby seeds give unrelated streams.
    let z = BigInt.asUintN(64, BigInt(seed) + 0x9e3779b97f4a7c15n);
    const next = () => {
      z = BigInt.asUintN(64, z + 0x9e3779b97f4a7c15n);
      let t = z;
      t = BigInt.asUintN(64, (t ^ (t >> 30n)) * 0xbf58476d1ce4e5b9n);
      t = BigInt.asUintN(64, (t ^ (t >> 27n)) * 0x94d049bb133111ebn);
      return t ^ (t >> 31n);
    };
    this.s0 = next();
    this.s1 = next();
  }
  /** Uniform on [0, 1) with 53 random bits. */
  next(): number {
    let s1 = this.s0;
    const s0 = this.s1;
    this.s0 = s0;
    s1 = BigInt.asUintN(64, s1 ^ (s1 << 23n));
    this.s1 = s1 ^ s0 ^ (s1 >> 17n) ^ (s0 >> 26n);
    return Number(BigInt.asUintN(64, this.s1 + s0) >> 11n) / 2 ** 53;
  }
  uniform(lo: number, hi: number): number {
    return lo + (hi - lo) * this.next();
  }
}

/**
 * Fills a large array fast: BigInt arithmetic is too slow for 2^24 elements, so
 * the bulk data uses a 32-bit LCG (Numerical Recipes constants), which is plenty
 * for timing inputs whose only job is to be varied and reproducible.
 */
export function fillUniform(out: Float32Array, lo: number, hi: number, seed: number): Float32Array {
  let s = seed >>> 0;
  const scale = (hi - lo) / 2 ** 32;
  for (let i = 0; i < out.length; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    out[i] = lo + s * scale;
  }
  return out;
}

/** Timing inputs span the body and both tails, so branchy kernels take every path. */
export const TIMING_RANGE: readonly [number, number] = [-10, 10];

export const TIMING_INPUTS =
  'x (and GeGLU’s gate) uniform on [-10, 10], a quarter of them below -5 where careful tails take their slow path ' +
  '(the “N(0, 2²)” GeGLU row draws its gate from a normal distribution instead, 0.6% below -5); ' +
  'GeGLU’s up uniform on [-4, 4]; MLP x uniform on [-2, 2] with nn.Linear-style weights uniform on ±1/√fan_in; fixed seeds';

/** Box–Muller over the same LCG: reproducible normal variates, fast enough for 2^24 values. */
export function fillNormal(out: Float32Array, sigma: number, seed: number): Float32Array {
  let s = seed >>> 0;
  const next = () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return (s + 0.5) / 2 ** 32;
  };
  for (let i = 0; i < out.length; i += 2) {
    const r = sigma * Math.sqrt(-2 * Math.log(next()));
    const t = 2 * Math.PI * next();
    out[i] = r * Math.cos(t);
    if (i + 1 < out.length) out[i + 1] = r * Math.sin(t);
  }
  return out;
}

export function elementwiseInputs(w: Workload, withUp: boolean): WorkloadInputs {
  const n = w.elements;
  const x =
    w.inputs === 'normal' ? fillNormal(new Float32Array(n), 2, 1) : fillUniform(new Float32Array(n), TIMING_RANGE[0], TIMING_RANGE[1], 1);
  const up = withUp ? fillUniform(new Float32Array(n), -4, 4, 2) : undefined;
  return lazyInputs(x, up, new Float32Array(n));
}

export function lazyInputs(x: Float32Array, up: Float32Array | undefined, out32: Float32Array, mlpWeights?: MlpWeights32): WorkloadInputs {
  let x64: Float64Array | undefined;
  let up64: Float64Array | undefined;
  let out64: Float64Array | undefined;
  return {
    x,
    up,
    out32,
    mlpWeights,
    x64: () => (x64 ??= Float64Array.from(x)),
    up64: () => {
      if (up === undefined) throw new Error('up64: this workload has no up input');
      return (up64 ??= Float64Array.from(up));
    },
    out64: () => (out64 ??= new Float64Array(out32.length)),
  };
}

/** Adds the incoming gradient of a backward workload: uniform on [−1, 1], as long as the forward output. */
export function withGradient(inputs: WorkloadInputs): WorkloadInputs {
  inputs.dy = fillUniform(new Float32Array(inputs.out32.length), -1, 1, 15);
  return inputs;
}

/** The inputs of workload `w` (fixed seeds: every process that asks gets the same numbers). */
export function inputsFor(w: Workload): WorkloadInputs {
  if (w.kind === 'mlp') return mlpInputs(w.mlp!);
  if (w.kind === 'mlp-backward') return withGradient(mlpInputs(w.mlp!));
  if (w.kind === 'geglu-backward') return withGradient(elementwiseInputs(w, true));
  return elementwiseInputs(w, w.kind === 'geglu');
}

/**
 * Weights scaled like a trained layer (uniform with variance 1/fan_in, nn.Linear's
 * default init range) so activations stay O(1) and the gelu sees realistic inputs.
 */
export function mlpInputs(shape: MlpShape): WorkloadInputs {
  const { tokens, hidden, intermediate } = shape;
  const bIn = 1 / Math.sqrt(hidden);
  const bOut = 1 / Math.sqrt(intermediate);
  const weights: MlpWeights32 = {
    hidden,
    intermediate,
    gate: fillUniform(new Float32Array(intermediate * hidden), -bIn, bIn, 11),
    up: fillUniform(new Float32Array(intermediate * hidden), -bIn, bIn, 12),
    down: fillUniform(new Float32Array(hidden * intermediate), -bOut, bOut, 13),
  };
  const x = fillUniform(new Float32Array(tokens * hidden), -2, 2, 14);
  return lazyInputs(x, undefined, new Float32Array(tokens * hidden), weights);
}

export const SAMPLE_COMPOSITION =
  '30% uniform on [-15, -3] (negative tail down to where f32 results underflow), ' +
  '15% on [-1.25, -0.25] (the minimum near -0.75), 15% within ±0.3 of ±2.70 (largest tanh−exact gap), ' +
  '25% uniform on [-6, 6], 5% on [3, 20], 10% of magnitude 1e-30..1e-1 (both signs); all rounded to f32';

/** The accuracy sample: a few thousand f32 inputs weighted toward the regions that go wrong. */
export function accuracySample(size: number, seed = 7): Float32Array {
  const rng = new Rng(seed);
  const out = new Float32Array(size);
  for (let i = 0; i < size; i++) {
    const u = (i + 0.5) / size;
    let v: number;
    if (u < 0.3) v = rng.uniform(-15, -3);
    else if (u < 0.45) v = rng.uniform(-1.25, -0.25);
    else if (u < 0.6) v = (rng.next() < 0.5 ? -2.7 : 2.7) + rng.uniform(-0.3, 0.3);
    else if (u < 0.85) v = rng.uniform(-6, 6);
    else if (u < 0.9) v = rng.uniform(3, 20);
    else v = (rng.next() < 0.5 ? -1 : 1) * 10 ** rng.uniform(-30, -1);
    out[i] = v;
  }
  return out;
}

/** The up half paired with the sample for GeGLU accuracy. */
export function accuracyUp(size: number, seed = 8): Float32Array {
  const rng = new Rng(seed);
  const out = new Float32Array(size);
  for (let i = 0; i < size; i++) out[i] = rng.uniform(-4, 4);
  return out;
}
