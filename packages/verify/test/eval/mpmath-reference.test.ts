// issue 3's acceptance check: `geglu eval --backend oracle` returns the correctly rounded
// result for every input of an independent reference set, built with another
// arbitrary-precision library (mpmath; generator and format:
// packages/oracle/test/fixtures/README.md), in both formats, tails and subnormals included.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { evalCommand } from '../../src/commands/eval.js';
import { fakeIO } from '../cli/fake-io.js';

interface ReferenceLine {
  format: 'f32' | 'f64';
  fn: 'gelu' | 'gelu-tanh' | 'erf' | 'erfc';
  x: string;
  x_bits: string;
  expected_bits: string;
}

const fixture = new URL('../../../oracle/test/fixtures/mpmath_reference.jsonl', import.meta.url);
const lines: ReferenceLine[] = readFileSync(fixture, 'utf8')
  .split('\n')
  .filter((l) => l.trim() !== '')
  .map((l) => JSON.parse(l) as ReferenceLine);

function bitsOf(value: number, format: 'f32' | 'f64'): string {
  if (format === 'f32') {
    const u = new Uint32Array(new Float32Array([value]).buffer)[0]!;
    return `0x${u.toString(16).padStart(8, '0')}`;
  }
  const b = new BigUint64Array(new Float64Array([value]).buffer)[0]!;
  return `0x${b.toString(16).padStart(16, '0')}`;
}

const groups = new Map<string, ReferenceLine[]>();
for (const l of lines) {
  const key = `${l.fn} ${l.format}`;
  groups.set(key, [...(groups.get(key) ?? []), l]);
}

describe('geglu eval --backend oracle against the mpmath reference set', () => {
  it('the reference set covers all four functions in both formats', () => {
    expect([...groups.keys()].sort()).toEqual([
      'erf f32',
      'erf f64',
      'erfc f32',
      'erfc f64',
      'gelu f32',
      'gelu f64',
      'gelu-tanh f32',
      'gelu-tanh f64',
    ]);
  });

  for (const [key, group] of groups) {
    const [fn, format] = key.split(' ') as [ReferenceLine['fn'], ReferenceLine['format']];
    it(`${fn} ${format}: every one of ${group.length} lines is correctly rounded (bit patterns, −0 ≠ +0, NaN kept)`, async () => {
      const f = fakeIO(group.map((l) => `${l.x}\n`).join(''));
      const code = await evalCommand.run(['--fn', fn, '--dtype', format, '--backend', 'oracle'], f.io);
      expect(code, f.stderr).toBe(0);
      const out = f.stdout
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l) as { x: string; y: string });
      expect(out).toHaveLength(group.length);
      const wrong: string[] = [];
      out.forEach((o, i) => {
        const want = group[i]!;
        if (bitsOf(Number(o.x), format) !== want.x_bits) wrong.push(`line ${i + 1}: x ${o.x} is not ${want.x_bits}`);
        const got = o.y === '-0' ? -0 : Number(o.y);
        if (bitsOf(got, format) !== want.expected_bits && !(Number.isNaN(got) && want.expected_bits === bitsOf(NaN, format))) {
          wrong.push(`${fn}(${want.x}) = ${o.y} (${bitsOf(got, format)}), mpmath ${want.expected_bits}`);
        }
      });
      expect(wrong.slice(0, 10)).toEqual([]);
    });
  }
});
