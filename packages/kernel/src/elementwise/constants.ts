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
