/**
 * PLACEHOLDER for the derivative of GELU, written so the backward pass
 * (../mlp/backward.ts) builds before the real module lands: plain float64
 * formulas, not the accurate kernel. Near each root (x ≈ −0.752) the two
 * terms cancel and the relative error grows without bound; elsewhere it is a
 * few ulps. The real `gelu-grad.ts` replaces this file at merge.
 *
 * exact: gelu′(x) = ½·erfc(−x/√2) + x·e^{−x²/2}/√(2π)
 * tanh:  s + x·s·(1 − s)·2√(2/π)(1 + 3·0.044715·x²), s = sigmoid(2√(2/π)(x + 0.044715x³))
 */
import { checkApproximate, checkFloatArray, checkInPlaceOrDisjoint, checkLength, checkOptions, describe, fail } from '../validation.js';
import type { GeluArrayOptions } from './array.js';
import { INV_SQRT_2PI_HI, INV_SQRT2_HI, SQRT_2_OVER_PI_HI } from './constants.js';
import { erfc, type GeluOptions } from './scalar.js';

function derivative(x: number, tanh: boolean): number {
  if (x !== x) return x;
  if (x === Infinity) return 1;
  if (x === -Infinity) return -0;
  if (!tanh) return 0.5 * erfc(-x * INV_SQRT2_HI) + x * Math.exp(-0.5 * x * x) * INV_SQRT_2PI_HI;
  const z = SQRT_2_OVER_PI_HI * (x + 0.044715 * x * x * x);
  const e = Math.exp(-2 * z);
  if (e === Infinity) return -0;
  const s = 1 / (1 + e);
  const t = e / (1 + e);
  return s + x * s * t * 2 * SQRT_2_OVER_PI_HI * (1 + 3 * 0.044715 * x * x);
}

/** gelu′(x) in float64 (placeholder: see the module comment for its accuracy). */
export function geluGrad(x: number, options?: GeluOptions): number {
  if (typeof x !== 'number') fail('geluGrad', `x is ${describe(x)}, expected a number`);
  const o = checkOptions<GeluOptions>('geluGrad', options);
  return derivative(x, checkApproximate('geluGrad', o.approximate, 'none') === 'tanh');
}

/** gelu′ elementwise; float32 results are the float64 formula rounded once (placeholder). */
export function geluGradArray<T extends Float32Array | Float64Array>(x: T, options?: GeluArrayOptions<T>): T {
  const fn = 'geluGradArray';
  checkFloatArray(fn, 'x', x);
  const o = checkOptions<GeluArrayOptions<T>>(fn, options);
  const tanh = checkApproximate(fn, o.approximate, 'none') === 'tanh';
  let out = o.out;
  if (out === undefined) out = new (x.constructor as new (n: number) => T)(x.length);
  else {
    if (out.constructor !== x.constructor) fail(fn, `options.out is ${describe(out)}, expected a ${x.constructor.name} like x`);
    checkLength(fn, 'options.out', out, x.length);
    checkInPlaceOrDisjoint(fn, 'options.out', out, { x });
  }
  for (let i = 0; i < x.length; i++) out[i] = derivative(x[i]!, tanh);
  return out;
}
