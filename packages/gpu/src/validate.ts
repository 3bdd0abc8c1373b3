/**
 * Argument checks: @geglu/kernel's, so that both packages refuse the same arguments with the same
 * "<fn>: <argument> is X, expected Y" GegluError, in the shapes the gpu operations call them.
 */
import { checkApproximate as approximateOption, checkArrayType, checkDimension, checkLength, checkOptions } from '@geglu/kernel/validation';

export { checkLength };

export type Approximate = 'none' | 'tanh';

export function checkF32(fn: string, name: string, v: unknown): Float32Array {
  return checkArrayType(fn, name, v, Float32Array);
}

export function checkApproximate(fn: string, options: unknown, dflt: Approximate): Approximate {
  return approximateOption(fn, checkOptions<{ approximate: unknown }>(fn, options).approximate, dflt);
}

export function checkPositiveInt(fn: string, name: string, v: unknown): number {
  return checkDimension(fn, name, v);
}
