import { describe, expect, it } from 'vitest';
import { JsonError, parseJsonStrict } from '../../src/io/index.js';

describe('parseJsonStrict', () => {
  it('returns what JSON.parse returns for valid JSON without duplicate keys', () => {
    const text = '{"a": [1, {"b": "x\\"y", "c": null}], "d": {"e": true}, "\\u0078": 2}';
    expect(parseJsonStrict(text)).toEqual(JSON.parse(text));
  });

  it('rejects a duplicated key with the path of the second one', () => {
    expect(() => parseJsonStrict('{"a": {"maxSteps": 0, "maxSteps": 1000000}}')).toThrow(JsonError);
    expect(() => parseJsonStrict('{"a": {"maxSteps": 0, "maxSteps": 1000000}}')).toThrow('$.a.maxSteps: duplicate key');
    expect(() => parseJsonStrict('[0, {"x": 1, "y": [{}, {"q": 1, "q": 2}]}]')).toThrow('$[1].y[1].q: duplicate key');
  });

  it('compares keys after unescaping ("\\u0078" is "x")', () => {
    expect(() => parseJsonStrict('{"x": "0.5", "\\u0078": "1"}')).toThrow('$.x: duplicate key');
  });

  it('allows the same key in sibling objects and a key equal to a value', () => {
    expect(parseJsonStrict('[{"a": "a"}, {"a": "b"}]')).toEqual([{ a: 'a' }, { a: 'b' }]);
    expect(parseJsonStrict('{"a": "b", "b": "a"}')).toEqual({ a: 'b', b: 'a' });
  });

  it('names odd keys unambiguously in the path', () => {
    expect(() => parseJsonStrict('{"a b": {"__proto__": 1, "__proto__": 2}}')).toThrow('$["a b"].__proto__: duplicate key');
  });

  it('rejects nesting deeper than maxDepth before anything recurses (100,000 arrays)', () => {
    const deep = `${'['.repeat(100_000)}${']'.repeat(100_000)}`;
    expect(() => parseJsonStrict(deep)).toThrow(/nested deeper than 64 levels/);
    expect(() => parseJsonStrict('[[[1]]]', { maxDepth: 2 })).toThrow('$[0][0]: nested deeper than 2 levels');
    expect(parseJsonStrict('[[[1]]]', { maxDepth: 3 })).toEqual([[[1]]]);
  });

  it('reports invalid JSON as a JsonError', () => {
    expect(() => parseJsonStrict('{"a": }')).toThrow(JsonError);
    expect(() => parseJsonStrict('{"a": }')).toThrow(/not valid JSON/);
  });
});
