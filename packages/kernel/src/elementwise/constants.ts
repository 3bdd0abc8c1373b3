// generated — do not edit. Regenerate with `node scripts/generate-constants.mjs`
// (exact BigInt fixed-point arithmetic at 400 bits; see that script for the method).
// Each constant c is a double-double: HI = nearest double to c, LO = nearest
// double to c − HI, so |c − (HI + LO)| ≤ 2^-106·|c|. Bit patterns: high word, low word.

/** √(2/π), the tanh form's slope: high part. */
export const SQRT_2_OVER_PI_HI = 0.7978845608028654; // 0x3FE98845, 0x33D43651
/** √(2/π), the tanh form's slope: low part. */
export const SQRT_2_OVER_PI_LO = -4.98465440455546e-17; // 0xBC8CBC0D, 0x30EBFD15
/** 1/√2, maps x to erfc's argument: high part. */
export const INV_SQRT2_HI = 0.7071067811865476; // 0x3FE6A09E, 0x667F3BCD
/** 1/√2, maps x to erfc's argument: low part. */
export const INV_SQRT2_LO = -4.833646656726457e-17; // 0xBC8BDD34, 0x13B26456
/** 0.044715 as the exact decimal: high part. */
export const GELU_TANH_A_HI = 0.044715; // 0x3FA6E4E2, 0x6D4801F7
/** 0.044715 as the exact decimal: low part. */
export const GELU_TANH_A_LO = 2.1960211427085595e-18; // 0x3C444135, 0x5475A31A
/** 1/√π, erfc's continued-fraction prefactor: high part. */
export const INV_SQRT_PI_HI = 0.5641895835477563; // 0x3FE20DD7, 0x50429B6D
/** 1/√π, erfc's continued-fraction prefactor: low part. */
export const INV_SQRT_PI_LO = 7.66772980658294e-18; // 0x3C61AE3A, 0x914FED80
/** 2/√π, erf's series prefactor: high part. */
export const TWO_OVER_SQRT_PI_HI = 1.1283791670955126; // 0x3FF20DD7, 0x50429B6D
/** 2/√π, erf's series prefactor: low part. */
export const TWO_OVER_SQRT_PI_LO = 1.533545961316588e-17; // 0x3C71AE3A, 0x914FED80
/** 1/√(2π) = Phi'(0), gelu's x² coefficient at 0: high part. */
export const INV_SQRT_2PI_HI = 0.3989422804014327; // 0x3FD98845, 0x33D43651
/** 1/√(2π) = Phi'(0), gelu's x² coefficient at 0: low part. */
export const INV_SQRT_2PI_LO = -2.49232720227773e-17; // 0xBC7CBC0D, 0x30EBFD15
/** ln 2: high part. */
export const LN2_HI = 0.6931471805599453; // 0x3FE62E42, 0xFEFA39EF
/** ln 2: low part. */
export const LN2_LO = 2.3190468138462996e-17; // 0x3C7ABC9E, 0x3B39803F
/** ln 2, Cody–Waite part 1 (32 significant bits, so k·part 1 is exact). */
export const LN2_CW1 = 0.6931471803691238; // 0x3FE62E42, 0xFEE00000
/** ln 2, Cody–Waite part 2 (the next 53 bits). */
export const LN2_CW2 = 1.9082149292705877e-10; // 0x3DEA39EF, 0x35793C76
/** ln 2, Cody–Waite part 3 (the next 53 bits). */
export const LN2_CW3 = 1.1612227229362532e-26; // 0x3A8CC01F, 0x97B57A08

// Nearest doubles (relative error ≤ 2^-53), not double-double pairs.
/** −2√(2/π)·log2(e): the tanh kernel's exponent b = x·(B1 + B3·x²) is −2u in base 2. */
export const TANH_EXP2_B1 = -2.3022081981443248; // 0xC0026AEC, 0x21BCE759
/** −2√(2/π)·0.044715·log2(e), the x³ coefficient of that exponent. */
export const TANH_EXP2_B3 = -0.1029432395800235; // 0xBFBA5A7C, 0xF7572A98

// 2^f, |f| ≤ 1/2, as (w + f)/(w − f), w = W0 + z·(Q1 + z·(Q2 + z·(Q3 + z·Q4))), z = f²:
// fdlibm's rational form of exp divided by ln 2, its series (12 terms, Bernoulli numbers)
// economized on z ∈ [0, 1/4] to four terms (the script says how). Bounds on h = (w − W0)/z:
// first dropped series term 2^-104.16, economization 2^-44.28, coefficients' rounding
// 2^-57.04; so |(w+f)/(w−f) / 2^f − 1| ≤ 2^-49.30 before the kernel's own roundings.
/** 2/ln 2 = w at z = 0 (nearest double). */
export const EXP2_RATIONAL_W0 = 2.8853900817779268; // 0x40071547, 0x652B82FE
/** Q1 … Q4 (nearest doubles to the economized coefficients). */
export const EXP2_RATIONAL_Q = [0.11552453009327748, -0.0009250684717615243, 0.000010582069209785558, -1.2633833225832696e-7] as const; // 0x3FBD9303, 0xFEA2EAC2; 0xBF4E5009, 0x6A986B29; 0x3EE63134, 0x848BFF82; 0xBE80F4F3, 0xB90A6521
/** The bound above on the relative error of (w + f)/(w − f) against 2^f (exact w arithmetic). */
export const EXP2_RATIONAL_ERROR = 1.4472375555683185e-15;

/**
 * 2√(2/π) and 6·0.044715·√(2/π) as doubles (products of the nearest doubles above, each one
 * rounding): the tanh form's gelu′ = s + x·s·(1 − s)·c with c = GRAD_TANH_C1 + GRAD_TANH_C3·x²
 * (s = σ(2u)), in gelu-grad.ts and the WebAssembly dgate kernel.
 */
export const GRAD_TANH_C1 = 2 * SQRT_2_OVER_PI_HI;
export const GRAD_TANH_C3 = 6 * GELU_TANH_A_HI * SQRT_2_OVER_PI_HI;

/** −log2(e)/2 rounded to nearest (−0x1.71547652b82fep-1): e^{−x²/2} = 2^{x²·NEG_HALF_LOG2E}. */
export const NEG_HALF_LOG2E = -0.7213475204444817;
