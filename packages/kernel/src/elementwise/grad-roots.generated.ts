// generated — do not edit. Regenerate with `node scripts/generate-grad-roots.mjs` (after a build):
// the root of each gelu derivative by the secant method on @geglu/oracle's geluGrad at 90
// digits, split into three doubles (each the nearest double to the rest). Bit patterns: high, low word.

/** Root of Φ(x) + x·φ(x): -0.75179152469356445745790494677952403966447115342345… (part 0). */
export const EXACT_GRAD_ROOT_0 = -0.7517915246935645; // 0xBFE80EAD, 0x197F00B4
/** Part 1 of that root. */
export const EXACT_GRAD_ROOT_1 = 1.4956759177009883e-17; // 0x3C713E74, 0xC58CADA8
/** Part 2 of that root. */
export const EXACT_GRAD_ROOT_2 = 5.384040947833005e-34; // 0x39065D4B, 0x5B9CDD03

/** Root of the tanh form's derivative: -0.75246142207101625848795444328891609060539217803763… (part 0). */
export const TANH_GRAD_ROOT_0 = -0.7524614220710163; // 0xBFE81429, 0xF9E97E4D
/** Part 1 of that root. */
export const TANH_GRAD_ROOT_1 = 3.635560509207687e-17; // 0x3C84F523, 0xED77DBDC
/** Part 2 of that root. */
export const TANH_GRAD_ROOT_2 = -2.5415595389660457e-33; // 0xB92A649F, 0xCA8AC0E5
