import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { correctlyRounded } from '@geglu/oracle';
import { compareHalf, HALF_INPUTS, halfCodec, halfReferenceTable, type HalfFormat } from '../../src/sweep/half.js';
import { runHalfSweep } from '../../src/sweep/run.js';
import { sweepCommand } from '../../src/commands/sweep.js';
import { fakeIO } from '../cli/fake-io.js';

const FORMATS: readonly HalfFormat[] = ['bf16', 'f16'];
const FNS = ['gelu', 'gelu-tanh'] as const;

describe('the 16-bit reference table (bounded f64 reference, oracle where undecided)', () => {
  for (const format of FORMATS) {
    for (const fn of FNS) {
      const table = halfReferenceTable(fn, format, (x) => correctlyRounded(fn, x, format));
      const { fromBits, toBits } = halfCodec(format);
      it(`${fn} ${format}: equals the oracle's correctlyRounded bits at seeded random inputs and at the specials`, () => {
        const check = (b: number): void => {
          const x = fromBits(b);
          const want = correctlyRounded(fn, x, format);
          const got = fromBits(table.expected[b]!);
          expect(Object.is(got, want) || (got !== got && want !== want), `x=${x} (0x${b.toString(16)}): table ${got}, oracle ${want}`).toBe(
            true,
          );
        };
        for (const x of [0, -0, Infinity, -Infinity, NaN, 1, -1, -0.75, -4, -8]) check(toBits(x));
        // the smallest subnormal of each sign (x/2 is a tie that the exact value breaks upward) and the largest finite
        for (const b of [1, 0x8001, format === 'bf16' ? 0x7f7f : 0x7bff, format === 'bf16' ? 0xff7f : 0xfbff]) check(b);
        fc.assert(
          fc.property(fc.integer({ min: 0, max: HALF_INPUTS - 1 }), (b) => check(b)),
          { numRuns: 150 },
        );
      });
    }
  }

  it('without an oracle the inputs the bound cannot decide are marked undecided, never guessed', () => {
    // f32-precision gelu decides all 16-bit inputs today; the contract holds either way
    const t = halfReferenceTable('gelu', 'bf16', null);
    expect(t.escalated).toBe(0);
    const undecided = t.undecided.reduce((n, u) => n + u, 0);
    const c = compareHalf('gelu', 'bf16', t, t.expected);
    expect(c.undecided).toBe(undecided);
    expect(c.checked).toBe(HALF_INPUTS - undecided);
  });
});

describe('compareHalf counts mismatches bit for bit', () => {
  const format = 'f16';
  const { toBits, fromBits } = halfCodec(format);
  const table = halfReferenceTable('gelu', format, (x) => correctlyRounded('gelu', x, format));
  it('the table against itself: every input correctly rounded', () => {
    const c = compareHalf('gelu', format, table, table.expected);
    expect(c.mismatches).toBe(0);
    expect(c.histogram).toEqual({ 0: HALF_INPUTS });
    expect(c.nan).toBe(2046); // 2 signs × (2^10 − 1) NaN payloads
  });
  it('one step off, a zero of the wrong sign and a NaN for a number are three mismatches, each where it belongs', () => {
    const got = table.expected.slice();
    const one = toBits(1);
    got[one] = got[one]! + 1; // gelu(1) one step up
    const minusTiny = toBits(-10); // gelu(−10) rounds to −0 in f16
    expect(Object.is(fromBits(table.expected[minusTiny]!), -0)).toBe(true);
    got[minusTiny] = toBits(0);
    const inf = toBits(Infinity);
    got[inf] = toBits(NaN);
    const c = compareHalf('gelu', format, table, got);
    expect(c.mismatches).toBe(3);
    expect(c.zeroSign).toBe(1);
    expect(c.histogram).toEqual({ 0: HALF_INPUTS - 2, 1: 1, Infinity: 1 });
    expect(c.regions.normal).toMatchObject({ mismatches: 1, maxSteps: 1 });
    expect(c.regions.normal.worst).toMatchObject({ bits: one, x: '1', steps: 1 });
    expect(c.regions.tail).toMatchObject({ mismatches: 1, maxSteps: 0, worst: null });
    expect(c.worst.map((w) => w.bits)).toEqual([inf, one, minusTiny]);
    expect(c.worst[2]!.zeroSign).toBe(true);
  });
});

describe('geglu sweep --dtype bf16|f16', () => {
  for (const format of FORMATS) {
    for (const fn of FNS) {
      it(`the kernel's ${fn} ${format} is correctly rounded on all 65,536 inputs`, async () => {
        const { result } = await runHalfSweep(fn, format);
        expect(result).toMatchObject({
          dtype: format,
          backend: `kernel-${format}`,
          complete: true,
          checked: HALF_INPUTS,
          undecided: 0,
          mismatches: 0,
          zeroSign: 0,
        });
        expect(result.intervals).toEqual([[0, HALF_INPUTS]]);
      });
    }
  }
  it('a backend or function the dtype does not have is a one-line usage error naming both', async () => {
    const f = fakeIO();
    await expect(sweepCommand.run(['--fn', 'gelu', '--dtype', 'bf16', '--backend', 'gpu-webasm'], f.io)).rejects.toThrow(
      /^geglu sweep: --backend gpu-webasm has no bf16 \(it computes in f32: gpu\.js has float32 buffers only\)$/,
    );
    await expect(sweepCommand.run(['--fn', 'gelu', '--dtype', 'f32', '--backend', 'kernel-f16'], f.io)).rejects.toThrow(
      /--backend kernel-f16 has no f32 \(it computes in f16\)/,
    );
    await expect(sweepCommand.run(['--fn', 'erf', '--dtype', 'f16'], f.io)).rejects.toThrow(
      /--backend kernel-f16 has no f16 erf \(it has gelu, gelu-tanh\)/,
    );
    await expect(sweepCommand.run(['--fn', 'gelu', '--dtype', 'f16', '--range', '0:16'], f.io)).rejects.toThrow(
      /--range does not apply to --dtype f16/,
    );
    expect(f.stdout).toBe('');
  });
});
