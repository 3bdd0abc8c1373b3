/**
 * Plain triple-loop float64 reference for the Gemma 2 MLP and the forward
 * error bound stated in src/mlp/gemma2.ts, evaluated in float64.
 *
 * The reference is independent of the kernel's code: gelu tanh uses
 * Math.tanh on PyTorch's formula, gelu exact uses the oracle-free
 * series below only through `geluExactRef` (tests of the exact form keep
 * |G| small so both agree to ~1e−15).
 */

export type Approximate = 'none' | 'tanh';

/** 0.044715 and √(2/π) as PyTorch's gelu(approximate='tanh') writes them. */
export function geluTanhRef(x: number): number {
  return 0.5 * x * (1 + Math.tanh(Math.sqrt(2 / Math.PI) * (x + 0.044715 * x * x * x)));
}

/** erf by its Maclaurin series; exact to ~1e−15 for |x| ≤ 3 (the tests stay there). */
function erfSeries(x: number): number {
  let term = x;
  let sum = x;
  for (let n = 1; n < 200; n++) {
    term *= (-x * x) / n;
    sum += term / (2 * n + 1);
    if (Math.abs(term) < 1e-18) break;
  }
  return (2 / Math.sqrt(Math.PI)) * sum;
}

export function geluExactRef(x: number): number {
  return 0.5 * x * (1 + erfSeries(x / Math.SQRT2));
}

export interface Reference {
  y: Float64Array;
  /** The stated bound on |ŷ − y| per output, plus the reference's own error allowance. */
  bound: Float64Array;
  /** The stated bound alone. */
  stated: Float64Array;
}

/** γ_n = n·u/(1 − n·u). */
export function gamma(n: number, u: number): number {
  return (n * u) / (1 - n * u);
}

export function mlpReference(
  x: ArrayLike<number>,
  tokens: number,
  d: number,
  f: number,
  gate: ArrayLike<number>,
  up: ArrayLike<number>,
  down: ArrayLike<number>,
  approximate: Approximate,
  format: 'f32' | 'f64',
): Reference {
  const u = format === 'f32' ? 2 ** -24 : 2 ** -53;
  const rho = format === 'f32' ? 2 ** -22 : 2 ** -51;
  const eta = format === 'f32' ? 2 ** -148 : 2 ** -1073;
  const mu = format === 'f32' ? 2 ** -149 : 2 ** -1074;
  const L = 1.13;
  const gd = gamma(Math.ceil(d / 4) + 2, u);
  const gf = gamma(Math.ceil(f / 4) + 2, u);
  const gelu = approximate === 'tanh' ? geluTanhRef : geluExactRef;
  const y = new Float64Array(tokens * d);
  const bound = new Float64Array(tokens * d);
  const stated = new Float64Array(tokens * d);
  const A = new Float64Array(f);
  const EA = new Float64Array(f);
  const mag = new Float64Array(f);
  for (let t = 0; t < tokens; t++) {
    for (let j = 0; j < f; j++) {
      let g = 0;
      let uu = 0;
      let ag = 0;
      let au = 0;
      for (let k = 0; k < d; k++) {
        const xv = x[t * d + k]!;
        g += xv * gate[j * d + k]!;
        uu += xv * up[j * d + k]!;
        ag += Math.abs(xv * gate[j * d + k]!);
        au += Math.abs(xv * up[j * d + k]!);
      }
      const eg = gd * ag + d * mu;
      const eu = gd * au + d * mu;
      const gg = gelu(g);
      A[j] = gg * uu;
      const prop = L * eg * (Math.abs(uu) + eu) + Math.abs(gg) * eu;
      EA[j] = prop + rho * (Math.abs(A[j]!) + prop) + eta;
      // The f64 reference's own error is below 2^−40 of these magnitudes.
      mag[j] = Math.abs(A[j]!) + L * ag * (Math.abs(uu) + au) + Math.abs(gg) * au;
    }
    for (let i = 0; i < d; i++) {
      let s = 0;
      let b = 0;
      let m = 0;
      for (let j = 0; j < f; j++) {
        const w = down[i * f + j]!;
        s += A[j]! * w;
        b += (gf * (Math.abs(A[j]!) + EA[j]!) + EA[j]!) * Math.abs(w);
        m += mag[j]! * Math.abs(w);
      }
      y[t * d + i] = s;
      stated[t * d + i] = b + f * mu;
      bound[t * d + i] = b + f * mu + 2 ** -40 * m;
    }
  }
  return { y, bound, stated };
}
