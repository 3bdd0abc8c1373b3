import { describe, expect, it, vi } from 'vitest';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

// Tests use --fn erf: for f32 gelu the command takes the sweep's reference instead of the oracle.
// A stand-in oracle whose "function" is the identity (correctlyRounded(fn, x) = x), so the parsing,
// step counting and exit codes of `geglu check` are tested whatever state @geglu/oracle is in.
// Steps and the bit comparison come from @geglu/float.
vi.mock('@geglu/oracle', () => ({
  correctlyRounded: (_fn: string, x: number) => x,
  evaluate: undefined, // no ulps from the stand-in
  ulpError: undefined,
}));

const { runCli } = await import('../../src/cli/main.js');
const { fakeIO } = await import('../cli/fake-io.js');

const dir = mkdtempSync(join(tmpdir(), 'geglu-check-'));
const file = (name: string, text: string) => {
  const p = join(dir, name);
  writeFileSync(p, text);
  return p;
};
const check = async (argv: string[], stdin = '') => {
  const f = fakeIO(stdin);
  const code = await runCli(['check', ...argv], f.io);
  return { code, stdout: f.stdout, stderr: f.stderr };
};

describe('geglu check against an identity stand-in oracle', () => {
  it('exact outputs (strings, JSON numbers, specials, -0) pass with 0 steps and exit 0', async () => {
    const p = file(
      'ok.jsonl',
      '{"x":"0.5","y":"0.5"}\n{"x":-0,"y":"-0"}\r\n{"x":"NaN","y":"nan"}\n{"y":"-inf","x":"-Infinity"}\n{"x":"0.1","y":0.1}\n',
    );
    const r = await check(['--fn', 'erf', '--dtype', 'f32', p]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('5 lines checked, 0 bad lines skipped');
    expect(r.stdout).toContain('max steps 0 (allowed 0)');
    expect(r.stdout).toContain('PASS');
  });
  it('a zero of the wrong sign is a mismatch counted under zero sign, at 0 steps, and fails at any --max-steps', async () => {
    const p = file('zero-sign.jsonl', '{"x":"-0","y":"0"}\n{"x":"0","y":"0"}\n{"x":"2","y":"2"}\n');
    for (const limit of ['0', '5']) {
      const r = await check(['--fn', 'erf', '--dtype', 'f64', '--max-steps', limit, '--json', p]);
      expect(r.code).toBe(1);
      const s = JSON.parse(r.stdout);
      expect([s.checked, s.mismatches, s.zeroSign, s.maxSteps]).toEqual([3, 1, 1, 0]);
      expect(s.histogram).toEqual({ 0: 3 });
      expect(s.worst).toEqual([{ line: 1, x: '-0', y: '0', expected: '-0', steps: 0, zeroSign: true, ulps: null }]);
      expect(s.passed).toBe(false);
    }
    const text = await check(['--fn', 'erf', '--dtype', 'f64', p]);
    expect(text.stdout).toContain('mismatches 1 (results not bit-identical to the correctly rounded one), zero sign 1');
    expect(text.stdout).toContain('line 1: x=-0 y=0 expected -0 (zero sign differs, 0 steps)');
    expect(text.stdout).toMatch(/FAIL: subnormal: 1 with the wrong sign of zero$/m);
  });
  it('counts steps in the dtype: y one f32 step above x is 1 step, NaN against a number is infinite', async () => {
    const one = 1 + 2 ** -23; // next float32 after 1
    const p = file('steps.jsonl', `{"x":"1","y":"${one}"}\n{"x":"2","y":"NaN"}\n{"x":"3","y":"3"}\n`);
    const r = await check(['--fn', 'erf', '--dtype', 'f32', '--max-steps', '1', '--json', p]);
    const s = JSON.parse(r.stdout);
    expect(s.histogram).toEqual({ 0: 1, 1: 1, Infinity: 1 });
    expect(s.maxSteps).toBe('Infinity'); // the NaN mismatch
    expect(s.worst.map((w: { line: number }) => w.line)).toEqual([2, 1]);
    expect(r.code).toBe(1);
    const q = file('one.jsonl', `{"x":"1","y":"${one}"}\n`);
    expect((await check(['--fn', 'erf', '--dtype', 'f32', '--max-steps', '1', q])).code).toBe(0);
    expect((await check(['--fn', 'erf', '--dtype', 'f32', q])).code).toBe(1);
    // in f64 the same pair is 2^29 steps apart
    const r64 = await check(['--fn', 'erf', '--dtype', 'f64', '--json', q]);
    expect(JSON.parse(r64.stdout).maxSteps).toBe(2 ** 29);
  });
  it('names each bad line (invalid JSON, missing field, duplicate key, non-number, empty, huge) and exits 1', async () => {
    const p = file(
      'bad.jsonl',
      [
        '{"x":"1","y":"1"}',
        '{"x":"1"',
        '{"x":"1"}',
        '{"x":"1","y":"1","x":"2"}',
        '{"x":"abc","y":"1"}',
        '{"x":"1","y":true}',
        '',
        '[1,2]',
        `{"x":"${'1'.repeat(10000)}","y":"1"}`,
        '{"x":"2","y":"2"}',
      ].join('\n'),
    );
    const r = await check(['--fn', 'erf', '--dtype', 'f64', p]);
    expect(r.code).toBe(1);
    const e = r.stderr;
    expect(e).toContain(`${p} line 2: not valid JSON; skipped`);
    expect(e).toContain(`${p} line 3: missing field "y"; skipped`);
    expect(e).toContain(`${p} line 4: $.x: duplicate key (JSON.parse would keep only the last); skipped`);
    expect(e).toContain(`${p} line 5: field "x": "abc" is not a number; skipped`);
    expect(e).toContain(`${p} line 6: field "y": expected a number or a string, got boolean; skipped`);
    expect(e).toContain(`${p} line 7: empty line`);
    expect(e).toContain(`${p} line 8: expected a JSON object`);
    expect(e).toContain(`${p} line 9: longer than 4096 bytes`);
    expect(r.stdout).toContain('2 lines checked, 8 bad lines skipped');
    expect(r.stdout).toContain('FAIL: 8 bad lines');
  });
  it('conflicting or incomplete options are usage errors: --max-steps with --backend, --tolerances alone, a function the backend lacks', async () => {
    const a = await check(['--fn', 'erf', '--dtype', 'f64', '--max-steps', '1', '--backend', 'oracle', '-'], '');
    expect(a.code).toBe(2);
    expect(a.stderr).toMatch(/--max-steps and --backend are mutually exclusive/);
    const b = await check(['--fn', 'erf', '--dtype', 'f64', '--tolerances', 'x.json', '-'], '');
    expect(b.code).toBe(2);
    expect(b.stderr).toMatch(/--tolerances needs --backend/);
    const c = await check(['--fn', 'erf', '--dtype', 'f32', '--backend', 'kernel-f32', '-'], '');
    expect(c.code).toBe(2);
    expect(c.stderr).toBe('geglu check: the tolerance table has no bound for kernel-f32 erf f32\n');
  });
  it('an empty input fails (exit 1, "no line checked") instead of passing vacuously', async () => {
    const r = await check(['--fn', 'erf', '--dtype', 'f64', '-'], '');
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('FAIL: no line checked');
  });
  it('reads stdin with -, and a missing file or directory is a usage error (exit 2, one line)', async () => {
    expect((await check(['--fn', 'erf', '--dtype', 'f64', '-'], '{"x":"1","y":"1"}\n')).code).toBe(0);
    const r = await check(['--fn', 'erf', '--dtype', 'f64', join(dir, 'nope.jsonl')]);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(`geglu check: cannot read ${join(dir, 'nope.jsonl')} (ENOENT)\n`);
    const d = await check(['--fn', 'erf', '--dtype', 'f64', dir]);
    expect(d.code).toBe(2);
    expect(d.stderr).toMatch(/is a directory/);
    const m = await check(['--fn', 'erf', '--dtype', 'f64']);
    expect(m.code).toBe(2);
    expect(m.stderr).toMatch(/missing FILE\.jsonl/);
  });
});
