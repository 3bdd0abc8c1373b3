/**
 * The one error convention of every @geglu package: a {@link GegluError} whose
 * message reads `<function>: <argument> is <what it is>, expected <what it
 * should be>`, e.g. `stepDistance: format is "f8", expected one of 'f64',
 * 'f32', 'bf16', 'f16'`. `instanceof GegluError` tells a rejected call from a bug.
 */
import { describe } from './describe.js';

/** Every error a @geglu package throws on purpose (bad arguments, bad files). */
export class GegluError extends Error {
  override name = 'GegluError';
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}

/** Throws a GegluError `${fn}: ${message}`; `message` should read "X is …, expected …". */
export function fail(fn: string, message: string): never {
  throw new GegluError(`${fn}: ${message}`);
}

/** The GegluError `${fn}: ${name} is ${describe(value)}, expected ${expected}`. */
export function argumentError(fn: string, name: string, value: unknown, expected: string): GegluError {
  return new GegluError(`${fn}: ${name} is ${describe(value)}, expected ${expected}`);
}
