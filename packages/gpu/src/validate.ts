/** Argument checks shared by every operation; messages name the argument, the expected and the actual value. */

export type Approximate = 'none' | 'tanh';

export function describe(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return `an Array of length ${v.length}`;
  if (ArrayBuffer.isView(v)) return `a ${v.constructor.name} of length ${(v as unknown as { length: number }).length}`;
  if (typeof v === 'object') return `an object (${Object.prototype.toString.call(v)})`;
  if (typeof v === 'string') return `the string ${JSON.stringify(v)}`;
  return `${typeof v} ${String(v)}`;
}

export function checkF32(fn: string, name: string, v: unknown): Float32Array {
  if (!(v instanceof Float32Array)) {
    throw new TypeError(`${fn}: ${name} must be a Float32Array, got ${describe(v)}`);
  }
  return v;
}

export function checkApproximate(fn: string, options: unknown, dflt: Approximate): Approximate {
  if (options === undefined) return dflt;
  if (options === null || typeof options !== 'object') {
    throw new TypeError(`${fn}: options must be an object, got ${describe(options)}`);
  }
  const a = (options as { approximate?: unknown }).approximate;
  if (a === undefined) return dflt;
  if (a !== 'none' && a !== 'tanh') {
    throw new RangeError(`${fn}: options.approximate must be 'none' or 'tanh', got ${describe(a)}`);
  }
  return a;
}

export function checkPositiveInt(fn: string, name: string, v: unknown): number {
  if (typeof v !== 'number' || !Number.isSafeInteger(v) || v <= 0) {
    throw new RangeError(`${fn}: ${name} must be a positive integer, got ${describe(v)}`);
  }
  return v;
}

export function checkLength(fn: string, name: string, arr: Float32Array, expected: number, how: string): void {
  if (arr.length !== expected) {
    throw new RangeError(`${fn}: ${name} has length ${arr.length}, expected ${how} = ${expected}`);
  }
}
