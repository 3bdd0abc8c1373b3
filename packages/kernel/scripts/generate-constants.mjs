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

function atanInv(n) {
  // atan(1/n)·2^P
  let sum = 0n,
    term = ONE / n,
    k = 0n;
  const n2 = n * n;
  while (term !== 0n) {
    sum += (k % 2n === 0n ? 1n : -1n) * (term / (2n * k + 1n));
    term /= n2;
    k++;
  }
  return sum;
}
const PI = 16n * atanInv(5n) - 4n * atanInv(239n);
let LN2 = 0n;
for (let k = 1n; ; k++) {
  const t = ONE / (k << k);
  if (t === 0n) break;
  LN2 += t;
}
function isqrt(n) {
  // floor(sqrt(n))
  if (n < 2n) return n;
  // Newton from above: any start ≥ √n decreases monotonically to floor(√n).
  let x = 1n << BigInt((n.toString(2).length >> 1) + 1);
  for (;;) {
    const y = (x + n / x) >> 1n;
    if (y >= x) return x;
    x = y;
  }
}
const sqrtFix = (v) => isqrt(v << P); // sqrt of fixed-point v, fixed point
const div = (a, b) => (a << P) / b;

/** A double as fixed point, exactly (it has ≤ 53 significant bits, P is large). */
function exactFix(d) {
  const [m, e] = decompose(d);
  return e + Number(P) >= 0 ? m << BigInt(e + Number(P)) : m >> BigInt(-(e + Number(P)));
}
function split(v) {
  // Number(v) may overflow (v ~ 2^400): scale by shifting first so the
  // conversion is a single correctly rounded step.
  const bits = v < 0n ? (-v).toString(2).length : v.toString(2).length;
  const shift = BigInt(Math.max(0, bits - 60));
  // Truncating to 60 bits before rounding can double-round, so the candidate
  // is then compared exactly with its two neighbours.
  let hi = Number(v >> shift) * 2 ** (Number(shift) - Number(P));
  const up = nextUp(hi),
    down = nextDown(hi);
  for (const c of [up, down]) if (abs(v - exactFix(c)) < abs(v - exactFix(hi))) hi = c;
  const rest = v - exactFix(hi);
  const rbits = rest === 0n ? 0 : abs(rest).toString(2).length;
  const rshift = BigInt(Math.max(0, rbits - 60));
  let lo = Number(rest >> rshift) * 2 ** (Number(rshift) - Number(P));
  const upl = nextUp(lo),
    downl = nextDown(lo);
  for (const c of [upl, downl]) if (abs(rest - exactFix(c)) < abs(rest - exactFix(lo))) lo = c;
  return [hi, lo];
}
const abs = (a) => (a < 0n ? -a : a);
function decompose(d) {
  // d = m·2^e, m integer
  if (d === 0) return [0n, 0];
  const b = new DataView(new ArrayBuffer(8));
  b.setFloat64(0, d);
  const bits = b.getBigUint64(0);
  const sign = bits >> 63n ? -1n : 1n;
  const ex = Number((bits >> 52n) & 0x7ffn);
  let mant = bits & ((1n << 52n) - 1n);
  if (ex !== 0) mant |= 1n << 52n;
  return [sign * mant, (ex === 0 ? 1 : ex) - 1075];
}
function step(d, dir) {
  const b = new DataView(new ArrayBuffer(8));
  b.setFloat64(0, d);
  let bits = b.getBigUint64(0);
  if (d === 0) return dir * 5e-324;
  bits += d > 0 === dir > 0 ? 1n : -1n;
  b.setBigUint64(0, bits);
  return b.getFloat64(0);
}
const nextUp = (d) => step(d, 1),
  nextDown = (d) => step(d, -1);
function hex(d) {
  const b = new DataView(new ArrayBuffer(8));
  b.setFloat64(0, d);
  return `0x${b.getUint32(0).toString(16).padStart(8, '0').toUpperCase()}, 0x${b.getUint32(4).toString(16).padStart(8, '0').toUpperCase()}`;
}

const TWO = 2n * ONE;
const constants = [
  ['SQRT_2_OVER_PI', sqrtFix(div(TWO, PI)), "√(2/π), the tanh form's slope"],
  ['INV_SQRT2', sqrtFix(ONE / 2n), "1/√2, maps x to erfc's argument"],
  ['GELU_TANH_A', div(44715n * ONE, 1000000n * ONE), '0.044715 as the exact decimal'],
  ['INV_SQRT_PI', sqrtFix(div(ONE, PI)), "1/√π, erfc's continued-fraction prefactor"],
  ['TWO_OVER_SQRT_PI', 2n * sqrtFix(div(ONE, PI)), "2/√π, erf's series prefactor"],
  ['INV_SQRT_2PI', sqrtFix(div(ONE, 2n * PI)), "1/√(2π) = Phi'(0), gelu's x² coefficient at 0"],
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

// The table-free tanh kernel (src/wasm/gelu-simd.ts sigmoidTanhBody) works in
// base 2: e^{−2u} = 2^b, b = x·(B1 + B3·x²). Nearest doubles (relative error
// ≤ 2^-53 each) to the exact reals.
const LOG2E = div(ONE, LN2);
const mulFix = (a, b) => (a * b) >> P;
const B1 = -mulFix(2n * sqrtFix(div(TWO, PI)), LOG2E);
const B3 = mulFix(B1, div(44715n * ONE, 1000000n * ONE));
const nearest = [
  ['TANH_EXP2_B1', B1, "−2√(2/π)·log2(e): the tanh kernel's exponent b = x·(B1 + B3·x²) is −2u in base 2"],
  ['TANH_EXP2_B3', B3, '−2√(2/π)·0.044715·log2(e), the x³ coefficient of that exponent'],
];
lines.push('');
lines.push('// Nearest doubles (relative error ≤ 2^-53), not double-double pairs.');
for (const [name, v, what] of nearest) {
  const d = split(v)[0];
  lines.push(`/** ${what}. */`);
  lines.push(`export const ${name} = ${d}; // ${hex(d)}`);
}

// 2^f for |f| ≤ 1/2 in fdlibm's rational form, divided by ln 2: with
// r = f·ln 2 and R(r) = r·coth(r/2), 2^f = e^r = (R + r)/(R − r) = (w + f)/(w − f),
// w = R/ln 2 = W0 + z·h(z), z = f², W0 = 2/ln 2 and
// h(z) = Σ_{n≥1} 2·B_{2n}/(2n)!·ln2^{2n−1}·z^{n−1} (B the Bernoulli numbers).
// The series is kept to NSERIES terms (its terms alternate and shrink by
// ln2²·z/(4π²) < 1/300 for z ≤ 1/4, so the first dropped one bounds the rest), then
// economized on z ∈ [0, 1/4] to four terms by subtracting multiples of the
// shifted Chebyshev polynomials T*_m(4z) (|T*_m| ≤ 1, leading coefficient
// 2^(2m−1)), highest degree first, each step's |multiple| added to the bound.
// Every step is exact in 400-bit fixed point but the shifts, whose truncation
// (< 2^-379 each) is far below what is reported.
const NSERIES = 12;
const KEEP = 4;
function bernoulli(count) {
  // B_0 … B_count as [num, den], from Σ_{k≤m} C(m+1, k)·B_k = 0
  const gcd = (a, b) => {
    a = a < 0n ? -a : a;
    while (b) [a, b] = [b, a % b];
    return a;
  };
  const B = [[1n, 1n]];
  for (let m = 1; m <= count; m++) {
    let num = 0n,
      den = 1n,
      c = 1n; // c = C(m+1, k)
    for (let k = 0; k < m; k++) {
      const [bn, bd] = B[k];
      num = num * bd + c * bn * den;
      den *= bd;
      const g = gcd(num, den);
      num /= g;
      den /= g;
      c = (c * BigInt(m + 1 - k)) / BigInt(k + 1);
    }
    // (m+1)·B_m = −num/den
    let bn = -num,
      bd = den * BigInt(m + 1);
    const g = gcd(bn, bd);
    bn /= g;
    bd /= g;
    if (bd < 0n) {
      bn = -bn;
      bd = -bd;
    }
    B.push([bn, bd]);
  }
  return B;
}
const Bn = bernoulli(2 * NSERIES + 2);
let factorial = 1n;
let ln2Pow = LN2; // ln2^{2n−1}
const series = []; // fixed-point coefficients of h, n = 1 … NSERIES + 1
for (let n = 1; n <= NSERIES + 1; n++) {
  factorial *= BigInt(2 * n - 1) * BigInt(2 * n);
  const [bn, bd] = Bn[2 * n];
  series.push((2n * bn * ln2Pow) / (bd * factorial));
  ln2Pow = mulFix(mulFix(ln2Pow, LN2), LN2);
}
const absFix = (a) => (a < 0n ? -a : a);
const toNum = (v) => split(v)[0];
// The first dropped series term at z = 1/4.
const tailBound = absFix(series[NSERIES]) >> BigInt(2 * NSERIES);
// In t = 4z ∈ [0, 1]: a_j = h_j / 4^j.
const a = series.slice(0, NSERIES).map((c, j) => c >> BigInt(2 * j));
function shiftedChebyshev(m) {
  // integer coefficients of T*_m(t) = T_m(2t − 1) in powers of t
  let prev = [1n],
    cur = [-1n, 2n];
  if (m === 0) return prev;
  for (let k = 2; k <= m; k++) {
    const next = new Array(k + 1).fill(0n);
    cur.forEach((c, j) => {
      next[j] -= 2n * c;
      next[j + 1] += 4n * c;
    });
    prev.forEach((c, j) => {
      next[j] -= c;
    });
    [prev, cur] = [cur, next];
  }
  return cur;
}
let econBound = 0n;
for (let m = a.length - 1; m >= KEEP; m--) {
  const T = shiftedChebyshev(m);
  const s = a[m] / T[m]; // T[m] = 2^(2m−1): a shift
  T.forEach((c, j) => {
    a[j] -= s * c;
  });
  econBound += absFix(s);
}
const Qfix = a.slice(0, KEEP).map((c, j) => c << BigInt(2 * j));
const Q = Qfix.map(toNum);
// What rounding the coefficients to doubles adds to h at z ≤ 1/4.
let roundBound = 0n;
Qfix.forEach((c, j) => {
  roundBound += absFix(exactFix(Q[j]) - c) >> BigInt(2 * j);
});
const hBound = tailBound + econBound + roundBound;
const W0 = split(div(TWO, LN2))[0];
// |δ ln((w+f)/(w−f))| ≤ |δw|·2|f|/(w² − f²) with |δw| ≤ z·|δh| = f²·|δh|, w ≥ 2/ln 2, |f| ≤ 1/2:
// ≤ (2·(1/2)³)/((2/ln2)² − 1/4)·|δh|.
const hB = toNum(hBound);
const expBound = (2 / 8 / (W0 * W0 - 0.25)) * hB * (1 + 2 ** -40);
const log2 = (x) => Math.log2(x).toFixed(2);
lines.push('');
lines.push('// 2^f, |f| ≤ 1/2, as (w + f)/(w − f), w = W0 + z·(Q1 + z·(Q2 + z·(Q3 + z·Q4))), z = f²:');
lines.push(`// fdlibm's rational form of exp divided by ln 2, its series (${NSERIES} terms, Bernoulli numbers)`);
lines.push('// economized on z ∈ [0, 1/4] to four terms (the script says how). Bounds on h = (w − W0)/z:');
lines.push(`// first dropped series term 2^${log2(toNum(tailBound))}, economization 2^${log2(toNum(econBound))}, coefficients' rounding`);
lines.push(`// 2^${log2(toNum(roundBound))}; so |(w+f)/(w−f) / 2^f − 1| ≤ 2^${log2(expBound)} before the kernel's own roundings.`);
lines.push(`/** 2/ln 2 = w at z = 0 (nearest double). */`);
lines.push(`export const EXP2_RATIONAL_W0 = ${W0}; // ${hex(W0)}`);
lines.push(`/** Q1 … Q4 (nearest doubles to the economized coefficients). */`);
lines.push(`export const EXP2_RATIONAL_Q = [${Q.join(', ')}] as const; // ${Q.map(hex).join('; ')}`);
lines.push('/** The bound above on the relative error of (w + f)/(w − f) against 2^f (exact w arithmetic). */');
lines.push(`export const EXP2_RATIONAL_ERROR = ${expBound};`);
const out = new URL('../src/elementwise/constants.ts', import.meta.url);
writeFileSync(out, `${lines.join('\n')}\n`);
console.log(lines.join('\n'));
