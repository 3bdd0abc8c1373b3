import { describe, expect, it } from 'vitest';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { correctlyRounded } from '@geglu/oracle';
import { formatFloat } from '@geglu/float';
import { runCli } from '../../src/cli/main.js';
import { halfCodec } from '../../src/sweep/half.js';
import { fakeIO } from '../cli/fake-io.js';

const dir = mkdtempSync(join(tmpdir(), 'geglu-check-half-'));
const cli = async (argv: string[], stdin = '') => {
  const f = fakeIO(stdin);
  const code = await runCli(argv, f.io);
  return { code, stdout: f.stdout, stderr: f.stderr };
};

describe('geglu eval and check with --dtype bf16|f16 (files written here, the real oracle)', () => {
  for (const dtype of ['bf16', 'f16'] as const) {
    const { toBits, fromBits } = halfCodec(dtype);
    it(`${dtype}: the kernel's eval output reads back to the same values and passes check`, async () => {
      const xs = ['0.5', '-3', '1e-40', '-0', '1.00390625', 'nan', '-inf', '65520', '-1.7', '1e-7'];
      const e = await cli(['eval', '--fn', 'gelu-tanh', '--dtype', dtype, '--backend', 'kernel'], xs.join('\n'));
      expect(e.code).toBe(0);
      expect(e.stderr).toBe(`geglu eval: backend kernel-${dtype}, fn gelu-tanh, dtype ${dtype}\n`);
      const lines = e.stdout
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l) as { x: string; y: string });
      expect(lines).toHaveLength(xs.length);
      for (const { x, y } of lines) {
        // the strings are the exact values of the format: reading back with the format's own rounding is the identity
        expect(fromBits(toBits(Number(x)))).toBe(Number(x));
        expect(Object.is(fromBits(toBits(Number(y))), Number(y))).toBe(true);
        expect(Object.is(Number(y), correctlyRounded('gelu-tanh', Number(x), dtype)) || y === 'NaN').toBe(true);
      }
      const f = join(dir, `eval-${dtype}.jsonl`);
      writeFileSync(f, e.stdout);
      const c = await cli(['check', '--fn', 'gelu-tanh', '--dtype', dtype, f]);
      expect(c.stdout).toContain(`geglu check gelu-tanh ${dtype}: ${xs.length} lines checked, 0 bad lines skipped`);
      expect(c.code).toBe(0);
    });

    it(`${dtype}: check counts a step off, a zero of the wrong sign and a NaN for a number`, async () => {
      const line = (x: number, y: number) => JSON.stringify({ x: formatFloat(x), y: formatFloat(y) });
      const cr = (x: number) => correctlyRounded('gelu', x, dtype);
      const up = (v: number) => fromBits(toBits(v) + (v >= 0 ? 1 : -1)); // one step away from zero
      const text = [
        line(1, cr(1)),
        line(2, up(cr(2))), // 1 step
        line(-20, 0), // correct: −0
        line(-20, cr(-20)),
        line(Infinity, NaN), // correct: +∞
        line(0.25, cr(0.25)),
      ].join('\n');
      expect(Object.is(cr(-20), -0)).toBe(true);
      const f = join(dir, `bad-${dtype}.jsonl`);
      writeFileSync(f, `${text}\n`);
      const c = await cli(['check', '--fn', 'gelu', '--dtype', dtype, '--json', f]);
      expect(c.code).toBe(1);
      const s = JSON.parse(c.stdout);
      expect(s).toMatchObject({ dtype, checked: 6, mismatches: 3, zeroSign: 1, histogram: { 0: 4, 1: 1, Infinity: 1 } });
      expect(s.byRegion.tail).toMatchObject({ count: 2, zeroSign: 1 });
    });
  }

  it('a dtype the backend does not have is a one-line error naming both', async () => {
    const k = await cli(['eval', '--fn', 'erf', '--dtype', 'bf16', '--backend', 'kernel'], '1\n');
    expect(k.code).toBe(2);
    expect(k.stderr).toMatch(/^geglu eval: backend kernel evaluates gelu, gelu-tanh in bf16; not erf in bf16\n$/);
    const g = await cli(['eval', '--fn', 'gelu', '--dtype', 'f16', '--backend', 'gpu'], '1\n');
    expect(g.code).toBe(2);
    expect(g.stderr).toMatch(/^geglu eval: backend gpu evaluates .* in f32; not gelu in f16 \(gpu\.js has float32 buffers only\)\n$/);
  });
});
