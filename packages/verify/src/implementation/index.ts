/**
 * The property suites run on a user's own implementation (a JS function, a WGSL shader behind an
 * async function, a tfjs op), from the user's own test runner. The properties are the suites'
 * (src/suites), run by the same `runSuites` as `geglu verify`; this module only turns the user's
 * functions into a suite target and the user's claimed bounds into a tolerance table entry.
 */
import fc from 'fast-check';
import { formatFloat } from '@geglu/float';
import type { FloatFormat } from '../arbitraries/floats.js';
import type { GeluFunction } from '../arbitraries/thresholds.js';
import { createContext } from '../suites/context.js';
import { tanhVsErfGapsFromConstants } from '../suites/constants-bridge.js';
import { runSuites, SUITE_ORDER, SUITES } from '../suites/index.js';
import { loadOracle } from '../suites/oracle.js';
import type { PropertyResult, PropertySpec, SuiteId, SuiteTarget } from '../suites/types.js';
import {
  BACKEND_ID_PATTERN,
  loadTolerances,
  REGIONS,
  toleranceFor,
  ToleranceError,
  validateTolerances,
  type Region,
  type ToleranceBasis,
  type ToleranceEntry,
  type ToleranceTable,
} from '../tolerances/index.js';

export type FloatArray = Float32Array | Float64Array;
/** The array type of a dtype: Float32Array for f32, Float64Array for f64. */
export type ArrayOf<D extends FloatFormat> = D extends 'f32' ? Float32Array : Float64Array;
type MaybePromise<T> = T | Promise<T>;
/** Elementwise over the dtype's array type; may be async (GPU code). */
export type ArrayFunction<A extends FloatArray = FloatArray> = (x: A) => MaybePromise<ArrayLike<number>>;
/** geglu(gate, up) = gelu(gate) ⊙ up over arrays of the same length. */
export type GegluFunction<A extends FloatArray = FloatArray> = (gate: A, up: A) => MaybePromise<ArrayLike<number>>;

/** What an implementation may offer; `geglu` uses exact gelu, `geglu-tanh` the tanh form. */
export interface ImplementationFunctions<A extends FloatArray = FloatArray> {
  gelu?: ArrayFunction<A>;
  'gelu-tanh'?: ArrayFunction<A>;
  geglu?: GegluFunction<A>;
  'geglu-tanh'?: GegluFunction<A>;
}

/**
 * A claimed bound for one region, in steps from the correctly rounded result: a number (gated), null
 * (not claimed: measured and reported, not gated), or a tolerance-table entry's fields.
 */
export type RegionClaim = number | null | { maxSteps: number | null; basis?: ToleranceBasis; source?: string };
/** Bounds per tolerance-table function; `geglu` covers both geglu variants (as in tolerances.json). */
export type ImplementationBounds = Partial<Record<'gelu' | 'gelu-tanh' | 'geglu', Record<Region, RegionClaim>>>;

export interface ImplementationOptions<D extends FloatFormat = FloatFormat> {
  /** The backend id in reports and in a tolerance file: 1–64 letters, digits, '.', '_', '-'. */
  name: string;
  /** The format the functions take and return (f32: Float32Array in, float32 values out). */
  dtype: D;
  functions: ImplementationFunctions<ArrayOf<D>>;
  /** Claimed bounds per function and region (give these or `tolerances`). */
  bounds?: ImplementationBounds;
  /** A tolerance file (path) or table holding an entry for `name` (give this or `bounds`). */
  tolerances?: string | ToleranceTable;
  /** The arithmetic the implementation computes in (default: its dtype). */
  precision?: 'f32' | 'f64';
  /** Suites to run (default: every suite that applies to the functions given). */
  suites?: readonly SuiteId[];
  /** fast-check seed; default GEGLU_SEED, else fast-check's global seed, else a random one. Always reported. */
  seed?: number;
  /** Runs per property; default GEGLU_RUNS, else fast-check's global setting (100). */
  numRuns?: number;
  /** Where the one line naming the seed goes (default stderr); false: nowhere. */
  log?: ((line: string) => void) | false;
}

export interface ImplementationReport {
  name: string;
  dtype: FloatFormat;
  seed: number;
  /** Every property run, as `geglu verify` reports them. */
  results: PropertyResult[];
  /**
   * One message per failed property: what it claims, the failing input with the result, the
   * correctly rounded value and the bound, the counterexample and the replay seed. Empty: passed.
   */
  failures: string[];
  passed: number;
  /** Properties not run (an unclaimed bound is measured, reported here with the maximum seen). */
  skipped: { property: string; reason: string }[];
}

/** Bad options: a missing bound, an unknown function, a name that cannot be a backend id. */
export class ImplementationOptionsError extends TypeError {
  override name = 'ImplementationOptionsError';
}

/** Thrown by assertImplementation: the message lists every failure and the seed to replay it. */
export class ImplementationFailure extends Error {
  override name = 'ImplementationFailure';
  constructor(readonly report: ImplementationReport) {
    super(
      `${report.name} (${report.dtype}) failed ${report.failures.length} of ${report.results.length} properties (seed ${report.seed}):\n\n${report.failures.join('\n\n')}`,
    );
  }
}

const FUNCTION_KEYS = ['gelu', 'gelu-tanh', 'geglu', 'geglu-tanh'] as const;
type FunctionKey = (typeof FUNCTION_KEYS)[number];
const tableFunction = (k: FunctionKey): 'gelu' | 'gelu-tanh' | 'geglu' => (k === 'geglu-tanh' ? 'geglu' : k);

/**
 * The user functions a property calls, or null when it does not apply to an implementation: the
 * oracle-only constants checks, the cross-backend agreement (one implementation has no peers here;
 * agreement with the oracle is the stronger check), the Gemma 2 MLP and geglu's own argument
 * conventions (shapes), and the gelu derivatives (gradients: an implementation gives no derivative here). An unknown suite throws, so a new suite is classified, never dropped silently.
 */
export function functionsUsedBy(spec: PropertySpec<unknown>): FunctionKey[] | null {
  const fn: GeluFunction | undefined = spec.fn;
  switch (spec.suite) {
    case 'tanh-vs-erf':
      return spec.id.startsWith('backend/') ? ['gelu', 'gelu-tanh'] : null;
    case 'identities':
      return fn ? [fn] : null;
    case 'gating':
      return fn ? [fn === 'gelu-tanh' ? 'geglu-tanh' : 'geglu'] : null;
    case 'agreement':
      return fn && spec.id.startsWith('oracle/') && spec.id !== 'oracle/mlp' ? [fn] : null;
    case 'shapes':
    case 'gradients':
      return null;
    default:
      throw new Error(`verifyImplementation: suite ${String(spec.suite)} is not classified in src/implementation`);
  }
}

/** GEGLU_SEED / GEGLU_RUNS as the repository's vitest setup reads them (32-bit seed, positive runs). */
function envInteger(name: 'GEGLU_SEED' | 'GEGLU_RUNS'): number | undefined {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return undefined;
  const v = Number(raw);
  const ok = name === 'GEGLU_SEED' ? Number.isSafeInteger(v) && v >= -(2 ** 31) && v <= 2 ** 31 - 1 : Number.isSafeInteger(v) && v >= 1;
  if (!ok)
    throw new ImplementationOptionsError(
      `${name} must be ${name === 'GEGLU_SEED' ? 'a 32-bit integer' : 'a positive integer'}, got ${JSON.stringify(raw)}`,
    );
  return v;
}

function claimEntry(name: string, claim: RegionClaim): ToleranceEntry {
  const source = `claimed by ${name} (verifyImplementation bounds)`;
  if (claim === null) return { maxSteps: null, measured: false, basis: 'none', source };
  if (typeof claim === 'number') return { maxSteps: claim, measured: true, basis: 'proven', source };
  const maxSteps = claim.maxSteps;
  return {
    maxSteps,
    measured: maxSteps !== null,
    basis: claim.basis ?? (maxSteps === null ? 'none' : 'proven'),
    source: claim.source ?? source,
  };
}

/** The tolerance table the run gates on: the inline bounds as a one-backend table, or the given one. */
function tableFor(options: ImplementationOptions, claimed: readonly FunctionKey[]): { table: ToleranceTable; source: string } {
  const { name, dtype } = options;
  if ((options.bounds === undefined) === (options.tolerances === undefined)) {
    throw new ImplementationOptionsError(
      `verifyImplementation ${name}: give exactly one of bounds (inline) and tolerances (a file or table)`,
    );
  }
  let table: ToleranceTable;
  let source: string;
  if (options.bounds !== undefined) {
    const shipped = loadTolerances();
    const bounds: Record<string, unknown> = {};
    for (const [fn, regions] of Object.entries(options.bounds)) {
      const where = `verifyImplementation ${name}: bounds.${fn}`;
      if (typeof regions !== 'object' || regions === null)
        throw new ImplementationOptionsError(`${where} must be { tail, subnormal, normal }, got ${JSON.stringify(regions)}`);
      for (const r of Object.keys(regions))
        if (!(REGIONS as readonly string[]).includes(r))
          throw new ImplementationOptionsError(`${where}.${r}: unknown region (regions: ${REGIONS.join(', ')})`);
      for (const r of REGIONS)
        if (regions[r] === undefined)
          throw new ImplementationOptionsError(
            `${where}.${r} is missing (claim each of ${REGIONS.join(', ')}: steps, or null for measured and not gated)`,
          );
      bounds[fn] = { [dtype]: Object.fromEntries(REGIONS.map((r) => [r, claimEntry(name, regions[r])])) };
    }
    const doc = {
      version: 1,
      regions: shipped.regions,
      specials: shipped.specials,
      backends: { [name]: { precision: options.precision ?? dtype, bounds } },
    };
    try {
      table = validateTolerances(doc, `verifyImplementation ${name} bounds`, []);
    } catch (err) {
      // the table's paths name the fields of the bounds option: $.backends.<name>.bounds.gelu.f32.tail.maxSteps
      if (err instanceof ToleranceError) throw new ImplementationOptionsError(err.message);
      throw err;
    }
    source = `inline bounds of ${name}`;
  } else if (typeof options.tolerances === 'string') {
    table = loadTolerances(options.tolerances);
    source = options.tolerances;
  } else {
    table = validateTolerances(options.tolerances, `verifyImplementation ${name} tolerances`, []);
    source = `the tolerances table given for ${name}`;
  }
  for (const key of claimed) {
    const fn = tableFunction(key);
    for (const r of REGIONS) {
      if (!toleranceFor(table, name, fn, dtype, r)) {
        throw new ImplementationOptionsError(
          `verifyImplementation ${name}: ${key} is given but ${source} has no ${r} bound for ${name} ${fn} ${dtype} (bounds.${fn}.${r})`,
        );
      }
    }
  }
  return { table, source };
}

/** Calls a user function on copies in its dtype and checks what comes back (length, values of the dtype). */
function adapt(name: string, key: FunctionKey, dtype: FloatFormat, call: (...xs: FloatArray[]) => MaybePromise<ArrayLike<number>>) {
  const A = dtype === 'f32' ? Float32Array : Float64Array;
  return async (...inputs: Float64Array[]): Promise<Float64Array> => {
    const n = inputs[0]!.length;
    const ys = await call(...inputs.map((x) => A.from(x)));
    if (ys === null || typeof ys !== 'object' || typeof ys.length !== 'number') {
      throw new TypeError(`${name} ${key} returned ${ys === null ? 'null' : typeof ys}, expected an array of ${n} numbers`);
    }
    if (ys.length !== n) throw new RangeError(`${name} ${key} returned ${ys.length} values for ${n} inputs`);
    const out = Float64Array.from(ys);
    if (dtype === 'f32') {
      for (let i = 0; i < n; i++) {
        // a double between float32 values would be scored as if rounded by us: refuse it instead
        if (!Object.is(Math.fround(out[i]!), out[i]!) && !Number.isNaN(out[i]!)) {
          throw new RangeError(
            `${name} ${key} returned ${formatFloat(out[i]!)} at index ${i} (input ${formatFloat(inputs[0]![i]!)}), which is not a float32 value: return a Float32Array or round with Math.fround`,
          );
        }
      }
    }
    return out;
  };
}

/** The suite target of an implementation: its functions in the suites' Float64Array convention. */
function targetFor(options: ImplementationOptions): SuiteTarget {
  const { name, dtype, functions } = options;
  const t: SuiteTarget = { backend: name, dtype, precision: options.precision ?? dtype, ran: name, missing: {} };
  const gelu = { gelu: functions.gelu, 'gelu-tanh': functions['gelu-tanh'] };
  if (gelu.gelu || gelu['gelu-tanh']) {
    const a = {
      gelu: gelu.gelu && adapt(name, 'gelu', dtype, gelu.gelu),
      'gelu-tanh': gelu['gelu-tanh'] && adapt(name, 'gelu-tanh', dtype, gelu['gelu-tanh']),
    };
    t.gelu = (fn, xs) => {
      const f = a[fn];
      if (!f) throw new Error(`${name} has no ${fn}`);
      return f(xs);
    };
  } else t.missing!.gelu = `${name} gives neither gelu nor gelu-tanh`;
  const g = {
    gelu: functions.geglu && adapt(name, 'geglu', dtype, functions.geglu as never),
    'gelu-tanh': functions['geglu-tanh'] && adapt(name, 'geglu-tanh', dtype, functions['geglu-tanh'] as never),
  };
  if (g.gelu || g['gelu-tanh']) {
    t.geglu = (fn, gate, up) => {
      const f = g[fn];
      if (!f) throw new Error(`${name} has no ${fn === 'gelu' ? 'geglu' : 'geglu-tanh'}`);
      if (gate.length !== up.length) throw new RangeError(`geglu: up has length ${up.length}, expected ${gate.length}`);
      return f(gate, up);
    };
  } else t.missing!.geglu = `${name} gives no geglu`;
  t.missing!.gemma2Mlp = 'verifyImplementation does not take an MLP';
  return t;
}

/** A failed property as one message: claim, why (input, result, bound), counterexample, replay. */
export function formatPropertyFailure(r: PropertyResult): string {
  return [
    `✗ ${r.property}`,
    `  ${r.reason ?? 'failed'}`,
    r.counterexample ? `  counterexample: ${r.counterexample}` : '',
    r.seed !== undefined ? `  replay: GEGLU_SEED=${r.seed}${r.path ? ` (fast-check path ${r.path})` : ''}` : '',
  ]
    .filter(Boolean)
    .join('\n');
}

/** Resolves the options into what a run needs; shared by verifyImplementation and describeImplementation. */
async function prepare(opts: ImplementationOptions<FloatFormat>) {
  const options = opts as ImplementationOptions;
  if (typeof options.name !== 'string' || !BACKEND_ID_PATTERN.test(options.name)) {
    throw new ImplementationOptionsError(
      `verifyImplementation: name must be 1 to 64 letters, digits, '.', '_' or '-' (a backend id), got ${JSON.stringify(options.name)}`,
    );
  }
  if (options.dtype !== 'f32' && options.dtype !== 'f64') {
    throw new ImplementationOptionsError(
      `verifyImplementation ${options.name}: dtype must be f32 or f64, got ${JSON.stringify(options.dtype)}`,
    );
  }
  const claimed: FunctionKey[] = [];
  for (const [k, f] of Object.entries(options.functions ?? {})) {
    if (!(FUNCTION_KEYS as readonly string[]).includes(k))
      throw new ImplementationOptionsError(
        `verifyImplementation ${options.name}: unknown function ${JSON.stringify(k)} (known: ${FUNCTION_KEYS.join(', ')})`,
      );
    if (typeof f !== 'function')
      throw new ImplementationOptionsError(`verifyImplementation ${options.name}: functions.${k} is ${typeof f}, expected a function`);
    claimed.push(k as FunctionKey);
  }
  if (claimed.length === 0)
    throw new ImplementationOptionsError(
      `verifyImplementation ${options.name}: functions is empty (give gelu, gelu-tanh, geglu or geglu-tanh)`,
    );
  const { table, source } = tableFor(options, claimed);
  const seed = options.seed ?? envInteger('GEGLU_SEED') ?? fc.readConfigureGlobal().seed ?? (Math.random() * 2 ** 32) | 0;
  const numRuns = options.numRuns ?? envInteger('GEGLU_RUNS');
  const loaded = await loadOracle();
  if (!loaded.ok) throw new Error(`verifyImplementation: the oracle is not available: ${loaded.reason}`);
  const target = targetFor(options);
  const ctx = createContext({
    oracle: loaded.oracle,
    table,
    toleranceSource: source,
    targets: [target],
    gapMaxima: tanhVsErfGapsFromConstants,
  });
  const applies = (spec: PropertySpec<unknown>) => {
    const used = functionsUsedBy(spec);
    return used?.every((k) => claimed.includes(k)) ?? false;
  };
  const suites = options.suites ?? SUITE_ORDER;
  const log = options.log === undefined ? (line: string) => process.stderr.write(`${line}\n`) : options.log;
  if (log) log(`verifyImplementation ${options.name} (${options.dtype}): fast-check seed ${seed} (replay with GEGLU_SEED=${seed})`);
  return { ctx, target, seed, numRuns, applies, suites };
}

/**
 * Runs every property that applies to the functions given, each held to the claimed bounds, and
 * returns the results; never throws for a failing property (see assertImplementation).
 * @throws {ImplementationOptionsError} for bad options (missing bound, bad name, unknown function)
 */
export async function verifyImplementation<D extends FloatFormat>(options: ImplementationOptions<D>): Promise<ImplementationReport> {
  const p = await prepare(options);
  const results = await runSuites(p.ctx, [p.target], {
    suites: p.suites,
    seed: p.seed,
    ...(p.numRuns !== undefined ? { numRuns: p.numRuns } : {}),
    include: (spec) => p.applies(spec),
  });
  return {
    name: options.name,
    dtype: options.dtype,
    seed: p.seed,
    results,
    failures: results.filter((r) => r.status === 'fail').map(formatPropertyFailure),
    passed: results.filter((r) => r.status === 'pass').length,
    skipped: results.filter((r) => r.status === 'skipped').map((r) => ({ property: r.property, reason: r.reason ?? '' })),
  };
}

/** verifyImplementation, then throws ImplementationFailure (every failure in its message) unless all passed. */
export async function assertImplementation<D extends FloatFormat>(options: ImplementationOptions<D>): Promise<ImplementationReport> {
  const report = await verifyImplementation(options);
  if (report.failures.length > 0) throw new ImplementationFailure(report);
  return report;
}

/** The parts of vitest's (or a compatible runner's) API describeImplementation registers tests with. */
export interface TestApi {
  describe(name: string, body: () => void): unknown;
  it(name: string, body: (context: { skip?: (note?: string) => void }) => Promise<void>, timeout?: number): unknown;
}

/**
 * Registers one test per property with the runner (vitest: `describeImplementation(options, { describe, it })`
 * at the top level of a test file). A property that is not run is skipped through the test context's
 * `skip(reason)`; on a runner without one, it fails with the reason rather than pass.
 */
export function describeImplementation<D extends FloatFormat>(options: ImplementationOptions<D>, api: TestApi, timeoutMs = 120_000): void {
  const target = targetFor(options);
  let prepared: ReturnType<typeof prepare> | undefined;
  api.describe(`${options.name} (${options.dtype})`, () => {
    for (const suite of options.suites ?? SUITE_ORDER) {
      for (const spec of SUITES[suite] as PropertySpec<unknown>[]) {
        const used = functionsUsedBy(spec);
        if (used === null || !used.every((k) => options.functions?.[k] !== undefined)) continue;
        api.it(
          spec.name(target),
          async (context) => {
            prepared ??= prepare(options);
            const p = await prepared;
            const [r] = await runSuites(p.ctx, [p.target], {
              suites: [suite],
              seed: p.seed,
              ...(p.numRuns !== undefined ? { numRuns: p.numRuns } : {}),
              include: (s) => s === spec,
            });
            if (r!.status === 'skipped') {
              if (typeof context?.skip === 'function') return context.skip(r!.reason);
              throw new Error(`not run: ${r!.reason}`);
            }
            if (r!.status === 'fail')
              throw new ImplementationFailure({
                name: options.name,
                dtype: options.dtype,
                seed: p.seed,
                results: [r!],
                failures: [formatPropertyFailure(r!)],
                passed: 0,
                skipped: [],
              });
          },
          timeoutMs,
        );
      }
    }
  });
}
