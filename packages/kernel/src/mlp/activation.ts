/**
 * PRIVATE FALLBACK — delete when `geglu` from '../elementwise/index.js' lands.
 *
 * The MLP needs the fused activation a = gelu(g) ⊙ u. The elementwise half of
 * the kernel owns the accurate, fast version; until it is exported this file
 * computes gelu in float64 and rounds the product once to the output format.
 *
 * Method (f64):
 * - tanh form: gelu(x) = x·sigmoid(2·√(2/π)·(x + 0.044715·x³)), the identity
 *   ½(1 + tanh v) = sigmoid(2v), which keeps the negative tail free of
 *   cancellation; relative error a few ulps of f64.
 * - exact form: gelu(x) = ½·x·erfc(−x/√2) with erfc from its Maclaurin series
 *   for |z| < 2.5 (via erf, cancellation ≤ 1 − erf(2.5) ≈ 4e−4, i.e. ≤ 12 bits
 *   lost of 53) and a Lentz continued fraction (A&S 7.1.14) for z ≥ 2.5.
 * Either way the f64 value is within ~2^−40 relative of gelu(x), so the f32
 * product carries at most one extra rounding: ≤ 1 step, like the contract of
 * the elementwise `geglu`.
 */

const SQRT_2_OVER_PI = 0.7978845608028654; // √(2/π) rounded to f64
const SQRT1_2 = Math.SQRT1_2;
const TWO_OVER_SQRT_PI = 1.1283791670955126; // 2/√π rounded to f64

function erfcFallback(z: number): number {
  if (Number.isNaN(z)) return NaN;
  if (z < 2.5 && z > -2.5) {
    // erf(z) = 2/√π Σ (−1)^n z^(2n+1) / (n! (2n+1)); terms shrink after n ≈ z² ≤ 6.25.
    const z2 = z * z;
    let term = z;
    let sum = z;
    for (let n = 1; n < 60; n++) {
      term *= -z2 / n;
      const add = term / (2 * n + 1);
      sum += add;
      if (Math.abs(add) < 1e-17 * Math.abs(sum)) break;
    }
    return 1 - TWO_OVER_SQRT_PI * sum;
  }
  if (z <= -2.5) return 2 - erfcFallback(-z);
  if (z > 27.3) return 0; // erfc(27.3) < 2^−1074
  // erfc(z) = exp(−z²)/√π · 1/(z + (1/2)/(z + 1/(z + (3/2)/(z + …)))) (A&S 7.1.14), Lentz's method.
  const tiny = 1e-300;
  let f = z;
  let c = z;
  let d = 0;
  for (let n = 1; n < 200; n++) {
    const a = n / 2;
    d = z + a * d;
    if (d === 0) d = tiny;
    c = z + a / c;
    if (c === 0) c = tiny;
    d = 1 / d;
    const delta = c * d;
    f *= delta;
    if (Math.abs(delta - 1) < 1e-16) break;
  }
  // exp(−z²) split as exp(−z·z_hi)·exp(−z·z_lo)-free: z ≤ 27.3 keeps z² representable well enough.
  return Math.exp(-z * z) / (Math.sqrt(Math.PI) * f);
}

function gelu64(x: number, approximate: 'none' | 'tanh'): number {
  if (approximate === 'tanh') {
    if (x === Infinity) return Infinity;
    if (x === -Infinity) return -0;
    const v = SQRT_2_OVER_PI * (x + 0.044715 * x * x * x);
    return x / (1 + Math.exp(-2 * v));
  }
  if (x === Infinity) return Infinity;
  if (x === -Infinity) return -0;
  return 0.5 * x * erfcFallback(-x * SQRT1_2);
}

/** out[i] = round(gelu(gate[i]) · up[i]) in the format of `out`. Private fallback. */
export function gegluFallback(
  gate: Float32Array | Float64Array,
  up: Float32Array | Float64Array,
  approximate: 'none' | 'tanh',
  out: Float32Array | Float64Array,
): void {
  const n = out.length;
  for (let i = 0; i < n; i++) out[i] = gelu64(gate[i]!, approximate) * up[i]!;
}
