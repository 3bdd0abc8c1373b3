/**
 * Sampling, regions and scoring shared by the error measurements of gpu.js
 * modes: scripts/measure-error.ts (Node's backends) and tools/browser's
 * measure-gpu (a page's). Not part of the package's computing API.
 *
 * Inputs: every binade of float32, both signs, subnormal binades included,
 * N points per binade spread evenly over its mantissas with a fixed offset
 * (stratified, deterministic), 256·N per binade for 2^-8 <= |x| < 32 (where
 * the forms switch and the tails start), plus ±0, ±min subnormal, ±max
 * subnormal, ±min normal, ±FLT_MAX, ±1 and the region boundaries.
 * Reference: this package's float64 reference rounded with Math.fround
 * (./reference.ts) ranks all inputs; where @geglu/oracle is installed, its
 * correctlyRounded(fn, x, 'f32') cross-checks that reference on a spread
 * subset and re-scores every region's worst input.
 *
 * Regions (of the input x), the same as @geglu/verify's tolerance table: tail
 * = the finite inputs where the result is a small remainder of a saturating
 * function (gelu, gelu-tanh: x < -4; erfc: x > 4; erf: |x| > 4), checked
 * first; subnormal = |x| < 2^-126, signed zeros included; normal = every other
 * finite input.
 */
import { bitsToF32, stepDistance } from '@geglu/float';
import type { GegluGpu } from './gpu.js';
import { erfF64, erfcF64, geluF64, geluTanhF64 } from './reference.js';

export type Fn = 'gelu' | 'gelu-tanh' | 'erf' | 'erfc';
export type Region = 'tail' | 'subnormal' | 'normal';
export const FNS: readonly Fn[] = ['gelu', 'gelu-tanh', 'erf', 'erfc'];
export const REGIONS: readonly Region[] = ['tail', 'subnormal', 'normal'];

export function region(fn: Fn, x: number): Region {
  if ((fn === 'gelu' || fn === 'gelu-tanh') && x < -4) return 'tail';
  if (fn === 'erfc' && x > 4) return 'tail';
  if (fn === 'erf' && Math.abs(x) > 4) return 'tail';
  if (Math.abs(x) < 2 ** -126) return 'subnormal';
  return 'normal';
}

/** Stratified float32 samples over every binade (subnormals included), both signs, plus special values. */
export function samples(perBinade: number): Float32Array {
  const out: number[] = [];
  for (let e = 0; e < 255; e++) {
    for (let i = 0; i < perBinade; i++) {
      // mantissa spread evenly with an odd offset so sample points are not all round numbers
      const m = Math.floor(((i + 0.5) / perBinade) * 0x800000 + 0x2b3c5) & 0x7fffff;
      const bits = (e << 23) | m;
      if (bits === 0) continue;
      out.push(bitsToF32(bits), bitsToF32(bits | 0x80000000));
    }
  }
  // where the approximations change form and the tails begin, sample densely:
  // every binade with 2^-8 <= |x| < 32 gets `dense` points more
  const dense = perBinade * 256;
  for (let e = 127 - 8; e < 127 + 5; e++) {
    for (let i = 0; i < dense; i++) {
      const m = Math.floor(((i + 0.5) / dense) * 0x800000 + 0x2b3c5 / 256) & 0x7fffff;
      const bits = (e << 23) | m;
      out.push(bitsToF32(bits), bitsToF32(bits | 0x80000000));
    }
  }
  const special = [
    0,
    -0,
    1,
    -1,
    2 ** -149,
    2 ** -126 - 2 ** -149,
    2 ** -126,
    3.4028234663852886e38,
    0.5,
    3,
    4,
    5.4,
    10,
    10.5,
    13.2,
    14,
    15,
    20,
  ];
  for (const s of special) out.push(s, -s);
  return Float32Array.from(out);
}

export interface Reference {
  name: string;
  value(fn: Fn, x: number): number;
}

export const F64: Reference = {
  name: 'float64 reference (src/reference.ts) rounded to f32',
  value: (fn, x) => Math.fround({ gelu: geluF64, 'gelu-tanh': geluTanhF64, erf: erfF64, erfc: erfcF64 }[fn](x)),
};

/** @geglu/oracle's correctlyRounded(fn, x, 'f32'), or null when it is not built. */
export async function loadOracle(): Promise<Reference | null> {
  try {
    const oracle = (await import('@geglu/oracle')) as { correctlyRounded?: (fn: string, x: number, f: string) => number };
    const cr = oracle.correctlyRounded;
    if (typeof cr === 'function') {
      return { name: '@geglu/oracle correctlyRounded (f32)', value: (fn, x) => cr(fn, x, 'f32') };
    }
  } catch {
    // not built (yet)
  }
  return null;
}

export interface Worst {
  steps: number;
  x: number;
  got: number;
  want: number;
  count: number;
  /** Worst steps over the inputs of this region whose reference result is not subnormal. */
  stepsNormalResult: number;
  /** Finite inputs whose result was NaN or ±∞ (never right: every function is bounded on finite inputs). */
  nonFinite: number;
}

/** The operations measured: a GegluGpu, or a stand-in that runs one elsewhere (a page). */
export type Measurable = Pick<GegluGpu, 'gelu' | 'erf' | 'erfc'>;

const MIN_NORMAL = 2 ** -126;
const isSubnormal = (v: number): boolean => v !== 0 && Math.abs(v) < MIN_NORMAL;

export async function measure(gpu: Measurable, xs: Float32Array, ref: Reference): Promise<Record<Fn, Record<Region, Worst>>> {
  const res = {} as Record<Fn, Record<Region, Worst>>;
  for (const fn of FNS) {
    const got =
      fn === 'erf'
        ? await gpu.erf(xs)
        : fn === 'erfc'
          ? await gpu.erfc(xs)
          : await gpu.gelu(xs, { approximate: fn === 'gelu' ? 'none' : 'tanh' });
    const r = {} as Record<Region, Worst>;
    for (const reg of REGIONS) r[reg] = { steps: 0, x: NaN, got: NaN, want: NaN, count: 0, stepsNormalResult: 0, nonFinite: 0 };
    for (let i = 0; i < xs.length; i++) {
      const x = xs[i]!;
      const want = ref.value(fn, x);
      const d = stepDistance(got[i]!, want, 'f32');
      const w = r[region(fn, x)];
      w.count++;
      if (Number.isFinite(x) && !Number.isFinite(got[i]!)) w.nonFinite++;
      if (!isSubnormal(want) && d > w.stepsNormalResult) w.stepsNormalResult = d;
      if (d > w.steps || (Number.isNaN(w.x) && d === 0)) Object.assign(w, { steps: d, x, got: got[i]!, want });
    }
    res[fn] = r;
  }
  return res;
}

/** One line naming the inputs of samples(perBinade). */
export function describeSamples(perBinade: number, count: number): string {
  return `inputs: ${count} float32 values (${perBinade} per binade, every binade incl. subnormals, both signs; ${perBinade * 256} per binade for 2^-8 <= |x| < 32; + specials)`;
}

/**
 * Checks the float64 reference against the oracle on about `count` inputs per
 * function spread over `xs`; returns one line per disagreement and a summary.
 */
export function crossCheck(xs: Float32Array, oracle: Reference, count: number): string[] {
  const stride = Math.max(1, Math.floor(xs.length / count));
  const lines: string[] = [];
  let disagree = 0;
  let n = 0;
  for (const fn of FNS) {
    for (let i = 0; i < xs.length; i += stride) {
      n++;
      const d = stepDistance(F64.value(fn, xs[i]!), oracle.value(fn, xs[i]!), 'f32');
      if (d > 0) {
        disagree++;
        lines.push(`  float64 reference differs from the oracle: ${fn}(${xs[i]}) by ${d} steps`);
      }
    }
  }
  lines.push(`float64 reference vs oracle: ${disagree} of ${n} checked values differ`);
  return lines;
}

/** Re-scores each region's worst input with `oracle`, so every reported maximum is an oracle number. */
export function rescore(r: Record<Fn, Record<Region, Worst>>, oracle: Reference): void {
  for (const fn of FNS) {
    for (const reg of REGIONS) {
      const w = r[fn][reg];
      if (Number.isNaN(w.x)) continue;
      w.want = oracle.value(fn, w.x);
      w.steps = stepDistance(w.got, w.want, 'f32');
    }
  }
}

/**
 * The measurement as a Markdown table. The "excl. subnormal results" column
 * leaves out inputs whose correctly rounded result is subnormal: a GPU that
 * flushes subnormals to zero (WGSL allows it) shows up in the region columns,
 * and this one shows the rest (scored with the float64 reference, which the
 * oracle cross-check covers).
 */
export function tableLines(r: Record<Fn, Record<Region, Worst>>): string[] {
  const lines = [
    '| function | tail | subnormal | normal | all, excl. subnormal results | NaN/∞ for finite x | worst input (steps: got vs want) |',
    '|---|---:|---:|---:|---:|---:|---|',
  ];
  for (const fn of FNS) {
    const row = r[fn];
    const worst = REGIONS.map((g) => row[g]).reduce((p, q) => (q.steps > p.steps ? q : p));
    const nonFinite = REGIONS.reduce((n, g) => n + row[g].nonFinite, 0);
    lines.push(
      `| ${fn} | ${row.tail.steps} | ${row.subnormal.steps} | ${row.normal.steps} | ${Math.max(...REGIONS.map((g) => row[g].stepsNormalResult))} | ${nonFinite} | x=${worst.x} (${worst.steps}: ${worst.got} vs ${worst.want}) |`,
    );
  }
  return lines;
}

/** A bad command line: one line on stderr, exit 2. */
export class UsageError extends Error {}

/** Runs a script's main: a UsageError becomes one line on stderr and exit 2; anything else propagates. */
export async function runScript(main: () => Promise<void>): Promise<void> {
  try {
    await main();
  } catch (err) {
    if (!(err instanceof UsageError)) throw err;
    process.stderr.write(`${err.message}\n`);
    process.exitCode = 2;
  }
}

/** Command-line options shared by the measurement scripts. */
export interface MeasureOptions {
  perBinade: number;
  backends: string[] | undefined;
  check: number;
  oracleAll: boolean;
  json: boolean;
}

/** Parses [--samples N] [--backends a,b] [--oracle-check N] [--oracle all] [--json]; throws UsageError naming `script`. */
export function parseMeasureArgs(script: string, args: readonly string[], backendsHelp: string): MeasureOptions {
  const withValue = new Set(['--samples', '--backends', '--oracle-check', '--oracle']);
  const usage = `(usage: [--samples N] [--backends ${backendsHelp}] [--oracle-check N] [--oracle all] [--json])`;
  for (let i = 0; i < args.length; i++) {
    if (args[i] === '--json') continue;
    if (!withValue.has(args[i]!)) throw new UsageError(`${script}: unknown argument ${JSON.stringify(args[i])} ${usage}`);
    if (args[++i] === undefined) throw new UsageError(`${script}: ${args[i - 1]} needs a value ${usage}`);
  }
  const opt = (name: string): string | undefined => {
    const i = args.indexOf(name);
    return i >= 0 ? args[i + 1] : undefined;
  };
  const positiveInteger = (name: string, fallback: number): number => {
    const raw = opt(name);
    const n = raw === undefined ? fallback : Number(raw);
    if (!Number.isSafeInteger(n) || n < 1)
      throw new UsageError(`${script}: ${name} must be a positive integer, got ${JSON.stringify(raw)}`);
    return n;
  };
  const oracle = opt('--oracle');
  if (oracle !== undefined && oracle !== 'all') throw new UsageError(`${script}: --oracle must be 'all', got ${JSON.stringify(oracle)}`);
  return {
    perBinade: positiveInteger('--samples', 64),
    backends: opt('--backends')?.split(','),
    check: positiveInteger('--oracle-check', 1500),
    oracleAll: oracle === 'all',
    json: args.includes('--json'),
  };
}

/**
 * Samples, references and the oracle cross-check, printed; then `each` runs
 * per backend, and the tables are printed as measured. Used by both scripts.
 */
export async function runMeasurement(
  opts: MeasureOptions,
  backends: (measureOne: (name: string, device: string, gpu: Measurable) => Promise<void>) => Promise<void>,
): Promise<void> {
  const xs = samples(opts.perBinade);
  const oracle = await loadOracle();
  // The oracle costs ~1-2 ms per value here, too slow for ~460k inputs × 4
  // functions; `--oracle all` uses it everywhere. By default the float64
  // reference ranks every input, and the oracle (1) cross-checks the float64
  // reference on `--oracle-check` inputs per function spread over the set and
  // (2) re-scores each region's worst input, so every reported maximum is an
  // oracle number.
  const ref = opts.oracleAll && oracle ? oracle : F64;
  console.log(`reference: ${ref.name}${oracle && ref !== oracle ? `; worst cases re-scored with ${oracle.name}` : ''}`);
  console.log(describeSamples(opts.perBinade, xs.length));
  if (oracle && ref !== oracle) for (const line of crossCheck(xs, oracle, opts.check)) console.log(line);
  const all: Record<string, unknown> = {};
  await backends(async (name, device, gpu) => {
    console.log(`\nbackend ${name} — ${device}`);
    const r = await measure(gpu, xs, ref);
    if (oracle && ref !== oracle) rescore(r, oracle);
    all[name] = { device, ...r };
    for (const line of tableLines(r)) console.log(line);
  });
  if (opts.json) console.log(JSON.stringify(all, null, 1));
}
