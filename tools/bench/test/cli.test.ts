import { describe, expect, it } from 'vitest';
import { parseArgs } from '../src/cli.js';

describe('bench command line', () => {
  it('defaults to the full sizes 2^20 and 2^24 and 9 repeats', () => {
    const o = parseArgs([]);
    expect(o.bench.sizes).toEqual([2 ** 20, 2 ** 24]);
    expect(o.bench.repeats).toBe(9);
    expect(o.bench.quick).toBe(false);
    expect(o.write).toBe(true);
  });

  it('--quick shrinks sizes; --repeats and --only override in any order', () => {
    const o = parseArgs(['--only', 'gelu-tanh|kernel', '--quick', '--repeats', '4']);
    expect(o.bench.quick).toBe(true);
    expect(Math.max(...o.bench.sizes)).toBeLessThan(2 ** 20);
    expect(o.bench.repeats).toBe(4);
    expect(o.bench.only!.test('gelu-tanh-2^12/copy')).toBe(true);
    expect(o.bench.only!.test('mlp-small/ort-web')).toBe(false);
  });

  it('--rounds sets the rounds of the goal ratios’ rows (default 5, quick 2, 0 for none)', () => {
    expect(parseArgs([]).bench.rounds).toBe(5);
    expect(parseArgs(['--quick']).bench.rounds).toBe(2);
    expect(parseArgs(['--rounds', '0']).bench.rounds).toBe(0);
    expect(parseArgs(['--rounds', '7', '--quick']).bench.rounds).toBe(7);
  });

  it('--render takes the JSON to re-render from', () => {
    expect(parseArgs(['--render', 'results/latest.json']).renderFrom).toBe('results/latest.json');
    expect(() => parseArgs(['--render'])).toThrow('--render: expected a value after it, got nothing');
  });

  it('rejects bad values with a message naming the argument, expected and actual', () => {
    expect(() => parseArgs(['--repeats', '0'])).toThrow('--repeats: expected a positive integer, got "0"');
    expect(() => parseArgs(['--repeats'])).toThrow('--repeats: expected a value after it, got nothing');
    expect(() => parseArgs(['--only', '('])).toThrow(/--only: expected a regular expression, got "\("/);
    for (const bad of ['-1', '1.5', 'five', '', '1e3']) {
      expect(() => parseArgs(['--rounds', bad])).toThrow(`--rounds: expected a non-negative integer, got ${JSON.stringify(bad)}`);
    }
    expect(() => parseArgs(['--fast'])).toThrow(/unknown argument "--fast"/);
  });
});
