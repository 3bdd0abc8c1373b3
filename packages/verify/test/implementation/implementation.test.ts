/**
 * verifyImplementation runs the suites on a user's functions: a correct one passes, a naive one
 * fails with the input, the result and the bound in the message, and bad options are named.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { geluArray } from '@geglu/kernel';
import { describe, expect, it } from 'vitest';
import {
  assertImplementation,
  describeImplementation,
  functionsUsedBy,
  ImplementationFailure,
  ImplementationOptionsError,
  verifyImplementation,
  type ImplementationOptions,
} from '../../src/implementation/index.js';
import { SUITE_ORDER, SUITES } from '../../src/suites/index.js';
import { loadTolerances } from '../../src/tolerances/index.js';

const RUNS = 8;
const zero = { tail: 0, subnormal: 0, normal: 0 };
// The tanh form in float64 (Math.tanh) rounded to float32 once: accurate for x ≥ −3, but
// ½(1 + tanh(u)) cancels in the negative tail, where it loses every digit and gives +0 or −0 early.
const naiveTanh = (x: Float32Array) => x.map((v) => 0.5 * v * (1 + Math.tanh(Math.sqrt(2 / Math.PI) * (v + 0.044715 * v ** 3))));
const base = (o: Partial<ImplementationOptions<'f32'>>): ImplementationOptions<'f32'> =>
  ({ name: 'my-gelu', dtype: 'f32', functions: {}, seed: 42, numRuns: RUNS, log: false, ...o }) as ImplementationOptions<'f32'>;

describe('verifyImplementation', () => {
  it('passes @geglu/kernel geluArray (correctly rounded by contract) held to 0 steps', async () => {
    const report = await assertImplementation(
      base({ functions: { 'gelu-tanh': (x) => geluArray(x as Float32Array, { approximate: 'tanh' }) }, bounds: { 'gelu-tanh': zero } }),
    );
    expect(report.failures).toEqual([]);
    expect(report.passed).toBeGreaterThan(5);
    expect(report.results.every((r) => r.backend === 'my-gelu' && r.fn === 'gelu-tanh')).toBe(true);
  });

  it('fails a naive Math.tanh gelu with the input, the result, the correctly rounded value and the bound', async () => {
    const report = await verifyImplementation(
      base({ functions: { 'gelu-tanh': naiveTanh }, bounds: { 'gelu-tanh': { tail: 4, subnormal: 0, normal: 2 } } }),
    );
    const tail = report.results.find((r) => r.id === 'oracle/gelu-tanh/tail');
    expect(tail?.status).toBe('fail');
    expect(tail?.reason).toMatch(
      /^gelu tanh\(-?[\d.e+-]+\) = -?[\d.e+-]+ on my-gelu, correctly rounded -?[\d.e+-]+: (\d+ steps > 4|the sign of zero differs)/,
    );
    expect(report.failures.join('\n')).toContain('replay: GEGLU_SEED=42');
    await expect(assertImplementation(base({ functions: { 'gelu-tanh': naiveTanh }, bounds: { 'gelu-tanh': zero } }))).rejects.toThrow(
      ImplementationFailure,
    );
  });

  it('the same seed replays the same failure', async () => {
    const o = base({ functions: { 'gelu-tanh': naiveTanh }, bounds: { 'gelu-tanh': zero }, suites: ['agreement'] });
    const [a, b] = [await verifyImplementation(o), await verifyImplementation(o)];
    expect(b.failures).toEqual(a.failures);
    expect(a.failures.length).toBeGreaterThan(0);
  });

  it('refuses results that are not float32 values for dtype f32 (no silent second rounding)', async () => {
    const report = await verifyImplementation(
      base({ functions: { gelu: (x) => Float64Array.from(x, (v) => v * 0.5000000001) }, bounds: { gelu: zero }, suites: ['agreement'] }),
    );
    expect(report.failures.join('\n')).toMatch(/my-gelu gelu returned .* at index \d+ \(input .*\), which is not a float32 value/);
  });

  it('a null bound is measured and reported as skipped, not gated', async () => {
    const report = await verifyImplementation(
      base({
        functions: { 'gelu-tanh': naiveTanh },
        bounds: { 'gelu-tanh': { tail: null, subnormal: 0, normal: 2 } },
        suites: ['agreement'],
      }),
    );
    const tail = report.results.find((r) => r.id === 'oracle/gelu-tanh/tail');
    expect(tail?.status).toBe('skipped');
    expect(tail?.reason).toMatch(/not measured in the tolerance table; measured, not gated: max \d+ steps/);
  });

  it('reads bounds for an id of its own from a tolerance file', async () => {
    const shipped = loadTolerances();
    const entry = (n: number) => ({ maxSteps: n, measured: true, basis: 'proven', source: 'geluArray is correctly rounded' });
    const doc = {
      version: 1,
      regions: shipped.regions,
      specials: shipped.specials,
      backends: { 'my-gelu': { precision: 'f32', bounds: { gelu: { f32: { tail: entry(0), subnormal: entry(0), normal: entry(0) } } } } },
    };
    const file = join(mkdtempSync(join(tmpdir(), 'geglu-impl-')), 'mine.json');
    writeFileSync(file, JSON.stringify(doc));
    const report = await verifyImplementation(
      base({ functions: { gelu: (x) => geluArray(x as Float32Array) }, tolerances: file, suites: ['agreement'] }),
    );
    expect(report.failures).toEqual([]);
    await expect(verifyImplementation(base({ functions: { 'gelu-tanh': naiveTanh }, tolerances: file }))).rejects.toThrow(
      /gelu-tanh is given but .*mine\.json has no tail bound for my-gelu gelu-tanh f32/,
    );
  });

  it('names bad options', async () => {
    const f = { gelu: (x: Float32Array) => x };
    const cases: [Partial<ImplementationOptions<'f32'>>, RegExp][] = [
      [{ functions: f }, /give exactly one of bounds .* and tolerances/],
      [{ functions: f, bounds: { gelu: { tail: 1, normal: 1 } as never } }, /bounds\.gelu\.subnormal is missing/],
      [{ functions: f, bounds: { gelu: { ...zero, core: 1 } as never } }, /bounds\.gelu\.core: unknown region/],
      [
        { functions: f, bounds: { gelu: { ...zero, tail: -1 } } },
        /\$\.backends\.my-gelu\.bounds\.gelu\.f32\.tail\.maxSteps: expected a non-negative integer/,
      ],
      [
        { functions: f, bounds: { 'gelu-tanh': zero } },
        /gelu is given but inline bounds of my-gelu has no tail bound for my-gelu gelu f32 \(bounds\.gelu\.tail\)/,
      ],
      [{ functions: { relu: f.gelu } as never, bounds: {} }, /unknown function "relu"/],
      [{ functions: {}, bounds: {} }, /functions is empty/],
      [{ name: 'my gelu', functions: f, bounds: { gelu: zero } }, /name must be 1 to 64 letters/],
    ];
    for (const [o, msg] of cases) await expect(verifyImplementation(base(o))).rejects.toThrow(msg);
    await expect(verifyImplementation(base({ functions: {} }))).rejects.toBeInstanceOf(ImplementationOptionsError);
  });

  it('describeImplementation: a failing property throws its message, one that cannot run is skipped or fails, never passes', async () => {
    const tests: [string, (c: { skip?: (note?: string) => void }) => Promise<void>][] = [];
    const api = {
      describe: (_: string, body: () => void) => body(),
      it: (name: string, body: (typeof tests)[number][1]) => void tests.push([name, body]),
    };
    describeImplementation(
      base({
        functions: { 'gelu-tanh': naiveTanh },
        bounds: { 'gelu-tanh': { tail: null, subnormal: 0, normal: 0 } },
        suites: ['agreement'],
      }),
      api,
    );
    const tail = tests.find(([n]) => n.includes('tail region'))!;
    const core = tests.find(([n]) => n.includes('core region'))!;
    await expect(core[1]({})).rejects.toThrow(/gelu tanh\(.*\) = .* on my-gelu, correctly rounded .*: \d+ steps > 0/);
    const skipped: string[] = [];
    await tail[1]({ skip: (note) => void skipped.push(note ?? '') });
    expect(skipped[0]).toMatch(/not measured in the tolerance table; measured, not gated/);
    await expect(tail[1]({})).rejects.toThrow(/^not run: /);
    expect(tests.some(([n]) => n.includes('cross'))).toBe(false);
  });
  it('every property of every suite is classified (a new suite is never dropped silently)', () => {
    for (const s of SUITE_ORDER) for (const spec of SUITES[s]) expect(() => functionsUsedBy(spec)).not.toThrow();
    expect(() => functionsUsedBy({ ...SUITES.identities[0]!, suite: 'new' as never })).toThrow(/not classified/);
  });
});

// The vitest wrapper: one test per property (here suite 2 on geluArray, held to 0 steps).
describeImplementation(
  {
    name: 'kernel-via-describe',
    dtype: 'f32',
    functions: { gelu: async (x) => geluArray(x) },
    bounds: { gelu: zero },
    numRuns: RUNS,
    seed: 42,
    log: false,
    suites: ['identities'],
  },
  { describe, it },
);
