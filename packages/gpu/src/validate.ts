/** Argument checks shared by every operation: a GegluError reading "<fn>: <argument> is X, expected Y" (@geglu/float). */

import { describe, GegluError } from '@geglu/float';

export type Approximate = 'none' | 'tanh';

export function checkF32(fn: string, name: string, v: unknown): Float32Array {
  if (!(v instanceof Float32Array)) {
    throw new GegluError(`${fn}: ${name} is ${describe(v)}, expected a Float32Array`);
  }
  return v;
}

export function checkApproximate(fn: string, options: unknown, dflt: Approximate): Approximate {
  if (options === undefined) return dflt;
  if (options === null || typeof options !== 'object') {
    throw new GegluError(`${fn}: options is ${describe(options)}, expected an object`);
  }
  const a = (options as { approximate?: unknown }).approximate;
  if (a === undefined) return dflt;
  if (a !== 'none' && a !== 'tanh') {
    throw new GegluError(`${fn}: options.approximate is ${describe(a)}, expected 'none' or 'tanh'`);
  }
  return a;
}

export function checkPositiveInt(fn: string, name: string, v: unknown): number {
  if (typeof v !== 'number' || !Number.isSafeInteger(v) || v <= 0) {
    throw new GegluError(`${fn}: ${name} is ${describe(v)}, expected a positive integer`);
  }
  return v;
}

export function checkLength(fn: string, name: string, arr: Float32Array, expected: number, how: string): void {
  if (arr.length !== expected) {
    throw new GegluError(`${fn}: ${name} has length ${arr.length}, expected ${how} = ${expected}`);
  }
}
