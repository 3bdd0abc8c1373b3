/**
 * The judging core of `geglu check`: each row's distance from the correctly rounded result, per
 * region, the histogram, the worst rows and the verdict. No node: import, so the explorer page
 * judges a dropped file with this same code; the CLI (src/commands/check.ts) reads the arguments
 * and files and prints.
 */
import { compareResult, describe, FLOAT_FORMATS, GegluError } from '@geglu/float';
import type { OracleModule } from '../backends/modules.js';
import { EVAL_FUNCTIONS, type EvalFunction, type FloatFormat } from '../backends/types.js';
import type { CheckBatch } from '../io/check-inputs.js';
import { formatNumber } from '../io/numbers.js';
import { halfCodec, halfReferenceTable, type HalfFormat } from '../sweep/half.js';
import { SWEEP_REFERENCE } from '../sweep/engine.js';
import { decideF32, decideGegluF32 } from '../sweep/reference.js';
import { regionOf, REGIONS, type Region } from '../tolerances/index.js';

const WORST = 10;

/** What `geglu check` judges: the scalar functions, and geglu's (gate, up) → gelu(gate)·up. */
export type CheckFunction = EvalFunction | 'geglu';
export const CHECK_FUNCTIONS: readonly CheckFunction[] = [...EVAL_FUNCTIONS, 'geglu'];

/** The columns each function reads, inputs first and y last. */
export function checkFields(fn: CheckFunction): readonly string[] {
  return fn === 'geglu' ? ['gate', 'up', 'y'] : ['x', 'y'];
}

export interface CheckWorst {
  /** JSONL: the line; tensors: null (see index). */
  line: number | null;
  /** Tensors: the flat C-order element index. */
  index?: number;
  /** The input (--fn other than geglu). */
  x?: string;
  /** --fn geglu's inputs. */
  gate?: string;
  up?: string;
  y: string;
  expected: string;
  steps: number;
  /** y and expected are zeros of different sign: a mismatch at 0 steps. */
  zeroSign: boolean;
  ulps: number | null;
}

export interface CheckSummary {
  fn: CheckFunction;
  /** --fn geglu's gelu form, else null. */
  approximate: 'none' | 'tanh' | null;
  dtype: FloatFormat;
  /** What was read: JSONL lines, a safetensors file or .npy files. */
  input: 'jsonl' | 'safetensors' | 'npy';
  /** --max-steps, or null when the limits come from the tolerance table (--backend). */
  maxStepsAllowed: number | null;
  /** The tolerance-table backend whose bounds gate the regions, if any. */
  backend: string | null;
  lines: number;
  checked: number;
  /** Results whose bits differ from the correctly rounded result's (any NaN equals any NaN), zero sign included. */
  mismatches: number;
  /** Of the mismatches, those that differ only in the sign of zero (0 steps apart). Each fails the gate. */
  zeroSign: number;
  badLines: number;
  maxSteps: number;
  /** Largest ulp error among results that are not correctly rounded; 0 when all are (then each is ≤ 0.5). null without the oracle's ulpError. */
  maxUlps: number | null;
  /** allowed: the region's limit; null = not gated (the table says "not measured"). Specials: 0 with --backend. */
  byRegion: Record<Region | 'special', { count: number; maxSteps: number; zeroSign: number; allowed: number | null }>;
  /** steps → count; "Infinity" for NaN mismatches; the zeroSign mismatches are under 0. */
  histogram: Record<string, number>;
  worst: CheckWorst[];
  passed: boolean;
}

export interface CheckOptions {
  fn: CheckFunction;
  /** --fn geglu's gelu form (required there, absent otherwise). */
  approximate?: 'none' | 'tanh';
  dtype: FloatFormat;
  input: CheckSummary['input'];
  /** Each region's allowed steps; null leaves a region ungated. */
  limits: Record<Region | 'special', number | null>;
  /** The single --max-steps bound, or null with a tolerance-table backend. */
  maxStepsAllowed: number | null;
  backend: string | null;
}

const INPUTS: readonly CheckSummary['input'][] = ['jsonl', 'safetensors', 'npy'];

/**
 * Refuses what `geglu check` refuses at its command line: CheckJudge is also built from other
 * hosts' forms (the explorer page), where a negative, fractional or NaN limit would otherwise turn
 * into a verdict ("allowed -1") instead of an error naming it.
 */
function checkJudgeOptions(options: unknown): CheckOptions {
  const bad = (field: string, value: unknown, expected: string): never => {
    throw new GegluError(`CheckJudge: options${field} is ${describe(value)}, expected ${expected}`);
  };
  if (options === null || typeof options !== 'object') bad('', options, '{ fn, dtype, input, limits, maxStepsAllowed, backend }');
  const o = options as Partial<CheckOptions>;
  const oneOf = (field: 'fn' | 'dtype' | 'input', allowed: readonly string[]) => {
    if (!allowed.includes(o[field] as string)) bad(`.${field}`, o[field], `one of ${allowed.join(', ')}`);
  };
  oneOf('fn', CHECK_FUNCTIONS);
  oneOf('dtype', FLOAT_FORMATS);
  oneOf('input', INPUTS);
  if (o.fn === 'geglu') {
    if (o.approximate !== 'none' && o.approximate !== 'tanh') bad('.approximate', o.approximate, "'none' or 'tanh' with fn geglu");
  } else if (o.approximate !== undefined) {
    bad('.approximate', o.approximate, `undefined with fn ${o.fn} (it names its form)`);
  }
  const steps = (field: string, value: unknown) => {
    if (value !== null && !(Number.isSafeInteger(value) && (value as number) >= 0)) bad(field, value, 'an integer ≥ 0 or null');
  };
  if (o.limits === null || typeof o.limits !== 'object') bad('.limits', o.limits, '{ tail, subnormal, normal, special }');
  for (const r of [...REGIONS, 'special'] as const) steps(`.limits.${r}`, o.limits![r]);
  steps('.maxStepsAllowed', o.maxStepsAllowed);
  if (o.backend !== null && typeof o.backend !== 'string') bad('.backend', o.backend, 'a backend id or null');
  return o as CheckOptions;
}

/** The correctly rounded 16-bit fn(x), looked up in the sweep's reference table of all 65,536 inputs. */
function halfReference(fn: EvalFunction, dtype: HalfFormat, oracle: OracleModule): (x: number) => number {
  const { toBits, fromBits } = halfCodec(dtype);
  const { expected } = halfReferenceTable(fn, dtype, (x) => oracle.correctlyRounded(fn, x, dtype));
  return (x) => fromBits(expected[toBits(x)]!);
}

/** The correctly rounded result of each row: (x, 0) for the scalar functions, (gate, up) for geglu. */
function referenceOf(fn: CheckFunction, approximate: 'none' | 'tanh' | undefined, dtype: FloatFormat, oracle: OracleModule) {
  const geluOf: EvalFunction = fn === 'geglu' ? (approximate === 'tanh' ? 'gelu-tanh' : 'gelu') : fn;
  // For float32 gelu the sweep's reference decides the rounding for all but a few inputs per
  // million (src/sweep/reference.ts states its bound); the oracle settles the rest.
  const ref32 = dtype === 'f32' && fn !== 'geglu' && fn !== 'erf' && fn !== 'erfc' ? SWEEP_REFERENCE[fn] : null;
  const scalarFn = fn === 'geglu' ? null : fn;
  const half = scalarFn !== null && (dtype === 'bf16' || dtype === 'f16') ? halfReference(scalarFn, dtype, oracle) : null;
  const correctF32 =
    ref32 && scalarFn
      ? (x: number): number => {
          const r = ref32(x);
          const d = decideF32(r.y, r.eps);
          return d === d || x !== x ? d : oracle.correctlyRounded(scalarFn, x, dtype);
        }
      : null;
  // geglu: one rounding of gelu(gate)·up. In float32 the sweep's bounded reference times up in f64
  // decides almost every row (decideGegluF32 states its bound); the oracle's correctlyRoundedGeglu
  // settles the rest, and every row in the other formats.
  const geglu = (g: number, u: number): number => oracle.correctlyRoundedGeglu(geluOf as 'gelu' | 'gelu-tanh', g, u, dtype);
  const tanh = geluOf === 'gelu-tanh';
  const gegluF32 = (g: number, u: number): number => {
    const d = decideGegluF32(tanh, g, u);
    return d === d ? d : geglu(g, u);
  };
  return scalarFn === null
    ? dtype === 'f32'
      ? gegluF32
      : geglu
    : (half ?? correctF32 ?? ((x: number) => oracle.correctlyRounded(scalarFn, x, dtype)));
}

/**
 * Judges rows batch by batch. Feed it every batch (`add`), report lines and bad lines as they
 * are read (`line`, `badLine`), then `finish` gives the summary with its verdict.
 */
export class CheckJudge {
  readonly summary: CheckSummary;
  private readonly reference: (a: number, b: number) => number;
  private readonly oracle: OracleModule;
  private readonly canUlp: boolean;
  private readonly histogram = new Map<number, number>();

  constructor(options: CheckOptions, oracle: OracleModule) {
    const { fn, dtype, limits } = checkJudgeOptions(options);
    this.oracle = oracle;
    this.canUlp = fn !== 'geglu' && typeof oracle.evaluate === 'function' && typeof oracle.ulpError === 'function';
    this.reference = referenceOf(fn, options.approximate, dtype, oracle);
    this.summary = {
      fn,
      approximate: options.approximate ?? null,
      dtype,
      input: options.input,
      maxStepsAllowed: options.maxStepsAllowed,
      backend: options.backend,
      lines: 0,
      checked: 0,
      mismatches: 0,
      zeroSign: 0,
      badLines: 0,
      maxSteps: 0,
      maxUlps: this.canUlp ? 0 : null,
      byRegion: {
        tail: { count: 0, maxSteps: 0, zeroSign: 0, allowed: limits.tail },
        subnormal: { count: 0, maxSteps: 0, zeroSign: 0, allowed: limits.subnormal },
        normal: { count: 0, maxSteps: 0, zeroSign: 0, allowed: limits.normal },
        special: { count: 0, maxSteps: 0, zeroSign: 0, allowed: limits.special },
      },
      histogram: {},
      worst: [],
      passed: true,
    };
  }

  /** A JSONL line was read (the count of lines is the last line's number). */
  line(no: number): void {
    this.summary.lines = no;
  }

  /** A bad line was skipped; returns how many so far. */
  badLine(): number {
    return ++this.summary.badLines;
  }

  add(batch: CheckBatch): void {
    const s = this.summary;
    const { fn, dtype } = s;
    const { count, columns, lines } = batch;
    const a = columns[0]!;
    const b = columns.length === 3 ? columns[1]! : null;
    const ys = columns[columns.length - 1]!;
    if (lines === null) s.lines += count;
    for (let i = 0; i < count; i++) {
      const x = a[i]!;
      const y = ys[i]!;
      const ref = b === null ? this.reference(x, 0) : this.reference(x, b[i]!);
      const cmp = compareResult(y, ref, dtype);
      const st = cmp.steps;
      // ulps of the exact value only where the result is steps off: a correctly rounded one is ≤ 0.5 by
      // definition, and so is a zero of the wrong sign (the exact value is then below half the smallest
      // subnormal); skipping them saves an oracle evaluation per line (a PyTorch bf16 gelu dump has 15,912)
      let ulps: number | null = null;
      if (!cmp.matches && !cmp.zeroSign && this.canUlp) {
        if (Number.isFinite(x) && Number.isFinite(y)) {
          const exact = this.oracle.evaluate!(fn as EvalFunction, x, { digits: 40 }).value;
          ulps = this.oracle.ulpError!(y, exact, dtype);
        } else ulps = Infinity;
        if (ulps > (s.maxUlps ?? 0)) s.maxUlps = ulps;
      }
      s.checked++;
      // geglu's region is its gate's (the table's convention)
      const region = regionOf(fn, dtype, x) ?? 'special';
      const g = s.byRegion[region];
      g.count++;
      if (!cmp.matches) s.mismatches++;
      if (cmp.zeroSign) {
        s.zeroSign++;
        g.zeroSign++;
      }
      if (st > g.maxSteps) g.maxSteps = st;
      if (st > s.maxSteps) s.maxSteps = st;
      this.histogram.set(st, (this.histogram.get(st) ?? 0) + 1);
      if (!cmp.matches && (s.worst.length < WORST || st > s.worst.at(-1)!.steps)) {
        const inputs = b === null ? { x: formatNumber(x) } : { gate: formatNumber(x), up: formatNumber(b[i]!) };
        const at = lines === null ? { line: null, index: batch.firstIndex + i } : { line: lines[i]! };
        s.worst.push({ ...at, ...inputs, y: formatNumber(y), expected: formatNumber(ref), steps: st, zeroSign: cmp.zeroSign, ulps });
        s.worst.sort((p, q) => q.steps - p.steps || (q.ulps ?? 0) - (p.ulps ?? 0) || (p.line ?? p.index ?? 0) - (q.line ?? q.index ?? 0));
        if (s.worst.length > WORST) s.worst.pop();
      }
    }
  }

  /** The summary with its histogram and verdict. */
  finish(): CheckSummary {
    const s = this.summary;
    s.histogram = {};
    for (const [k, v] of [...this.histogram].sort((p, q) => p[0] - q[0])) s.histogram[String(k)] = v;
    // an empty file proves nothing: it fails rather than passing vacuously
    // a zero of the wrong sign fails whatever the bound: a bound counts steps, and a wrong sign is not a step (README, the tolerance table)
    const withinLimits = Object.values(s.byRegion).every((g) => g.allowed === null || (g.maxSteps <= g.allowed && g.zeroSign === 0));
    // a run whose every input falls where the table has no measured bound gates nothing: it fails too
    const gatedSomething = Object.values(s.byRegion).some((g) => g.count > 0 && g.allowed !== null);
    s.passed = withinLimits && gatedSomething && s.badLines === 0 && s.checked > 0;
    return s;
  }
}

/** The summary as `geglu check` prints it without --json. */
export function formatSummary(s: CheckSummary): string {
  const out: string[] = [];
  const rows =
    s.input === 'jsonl' ? `${s.checked} lines checked, ${s.badLines} bad lines skipped` : `${s.checked} elements checked (${s.input})`;
  out.push(`geglu check ${s.fn}${s.approximate === null ? '' : ` (approximate ${s.approximate})`} ${s.dtype}: ${rows}`);
  const ulps =
    s.checked === 0
      ? 'n/a (no line checked)'
      : s.maxUlps === null
        ? 'n/a (oracle has no ulpError)'
        : s.mismatches === 0
          ? '≤ 0.5 (every result correctly rounded)'
          : s.maxUlps.toPrecision(4);
  const allowed = s.backend === null ? `allowed ${s.maxStepsAllowed}` : `limits per region from the tolerance table for ${s.backend}`;
  out.push(`max steps ${s.maxSteps} (${allowed}), max ulps ${ulps}`);
  out.push(
    `mismatches ${s.mismatches} (results not bit-identical to the correctly rounded one), zero sign ${s.zeroSign} (of those, only the sign of zero differs)`,
  );
  for (const r of [...REGIONS, 'special'] as const) {
    const g = s.byRegion[r];
    if (g.count > 0) {
      out.push(
        `  ${r.padEnd(9)} ${String(g.count).padStart(10)} inputs, max steps ${g.maxSteps}, zero sign ${g.zeroSign}, ${g.allowed === null ? 'not gated (no bound over all inputs in the table)' : `allowed ${g.allowed}`}`,
      );
    }
  }
  if (s.checked === 0) out.push('histogram (steps: count): (no line checked)');
  else
    out.push(
      `histogram (steps: count): ${Object.entries(s.histogram)
        .sort((a, b) => Number(a[0]) - Number(b[0]))
        .map(([k, v]) => `${k}: ${v}`)
        .join(', ')}`,
    );
  if (s.worst.length > 0) {
    out.push('worst inputs:');
    for (const w of s.worst) {
      const off = w.zeroSign ? 'zero sign differs, 0 steps' : `${w.steps} steps`;
      const inputs = w.x !== undefined ? `x=${w.x}` : `gate=${w.gate} up=${w.up}`;
      out.push(
        `  ${w.line === null ? `element ${w.index}` : `line ${w.line}`}: ${inputs} y=${w.y} expected ${w.expected} (${off}${w.ulps === null ? '' : `, ${w.ulps.toPrecision(4)} ulps`})`,
      );
    }
  }
  const why: string[] = [];
  for (const [r, g] of Object.entries(s.byRegion)) {
    if (g.allowed !== null && g.maxSteps > g.allowed) why.push(`${r}: max steps ${g.maxSteps} > ${g.allowed}`);
    if (g.allowed !== null && g.zeroSign > 0) why.push(`${r}: ${g.zeroSign} with the wrong sign of zero`);
  }
  if (s.badLines > 0) why.push(`${s.badLines} bad lines`);
  if (s.checked === 0) why.push('no line checked');
  else if (!Object.values(s.byRegion).some((g) => g.count > 0 && g.allowed !== null)) {
    why.push('nothing gated: the tolerance table has no measured bound for these inputs');
  }
  out.push(s.passed ? 'PASS' : `FAIL: ${why.join('; ')}`);
  return `${out.join('\n')}\n`;
}
