import { describe, expect, it } from 'vitest';
import { spliceSection } from '../src/splice.js';

describe('spliceSection', () => {
  it('replaces only the text between the named markers', () => {
    const doc = 'a\n<!-- x:start -->\nold\n<!-- x:end -->\nb\n<!-- y:start -->\nkeep\n<!-- y:end -->\n';
    expect(spliceSection(doc, 'x', 'new')).toBe('a\n<!-- x:start -->\nnew\n<!-- x:end -->\nb\n<!-- y:start -->\nkeep\n<!-- y:end -->\n');
  });
  it('throws naming the markers when they are missing or reversed', () => {
    expect(() => spliceSection('no markers', 'x', 'new')).toThrow('<!-- x:start -->');
    expect(() => spliceSection('<!-- x:end --><!-- x:start -->', 'x', 'new')).toThrow('not found in order');
  });
});
