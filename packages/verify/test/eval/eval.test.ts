import { describe, expect, it } from 'vitest';
import { Writable } from 'node:stream';
import { evalCommand } from '../../src/commands/eval.js';
import { runCli } from '../../src/cli/main.js';
import { registerBackend, getBackend } from '../../src/backends/registry.js';
import { loadOracle } from '../../src/backends/modules.js';
import type { Backend } from '../../src/backends/types.js';
import { fakeIO } from '../cli/fake-io.js';

// A stand-in for the kernel so the streaming, parsing and error handling of `geglu eval` are tested
// whatever state @geglu/kernel is in: y = −2x (exact in both formats), so every output line is checkable.
const real = getBackend('kernel-f64')!;
const fake: Backend = {
  ...real,
  async open() {
    return {
      ran: 'fake-kernel-f64',
      async evaluate(_fn, _dtype, xs) {
        return xs.map((x) => -2 * x);
      },
      async close() {},
    };
  },
};
registerBackend(fake);
const fakeF32: Backend = { ...getBackend('kernel-f32')!, functions: ['gelu', 'gelu-tanh'], open: fake.open };
registerBackend(fakeF32);

const run = async (input: string | string[], argv = ['--fn', 'gelu', '--dtype', 'f64', '--backend', 'kernel']) => {
  const f = fakeIO(input);
  const code = await evalCommand.run(argv, f.io);
  return { code, stdout: f.stdout, stderr: f.stderr };
};

describe('geglu eval (streaming, parsing, bad lines)', () => {
  it('writes one {"x","y"} line per input with shortest strings, -0 kept, specials spelled out', async () => {
    const r = await run('0.5\n-0\nNaN\n-Infinity\n1e-320\n');
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(
      '{"x":"0.5","y":"-1"}\n{"x":"-0","y":"0"}\n{"x":"NaN","y":"NaN"}\n{"x":"-Infinity","y":"Infinity"}\n{"x":"1e-320","y":"-2e-320"}\n',
    );
    expect(r.stderr).toContain('backend fake-kernel-f64');
  });
  it('rounds inputs to f32 once from the decimal (0.1 → 0.10000000149011612)', async () => {
    const r = await run('0.1\n1.00000005960464477539062500001\n', ['--fn', 'gelu', '--dtype', 'f32', '--backend', 'kernel']);
    expect(r.code).toBe(0);
    expect(r.stdout.split('\n')[0]).toBe('{"x":"0.10000000149011612","y":"-0.20000000298023224"}');
    expect(r.stdout.split('\n')[1]).toBe(`{"x":"${1 + 2 ** -23}","y":"${-2 - 2 ** -22}"}`);
  });
  it('treats CRLF as a line ending and a last line without newline as a line', async () => {
    const r = await run('1\r\n2\r\n3');
    expect(r.code).toBe(0);
    expect(r.stdout.trim().split('\n')).toHaveLength(3);
  });
  it('skips bad lines (not a number, empty, huge), names each line number, exits 1', async () => {
    const r = await run(`1\nabc\n\n${'9'.repeat(100000)}\n2\n`);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('{"x":"1","y":"-2"}\n{"x":"2","y":"-4"}\n');
    expect(r.stderr).toContain('stdin line 2: not a number; skipped');
    expect(r.stderr).toContain('stdin line 3: empty line, expected a number; skipped');
    expect(r.stderr).toContain('stdin line 4: longer than 4096 bytes; skipped');
    expect(r.stderr).toContain('2 lines evaluated, 3 skipped');
  });
  it('counts lines correctly when a line is split across chunks and a huge line has no newline', async () => {
    const f = fakeIO(['1', '.5\n', '2\r', '\n', 'x'.repeat(5000), 'y'.repeat(5000)]);
    const code = await evalCommand.run(['--fn', 'gelu', '--dtype', 'f64', '--backend', 'kernel'], f.io);
    expect(code).toBe(1);
    expect(f.stdout).toBe('{"x":"1.5","y":"-3"}\n{"x":"2","y":"-4"}\n');
    expect(f.stderr).toContain('stdin line 3: longer than 4096 bytes');
  });
  it('names at most 20 bad lines and counts the rest', async () => {
    const r = await run('x\n'.repeat(25));
    expect(r.code).toBe(1);
    expect(r.stderr.match(/stdin line \d+:/g)).toHaveLength(20);
    expect(r.stderr).toContain('... and 5 more bad lines');
  });
  it('streams 300,000 lines in batches and every output line matches its input', async () => {
    const n = 300_000;
    let s = '';
    for (let i = 0; i < n; i++) s += `${i - 150000}\n`;
    const r = await run(s);
    expect(r.code).toBe(0);
    const lines = r.stdout.split('\n');
    expect(lines).toHaveLength(n + 1);
    expect(lines[n - 1]).toBe(`{"x":"149999","y":"-299998"}`);
  });
  it('ends quietly with exit 0 when stdout is closed early (| head)', async () => {
    const f = fakeIO('1\n'.repeat(100000));
    let written = 0;
    f.io.stdout = new Writable({
      highWaterMark: 16,
      write(_chunk, _enc, cb) {
        written++;
        if (written > 2) {
          const e = Object.assign(new Error('write EPIPE'), { code: 'EPIPE' });
          cb(e);
        } else cb();
      },
    });
    const code = await evalCommand.run(['--fn', 'gelu', '--dtype', 'f64', '--backend', 'kernel', '--batch-size', '10'], f.io);
    expect(code).toBe(0);
    expect(f.stderr).not.toMatch(/EPIPE|at /);
  });
  it('rejects bad usage with one line and exit 2 (missing option, bad choice, conflicting options, unsupported pair)', async () => {
    const cases: [string[], RegExp][] = [
      [['eval', '--fn', 'gelu', '--dtype', 'f32'], /option --backend is required/],
      [
        ['eval', '--fn', 'relu', '--dtype', 'f32', '--backend', 'oracle'],
        /--fn must be one of gelu, gelu-tanh, erf, erfc, gelu-grad, gelu-tanh-grad; got "relu"/,
      ],
      [
        ['eval', '--fn', 'gelu', '--dtype', 'f32', '--backend', 'kernel', '--gpu-backend', 'cpu'],
        /--gpu-backend only applies to --backend gpu/,
      ],
      [['eval', '--fn', 'erf', '--dtype', 'f32', '--backend', 'kernel'], /not erf in f32/],
      [['eval', '--fn', 'gelu', '--dtype', 'f32', '--backend', 'oracle', 'extra'], /unexpected argument "extra"/],
    ];
    for (const [argv, re] of cases) {
      const f = fakeIO('1\n');
      expect(await runCli(argv, f.io)).toBe(2);
      expect(f.stderr).toMatch(re);
      expect(f.stderr.trim().split('\n')).toHaveLength(1);
      expect(f.stdout).toBe('');
    }
  });
  it('--help prints the usage with the input rules and exits 0', async () => {
    const f = fakeIO();
    expect(await runCli(['eval', '--help'], f.io)).toBe(0);
    expect(f.stdout).toContain('Usage: geglu eval');
    expect(f.stdout).toContain('CRLF');
  });
});

const oracle = await loadOracle();
describe.skipIf(typeof oracle === 'string')('geglu eval --backend oracle (needs @geglu/oracle)', () => {
  it('gelu f32 by the oracle: gelu(-0) = -0, gelu(-Infinity) = -0, gelu(NaN) = NaN, gelu(1) correctly rounded', async () => {
    const f = fakeIO('-0\n-Infinity\nNaN\n1\n');
    const code = await runCli(['eval', '--fn', 'gelu', '--dtype', 'f32', '--backend', 'oracle'], f.io);
    expect(code).toBe(0);
    const ys = f.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l).y);
    expect(ys.slice(0, 3)).toEqual(['-0', '-0', 'NaN']);
    // gelu(1) = Phi(1) = 0.841344746068542948585232545632… (Abramowitz & Stegun table 26.1), in f32:
    expect(Number(ys[3])).toBe(Math.fround(0.8413447460685429));
  });
});
