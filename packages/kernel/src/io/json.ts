/**
 * JSON for files that may be hostile: JSON.parse silently keeps the last of
 * two equal keys (a duplicated `maxSteps` would quietly loosen a gate) and
 * code that later recurses over a deeply nested value overflows the stack.
 * This parser accepts exactly what JSON.parse accepts, minus duplicate keys
 * and nesting deeper than a limit, and names the JSON path of the problem.
 */
import { GegluError } from '../validation.js';

/** A JSON text that is invalid, has a duplicated key or nests too deeply; `path` is where (`$` for the whole text). */
export class JsonError extends GegluError {
  override name = 'JsonError';
  readonly path: string;
  constructor(path: string, message: string) {
    super(path === '' ? message : `${path}: ${message}`);
    this.path = path;
  }
}

export interface JsonStrictOptions {
  /** Most arrays and objects inside each other (default 64; the files read here need fewer than 8). */
  maxDepth?: number;
}

/** `$.a.b` for plain keys, `$.a["odd key"]` otherwise, so a path always reads back unambiguously. */
export function jsonPathChild(path: string, key: string | number): string {
  if (typeof key === 'number') return `${path}[${key}]`;
  return /^[A-Za-z_$][A-Za-z0-9_$-]*$/.test(key)
    ? `${path}.${key}`
    : `${path}[${JSON.stringify(key.length > 60 ? `${key.slice(0, 57)}...` : key)}]`;
}

interface Frame {
  /** Keys seen so far; null for an array. */
  keys: Set<string> | null;
  /** The current key (object) or index (array). */
  at: string | number;
  expectKey: boolean;
}

const pathOf = (stack: readonly Frame[], upTo = stack.length): string => {
  let p = '$';
  for (let i = 0; i < upTo; i++) p = jsonPathChild(p, stack[i]!.at);
  return p;
};

/**
 * JSON.parse that rejects duplicate keys (compared after unescaping) and
 * nesting deeper than `maxDepth`. The text is scanned once without recursion
 * after JSON.parse has accepted it, so the scan only has to track strings and
 * brackets; memory is the parsed value plus one frame per open bracket.
 * @throws {JsonError}
 */
export function parseJsonStrict(text: string, options: JsonStrictOptions = {}): unknown {
  const maxDepth = options.maxDepth ?? 64;
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    throw new JsonError('', `not valid JSON (${(e as Error).message})`);
  }
  const stack: Frame[] = [];
  const n = text.length;
  for (let i = 0; i < n; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x22 /* " */) {
      let j = i + 1;
      let escaped = false;
      for (; ; j++) {
        const d = text.charCodeAt(j);
        if (d === 0x5c /* \ */) {
          escaped = true;
          j++;
        } else if (d === 0x22) break;
      }
      const top = stack[stack.length - 1];
      if (top?.keys && top.expectKey) {
        const key = escaped ? (JSON.parse(text.slice(i, j + 1)) as string) : text.slice(i + 1, j);
        top.at = key;
        if (top.keys.has(key)) throw new JsonError(pathOf(stack), 'duplicate key (JSON.parse would keep only the last)');
        top.keys.add(key);
        top.expectKey = false;
      }
      i = j;
    } else if (c === 0x7b /* { */ || c === 0x5b /* [ */) {
      if (stack.length >= maxDepth) throw new JsonError(pathOf(stack), `nested deeper than ${maxDepth} levels`);
      stack.push(c === 0x7b ? { keys: new Set(), at: '', expectKey: true } : { keys: null, at: 0, expectKey: false });
    } else if (c === 0x7d /* } */ || c === 0x5d /* ] */) {
      stack.pop();
    } else if (c === 0x2c /* , */) {
      const top = stack[stack.length - 1]!;
      if (top.keys) top.expectKey = true;
      else top.at = (top.at as number) + 1;
    }
  }
  return value;
}
