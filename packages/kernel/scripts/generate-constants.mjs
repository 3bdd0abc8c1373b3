#!/usr/bin/env node
// Writes src/elementwise/constants.ts: the irrational and decimal constants of
// gelu/erf as double-double pairs (hi = nearest double, lo = nearest double to
// the rest), from exact integer arithmetic so no floating-point library is
// trusted. Every value is computed to 400 bits with BigInt fixed point:
//   π by Machin's formula 16·atan(1/5) − 4·atan(1/239),
//   ln 2 = Σ 1/(k·2^k),
//   square roots by integer Newton iteration (floor, then the rest < 2^-400).
// Usage: node scripts/generate-constants.mjs  (from packages/kernel)
import { writeFileSync } from 'node:fs';

const P = 400n; // fixed-point bits
const ONE = 1n << P;

function atanInv(n) { // atan(1/n)·2^P
  let sum = 0n, term = ONE / n, k = 0n;
  const n2 = n * n;
  while (term !== 0n) {
    sum += (k % 2n === 0n ? 1n : -1n) * (term / (2n * k + 1n));
    term /= n2; k++;
  }
  return sum;
}
const PI = 16n * atanInv(5n) - 4n * atanInv(239n);
let LN2 = 0n;
for (let k = 1n; ; k++) { const t = ONE / (k << k); if (t === 0n) break; LN2 += t; }
function isqrt(n) { // floor(sqrt(n))
  if (n < 2n) return n;
  // Newton from above: any start ≥ √n decreases monotonically to floor(√n).
  let x = 1n << BigInt((n.toString(2).length >> 1) + 1);
  for (;;) { const y = (x + n / x) >> 1n; if (y >= x) return x; x = y; }
}
const sqrtFix = (v) => isqrt(v << P); // sqrt of fixed-point v, fixed point
const div = (a, b) => (a << P) / b;

function split(v) {
  // Number(v) may overflow (v ~ 2^400): scale by shifting first so the
  // conversion is a single correctly rounded step.
  const bits = v < 0n ? (-v).toString(2).length : v.toString(2).length;
  const shift = BigInt(Math.max(0, bits - 60));
  // Truncating to 60 bits before rounding can double-round, so the candidate
  // is then compared exactly with its two neighbours.
  let hi = Number(v >> shift) * 2 ** (Number(shift) - Number(P));
  const exact = (d) => { // d as fixed point, exactly (d has ≤ 53 bits, P large)
    const [m, e] = decompose(d); return e + Number(P) >= 0 ? m << BigInt(e + Number(P)) : m >> BigInt(-(e + Number(P)));
  };
  const up = nextUp(hi), down = nextDown(hi);
  for (const c of [up, down]) if (abs(v - exact(c)) < abs(v - exact(hi))) hi = c;
  const rest = v - exact(hi);
  const rbits = rest === 0n ? 0 : abs(rest).toString(2).length;
  const rshift = BigInt(Math.max(0, rbits - 60));
  let lo = Number(rest >> rshift) * 2 ** (Number(rshift) - Number(P));
  const upl = nextUp(lo), downl = nextDown(lo);
  for (const c of [upl, downl]) if (abs(rest - exact(c)) < abs(rest - exact(lo))) lo = c;
  return [hi, lo];
}
const abs = (a) => (a < 0n ? -a : a);
function decompose(d) { // d = m·2^e, m integer
  if (d === 0) return [0n, 0];
  const b = new DataView(new ArrayBuffer(8)); b.setFloat64(0, d);
  const bits = b.getBigUint64(0);
  const sign = bits >> 63n ? -1n : 1n;
  const ex = Number((bits >> 52n) & 0x7ffn);
  let mant = bits & ((1n << 52n) - 1n);
  if (ex !== 0) mant |= 1n << 52n;
  return [sign * mant, (ex === 0 ? 1 : ex) - 1075];
}
function step(d, dir) {
  const b = new DataView(new ArrayBuffer(8)); b.setFloat64(0, d);
  let bits = b.getBigUint64(0);
  if (d === 0) return dir * 5e-324;
  bits += (d > 0) === (dir > 0) ? 1n : -1n;
  b.setBigUint64(0, bits); return b.getFloat64(0);
}
const nextUp = (d) => step(d, 1), nextDown = (d) => step(d, -1);
function hex(d) {
  const b = new DataView(new ArrayBuffer(8)); b.setFloat64(0, d);
  return `0x${b.getUint32(0).toString(16).padStart(8, '0').toUpperCase()}, 0x${b.getUint32(4).toString(16).padStart(8, '0').toUpperCase()}`;
}

const TWO = 2n * ONE;
const constants = [
  ['SQRT_2_OVER_PI', sqrtFix(div(TWO, PI)), '√(2/π), the tanh form\'s slope'],
  ['INV_SQRT2', sqrtFix(ONE / 2n), '1/√2, maps x to erfc\'s argument'],
  ['GELU_TANH_A', div(44715n * ONE, 1000000n * ONE), '0.044715 as the exact decimal'],
  ['INV_SQRT_PI', sqrtFix(div(ONE, PI)), '1/√π, erfc\'s continued-fraction prefactor'],
  ['TWO_OVER_SQRT_PI', 2n * sqrtFix(div(ONE, PI)), '2/√π, erf\'s series prefactor'],
  ['INV_SQRT_2PI', sqrtFix(div(ONE, 2n * PI)), '1/√(2π) = Phi\'(0), gelu\'s x² coefficient at 0'],
  ['LN2', LN2, 'ln 2'],
];
const lines = [];
lines.push('// generated — do not edit. Regenerate with `node scripts/generate-constants.mjs`');
lines.push('// (exact BigInt fixed-point arithmetic at 400 bits; see that script for the method).');
lines.push('// Each constant c is a double-double: HI = nearest double to c, LO = nearest');
lines.push('// double to c − HI, so |c − (HI + LO)| ≤ 2^-106·|c|. Bit patterns: high word, low word.');
lines.push('');
for (const [name, v, what] of constants) {
  const [hi, lo] = split(v);
  lines.push(`/** ${what}: high part. */`);
  lines.push(`export const ${name}_HI = ${hi}; // ${hex(hi)}`);
  lines.push(`/** ${what}: low part. */`);
  lines.push(`export const ${name}_LO = ${lo}; // ${hex(lo)}`);
}
// Cody–Waite split of ln 2: the first part keeps 32 significant bits so
// k·LN2_CW1 is exact for |k| < 2^21 (the reduction uses |k| ≤ 1100).
const cw1 = (LN2 >> (P - 32n)) << (P - 32n);
const [cw2, cw3] = split(LN2 - cw1);
const cw1d = split(cw1)[0];
lines.push('/** ln 2, Cody–Waite part 1 (32 significant bits, so k·part 1 is exact). */');
lines.push(`export const LN2_CW1 = ${cw1d}; // ${hex(cw1d)}`);
lines.push('/** ln 2, Cody–Waite part 2 (the next 53 bits). */');
lines.push(`export const LN2_CW2 = ${cw2}; // ${hex(cw2)}`);
lines.push('/** ln 2, Cody–Waite part 3 (the next 53 bits). */');
lines.push(`export const LN2_CW3 = ${cw3}; // ${hex(cw3)}`);
const out = new URL('../src/elementwise/constants.ts', import.meta.url);
writeFileSync(out, lines.join('\n') + '\n');
console.log(lines.join('\n'));
