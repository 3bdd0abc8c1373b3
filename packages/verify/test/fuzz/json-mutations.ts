import fc from 'fast-check';

/**
 * Mutations of a valid JSON document, for fuzzing the readers of files a user names: value edits at
 * a random path (the values most likely to slip through a validator), key edits, a duplicated key
 * (JSON.parse keeps the last), deep nesting, and raw text edits.
 */
export type JsonMutation =
  | { kind: 'value'; pick: number; value: unknown }
  | { kind: 'remove'; pick: number }
  | { kind: 'addKey'; pick: number; key: string; value: unknown }
  | { kind: 'duplicate'; pick: number; value: unknown }
  | { kind: 'text'; at: number; remove: number; insert: string };

const oddValue: fc.Arbitrary<unknown> = fc.oneof(
  fc.constantFrom(null, true, false, 0, -1, 1.5, -0, 1e308, 2 ** 32, 2 ** 53, '', 'Infinity', 'NaN', '0', [], {}, [0, 0], [[0, 1]]),
  fc.integer({ min: -5, max: 2 ** 33 }),
  fc.double(),
  fc.string({ maxLength: 8 }),
);
const oddKey = fc.oneof(
  fc.constantFrom('__proto__', 'constructor', 'toString', '', '01', '-1', '1.5', 'Infinity', 'NaN', 'x', 'extra'),
  fc.string({ maxLength: 6 }),
);

export const jsonMutation: fc.Arbitrary<JsonMutation> = fc.oneof(
  fc.record({ kind: fc.constant('value' as const), pick: fc.nat(), value: oddValue }),
  fc.record({ kind: fc.constant('remove' as const), pick: fc.nat() }),
  fc.record({ kind: fc.constant('addKey' as const), pick: fc.nat(), key: oddKey, value: oddValue }),
  fc.record({ kind: fc.constant('duplicate' as const), pick: fc.nat(), value: oddValue }),
  fc.record({
    kind: fc.constant('text' as const),
    at: fc.nat(),
    remove: fc.integer({ min: 0, max: 4 }),
    insert: fc.oneof(fc.constantFrom('', ',', '"', '{', '[[[[[[', ']', '}', '0', '-', 'e9', '\\u0000', ':'), fc.string({ maxLength: 4 })),
  }),
);

type Slot = { parent: Record<string, unknown> | unknown[]; key: string | number };

/** Every place in `doc` that holds a value, in document order. */
function slots(doc: unknown): Slot[] {
  const out: Slot[] = [];
  const stack: unknown[] = [doc];
  while (stack.length > 0) {
    const v = stack.pop();
    if (Array.isArray(v)) {
      v.forEach((c, i) => {
        out.push({ parent: v, key: i });
        stack.push(c);
      });
    } else if (typeof v === 'object' && v !== null) {
      for (const [k, c] of Object.entries(v)) {
        out.push({ parent: v as Record<string, unknown>, key: k });
        stack.push(c);
      }
    }
  }
  return out;
}

const objects = (doc: unknown): Record<string, unknown>[] => {
  const all = slots(doc)
    .map((s) => s.parent as never as unknown)
    .filter((p): p is Record<string, unknown> => !Array.isArray(p));
  if (typeof doc === 'object' && doc !== null && !Array.isArray(doc)) all.unshift(doc as Record<string, unknown>);
  return [...new Set(all)];
};

/**
 * Applies the mutations; returns the text and whether it surely holds a duplicated key (a
 * 'duplicate' mutation that found an object with a key; text edits after it may break the JSON,
 * which the reader must then refuse too).
 */
export function mutateJson(valid: unknown, mutations: readonly JsonMutation[]): { text: string; duplicated: boolean } {
  const doc = structuredClone(valid);
  const dups: { obj: Record<string, unknown>; key: string; value: unknown }[] = [];
  let text: string | undefined;
  for (const m of mutations) {
    if (m.kind === 'text') {
      text ??= serialize(doc, dups);
      const at = m.at % (text.length + 1);
      text = text.slice(0, at) + m.insert + text.slice(at + m.remove);
      continue;
    }
    if (text !== undefined) continue; // value edits only before the first text edit
    const all = slots(doc);
    if (m.kind === 'value' && all.length > 0) {
      const s = all[m.pick % all.length]!;
      (s.parent as Record<string | number, unknown>)[s.key] = structuredClone(m.value);
    } else if (m.kind === 'remove' && all.length > 0) {
      const s = all[m.pick % all.length]!;
      if (Array.isArray(s.parent)) s.parent.splice(s.key as number, 1);
      else delete s.parent[s.key as string];
    } else if (m.kind === 'addKey') {
      const objs = objects(doc);
      if (objs.length > 0)
        Object.defineProperty(objs[m.pick % objs.length]!, m.key, {
          value: structuredClone(m.value),
          enumerable: true,
          writable: true,
          configurable: true,
        });
    } else if (m.kind === 'duplicate') {
      const objs = objects(doc).filter((o) => Object.keys(o).length > 0);
      if (objs.length > 0) {
        const obj = objs[m.pick % objs.length]!;
        const keys = Object.keys(obj);
        dups.push({ obj, key: keys[m.pick % keys.length]!, value: m.value });
      }
    }
  }
  const dupsLeft = dups.filter((d) => objects(doc).includes(d.obj) && Object.hasOwn(d.obj, d.key));
  return { text: text ?? serialize(doc, dupsLeft), duplicated: text === undefined && dupsLeft.length > 0 };
}

/** JSON.stringify, with each duplicate written as a second member of its object after the first. */
function serialize(doc: unknown, dups: readonly { obj: Record<string, unknown>; key: string; value: unknown }[]): string {
  const write = (v: unknown): string => {
    if (Array.isArray(v)) return `[${v.map(write).join(',')}]`;
    if (typeof v === 'object' && v !== null) {
      const members = Object.entries(v).map(([k, c]) => `${JSON.stringify(k)}:${write(c)}`);
      for (const d of dups) if (d.obj === v) members.push(`${JSON.stringify(d.key)}:${JSON.stringify(d.value) ?? 'null'}`);
      return `{${members.join(',')}}`;
    }
    return JSON.stringify(v) ?? 'null';
  };
  return write(doc);
}
