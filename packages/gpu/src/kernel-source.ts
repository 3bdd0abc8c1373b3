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
 * - exp(-h) for h >= 0 (`expNeg`, `expNegPair`): Cody–Waite reduction
 *   h = k ln2 + r with ln2 split into LN2_HI (15 significant bits, so
 *   k·LN2_HI is exact for |k| <= 255) and LN2_LO, |r| <= ln2/2 + 2^-8; e^r by
 *   its degree-8 Taylor polynomial (truncation < 2^-30 relative on that
 *   interval); scaled by 2^k in two halves so neither factor overflows or
 *   flushes before the product. The argument is clamped to [0, 200] first, so
 *   it is always finite.
 * - gelu tanh: ½x(1 + tanh(u)) = x·sigmoid(2u), 2u = √(8/π)(x + 0.044715x³),
 *   evaluated as x/(1 + e) for x >= 0 and x·e/(1 + e) for x < 0 with
 *   e = exp(-|2u|) <= 1, so no intermediate overflows; |x| is clamped to 1e4
 *   inside the cube (the sigmoid is exactly 0 or 1 in float32 long before),
 *   and to -100 in the negative product (x·e·2^-k would overflow before the
 *   scale for x near -FLT_MAX; the result underflows to -0 from x ≈ -10.5).
 * - gelu exact: x·Phi(x). |x| <= 0.5: Phi = ½ + x·P(x²) (PHI_SMALL).
 *   |x| > 0.5: Phi(-a) = exp(-a²/2)·t·Q(t), t = 1/(1 + a/2) (Q_TAIL). In plain
 *   float32 this form reaches 5-6 steps although the fit is within about one:
 *   t is rounded twice (and GPU division may be 2.5 ulp), Q's coefficients
 *   reach 1.2 and cancel, and the exp polynomial, the reduced argument and
 *   three products each add a rounding. So everything up to the final
 *   rounding is a float32 pair (double-float, Dekker products without fma,
 *   TwoSums): a² exact, t by a Newton step on an exact residual
 *   (`recipPair`), t·Q(t) and e^r by compensated Horner (`compHorner`), and
 *   the products; the result is rounded once (`tailPair`). For x > 0,
 *   Phi = 1 - Phi(-x), the subtraction through TwoSum. a (and x in the
 *   product) is clamped to 15, beyond which Phi(-a)·a underflows float32 (the
 *   product is then -0, as it must be).
 * - erf/erfc: the same scheme in z, erfc(z) = exp(-z²)·t·E(t) (E_TAIL) above
 *   |z| = 0.5, and erf(z) = z·P(z²) (ERF_SMALL) below, with its last steps
 *   compensated too: erfc = 1 - erf cancels there.
 * - gelu tanh stays plain float32 apart from 2u (above): its sigmoid form has
 *   no cancelling polynomial and no reciprocal to carry.
 *
 * ## Special Cases
 *
 * Finite inputs always give finite outputs: the small-argument branch is
 * evaluated on the input clamped to [-0.5, 0.5], so x² never overflows even in
 * the branch a GPU evaluates and discards. NaN and ±∞ are not passed to the
 * kernels: the host handles them (gpu.ts), because GPU drivers may assume no
 * NaN/Inf in arithmetic (WGSL lets implementations do so). The host also
 * computes the inputs a device may flush (subnormals, and gelu where x/2 is
 * subnormal). The pairs' error terms are exact only while they stay normal:
 * every pair here is formed before the 2^-k scaling, from values >= 2^-20.
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
 * The error terms of a product a·b whose factors are already split
 * (`${as}h` + `${as}l`, `${bs}h` + `${bs}l`; literals for a constant):
 * `${p}p` + `${p}e` = a·b exactly (float32, no overflow). `${p}p` gets a
 * fusion barrier: contracted into a later a + p, the exact product would be
 * added once there and its rounding error `${p}e` a second time (measured:
 * 121 steps on llvmpipe).
 */
function prodErr(p: string, a: string, ah: string, al: string, b: string, bh: string, bl: string): string {
  return `
    const ${p}p = Math.min(${a} * ${b}, 3.0e38);
    const ${p}e0 = Math.min(${ah} * ${bh} - ${p}p, 3.0e38);
    const ${p}e = ((${p}e0 + ${ah} * ${bl}) + ${al} * ${bh}) + ${al} * ${bl};`;
}

/** Dekker's TwoProduct without FMA: `${p}p` + `${p}e` = a·b exactly (float32, no overflow). */
function twoProd(p: string, a: string, b: string): string {
  return `${split(`${p}x`, a)}${split(`${p}y`, b)}${prodErr(p, a, `${p}xh`, `${p}xl`, b, `${p}yh`, `${p}yl`)}`;
}

/**
 * Knuth's TwoSum: `${p}s` + `${p}e` = a + b exactly. The min()s are barriers:
 * Mesa otherwise simplifies (a + b) - a to b, which drops the rounding error
 * TwoSum exists to capture.
 */
function twoSum(p: string, a: string, b: string): string {
  return `
    const ${p}s = Math.min(${a} + ${b}, 3.0e38);
    const ${p}b = Math.min(${p}s - ${a}, 3.0e38);
    const ${p}e = (${a} - (${p}s - ${p}b)) + (${b} - ${p}b);`;
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
  return `${split(`${p}y`, b)}${prodErr(p, lit(k), lit(kh), lit(kl), b, `${p}yh`, `${p}yl`)}`;
}

/**
 * Compensated Horner (Graillat, Langlois and Louvet) of sum(coefs[i]·x^i)
 * at x = xh + xl, a float32 pair: `${p}h` + `${p}l`. Each step's product and
 * sum errors are carried exactly (TwoProduct, TwoSum) into a correction
 * evaluated alongside, which also takes xl; the result is as if computed in
 * about twice the precision. Plain float32 Horner of the tail polynomials
 * costs up to ~1.5·2^-24 relative at t = 0.8: their coefficients reach 1.2
 * and cancel. Steps at and above `from` (a power index, >= 1) are plain
 * float32 Horner where the terms are too small for their rounding to matter.
 * A zero coefficient (a factor x pulled into the polynomial) skips the sum.
 */
function compHorner(p: string, coefs: readonly number[], xh: string, xl: string, from = coefs.length - 1): string {
  let code = split(`${p}x`, xh);
  let s: string;
  let c = '0.0';
  let i = from - 1;
  if (from === coefs.length - 1) {
    // the first product has a literal factor: its split must be precomputed (see twoProdConst)
    const k = coefs[from]!;
    const [kh, kl] = splitConst(k);
    code += prodErr(`${p}${i}`, lit(k), lit(kh), lit(kl), xh, `${p}xh`, `${p}xl`);
    c = `${lit(k)} * ${xl}`;
  } else {
    code += `
    const ${p}q = ${horner(coefs.slice(from), xh)};${split(`${p}q`, `${p}q`)}${prodErr(`${p}${i}`, `${p}q`, `${p}qh`, `${p}ql`, xh, `${p}xh`, `${p}xl`)}`;
    c = `${p}q * ${xl}`;
  }
  for (;;) {
    const q = `${p}${i}`;
    if (coefs[i] === 0) {
      code += `
    const ${q}s = ${q}p;
    const ${q}c = ${c} + ${q}e;`;
    } else {
      code += `${twoSum(`${q}a`, `${q}p`, lit(coefs[i]!))}
    const ${q}s = ${q}as;
    const ${q}c = ${c} + (${q}e + ${q}ae);`;
    }
    s = `${q}s`;
    c = `${q}c`;
    if (i === 0) break;
    i--;
    const n = `${p}${i}`;
    code += `${split(`${n}s`, s)}${prodErr(n, s, `${n}sh`, `${n}sl`, xh, `${p}xh`, `${p}xl`)}`;
    c = `(${c} * ${xh} + ${s} * ${xl})`;
  }
  return `${code}
    const ${p}h = ${s};
    const ${p}l = ${c};`;
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
    ${twoSum(`${p}u`, `${p}a`, `${p}qap`)}
    const ${p}s = ${p}us;
    const ${p}se = ${p}ue + ${p}qe;
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
 * Statements for exp(-(eh + el)) = (`${p}mh` + `${p}ml`) · `${p}s1` · `${p}s2`,
 * eh >= 0, |el| <= ulp(eh): the mantissa as a float32 pair, for the erfc
 * tails. The reduced argument y = eh + el - k·ln 2 is a pair too: eh - k·LN2_HI
 * is exact (Sterbenz for k >= 1, and both are multiples of ulp(eh)), and the
 * two TwoSums keep the roundings of the k·LN2_LO and el additions, each up
 * to ulp(y)/2, which would cost 2^-25 relative in e^-y apiece.
 */
function expNegPair(p: string, eh: string, el: string): string {
  return `
    const ${p}h = Math.min(${eh}, 200.0);
    const ${p}k = Math.floor(${p}h * ${lit(LOG2E)} + 0.5);
    const ${p}y0 = ${p}h - ${p}k * ${lit(LN2_HI)};
    const ${p}kl = Math.min(${p}k * ${lit(LN2_LO)}, 3.0e38);
    ${twoSum(`${p}a`, `${p}y0`, `(0.0 - ${p}kl)`)}
    ${twoSum(`${p}b`, `${p}as`, el)}
    const ${p}nh = 0.0 - ${p}bs;
    const ${p}nl = 0.0 - (${p}ae + ${p}be);
    ${compHorner(`${p}m`, INV_FACT, `${p}nh`, `${p}nl`, 3)}
    const ${p}k1 = Math.floor(${p}k * 0.5);
    const ${p}s1 = Math.pow(2.0, 0.0 - ${p}k1);
    const ${p}s2 = Math.pow(2.0, ${p}k1 - ${p}k);`;
}

/**
 * Statements for t = 1/(1 + a/2) as a float32 pair `${p}th` + `${p}tl`
 * (a >= 0.5, so 1 + a/2 >= 1.25). The sum is kept exactly (TwoSum); the
 * residual 1 - th·d is exact (TwoProduct, and 1 - p by Sterbenz), so one
 * Newton step corrects th whatever the division's accuracy (WGSL and GLSL ES
 * allow 2.5 ulp). Rounded plainly, t is off by up to 2^-24 relative twice,
 * which t·Q(t) passes on and Q's slope amplifies.
 */
function recipPair(p: string, a: string): string {
  return `${twoSum(`${p}d`, '1.0', `${a} * 0.5`)}
    const ${p}th = 1.0 / ${p}ds;
    ${twoProd(`${p}r`, `${p}th`, `${p}ds`)}
    const ${p}rr = Math.min(1.0 - ${p}rp, 3.0e38) - ${p}re;
    const ${p}tl = ${p}th * (${p}rr - ${p}th * ${p}de);`;
}

/**
 * Statements for an erfc-type tail exp(-(sq · scale))·t·P(t), t = 1/(1 + a/2),
 * a in (0.5, 15]: the unscaled value as a float32 pair `${p}gp` + `${p}gl`,
 * to be multiplied by `${p}xs1` · `${p}xs2` (powers of two). a² is exact
 * (TwoProduct) and halved exactly for Phi (scale 0.5). t, t·P(t) (compensated
 * Horner with P's leading factor t as a zero coefficient), the exponential and
 * their product are all float32 pairs, so the result is rounded once from an
 * error of about the fit's (see coefficients.ts) instead of the ~5 steps of
 * a plain float32 evaluation.
 */
function tailPair(p: string, a: string, coefs: readonly number[], scale: 1 | 0.5): string {
  const sc = scale === 1 ? '' : ' * 0.5';
  return `${twoProd(`${p}q`, a, a)}
    ${expNegPair(`${p}x`, `${p}qp${sc}`, `${p}qe${sc}`)}
    ${recipPair(`${p}t`, a)}
    ${compHorner(`${p}f`, [0, ...coefs], `${p}tth`, `${p}ttl`)}
    ${twoProd(`${p}g`, `${p}fh`, `${p}xmh`)}
    const ${p}gl = ${p}ge + (${p}fh * ${p}xml + ${p}fl * ${p}xmh);`;
}

/** Statements computing `out = gelu(v)` (exact, erf form). */
export function geluExactStatements(v: string, out: string): string {
  const q = `${out}_q`;
  return `
    const ${out}_a = Math.min(Math.abs(${v}), 15.0);
    const ${out}_s = Math.min(Math.max(${v}, -0.5), 0.5);
    let ${out} = ${out}_s * (0.5 + ${out}_s * ${horner(PHI_SMALL, `(${out}_s * ${out}_s)`)});
    if (${out}_a > 0.5) {
      ${tailPair(q, `${out}_a`, Q_TAIL, 0.5)}
      ${twoProd(`${q}r`, `${out}_a`, `${q}gp`)}
      const ${q}rl = ${q}re + ${out}_a * ${q}gl;
      ${out} = (0.0 - ((${q}rp + ${q}rl) * ${q}xs1)) * ${q}xs2;
      if (${v} > 0.0) {
        ${twoSum(`${q}z`, v, `(0.0 - ((${q}rp * ${q}xs1) * ${q}xs2))`)}
        ${out} = ${q}zs + (${q}ze - (${q}rl * ${q}xs1) * ${q}xs2);
      }
    }${subnormalGelu(v, out)}`;
}

/**
 * Statements for `${p}r` = c - erfc(a) (sign ±1) rounded once, for erf = 1 - erfc
 * and erfc(-a) = 2 - erfc(a): TwoSum keeps c - erfc's head exact.
 */
function fromErfc(p: string, c: string): string {
  return `${twoSum(`${p}w`, c, `(0.0 - ((${p}gp * ${p}xs1) * ${p}xs2))`)}
      const ${p}r = ${p}ws + (${p}we - (${p}gl * ${p}xs1) * ${p}xs2);`;
}

/**
 * Statements for z·P(z²) = erf(z), |z| <= 0.5, as a float32 pair `${p}p` +
 * `${p}l`: z² exact, the last two Horner steps and the product by z
 * compensated. erfc = 1 - erf here cancels (erfc(0.5) = 0.48 against z·P =
 * 0.52), so a plain float32 z·P would cost erfc about 3 steps.
 */
function erfSmallPair(p: string, z: string): string {
  return `${twoProd(`${p}w`, z, z)}
    ${compHorner(`${p}P`, ERF_SMALL, `${p}wp`, `${p}we`, 2)}
    ${twoProd(`${p}z`, z, `${p}Ph`)}
    const ${p}p = ${p}zp;
    const ${p}l = ${p}ze + ${z} * ${p}Pl;`;
}

export function erfStatements(v: string, out: string): string {
  const q = `${out}_c`;
  return `
    const ${out}_a = Math.min(Math.abs(${v}), 10.5);
    const ${out}_s = Math.min(Math.max(${v}, -0.5), 0.5);
    ${erfSmallPair(`${out}_e`, `${out}_s`)}
    let ${out} = ${out}_ep + ${out}_el;
    if (${out}_a > 0.5) {
      ${tailPair(q, `${out}_a`, E_TAIL, 1)}
      ${fromErfc(q, '1.0')}
      ${out} = ${q}r;
      if (${v} < 0.0) {
        ${out} = 0.0 - ${q}r;
      }
    }`;
}

export function erfcStatements(v: string, out: string): string {
  const q = `${out}_c`;
  return `
    const ${out}_a = Math.min(Math.abs(${v}), 10.5);
    const ${out}_s = Math.min(Math.max(${v}, -0.5), 0.5);
    ${erfSmallPair(`${out}_e`, `${out}_s`)}
    ${twoSum(`${out}_o`, '1.0', `(0.0 - ${out}_ep)`)}
    let ${out} = ${out}_os + (${out}_oe - ${out}_el);
    if (${out}_a > 0.5) {
      ${tailPair(q, `${out}_a`, E_TAIL, 1)}
      ${out} = ((${q}gp + ${q}gl) * ${q}xs1) * ${q}xs2;
      if (${v} < 0.0) {
        ${fromErfc(q, '2.0')}
        ${out} = ${q}r;
      }
    }`;
}
