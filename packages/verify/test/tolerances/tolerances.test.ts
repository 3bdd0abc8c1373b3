import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  loadTolerances,
  validateTolerances,
  regionOf,
  toleranceFor,
  formatTolerancesMarkdown,
  ToleranceError,
  TOLERANCE_BACKENDS,
  gatedSteps,
} from '../../src/tolerances/index.js';
import { runCli } from '../../src/cli/main.js';
import { fakeIO } from '../cli/fake-io.js';

const shipped = () => structuredClone(loadTolerances()) as unknown as Record<string, any>;
const rejects = (doc: unknown): string => {
  try {
    validateTolerances(doc, 't.json');
  } catch (err) {
    expect(err).toBeInstanceOf(ToleranceError);
    return (err as Error).message;
  }
  throw new Error('expected a ToleranceError');
};

describe('tolerance table (tolerances.json)', () => {
  it('the shipped table validates, covers every backend, and holds the bounds the issues demand', () => {
    const t = loadTolerances();
    expect(Object.keys(t.backends).sort()).toEqual([...TOLERANCE_BACKENDS].sort());
    // issue 4: kernel f32 correctly rounded (0 steps), kernel f64 gelu within 1 step; oracle exact by construction
    for (const region of ['tail', 'subnormal', 'normal'] as const) {
      expect(toleranceFor(t, 'kernel-f32', 'gelu', 'f32', region)?.maxSteps).toBe(0);
      expect(toleranceFor(t, 'kernel-f32', 'gelu-tanh', 'f32', region)?.maxSteps).toBe(0);
      expect(toleranceFor(t, 'kernel-f64', 'gelu', 'f64', region)?.maxSteps).toBe(1);
      expect(toleranceFor(t, 'oracle', 'erfc', 'f64', region)?.maxSteps).toBe(0);
      // gpu backends carry measured bounds (packages/gpu/dist/scripts/measure-error.js);
      // the verifier never ran geglu on headless-gl, so that row stays explicitly unmeasured
      expect(toleranceFor(t, 'gpu-webasm', 'gelu', 'f32', region)).toMatchObject({ measured: true });
      expect(toleranceFor(t, 'gpu-headlessgl', 'geglu', 'f32', region)).toMatchObject({ maxSteps: null, measured: false });
    }
    expect(toleranceFor(t, 'kernel-f32', 'erf', 'f32', 'normal')).toBeUndefined();
  });
  it('rejects unknown keys with the JSON path of the bad field', () => {
    const d = shipped();
    d.backends['kernel-f32'].bounds.gelu.f32.tail.maxStep = 0;
    expect(rejects(d)).toMatch(/^t\.json: \$\.backends\.kernel-f32\.bounds\.gelu\.f32\.tail\.maxStep: unknown key/);
    const e = shipped();
    e.backends.oracle.bounds.relu = {};
    expect(rejects(e)).toMatch(/\$\.backends\.oracle\.bounds\.relu: unknown key/);
  });
  it('rejects negative, fractional and non-numeric bounds, and null claimed as measured', () => {
    for (const [bad, msg] of [
      [-1, /got -1/],
      [0.5, /got 0.5/],
      ['1', /got "1"/],
      [Infinity, /null \(no bound\) is only allowed while measured is false/],
    ] as const) {
      const d = shipped();
      d.backends['kernel-f64'].bounds.erf.f64.normal.maxSteps = bad;
      if (bad === Infinity) d.backends['kernel-f64'].bounds.erf.f64.normal.measured = true; // JSON has no Infinity: it is null
      expect(rejects(JSON.parse(JSON.stringify(d)))).toMatch(/\$\.backends\.kernel-f64\.bounds\.erf\.f64\.normal\.maxSteps: /);
      expect(rejects(JSON.parse(JSON.stringify(d)))).toMatch(msg);
    }
  });
  it('each entry states its basis; a sampled figure or none is not gated', () => {
    const path = /\$\.backends\.gpu-cpu\.bounds\.erf\.f32\.tail\.basis: /;
    const with_ = (f: (e: Record<string, unknown>) => void) => {
      const d = shipped();
      f(d.backends['gpu-cpu'].bounds.erf.f32.tail);
      return rejects(d);
    };
    expect(with_((e) => delete e.basis)).toMatch(/\.basis: missing/);
    expect(with_((e) => (e.basis = 'guessed'))).toMatch(path);
    expect(with_((e) => (e.basis = 'guessed'))).toMatch(/expected one of exhaustive, proven, derived, sampled, none, got "guessed"/);
    expect(with_((e) => (e.basis = 'none'))).toMatch(/"none" is for a null maxSteps/);
    expect(with_((e) => Object.assign(e, { maxSteps: null, measured: false, basis: 'proven' }))).toMatch(/needs a maxSteps, got null/);
    const entry = { maxSteps: 3, measured: true, source: 's' };
    expect(gatedSteps({ ...entry, basis: 'sampled' })).toBeNull();
    expect(gatedSteps({ ...entry, maxSteps: null, basis: 'none' })).toBeNull();
    for (const basis of ['exhaustive', 'proven', 'derived'] as const) expect(gatedSteps({ ...entry, basis })).toBe(3);
  });
  it('rejects a missing backend, a missing region and an empty source', () => {
    const d = shipped();
    delete d.backends['gpu-cpu'];
    expect(rejects(d)).toBe('t.json: $.backends.gpu-cpu: missing');
    const e = shipped();
    delete e.backends.oracle.bounds.gelu.f64.subnormal;
    expect(rejects(e)).toBe('t.json: $.backends.oracle.bounds.gelu.f64.subnormal: missing');
    const f = shipped();
    f.backends.oracle.bounds.gelu.f64.normal.source = ' ';
    expect(rejects(f)).toMatch(/normal\.source: expected a non-empty string/);
  });
  it("backend ids are open: a file of its own may hold only its own ids; the shipped table must hold geglu's", () => {
    const d = shipped();
    const own = { 'my-gelu': { precision: 'f32', bounds: { gelu: d.backends['kernel-f32'].bounds.gelu } } };
    const t = validateTolerances({ ...d, backends: own }, 'mine.json', []);
    expect(toleranceFor(t, 'my-gelu', 'gelu', 'f32', 'tail')?.maxSteps).toBe(0);
    expect(formatTolerancesMarkdown(t)).toContain('| my-gelu | gelu | f32 | 0 | 0 | 0 |');
    expect(rejects({ ...d, backends: own })).toBe('t.json: $.backends.oracle: missing');
    expect(() => validateTolerances({ ...d, backends: { 'my gelu': own['my-gelu'] } }, 'mine.json', [])).toThrow(
      /\$\.backends\["my gelu"\]: a backend id is 1 to 64 letters/,
    );
    expect(() => validateTolerances({ ...d, backends: {} }, 'mine.json', [])).toThrow('mine.json: $.backends: no backends');
    const file = join(mkdtempSync(join(tmpdir(), 'geglu-tol-')), 'mine.json');
    writeFileSync(file, JSON.stringify({ ...d, backends: own }));
    expect(Object.keys(loadTolerances(file).backends)).toEqual(['my-gelu']);
  });
  it('any mutation of a random field is accepted or rejected with a ToleranceError naming a $ path (fast-check)', () => {
    const paths: string[][] = [];
    const walk = (v: unknown, p: string[]) => {
      paths.push(p);
      if (typeof v === 'object' && v !== null) for (const [k, c] of Object.entries(v)) walk(c, [...p, k]);
    };
    walk(shipped(), []);
    fc.assert(
      fc.property(fc.constantFrom(...paths.filter((p) => p.length > 0)), fc.jsonValue(), (path, value) => {
        const d = shipped();
        let o = d;
        for (const k of path.slice(0, -1)) o = o[k];
        o[path.at(-1)!] = value;
        try {
          validateTolerances(d, 't.json');
        } catch (err) {
          expect(err).toBeInstanceOf(ToleranceError);
          expect((err as Error).message).toMatch(/^t\.json: \$(\.[\w$-]+|\[".*"\])*: /);
        }
      }),
    );
  });
  it('regions: tail x < -4 for gelu (|x| > 4 erf, x > 4 erfc), subnormal below 2^-126 (f32) / 2^-1022 (f64)', () => {
    expect(regionOf('gelu', 'f32', -4)).toBe('normal');
    expect(regionOf('gelu', 'f32', -4.000001)).toBe('tail');
    expect(regionOf('erfc', 'f64', 4.5)).toBe('tail');
    expect(regionOf('erf', 'f64', -4.5)).toBe('tail');
    expect(regionOf('gelu', 'f32', 2 ** -126)).toBe('normal');
    expect(regionOf('gelu', 'f32', -(2 ** -127))).toBe('subnormal');
    expect(regionOf('gelu', 'f64', 2 ** -127)).toBe('normal');
    expect(regionOf('gelu', 'f64', -0)).toBe('subnormal');
    expect(regionOf('gelu', 'f64', NaN)).toBeUndefined();
  });
  it('markdown has one row per backend, function and dtype present in the file', () => {
    const t = loadTolerances();
    const md = formatTolerancesMarkdown(t);
    // each source once, numbered below the table; a row names its sources by number
    const sources = md
      .slice(md.indexOf('Sources:'))
      .split('\n')
      .filter((l) => /^\d+\. /.test(l));
    const sourceOf = (row: string): string[] =>
      [...row.slice(row.lastIndexOf('|', row.length - 2)).matchAll(/\[(\d+)\]/g)].map((m) =>
        sources[Number(m[1]) - 1]!.replace(/^\d+\. /, ''),
      );
    const row = (prefix: string): string => md.split('\n').find((l) => l.startsWith(prefix))!;
    expect(new Set(sources).size).toBe(sources.length);
    expect(sourceOf(row('| kernel-f32 | gelu | f32 | 0 | 0 | 0 |'))[0]).toMatch(/^exhaustive/);
    expect(row('| kernel-f64 | gelu | f64 | ≤ 1 | ≤ 1 | ≤ 1 |')).toBeDefined();
    // gpu-webasm gelu-tanh: the exhaustive sweep packages/verify/sweeps/gpu-webasm-gelu-tanh.json (the source field)
    expect(sourceOf(row('| gpu-webasm | gelu-tanh | f32 | ≤ 3 | 0 | ≤ 3 |')).join(' ')).toMatch(/exhaustive/);
    // a figure from a sample is labelled, never shown as a bound
    const cpuErf = row('| gpu-cpu | erf | f32 |');
    expect(cpuErf).toMatch(/^\| gpu-cpu \| erf \| f32 \| \d+ \(sampled\) \| \d+ \(sampled\) \| \d+ \(sampled\) \|/);
    expect(sourceOf(cpuErf)[0]).toMatch(/^sampled, not a bound: node packages\/gpu\/dist\/scripts\/measure-error\.js/);
    expect(md).toContain('"(sampled)" is the largest error seen on a sample, not a bound over all inputs: reported, not gated.');
    expect(md).toContain('| gpu-headlessgl | geglu | f32 | not measured | not measured | not measured |');
    let rows = 0;
    for (const b of Object.values(t.backends)) for (const d of Object.values(b.bounds)) rows += Object.keys(d ?? {}).length;
    expect(md.split('\n').filter((l) => /^\| (oracle|kernel|gpu)/.test(l))).toHaveLength(rows);
  });
  it('geglu tolerances --tolerances BAD exits 2 with one line naming the file and the path', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'geglu-tol-'));
    const file = join(dir, 'bad.json');
    const d = shipped();
    d.backends.oracle.bounds.gelu.f32.tail.maxSteps = -3;
    writeFileSync(file, JSON.stringify(d));
    const f = fakeIO();
    expect(await runCli(['tolerances', '--tolerances', file], f.io)).toBe(2);
    expect(f.stderr).toBe(
      `geglu tolerances: ${file}: $.backends.oracle.bounds.gelu.f32.tail.maxSteps: expected a non-negative integer number of steps, got -3\n`,
    );
    writeFileSync(file, '{"version": 1,');
    const g = fakeIO();
    expect(await runCli(['tolerances', '--tolerances', file], g.io)).toBe(2);
    expect(g.stderr).toMatch(/not valid JSON/);
    const h = fakeIO();
    expect(await runCli(['tolerances', '--tolerances', join(dir, 'missing.json')], h.io)).toBe(2);
    expect(h.stderr).toMatch(/missing\.json: cannot read \(ENOENT\)/);
    const huge = join(dir, 'huge.json');
    writeFileSync(huge, Buffer.alloc(5 * 1024 * 1024, 0x20));
    const k = fakeIO();
    expect(await runCli(['tolerances', '--tolerances', huge], k.io)).toBe(2);
    expect(k.stderr).toMatch(/huge\.json: more than 4194304 bytes, the most a tolerance table may have/);
    const d2 = fakeIO();
    expect(await runCli(['tolerances', '--tolerances', dir], d2.io)).toBe(2);
    expect(d2.stderr).toMatch(/cannot read \(EISDIR\)/);
  });
});

describe('README accuracy section', () => {
  it('packages/verify/README.md holds exactly the output of `geglu tolerances --markdown`', async () => {
    const { readFileSync } = await import('node:fs');
    const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
    expect(readme).toContain(formatTolerancesMarkdown(loadTolerances()));
  });
});
