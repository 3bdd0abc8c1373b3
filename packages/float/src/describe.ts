/** Value formatting shared by error messages and reports. */

/** A float as JavaScript prints it, except that −0 is spelled `-0` (String(-0) is "0"). */
export function formatFloat(x: number): string {
  return Object.is(x, -0) ? '-0' : String(x);
}

/** Short, bounded description of an arbitrary value for an error message (never its whole contents). */
export function describe(value: unknown): string {
  if (value === null) return 'null';
  if (value === undefined) return 'undefined';
  if (typeof value === 'number') return formatFloat(value);
  if (typeof value === 'bigint') return `${value}n`;
  if (typeof value === 'string') {
    const s = value.length > 40 ? `${value.slice(0, 40)}…` : value;
    return JSON.stringify(s);
  }
  if (typeof value === 'boolean') return String(value);
  if (typeof value === 'function') return 'a function';
  if (typeof value === 'symbol') return 'a symbol';
  if (ArrayBuffer.isView(value)) {
    const name = value.constructor?.name ?? 'typed array';
    const length = (value as unknown as { length?: number }).length;
    return length === undefined ? `a ${name}` : `a ${name} of length ${length}`;
  }
  if (Array.isArray(value)) return `an Array of length ${value.length}`;
  const tag = Object.prototype.toString.call(value).slice(8, -1);
  const ctor = (value as { constructor?: { name?: unknown } }).constructor?.name;
  const name = tag === 'Object' && typeof ctor === 'string' && ctor !== '' ? ctor : tag;
  // A class with its own toString says what it holds (a Decimal prints its digits): Decimal(0.1).
  const ownToString = (value as { toString?: unknown }).toString;
  if (typeof ownToString === 'function' && ownToString !== Object.prototype.toString) {
    try {
      const s = String(ownToString.call(value));
      return `${name}(${s.length > 40 ? `${s.slice(0, 40)}…` : s})`;
    } catch {
      // a toString that throws says nothing; fall through to the name
    }
  }
  return `an object (${name})`;
}
