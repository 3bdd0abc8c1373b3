import { afterAll, describe, expect, it } from 'vitest';
import { bf16ToBits, bitsToBf16, bitsToF16, bitsToF32, bitsToF64, compareResult, f16ToBits, f32ToBits, f64ToBits } from '@geglu/float';
import { runCli } from '../../src/cli/main.js';
import { loadOracle } from '../../src/backends/modules.js';
import { npyBatches, quoteNonFiniteTokens, safetensorsBatches } from '../../src/io/check-inputs.js';
import { fakeIO } from '../cli/fake-io.js';
import { Dir, elementBytes, npy, safetensors } from './writers.js';

const oracle = await loadOracle();
const O = oracle as Exclude<typeof oracle, string>;
const dir = new Dir();
afterAll(() => dir.remove());

const check = async (argv: string[], stdin = '') => {
  const f = fakeIO(stdin);
  const code = await runCli(['check', ...argv], f.io);
  return { code, stdout: f.stdout, stderr: f.stderr };
};
const json = async (argv: string[]) => {
  const r = await check([...argv, '--json']);
  return { ...r, s: r.stdout ? JSON.parse(r.stdout) : null };
};

// inputs across the regions; gelu and gelu-tanh of -1000 round to -0 in f32 and f64 (e^-500000 and e^-(2·0.79·44715000) underflow)
const XS = [-1000, -10, -5.5, -1, -0.75, -0.25, -0, 0, 1e-40, 0.5, 1, 2.7, 6, 100, Infinity, -Infinity, NaN];

/** The next representable value away from zero (one step in magnitude; a finite nonzero x). */
const stepOut = (x: number, fmt: 'f32' | 'f64'): number => (fmt === 'f32' ? bitsToF32(f32ToBits(x) + 1) : bitsToF64(f64ToBits(x) + 1n));

/** Correctly rounded outputs with three wrong: one step off at index 3, +0 for -0 at index 0, NaN at index 9. */
function outputs(fn: 'gelu' | 'gelu-tanh', fmt: 'f32' | 'f64', xs: readonly number[]): number[] {
  const ys = xs.map((x) => O.correctlyRounded(fn, x, fmt));
  expect(Object.is(ys[0], -0)).toBe(true);
  ys[0] = 0;
  ys[3] = stepOut(ys[3]!, fmt);
  ys[9] = NaN;
  return ys;
}

describe.skipIf(typeof oracle === 'string')('geglu check reads safetensors, .npy and Python JSONL', () => {
  it('.npy pairs, every format version, both byte orders, f32 and f64: the right counts', async () => {
    for (const [fmt, kind] of [
      ['f32', 'f4'],
      ['f64', 'f8'],
    ] as const) {
      const xs = fmt === 'f32' ? XS.map(Math.fround) : XS;
      const ys = outputs('gelu', fmt, xs);
      for (const version of [1, 2, 3] as const) {
        for (const le of [true, false]) {
          const descr = `${le ? '<' : '>'}${kind}`;
          const px = dir.file(`x${fmt}${version}${le}.npy`, npy(descr, [xs.length], elementBytes(kind, xs, le), { version }));
          const py = dir.file(`y${fmt}${version}${le}.npy`, npy(descr, [xs.length], elementBytes(kind, ys, le), { version }));
          const r = await json(['--fn', 'gelu', '--dtype', fmt, '--x', px, '--y', py]);
          expect(r.code, r.stderr).toBe(1);
          expect(r.s).toMatchObject({ input: 'npy', checked: xs.length, mismatches: 3, zeroSign: 1, maxSteps: 'Infinity' });
          expect(r.s.worst.map((w: { index: number }) => w.index).sort()).toEqual([0, 3, 9]);
          expect(r.s.worst.find((w: { index: number }) => w.index === 3).steps).toBe(1);
        }
      }
    }
  });

  it('a 2-d .npy pair is read in C order', async () => {
    const xs = [-1, 0.5, 2, 3, -3, 1].map(Math.fround);
    const ys = xs.map((x) => O.correctlyRounded('gelu-tanh', x, 'f32'));
    ys[4] = stepOut(ys[4]!, 'f32');
    const px = dir.file('x2d.npy', npy('<f4', [2, 3], elementBytes('f4', xs)));
    const py = dir.file('y2d.npy', npy('<f4', [2, 3], elementBytes('f4', ys)));
    const r = await json(['--fn', 'gelu-tanh', '--dtype', 'f32', '--x', px, '--y', py, '--max-steps', '1']);
    expect(r.code, r.stdout).toBe(0);
    expect(r.s.worst).toEqual([expect.objectContaining({ line: null, index: 4, x: '-3', steps: 1 })]);
    // text and annotations name the element (C-order index), with no line= for a tensor
    const text = await check(['--fn', 'gelu-tanh', '--dtype', 'f32', '--x', px, '--y', py, '--annotate', 'github']);
    expect(text.code).toBe(1);
    expect(text.stdout).toContain('6 elements checked (npy)');
    expect(text.stdout).toMatch(/^ {2}element 4: x=-3 y=\S+ expected \S+ \(1 steps/m);
    expect(text.stdout).toMatch(/^::error file=[^,]*y2d\.npy,title=[^:]*::element 4: x=-3 y=\S+ expected \S+ \(1 steps\)$/m);
  });

  it('safetensors: tensors x and y by default, other names with --x/--y, f32 and f64', async () => {
    for (const [fmt, dtype, kind] of [
      ['f32', 'F32', 'f4'],
      ['f64', 'F64', 'f8'],
    ] as const) {
      const xs = fmt === 'f32' ? XS.map(Math.fround) : XS;
      const ys = outputs('gelu-tanh', fmt, xs);
      const t = (name: string, v: number[]) => ({ name, dtype, shape: [xs.length], bytes: elementBytes(kind, v) });
      const p = dir.file(
        `d${fmt}.safetensors`,
        safetensors([
          t('y', ys),
          t('x', xs),
          t('inp', xs),
          t(
            'out',
            ys.map((y, i) => (i === 3 ? y : O.correctlyRounded('gelu-tanh', xs[i]!, fmt))),
          ),
        ]),
      );
      const r = await json(['--fn', 'gelu-tanh', '--dtype', fmt, p]);
      expect(r.s).toMatchObject({ input: 'safetensors', checked: xs.length, mismatches: 3, zeroSign: 1 });
      expect(r.code).toBe(1);
      const named = await json(['--fn', 'gelu-tanh', '--dtype', fmt, '--x', 'inp', '--y', 'out', p, '--max-steps', '1']);
      expect(named.s).toMatchObject({ checked: xs.length, mismatches: 1, zeroSign: 0, maxSteps: 1 });
      expect(named.code).toBe(0);
    }
  });

  it('bad tensor files are errors naming the file, the tensor and expected vs actual (exit 2)', async () => {
    const f4 = (v: number[]) => elementBytes('f4', v);
    const cases: [string[], RegExp][] = [];
    const st = dir.file(
      'shapes.safetensors',
      safetensors([
        { name: 'x', dtype: 'F32', shape: [3], bytes: f4([1, 2, 3]) },
        { name: 'y', dtype: 'F32', shape: [4], bytes: f4([1, 2, 3, 4]) },
      ]),
    );
    cases.push([[st], /shapes\.safetensors: tensors x and y have shapes \[3\] and \[4\], expected the same shape/]);
    const wrong = dir.file(
      'f64.safetensors',
      safetensors([
        { name: 'x', dtype: 'F64', shape: [1], bytes: elementBytes('f8', [1]) },
        { name: 'y', dtype: 'F32', shape: [1], bytes: f4([1]) },
      ]),
    );
    cases.push([[wrong], /f64\.safetensors: tensor "x" is F64, expected F32 for --dtype f32/]);
    cases.push([[wrong, '--x', 'nope'], /tensor "nope": not found; the file has 2 tensors/]);
    const x = dir.file('x.npy', npy('<f4', [3], f4([1, 2, 3])));
    const cases2 = (name: string, bytes: Uint8Array, re: RegExp) => cases.push([['--x', x, '--y', dir.file(name, bytes)], re]);
    cases2('y4.npy', npy('<f4', [4], f4([1, 2, 3, 4])), /x\.npy and .*y4\.npy have shapes \[3\] and \[4\], expected the same shape/);
    cases2('fortran.npy', npy('<f4', [3], f4([1, 2, 3]), { fortran: true }), /fortran\.npy: fortran_order is True, expected C order/);
    cases2('object.npy', npy('|O', [3], new Uint8Array(24)), /object\.npy: descr is '\|O': an object array/);
    cases2('f8.npy', npy('<f8', [3], elementBytes('f8', [1, 2, 3])), /f8\.npy: descr is '<f8', expected '<f4' \(float32\) for --dtype f32/);
    cases2('short.npy', npy('<f4', [3], f4([1, 2])), /short\.npy: data is 8 bytes, expected 12 \(shape \(3\) × 4 bytes\): truncated file/);
    cases2('long.npy', npy('<f4', [3], f4([1, 2, 3, 4])), /long\.npy: data is 16 bytes, expected 12 .*extra bytes/);
    cases2(
      'u2.npy',
      npy('<u2', [3], new Uint8Array(6)),
      /u2\.npy: descr is '<u2' \(16-bit integers\), expected a float array; '<u2' is read as bf16 bit patterns only with --dtype bf16/,
    );
    cases2(
      'struct.npy',
      npy('', [3], new Uint8Array(12), { dict: "{'descr': [('a', '<f4')], 'fortran_order': False, 'shape': (3,), }" }),
      /struct\.npy: header value at character 10/,
    );
    cases2('text.npy', new TextEncoder().encode('x,y\n1,2\n'), /text\.npy: not a \.npy file/);
    for (const [argv, re] of cases) {
      const r = await check(['--fn', 'gelu', '--dtype', 'f32', ...argv]);
      expect(r.code, r.stderr).toBe(2);
      expect(r.stderr).toMatch(re);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
      expect(r.stdout).toBe('');
    }
  });

  it("JSONL: json.dumps' bare NaN, Infinity and -Infinity, extra fields ignored, duplicate keys refused", async () => {
    // what Python's json.dumps({"i": 0, "x": float("nan"), ...}) writes
    const text = [
      '{"i": 0, "name": "a", "x": NaN, "y": NaN}',
      '{"i": 1, "x": Infinity, "y": Infinity}',
      '{"i": 2, "x": -Infinity, "y": -0.0}',
      '{"i": 3, "note": "NaN Infinity", "x": 1.0, "y": 0.8413447460685429}',
      '{"i": 4, "x": 1.0, "y": 1.0, "x": 2.0}',
    ].join('\n');
    const io = fakeIO(`${text}\n`);
    const code = await runCli(['check', '--fn', 'gelu', '--dtype', 'f64', '--json', '-'], io.io);
    const s = JSON.parse(io.stdout);
    expect(s).toMatchObject({ checked: 4, badLines: 1, mismatches: 0 });
    expect(io.stderr).toContain('stdin line 5: $.x: duplicate key');
    expect(code).toBe(1);
    expect(O.correctlyRounded('gelu', 1, 'f64')).toBe(0.8413447460685429);
    expect(quoteNonFiniteTokens('{"a":"NaN","b":NaN,"c":[-Infinity,Infinity],"NaNx":1}')).toBe(
      '{"a":"NaN","b":"NaN","c":["-Infinity","Infinity"],"NaNx":1}',
    );
    expect(quoteNonFiniteTokens('{"b":NaNa}')).toBe('{"b":NaNa}');
  });

  it('--fn geglu judges (gate, up, y) against correctlyRoundedGeglu, both forms, JSONL, safetensors and .npy', async () => {
    const gates = [-3, -1, -0.5, 0.25, 1, 2.5, 10].map(Math.fround);
    const ups = [0.5, -2, 3, -0.125, 1.5, -1, 7].map(Math.fround);
    for (const approx of ['none', 'tanh'] as const) {
      const fn = approx === 'none' ? 'gelu' : 'gelu-tanh';
      const ys = gates.map((g, i) => O.correctlyRoundedGeglu(fn, g, ups[i]!, 'f32'));
      ys[2] = stepOut(stepOut(ys[2]!, 'f32'), 'f32');
      const steps2 = 2;
      const lines = gates.map((g, i) => JSON.stringify({ gate: g, up: ups[i], y: ys[i] })).join('\n');
      const geglu = (...input: string[]) => json(['--fn', 'geglu', '--approximate', approx, '--dtype', 'f32', ...input]);
      const viaJsonl = await geglu(dir.file(`g${approx}.jsonl`, lines));
      const t = (name: string, v: number[]) => ({ name, dtype: 'F32', shape: [v.length], bytes: elementBytes('f4', v) });
      const viaSt = await geglu(dir.file(`g${approx}.safetensors`, safetensors([t('gate', gates), t('up', ups), t('y', ys)])));
      const n = (name: string, v: number[]) => dir.file(`${name}${approx}.npy`, npy('<f4', [v.length], elementBytes('f4', v)));
      const viaNpy = await geglu('--gate', n('g', gates), '--up', n('u', ups), '--y', n('y', ys));
      for (const r of [viaJsonl, viaSt, viaNpy]) {
        expect(r.s).toMatchObject({ fn: 'geglu', approximate: approx, checked: 7, mismatches: 1, maxSteps: steps2 });
        expect(r.s.worst[0]).toMatchObject({ gate: String(gates[2]), up: String(ups[2]), steps: steps2 });
        expect(r.code).toBe(1);
      }
      // the other form's reference differs from these outputs somewhere: the form is not ignored
      const other = await json([
        '--fn',
        'geglu',
        '--approximate',
        approx === 'none' ? 'tanh' : 'none',
        '--dtype',
        'f32',
        dir.file(`g${approx}.jsonl`, lines),
      ]);
      expect(other.s.mismatches).toBeGreaterThan(1);
    }
    // the tolerance table's geglu row gates it: kernel-f32's is 0 everywhere (packages/verify/tolerances.json)
    const exact = gates
      .map((g, i) => JSON.stringify({ gate: g, up: ups[i], y: O.correctlyRoundedGeglu('gelu-tanh', g, ups[i]!, 'f32') }))
      .join('\n');
    const gated = await json([
      '--fn',
      'geglu',
      '--approximate',
      'tanh',
      '--dtype',
      'f32',
      '--backend',
      'kernel-f32',
      dir.file('exact.jsonl', exact),
    ]);
    expect(gated.s).toMatchObject({ backend: 'kernel-f32', checked: 7, mismatches: 0, passed: true });
    expect(gated.s.byRegion.normal.allowed).toBe(0);
    expect((await check(['--fn', 'geglu', '--dtype', 'f32', 'a.jsonl'])).stderr).toMatch(/--fn geglu needs --approximate none\|tanh/);
    expect((await check(['--fn', 'gelu', '--dtype', 'f32', '--gate', 'g.npy', '--y', 'y.npy'])).stderr).toMatch(
      /--gate does not apply here/,
    );
  });

  it('--annotate github prints ::error lines with file= and line= for JSONL, and none for a pass', async () => {
    const one = Math.fround(1 + 2 ** -23);
    const p = dir.file('ann.jsonl', `{"x":"1","y":"${O.correctlyRounded('erf', 1, 'f32')}"}\n{"x":"2","y":"${one}"}\nnot json\n`);
    const r = await check(['--fn', 'erf', '--dtype', 'f32', '--annotate', 'github', p]);
    expect(r.code).toBe(1);
    const ann = r.stdout.split('\n').filter((l) => l.startsWith('::'));
    const file = p.replace(/:/g, '%3A').replace(/,/g, '%2C');
    expect(ann[0]).toBe(`::error file=${file},line=3,title=geglu check erf f32%3A bad line::not valid JSON`);
    expect(ann[1]).toMatch(
      new RegExp(
        `^::error file=${file.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')},line=2,title=geglu check erf f32%3A not correctly rounded::x=2 y=1\\.0000001192092896 expected 0\\.9953222870826721 \\(\\d+ steps\\)$`,
      ),
    );
    expect(ann[2]).toMatch(/^::error title=geglu check erf f32::FAIL: /);
    expect(ann).toHaveLength(3);
    const ok = dir.file('ok.jsonl', `{"x":"1","y":"${O.correctlyRounded('erf', 1, 'f32')}"}\n`);
    const pass = await check(['--fn', 'erf', '--dtype', 'f32', '--annotate', 'github', ok]);
    expect(pass.code).toBe(0);
    expect(pass.stdout).not.toContain('::');
  });

  it('bf16 and f16 dumps (safetensors BF16/F16, .npy <u2 bit patterns and <f2) read as exact values the oracle judges', async () => {
    const xs = [-20, -3, -1, -0.5, 0, 0.5, 1, 3];
    for (const fmt of ['bf16', 'f16'] as const) {
      const toBits = fmt === 'bf16' ? bf16ToBits : f16ToBits;
      const fromBits = fmt === 'bf16' ? bitsToBf16 : bitsToF16;
      const xb = xs.map(toBits);
      const yb = xs.map((x) => toBits(O.correctlyRounded('gelu', fromBits(toBits(x)), fmt)));
      yb[0] = toBits(0); // +0 for gelu(-20) = -0: one zero-sign mismatch
      const t = (name: string, b: number[]) => ({ name, dtype: fmt.toUpperCase(), shape: [b.length], bytes: elementBytes('u2', b) });
      const st = await safetensorsBatches(dir.file(`${fmt}.safetensors`, safetensors([t('x', xb), t('y', yb)])), ['x', 'y'], fmt);
      const descr = fmt === 'bf16' ? '<u2' : '<f2';
      const np = await npyBatches(
        [
          dir.file(`x${fmt}.npy`, npy(descr, [8], elementBytes('u2', xb))),
          dir.file(`y${fmt}.npy`, npy(descr, [8], elementBytes('u2', yb))),
        ],
        fmt,
      );
      for (const src of [st, np]) {
        const rows: [number, number][] = [];
        for await (const b of src.batches) for (let i = 0; i < b.count; i++) rows.push([b.columns[0]![i]!, b.columns[1]![i]!]);
        await src.close();
        expect(rows.map(([x]) => toBits(x))).toEqual(xb);
        expect(rows.map(([, y]) => toBits(y))).toEqual(yb);
        const cmp = rows.map(([x, y]) => compareResult(y, O.correctlyRounded('gelu', x, fmt), fmt));
        expect(cmp.filter((c) => !c.matches).length).toBe(1);
        expect(cmp[0]!.zeroSign).toBe(true);
      }
    }
  });
});
