#!/usr/bin/env node
// Writes src/elementwise/tables.generated.ts: the piecewise polynomials of the
// fast float32 kernels. For each variant, F(x) = gelu(x)/x (= Phi(x) for the
// exact form, sigmoid(2u(x)) for the tanh form) is interpolated on intervals
// [X0 + i/N, X0 + (i+1)/N] by a polynomial of degree d in t ∈ [−1, 1] at the
// d + 1 Chebyshev points of the first kind, converted to monomial form
// (Horner in the kernel). Exact form: N = 256, d = 5 (six coefficients, three
// 16-byte pairs per interval for the WebAssembly kernel; measured error
// 2^-45.2, bench/fast-error.mjs). Tanh form: N = 64, d = 8 (2^-44.9; at
// N = 256, d = 5 it would be 2^-40.2, above the rounding test's 2^-41,
// because F falls faster in the tanh form's tail; only the JavaScript path
// uses this table). Samples come from the package's double-double gelu
// (dist/elementwise/cores.js, build first), whose results are correctly
// rounded doubles, so F is known to ~1.5 ulp at every node.
//
// Each table starts at the float32 threshold below which gelu is −0 and
// runs past the one above which it is x, up to where 1 − gelu(x)/x < 2^-60
// (geglu multiplies by u, so it needs F there); the thresholds are found by
// bisection over float32 values with the accurate float32 gelu.
//
// Usage (from packages/kernel): pnpm build && node scripts/generate-tables.mjs
import { writeFileSync } from 'node:fs';
import { gelu32, gelu64 } from '../dist/elementwise/cores.js';
import { erfc } from '../dist/elementwise/scalar.js';
import { encodeTable } from '../dist/elementwise/table-codec.js';

const SHAPES = { exact: { DEGREE: 5, PER_UNIT: 256 }, tanh: { DEGREE: 8, PER_UNIT: 64 } };

const f32 = new Float32Array(1);
const i32 = new Int32Array(f32.buffer);
const fromBits = (b) => {
  i32[0] = b;
  return f32[0];
};
const toBits = (x) => {
  f32[0] = x;
  return i32[0];
};
/**
 * Bisection over float32 bit patterns (ordered like the values for x > 0 and
 * reversed for x < 0) for the boundary of a predicate that holds on one side.
 * Monotonicity is the mathematical claim (|gelu(x) − x|/|x| decreases for
 * x > 0, |gelu(x)| increases for x < 0); the tests check each side of it.
 */
function bisect(lo, hi, holdsAtHi) {
  // lo fails, hi holds; returns first holding bits
  while (hi - lo > 1) {
    const m = Math.floor((lo + hi) / 2);
    if (holdsAtHi(m)) hi = m;
    else lo = m;
  }
  return hi;
}
/** Smallest float32 xi such that gelu32(x) === x for every float32 x ≥ xi. */
function identityThreshold(tanh) {
  return fromBits(bisect(toBits(1), toBits(64), (b) => gelu32(fromBits(b), tanh) === fromBits(b)));
}
/** Largest float32 xz such that gelu32(x) is −0 for every float32 x ≤ xz. */
function zeroThreshold(tanh) {
  // Negative floats: larger bit pattern (as uint) = more negative.
  const lo = toBits(-1) >>> 0,
    hi = toBits(-64) >>> 0;
  return fromBits(bisect(lo, hi, (b) => Object.is(gelu32(fromBits(b | 0), tanh), -0)) | 0);
}

function chebyshevToMonomial(c) {
  // Σ c_j T_j(t) → Σ a_i t^i
  const n = c.length;
  const a = new Array(n).fill(0);
  let tPrev = new Array(n).fill(0);
  tPrev[0] = 1; // T0
  let tCur = new Array(n).fill(0);
  tCur[1] = 1; // T1
  for (let i = 0; i < n; i++) a[i] += c[0] * tPrev[i];
  if (n > 1) for (let i = 0; i < n; i++) a[i] += c[1] * tCur[i];
  for (let j = 2; j < n; j++) {
    const tNext = new Array(n).fill(0);
    for (let i = 0; i < n; i++) {
      if (i > 0) tNext[i] += 2 * tCur[i - 1];
      tNext[i] -= tPrev[i];
    }
    for (let i = 0; i < n; i++) a[i] += c[j] * tNext[i];
    tPrev = tCur;
    tCur = tNext;
  }
  return a;
}

function table(tanh) {
  const { DEGREE, PER_UNIT } = SHAPES[tanh ? 'tanh' : 'exact'];
  const xi = identityThreshold(tanh);
  const xz = zeroThreshold(tanh);
  const x0 = Math.floor(xz * PER_UNIT) / PER_UNIT;
  // The table runs on past the float32 identity to `end`, where 1 − F(x) < 2^-60,
  // so geglu (gelu(g)·u, whose rounding depends on u) can use it there too.
  const q = (x) => (tanh ? 1 / (1 + Math.exp(2 * 0.7978845608028654 * (x + 0.044715 * x * x * x))) : erfc(x / Math.SQRT2) / 2);
  let end = Math.ceil(xi * PER_UNIT) / PER_UNIT;
  while (q(end) >= 2 ** -60) end += 1 / PER_UNIT;
  const count = Math.round((end - x0) * PER_UNIT);
  const F = (x) => (x === 0 ? 0.5 : gelu64(x, tanh) / x);
  const n = DEGREE + 1;
  const coeffs = [];
  for (let i = 0; i < count; i++) {
    const lo = x0 + i / PER_UNIT;
    const half = 0.5 / PER_UNIT;
    const mid = lo + half;
    const nodes = [];
    for (let k = 0; k < n; k++) nodes.push(Math.cos((Math.PI * (k + 0.5)) / n));
    const f = nodes.map((t) => F(mid + half * t));
    const c = [];
    for (let j = 0; j < n; j++) {
      let s = 0;
      for (let k = 0; k < n; k++) s += f[k] * Math.cos((Math.PI * j * (k + 0.5)) / n);
      c.push(((j === 0 ? 1 : 2) / n) * s);
    }
    coeffs.push(...chebyshevToMonomial(c));
  }
  return { xi, xz, x0, end, count, coeffs, DEGREE, PER_UNIT };
}

const hex32 = (x) => {
  const f = new Float32Array([x]);
  return `0x${new Uint32Array(f.buffer)[0].toString(16).toUpperCase().padStart(8, '0')}`;
};
const lines = [
  '// generated — do not edit. Regenerate with `node scripts/generate-tables.mjs`',
  '// (after a build): Chebyshev interpolants of F(x) = gelu(x)/x on intervals of',
  '// width 1/PER_UNIT, degree DEGREE, monomial coefficients in t ∈ [−1, 1], lowest',
  '// first; interval i covers [X0 + i/PER_UNIT, X0 + (i+1)/PER_UNIT],',
  '// t = 2·PER_UNIT·(x − X0 − i/PER_UNIT) − 1. The coefficients are stored in',
  "// ./table-codec.ts's lossless text form (every float64 bit kept).",
  '',
  "import { decodeTable } from './table-codec.js';",
  '',
];
for (const [name, tanh] of [
  ['EXACT', false],
  ['TANH', true],
]) {
  const t = table(tanh);
  lines.push(`/** Every float32 x ≥ this has float32 gelu(x) = x (${tanh ? 'tanh' : 'exact'} form; float32 bits ${hex32(t.xi)}). */`);
  lines.push(`export const ${name}_IDENTITY_F32 = ${t.xi};`);
  lines.push(`/** Every float32 x ≤ this has float32 gelu(x) = −0 (${tanh ? 'tanh' : 'exact'} form; float32 bits ${hex32(t.xz)}). */`);
  lines.push(`export const ${name}_ZERO_F32 = ${t.xz};`);
  lines.push(`/** Right end of the last interval: from here on 1 − gelu(x)/x < 2^-60. */`);
  lines.push(`export const ${name}_END = ${t.end};`);
  lines.push(`/** Left end of the first interval. */`);
  lines.push(`export const ${name}_X0 = ${t.x0};`);
  lines.push(`/** Degree of each interval's polynomial (${t.DEGREE + 1} coefficients). */`);
  lines.push(`export const ${name}_DEGREE = ${t.DEGREE};`);
  lines.push(`/** Intervals per unit of x. */`);
  lines.push(`export const ${name}_PER_UNIT = ${t.PER_UNIT};`);
  lines.push(`/** Number of intervals. */`);
  lines.push(`export const ${name}_COUNT = ${t.count};`);
  lines.push(`/** ${t.count} × ${t.DEGREE + 1} coefficients. */`);
  lines.push(
    `export const ${name}_COEFFS: Float64Array = decodeTable('${encodeTable(t.coeffs, t.DEGREE + 1)}', ${t.count}, ${t.DEGREE + 1});`,
  );
  console.error(name, 'identity ≥', t.xi, 'zero ≤', t.xz, 'end', t.end, 'intervals', t.count);
}
writeFileSync(new URL('../src/elementwise/tables.generated.ts', import.meta.url), `${lines.join('\n')}\n`);
