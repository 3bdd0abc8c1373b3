/**
 * Kernel bodies for gpu.js, generated as JavaScript source text so the
 * coefficient tables stay in one generated file and every backend (WGSL,
 * GLSL, WebAssembly, plain JS) transpiles the same code.
 *
 * ## Method
 *
 * All arithmetic is float32 on the GPU and WebAssembly backends (float64 on
 * gpu.js's cpu backend, rounded to float32 on output). No builtin exp, tanh or
 * erf is called: WGSL allows exp an error of 3 + 2|x| ulp, GLSL leaves it to
 * the driver, and gpu.js's GL tanh overflows to NaN above about 10. Instead:
 *
 * - exp(-h) for h >= 0 (`expNeg`): Cody–Waite reduction h = k ln2 + r with
 *   ln2 split into LN2_HI (15 significant bits, so k·LN2_HI is exact for
 *   |k| <= 255) and LN2_LO, |r| <= ln2/2 + 2^-8; e^r by its degree-8 Taylor
 *   polynomial (truncation < 2^-30 relative on that interval); scaled by 2^k
 *   in two halves so neither factor overflows or flushes before the product.
 *   The argument is clamped to [0, 200] first, so it is always finite.
 * - gelu tanh: ½x(1 + tanh(u)) = x·sigmoid(2u), 2u = √(8/π)(x + 0.044715x³),
 *   evaluated as x/(1 + e) for x >= 0 and x·e/(1 + e) for x < 0 with
 *   e = exp(-|2u|) <= 1, so no intermediate overflows; |x| is clamped to 1e4
 *   inside the cube (the sigmoid is exactly 0 or 1 in float32 long before),
 *   and to -100 in the negative product (x·e·2^-k would overflow before the
 *   scale for x near -FLT_MAX; the result underflows to -0 from x ≈ -10.5).
 * - gelu exact: x·Phi(x). |x| <= 0.5: Phi = ½ + x·P(x²) (PHI_SMALL).
 *   |x| > 0.5: Phi(-a) = exp(-a²/2)·t·Q(t), t = 1/(1 + a/2) (Q_TAIL), with
 *   a²/2 split as ah²/2 + (a - ah)(a + ah)/2, ah = a rounded down to 1/128,
 *   so ah²/2 is exact in float32 and the rounding of a² never reaches the
 *   exponent (it would cost |x|² ulp in the tail). For x > 0, Phi = 1 - Phi(-x).
 *   a (and x in the product) is clamped to 15, beyond which Phi(-a)·a
 *   underflows float32 (the product is then -0, as it must be).
 * - erf/erfc: the same scheme in z, erf(z) = z·P(z²) (ERF_SMALL) for
 *   |z| <= 0.5 and erfc(z) = exp(-z²)·t·E(t) (E_TAIL) above.
 *
 * ## Special Cases
 *
 * Finite inputs always give finite outputs: the small-argument branch is
 * evaluated on the input clamped to [-0.5, 0.5], so x² never overflows even in
 * the branch a GPU evaluates and discards. NaN and ±∞ are not passed to the
 * kernels: the host handles them (see elementwise.ts), because GPU drivers may
 * assume no NaN/Inf in arithmetic (WGSL lets implementations do so).
 *
 * ## Notes
 *
 * The error bounds are measured, per backend and region, by
 * scripts/measure-error.ts; see the README.
 */
import { E_TAIL, ERF_SMALL, PHI_SMALL, Q_TAIL } from './coefficients.js';

/** A float literal every gpu.js backend types as a float (never an integer). */
export function lit(v: number): string {
  if (!Number.isFinite(v)) throw new Error(`lit: non-finite literal ${v}`);
  // full float64 round-trip digits: gpu.js's cpu backend evaluates in float64,
  // where a 9-digit literal of a float32 head/tail pair would be off by ~1e-9
  let s = String(Math.abs(v));
  if (!/[.e]/.test(s)) s += '.0';
  if (/e/.test(s) && !/\./.test(s)) s = s.replace('e', '.0e');
  return v < 0 || Object.is(v, -0) ? `(-${s})` : s;
}

function horner(coefs: readonly number[], t: string): string {
  let acc = lit(coefs[coefs.length - 1]!);
  for (let i = coefs.length - 2; i >= 0; i--) acc = `(${lit(coefs[i]!)} + ${t} * ${acc})`;
  return acc;
}

// 0x3f317200: ln 2 rounded to 15 significant bits
const LN2_HI = 0.693145751953125;
// ln 2 - LN2_HI rounded to float32 (0x35bfbe8e)
const LN2_LO = 1.428606765330187e-6;
const LOG2E = 1.4426950408889634;
// √(8/π): 2·√(2/π), the gelu tanh slope doubled for the sigmoid form
const SQRT_8_OVER_PI = 1.5957691216057308;
const INV_FACT = [1, 1, 1 / 2, 1 / 6, 1 / 24, 1 / 120, 1 / 720, 1 / 5040, 1 / 40320];

/**
 * Statements computing exp(-(hHi + hLo)) = `${p}m` · `${p}s1` · `${p}s2`
 * (mantissa polynomial and two power-of-two halves) for hHi >= 0 and |hLo|
 * small. Callers multiply their other factors into the mantissa before the
 * scales, so a result in float32's subnormal range is rounded once instead of
 * losing bits in an intermediate subnormal exp.
 */
function expNeg(p: string, hHi: string, hLo: string): string {
  return `
    const ${p}h = Math.min(${hHi}, 200.0);
    const ${p}k = Math.floor(${p}h * ${lit(LOG2E)} + 0.5);
    const ${p}r = ((${p}h - ${p}k * ${lit(LN2_HI)}) - ${p}k * ${lit(LN2_LO)}) + ${hLo};
    const ${p}nr = 0.0 - ${p}r;
    const ${p}m = ${horner(INV_FACT, `${p}nr`)};
    const ${p}k1 = Math.floor(${p}k * 0.5);
    const ${p}s1 = Math.pow(2.0, 0.0 - ${p}k1);
    const ${p}s2 = Math.pow(2.0, ${p}k1 - ${p}k);`;
}

/**
 * Statements that overwrite `out` with gelu(v) for 0 < |v| < 2^-125, where v/2
 * is subnormal (either variant: both are x/2 + x²/√(2π) + O(x³) near 0).
 * v/2 of such a v with an odd last bit is a tie
 * that float32 breaks to even, but the x² term is positive, so the correctly
 * rounded result is the upper neighbour: add back the remainder v - 2(v/2)
 * when it is positive. Under float64 (gpu.js cpu) v/2 is exact and a
 * nudge, |v/2|·2^-40 (zero in float32), that makes the final rounding to
 * float32 go up.
 */
function subnormalGelu(v: string, out: string): string {
  return `
    if (Math.abs(${v}) < 2.350988701644575e-38) {
      if (${v} != 0.0) {
        const ${out}_y = 0.5 * ${v};
        ${out} = (${out}_y + Math.abs(${out}_y) * 9.094947017729282e-13) + Math.max(${v} - 2.0 * ${out}_y, 0.0);
      }
    }`;
}

/**
 * Statements for the Veltkamp split of `v` (>= 0) into `${p}h` + `${p}l`, each
 * with <= 12 significant bits. The min()s are optimisation barriers: Mesa
 * contracts c - v with c = 4097·v into fma(4097, v, -v) = 4096·v exactly, and
 * NVIDIA's driver simplifies c - (c - v) to v and the error terms to 0 (both
 * measured: 121 steps on llvmpipe, 91 on an H100 without them). Contraction of
 * the partial products is harmless: each is exact.
 */
function split(p: string, v: string): string {
  return `
    const ${p}c = Math.min(4097.0 * ${v}, 3.0e38);
    const ${p}d = Math.min(${p}c - ${v}, 3.0e38);
    const ${p}h = Math.min(${p}c - ${p}d, 3.0e38);
    const ${p}l = Math.min(${v} - ${p}h, 3.0e38);`;
}

/**
 * Dekker's TwoProduct without FMA: `${p}p` + `${p}e` = a·b exactly (float32,
 * a, b >= 0, no overflow). `${p}p` gets a fusion barrier too: contracted into a
 * later a + p, the exact product would be added once there and its rounding
 * error `${p}e` a second time (measured: 121 steps on llvmpipe).
 */
function twoProd(p: string, a: string, b: string): string {
  return `${split(`${p}x`, a)}${split(`${p}y`, b)}
    const ${p}p = Math.min(${a} * ${b}, 3.0e38);
    const ${p}e0 = Math.min(${p}xh * ${p}yh - ${p}p, 3.0e38);
    const ${p}e = ((${p}e0 + ${p}xh * ${p}yl) + ${p}xl * ${p}yh) + ${p}xl * ${p}yl;`;
}

/** Veltkamp split of a float32 constant, done here in emulated float32. */
function splitConst(v: number): [number, number] {
  const f = Math.fround;
  const c = f(4097 * v);
  const h = f(c - f(c - v));
  return [h, f(v - h)];
}

/**
 * TwoProduct with a constant factor. The constant's split is precomputed:
 * WGSL evaluates constant expressions such as 4097.0 * 0.0447149985 in
 * AbstractFloat (float64) precision, which yields a wrong float32 split
 * (measured without the precomputed split: 121 steps on llvmpipe).
 */
function twoProdConst(p: string, k: number, b: string): string {
  const [kh, kl] = splitConst(k);
  return `${split(`${p}y`, b)}
    const ${p}p = Math.min(${lit(k)} * ${b}, 3.0e38);
    const ${p}e0 = Math.min(${lit(kh)} * ${p}yh - ${p}p, 3.0e38);
    const ${p}e = ((${p}e0 + ${lit(kh)} * ${p}yl) + ${lit(kl)} * ${p}yh) + ${lit(kl)} * ${p}yl;`;
}

// 0.044715 and √(8/π) as float32 head + tail, so the products carry ~44 bits
const A_HI = Math.fround(0.044715);
const A_LO = Math.fround(0.044715 - A_HI);
const C_HI = Math.fround(SQRT_8_OVER_PI);
const C_LO = Math.fround(SQRT_8_OVER_PI - C_HI);

/**
 * Statements computing `out = gelu_tanh(v)`.
 *
 * 2u = √(8/π)(a + 0.044715a³) (a = |v|) is carried as a float32 pair
 * (Dekker products, Knuth TwoSum): in the negative tail the result is
 * ≈ v·e^(-2u) with 2u up to ~104, so a plain float32 2u (relative error
 * ~3·2^-24) would cost 2u·3·2^-24 relative, about 175 steps near x = -9.5
 * (measured). The pair leaves only the exp and the final products.
 * TwoSum's s and s - a get min() barriers as well: Mesa otherwise simplifies
 * (a + q) - a to q, which drops the rounding error TwoSum exists to capture.
 */
export function geluTanhStatements(v: string, out: string): string {
  const p = `${out}_`;
  return `
    const ${p}a = Math.min(Math.abs(${v}), 10000.0);
    ${twoProd(`${p}q2`, `${p}a`, `${p}a`)}
    ${twoProd(`${p}q3`, `${p}q2p`, `${p}a`)}
    const ${p}a3e = ${p}q3e + ${p}q2e * ${p}a;
    ${twoProdConst(`${p}qa`, A_HI, `${p}q3p`)}
    const ${p}qe = ${p}qae + (${lit(A_HI)} * ${p}a3e + ${lit(A_LO)} * ${p}q3p);
    const ${p}s = Math.min(${p}a + ${p}qap, 3.0e38);
    const ${p}sb = Math.min(${p}s - ${p}a, 3.0e38);
    const ${p}se = ((${p}a - (${p}s - ${p}sb)) + (${p}qap - ${p}sb)) + ${p}qe;
    ${twoProdConst(`${p}qt`, C_HI, `${p}s`)}
    const ${p}tl = ${p}qte + (${lit(C_HI)} * ${p}se + ${lit(C_LO)} * ${p}s);
    ${expNeg(`${out}_e`, `${p}qtp`, `${p}tl`)}
    const ${out}_ex = ${out}_em * ${out}_es1 * ${out}_es2;
    let ${out} = ${v} / (1.0 + ${out}_ex);
    if (${v} < 0.0) {
      ${out} = ((Math.max(${v}, -100.0) * ${out}_em) * ${out}_es1 * ${out}_es2) / (1.0 + ${out}_ex);
    }${subnormalGelu(v, out)}`;
}

/**
 * Statements for Phi(-a) = `${p}f` · `${p}xs1` · `${p}xs2`, a = |v| > 0.5.
 */
function phiTail(a: string, p: string): string {
  return `
    const ${p}ah = Math.floor(${a} * 128.0) * 0.0078125;
    const ${p}t = 1.0 / (1.0 + ${a} * 0.5);
    ${expNeg(`${p}x`, `${p}ah * ${p}ah * 0.5`, `(${a} - ${p}ah) * (${a} + ${p}ah) * 0.5`)}
    const ${p}f = ${p}xm * (${p}t * ${horner(Q_TAIL, `${p}t`)});`;
}

/** Statements computing `out = gelu(v)` (exact, erf form). */
export function geluExactStatements(v: string, out: string): string {
  return `
    const ${out}_a = Math.min(Math.abs(${v}), 15.0);
    const ${out}_s = Math.min(Math.max(${v}, -0.5), 0.5);
    let ${out} = ${out}_s * (0.5 + ${out}_s * ${horner(PHI_SMALL, `(${out}_s * ${out}_s)`)});
    if (${out}_a > 0.5) {
      ${phiTail(`${out}_a`, `${out}_q`)}
      ${out} = ((Math.max(${v}, -15.0) * ${out}_qf) * ${out}_qxs1) * ${out}_qxs2;
      if (${v} > 0.0) {
        ${out} = ${v} - ${out};
      }
    }${subnormalGelu(v, out)}`;
}

/** Statements computing `out = erfc(|z|)` for |z| > 0.5. */
function erfcTail(a: string, p: string, out: string): string {
  return `
    const ${p}ah = Math.floor(${a} * 256.0) * 0.00390625;
    const ${p}t = 1.0 / (1.0 + ${a} * 0.5);
    ${expNeg(`${p}x`, `${p}ah * ${p}ah`, `(${a} - ${p}ah) * (${a} + ${p}ah)`)}
    const ${out} = ((${p}xm * (${p}t * ${horner(E_TAIL, `${p}t`)})) * ${p}xs1) * ${p}xs2;`;
}

export function erfStatements(v: string, out: string): string {
  return `
    const ${out}_a = Math.min(Math.abs(${v}), 10.5);
    const ${out}_s = Math.min(Math.max(${v}, -0.5), 0.5);
    let ${out} = ${out}_s * ${horner(ERF_SMALL, `(${out}_s * ${out}_s)`)};
    if (${out}_a > 0.5) {
      ${erfcTail(`${out}_a`, `${out}_c`, `${out}_ec`)}
      ${out} = 1.0 - ${out}_ec;
      if (${v} < 0.0) {
        ${out} = ${out}_ec - 1.0;
      }
    }`;
}

export function erfcStatements(v: string, out: string): string {
  return `
    const ${out}_a = Math.min(Math.abs(${v}), 10.5);
    const ${out}_s = Math.min(Math.max(${v}, -0.5), 0.5);
    let ${out} = 1.0 - ${out}_s * ${horner(ERF_SMALL, `(${out}_s * ${out}_s)`)};
    if (${out}_a > 0.5) {
      ${erfcTail(`${out}_a`, `${out}_c`, `${out}_ec`)}
      ${out} = ${out}_ec;
      if (${v} < 0.0) {
        ${out} = 2.0 - ${out}_ec;
      }
    }`;
}
