import { FileTooLargeError, JsonError, jsonPathChild as child, parseJsonStrict, readTextFileBounded } from '@geglu/kernel/io';
import type { BackendId, FloatFormat, Precision } from '../backends/types.js';
import { describe, FLOAT_FORMATS, formatInfo } from '@geglu/float';

/**
 * The table's backends: the verifier's (BackendId), and gpu.js in a browser
 * (its WebGL 2 and WebGL modes, and WebGPU, whose browser adapter here differs
 * from Node's), measured in headless Chromium by tools/browser's measure-gpu:
 * `geglu check --backend` can judge dumps against them; the verifier cannot run them.
 */
export const BROWSER_TOLERANCE_BACKENDS = ['gpu-webgl2', 'gpu-webgl', 'gpu-webgpu-browser'] as const;
export type ToleranceBackendId = BackendId | (typeof BROWSER_TOLERANCE_BACKENDS)[number];
export const TOLERANCE_BACKENDS: readonly ToleranceBackendId[] = [
  'oracle',
  'kernel-f64',
  'kernel-f32',
  'kernel-bf16',
  'kernel-f16',
  'gpu-webgpu',
  'gpu-webasm',
  'gpu-cpu',
  'gpu-headlessgl',
  ...BROWSER_TOLERANCE_BACKENDS,
];
export type ToleranceFunction = 'gelu' | 'gelu-tanh' | 'erf' | 'erfc' | 'geglu' | 'mlp' | 'gelu-grad' | 'gelu-tanh-grad';
export const TOLERANCE_FUNCTIONS: readonly ToleranceFunction[] = [
  'gelu',
  'gelu-tanh',
  'erf',
  'erfc',
  'geglu',
  'mlp',
  'gelu-grad',
  'gelu-tanh-grad',
];
export type Region = 'tail' | 'subnormal' | 'normal';
const PRECISIONS: readonly Precision[] = ['exact', 'f64', 'f32', 'bf16', 'f16'];
/** Row order of the generated table: f32 first, as the table has always been read. */
const TABLE_DTYPE_ORDER: readonly FloatFormat[] = ['f32', 'f64', 'bf16', 'f16'];
export const REGIONS: readonly Region[] = ['tail', 'subnormal', 'normal'];

/**
 * Where a figure comes from. Only a bound over every input is gated:
 * - exhaustive: the maximum over all inputs of the format, from `geglu sweep` (a result file in sweeps/);
 * - proven: an error analysis (or correct rounding by construction);
 * - derived: computed from other gated bounds of the table by a stated argument;
 * - sampled: the maximum over a sample: a lower estimate, reported but never gated;
 * - none: no figure (maxSteps null), reported as "not measured".
 */
export type ToleranceBasis = 'exhaustive' | 'proven' | 'derived' | 'sampled' | 'none';
export const TOLERANCE_BASES: readonly ToleranceBasis[] = ['exhaustive', 'proven', 'derived', 'sampled', 'none'];

/** One bound: results may be at most `maxSteps` representable values from the correctly rounded one. */
export interface ToleranceEntry {
  /** null only while `measured` is false: not gated, reported as "not measured". */
  maxSteps: number | null;
  /** false for a required bound not yet measured, or a placeholder. */
  measured: boolean;
  basis: ToleranceBasis;
  /** How it was measured (a command) or why it is what it is. */
  source: string;
}

/** The steps an entry gates on, or null when it is reported only (no figure, or a sampled one). */
export function gatedSteps(e: ToleranceEntry): number | null {
  return e.basis === 'sampled' || e.basis === 'none' ? null : e.maxSteps;
}

/**
 * Backend ids are open: a table may hold a user's own implementation (`my-gelu`) beside or instead of
 * geglu's (TOLERANCE_BACKENDS, which the shipped table must all have).
 */
export const BACKEND_ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

export interface ToleranceTable {
  version: 1;
  regions: Record<Region, string>;
  specials: string;
  backends: Record<
    string,
    {
      precision: Precision;
      bounds: Partial<Record<ToleranceFunction, Partial<Record<FloatFormat, Record<Region, ToleranceEntry>>>>>;
    }
  >;
}

/** A tolerance file that does not match the schema; the message starts with the file and the JSON path. */
export class ToleranceError extends Error {
  override name = 'ToleranceError';
}

export const MAX_TOLERANCE_FILE_BYTES = 4 * 1024 * 1024;

/** The table shipped with the package (packages/verify/tolerances.json). */
export const DEFAULT_TOLERANCES_URL = new URL('../../tolerances.json', import.meta.url);

/**
 * Reads and validates a tolerance file (default: the shipped one, which must hold every backend of
 * TOLERANCE_BACKENDS; another file may hold any backend ids). @throws {ToleranceError}
 */
export function loadTolerances(file?: string): ToleranceTable {
  const name = file ?? 'tolerances.json (shipped)';
  let json: unknown;
  try {
    // the shipped table is ~40 KB; the limit counts bytes read, so /dev/zero or a FIFO cannot fill memory
    json = parseJsonStrict(readTextFileBounded(file ?? DEFAULT_TOLERANCES_URL, MAX_TOLERANCE_FILE_BYTES));
  } catch (err) {
    if (err instanceof FileTooLargeError) {
      throw new ToleranceError(`${name}: more than ${MAX_TOLERANCE_FILE_BYTES} bytes, the most a tolerance table may have`);
    }
    if (err instanceof JsonError) throw new ToleranceError(`${name}: ${err.message}`);
    throw new ToleranceError(`${name}: cannot read (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`);
  }
  return validateTolerances(json, name, file === undefined ? TOLERANCE_BACKENDS : []);
}

/**
 * Checks a parsed tolerance file against the schema and returns it typed. Every problem names the
 * JSON path of the bad field: unknown keys, backend ids that are not names, missing backends (of
 * `required`) or regions, bounds that are negative, fractional or not numbers, `null` bounds
 * claimed as measured, empty sources.
 * @throws {ToleranceError}
 */
export function validateTolerances(json: unknown, name = 'tolerances', required: readonly string[] = TOLERANCE_BACKENDS): ToleranceTable {
  const fail = (path: string, msg: string): never => {
    throw new ToleranceError(`${name}: ${path}: ${msg}`);
  };
  const obj = (v: unknown, path: string): Record<string, unknown> => {
    if (typeof v !== 'object' || v === null || Array.isArray(v)) fail(path, `expected an object, got ${describe(v)}`);
    return v as Record<string, unknown>;
  };
  const keys = (o: Record<string, unknown>, path: string, allowed: readonly string[], required: readonly string[]): void => {
    for (const k of Object.keys(o)) if (!allowed.includes(k)) fail(child(path, k), `unknown key (allowed: ${allowed.join(', ')})`);
    for (const k of required) if (!Object.hasOwn(o, k)) fail(`${path}.${k}`, 'missing');
  };
  const root = obj(json, '$');
  keys(root, '$', ['$comment', 'version', 'regions', 'specials', 'backends'], ['version', 'regions', 'specials', 'backends']);
  if (root.version !== 1) fail('$.version', `expected 1, got ${describe(root.version)}`);
  const regions = obj(root.regions, '$.regions');
  keys(regions, '$.regions', REGIONS, REGIONS);
  for (const r of REGIONS)
    if (typeof regions[r] !== 'string' || regions[r] === '') fail(`$.regions.${r}`, 'expected a non-empty description');
  if (typeof root.specials !== 'string' || root.specials === '') fail('$.specials', 'expected a non-empty description');
  const backends = obj(root.backends, '$.backends');
  for (const b of required) if (!Object.hasOwn(backends, b)) fail(`$.backends.${b}`, 'missing');
  if (Object.keys(backends).length === 0) fail('$.backends', 'no backends');
  for (const b of Object.keys(backends)) {
    if (!BACKEND_ID_PATTERN.test(b))
      fail(child('$.backends', b), `a backend id is 1 to 64 letters, digits, '.', '_' or '-', starting with a letter or digit`);
    const bp = `$.backends.${b}`;
    const backend = obj(backends[b], bp);
    keys(backend, bp, ['precision', 'bounds'], ['precision', 'bounds']);
    if (!PRECISIONS.includes(backend.precision as Precision)) {
      fail(`${bp}.precision`, `expected one of ${PRECISIONS.join(', ')}, got ${describe(backend.precision)}`);
    }
    const bounds = obj(backend.bounds, `${bp}.bounds`);
    keys(bounds, `${bp}.bounds`, TOLERANCE_FUNCTIONS, []);
    if (Object.keys(bounds).length === 0) fail(`${bp}.bounds`, 'no functions');
    for (const [fn, byDtype] of Object.entries(bounds)) {
      const fp = `${bp}.bounds.${fn}`;
      const d = obj(byDtype, fp);
      keys(d, fp, FLOAT_FORMATS, []);
      if (Object.keys(d).length === 0) fail(fp, 'no dtypes');
      for (const [dtype, byRegion] of Object.entries(d)) {
        const dp = `${fp}.${dtype}`;
        const rr = obj(byRegion, dp);
        keys(rr, dp, REGIONS, REGIONS);
        for (const region of REGIONS) {
          const ep = `${dp}.${region}`;
          const e = obj(rr[region], ep);
          keys(e, ep, ['maxSteps', 'measured', 'basis', 'source'], ['maxSteps', 'measured', 'basis', 'source']);
          if (typeof e.measured !== 'boolean') fail(`${ep}.measured`, `expected true or false, got ${describe(e.measured)}`);
          if (!TOLERANCE_BASES.includes(e.basis as ToleranceBasis))
            fail(`${ep}.basis`, `expected one of ${TOLERANCE_BASES.join(', ')}, got ${describe(e.basis)}`);
          if (e.maxSteps === null) {
            if (e.measured) fail(`${ep}.maxSteps`, 'null (no bound) is only allowed while measured is false');
          } else if (typeof e.maxSteps !== 'number' || !Number.isInteger(e.maxSteps) || e.maxSteps < 0) {
            fail(`${ep}.maxSteps`, `expected a non-negative integer number of steps, got ${describe(e.maxSteps)}`);
          }
          if (typeof e.source !== 'string' || e.source.trim() === '')
            fail(`${ep}.source`, 'expected a non-empty string saying how it was measured');
          if ((e.basis === 'none') !== (e.maxSteps === null)) {
            fail(
              `${ep}.basis`,
              e.basis === 'none'
                ? `"none" is for a null maxSteps, got ${describe(e.maxSteps)}`
                : `${describe(e.basis)} needs a maxSteps, got null (use "none")`,
            );
          }
        }
      }
    }
  }
  return json as ToleranceTable;
}

/** The entry for one combination, or undefined when the backend does not evaluate it. */
export function toleranceFor(
  table: ToleranceTable,
  backend: string,
  fn: ToleranceFunction,
  dtype: FloatFormat,
  region: Region,
): ToleranceEntry | undefined {
  return table.backends[backend]?.bounds[fn]?.[dtype]?.[region];
}

/**
 * The region of a finite input, exactly as `$.regions` in tolerances.json states it (tail first).
 * Returns undefined for NaN and ±Infinity, which belong to no region (they must be exact).
 */
export function regionOf(fn: ToleranceFunction, dtype: FloatFormat, x: number): Region | undefined {
  if (!Number.isFinite(x)) return undefined;
  const tail = fn === 'erf' ? Math.abs(x) > 4 : fn === 'erfc' ? x > 4 : x < -4;
  if (tail) return 'tail';
  return Math.abs(x) < formatInfo(dtype).minNormal ? 'subnormal' : 'normal';
}

const cell = (e: ToleranceEntry | undefined): string => {
  if (!e) return '–';
  if (e.maxSteps === null) return 'not measured';
  if (e.basis === 'sampled') return `${e.maxSteps} (sampled)`;
  const v = e.maxSteps === 0 ? '0' : `≤ ${e.maxSteps}`;
  return e.measured ? v : `${v} (unconfirmed)`;
};

/** The accuracy table as Markdown (the root README's table is generated from this). */
export function formatTolerancesMarkdown(table: ToleranceTable): string {
  const entries = Object.values(table.backends).flatMap((b) =>
    Object.values(b.bounds).flatMap((d) => Object.values(d ?? {}).flatMap((r) => Object.values(r))),
  );
  const unconfirmed = entries.some((e) => e.maxSteps !== null && !e.measured);
  const lines = [
    'Maximum distance from the correctly rounded result, in steps (representable values; 0 = correctly rounded); "not measured" is reported, not gated.',
    ...(entries.some((e) => e.basis === 'sampled')
      ? ['"(sampled)" is the largest error seen on a sample, not a bound over all inputs: reported, not gated.']
      : []),
    ...(unconfirmed ? ['"(unconfirmed)" is a bound that is gated but that no measurement has confirmed yet.'] : []),
    '',
    '| backend | function | dtype | tail | subnormal | normal | source |',
    '|---|---|---|---|---|---|---|',
  ];
  // each source once, numbered below the table: many rows share one (a sweep file, a derivation)
  const sources: string[] = [];
  const ref = (source: string): string => {
    let i = sources.indexOf(source);
    if (i < 0) i = sources.push(source) - 1;
    return `[${i + 1}]`;
  };
  for (const [b, backend] of Object.entries(table.backends)) {
    for (const fn of TOLERANCE_FUNCTIONS) {
      const byDtype = backend.bounds[fn];
      if (!byDtype) continue;
      for (const dtype of TABLE_DTYPE_ORDER) {
        const r = (byDtype as Partial<Record<string, Record<Region, ToleranceEntry>>>)[dtype];
        if (!r) continue;
        const refs = [...new Set(REGIONS.map((g) => ref(r[g].source)))].join(', ');
        lines.push(`| ${b} | ${fn} | ${dtype} | ${REGIONS.map((g) => cell(r[g])).join(' | ')} | ${refs} |`);
      }
    }
  }
  lines.push('', 'Sources:', '', ...sources.map((s, i) => `${i + 1}. ${s.replace(/\|/g, '\\|')}`));
  lines.push('', 'Regions:', ...REGIONS.map((g) => `- ${g}: ${table.regions[g]}`), `- ${table.specials}`);
  return lines.join('\n');
}

/** A compact plain-text table for the terminal. */
export function formatTolerancesText(table: ToleranceTable): string {
  const rows: string[][] = [['backend', 'function', 'dtype', 'tail', 'subnormal', 'normal']];
  for (const [b, backend] of Object.entries(table.backends)) {
    for (const [fn, byDtype] of Object.entries(backend.bounds)) {
      for (const [dtype, r] of Object.entries(byDtype ?? {})) {
        if (r) rows.push([b, fn, dtype, ...REGIONS.map((g) => cell(r[g]))]);
      }
    }
  }
  const w = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  return rows
    .map((r) =>
      r
        .map((c, i) => c.padEnd(w[i]!))
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}
