import { open, type FileHandle } from 'node:fs/promises';
import { JsonError, parseJsonStrict } from '@geglu/kernel/io';
import type { Readable } from 'node:stream';
import { formatOptions, parseOrHelp, requireOption, type ArgSpec } from '../cli/args.js';
import { EXIT_CHECK_FAILED, EXIT_OK, UsageError, type Command, type CommandIO } from '../cli/command.js';
import { compareResult } from '@geglu/float';
import { loadOracle, type OracleModule } from '../backends/modules.js';
import { halfCodec, halfReferenceTable, type HalfFormat } from '../sweep/half.js';
import { EVAL_FUNCTIONS, type EvalFunction, type FloatFormat } from '../backends/types.js';
import { MAX_LINE_BYTES, readLineBatches } from '../io/lines.js';
import { formatNumber, numberSyntaxError, parseNumber } from '../io/numbers.js';
import { gatedSteps, loadTolerances, regionOf, REGIONS, TOLERANCE_BACKENDS, ToleranceError, toleranceFor, type Region } from '../tolerances/index.js';
import type { BackendId } from '../backends/types.js';
import { decideF32, refGelu, refGeluTanh } from '../sweep/reference.js';

export const MAX_REPORTED_BAD_LINES = 20;
const WORST = 10;

const spec: ArgSpec = {
  command: 'geglu check',
  options: {
    fn: { type: 'string', choices: EVAL_FUNCTIONS, description: 'function the outputs claim to be (required)' },
    dtype: { type: 'string', choices: ['f32', 'f64', 'bf16', 'f16'], description: 'format of x and y (required)' },
    'max-steps': { type: 'integer', description: 'largest allowed distance from the correctly rounded result, every region (default 0)' },
    backend: {
      type: 'string',
      choices: TOLERANCE_BACKENDS,
      description: "gate each input region on this backend's bound in the tolerance table instead of --max-steps",
    },
    tolerances: { type: 'string', valueName: 'FILE', description: 'tolerance table for --backend (default: the shipped tolerances.json)' },
    json: { type: 'boolean', description: 'print the summary as one JSON object instead of text' },
  },
  positionals: { min: 1, max: 1, name: 'FILE.jsonl (or - for stdin)' },
};

const usage = `Usage: geglu check --fn gelu|gelu-tanh|erf|erfc --dtype f32|f64|bf16|f16 [--max-steps N | --backend ID [--tolerances FILE]] [--json] FILE.jsonl

Judges another implementation's outputs (for example dumped from PyTorch) against the oracle.
Each line of FILE is {"x": X, "y": Y} with exactly these two fields; X and Y are strings in
geglu eval's number syntax ("0.5", "-0", "NaN", "-Infinity", "inf") or JSON numbers, and are
rounded to --dtype the way geglu eval rounds its input (a shortest float32 string reads back
exactly). For each line the distance of Y from the correctly rounded fn(X) is measured in steps
(representable values between them; NaN vs non-NaN counts as infinitely many) and, where it is
not 0, in ulps of the exact value. For float32 gelu and gelu-tanh the correctly rounded value
comes from geglu sweep's bounded f64 reference (the oracle only where that does not decide), so
dumps of millions of lines are checked quickly; for bf16 and f16 every function's 65,536 correctly
rounded results are tabulated once the same way (geglu sweep --dtype bf16|f16). Prints the maximum per input region, the worst inputs and the step histogram.
A result matches only when its bits equal the correctly rounded result's (any NaN equals any NaN): a zero
of the wrong sign is 0 steps away yet a mismatch, counted under "zero sign", and it fails the check
whatever the limit (a step bound does not excuse a wrong sign).

Bad lines (invalid JSON, a missing or extra field, a value that is not a number, longer than
${MAX_LINE_BYTES} bytes) are skipped and named with their line number on stderr; the run then exits 1.

Options:
${formatOptions(spec)}

Exit status: 0 every line within --max-steps with the right sign of zero, 1 a line above it or with a
zero of the wrong sign, a bad line or no line at all, 2 bad usage or
unreadable file, or the oracle is not available.`;

export interface CheckWorst {
  line: number;
  x: string;
  y: string;
  expected: string;
  steps: number;
  /** y and expected are zeros of different sign: a mismatch at 0 steps. */
  zeroSign: boolean;
  ulps: number | null;
}

export interface CheckSummary {
  fn: EvalFunction;
  dtype: FloatFormat;
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

function parseField(v: unknown, dtype: FloatFormat): number | string {
  if (typeof v === 'number') return Number.isFinite(v) ? parseNumber(formatNumber(v), dtype) : 'not a number';
  if (typeof v !== 'string') return `expected a number or a string, got ${v === null ? 'null' : typeof v}`;
  const why = numberSyntaxError(v);
  return why === null ? parseNumber(v, dtype) : why === 'not a number' ? `${JSON.stringify(v.slice(0, 40))} is not a number` : why;
}

async function openInput(file: string, io: CommandIO): Promise<Readable> {
  if (file === '-') return io.stdin;
  // opened once: a FIFO's writer is gone after the first open is closed, so a second open would wait forever
  let h: FileHandle | undefined;
  try {
    h = await open(file, 'r');
    if ((await h.stat()).isDirectory()) throw new UsageError(`geglu check: ${file} is a directory, expected a JSONL file`);
  } catch (err) {
    await h?.close();
    if (err instanceof UsageError) throw err;
    throw new UsageError(`geglu check: cannot read ${file} (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`);
  }
  return h.createReadStream();
}

export const checkCommand: Command = {
  name: 'check',
  summary: "judge another implementation's JSONL outputs against the oracle",
  usage,
  async run(argv: readonly string[], io: CommandIO): Promise<number> {
    const args = parseOrHelp(argv, spec, usage, io);
    if (!args) return EXIT_OK;
    const fn = requireOption<EvalFunction>(args, 'fn', spec.command);
    const dtype = requireOption<FloatFormat>(args, 'dtype', spec.command);
    const maxStepsOption = args.values['max-steps'] as number | undefined;
    const backend = args.values.backend as BackendId | undefined;
    if (maxStepsOption !== undefined && backend !== undefined) {
      throw new UsageError('geglu check: --max-steps and --backend are mutually exclusive (one sets every limit, the other takes them from the tolerance table)');
    }
    if (args.values.tolerances !== undefined && backend === undefined) {
      throw new UsageError('geglu check: --tolerances needs --backend (which backend\'s bounds to use)');
    }
    const limits: Record<Region | 'special', number | null> = { tail: 0, subnormal: 0, normal: 0, special: 0 };
    if (backend !== undefined) {
      let table;
      try {
        table = loadTolerances(args.values.tolerances as string | undefined);
      } catch (err) {
        if (err instanceof ToleranceError) throw new UsageError(`geglu check: ${err.message}`);
        throw err;
      }
      for (const r of REGIONS) {
        const e = toleranceFor(table, backend, fn, dtype, r);
        if (!e) throw new UsageError(`geglu check: the tolerance table has no bound for ${backend} ${fn} ${dtype}`);
        limits[r] = gatedSteps(e);
      }
    } else {
      const n = maxStepsOption ?? 0;
      for (const r of [...REGIONS, 'special'] as const) limits[r] = n;
    }
    const file = args.positionals[0]!;
    const oracle = await loadOracle();
    if (typeof oracle === 'string') throw new UsageError(`geglu check: the oracle is not available: ${oracle}`);
    const input = await openInput(file, io);
    const canUlp = typeof oracle.evaluate === 'function' && typeof oracle.ulpError === 'function';
    // For float32 gelu the sweep's reference decides the rounding for all but a few inputs per
    // million (src/sweep/reference.ts states its bound); the oracle settles the rest.
    const half = dtype === 'bf16' || dtype === 'f16' ? halfReference(fn, dtype, oracle) : null;
    const ref32 = dtype === 'f32' ? (fn === 'gelu' ? refGelu : fn === 'gelu-tanh' ? refGeluTanh : null) : null;
    const correctF32 = ref32
      ? (x: number): number => {
          const r = ref32(x);
          const d = decideF32(r.y, r.eps);
          return d === d || x !== x ? d : oracle.correctlyRounded(fn, x, dtype);
        }
      : null;

    const s: CheckSummary = {
      fn, dtype, maxStepsAllowed: backend === undefined ? (maxStepsOption ?? 0) : null, backend: backend ?? null, lines: 0, checked: 0, mismatches: 0, zeroSign: 0, badLines: 0, maxSteps: 0, maxUlps: canUlp ? 0 : null,
      byRegion: {
        tail: { count: 0, maxSteps: 0, zeroSign: 0, allowed: limits.tail },
        subnormal: { count: 0, maxSteps: 0, zeroSign: 0, allowed: limits.subnormal },
        normal: { count: 0, maxSteps: 0, zeroSign: 0, allowed: limits.normal },
        special: { count: 0, maxSteps: 0, zeroSign: 0, allowed: limits.special },
      },
      histogram: {}, worst: [], passed: true,
    };
    const bad = (no: number, why: string): void => {
      s.badLines++;
      if (s.badLines <= MAX_REPORTED_BAD_LINES) io.stderr.write(`geglu check: ${file === '-' ? 'stdin' : file} line ${no}: ${why}; skipped\n`);
    };
    try {
      for await (const lines of readLineBatches(input, { batchSize: 1024 })) {
        for (const line of lines) {
          s.lines = line.no;
          if (line.tooLong) {
            bad(line.no, `longer than ${MAX_LINE_BYTES} bytes`);
            continue;
          }
          if (line.text.trim() === '') {
            bad(line.no, 'empty line, expected {"x": …, "y": …}');
            continue;
          }
          let obj: unknown;
          try {
            obj = parseJsonStrict(line.text);
          } catch (err) {
            bad(line.no, err instanceof JsonError && err.path !== '' ? err.message : 'not valid JSON');
            continue;
          }
          if (typeof obj !== 'object' || obj === null || Array.isArray(obj)) {
            bad(line.no, 'expected a JSON object {"x": …, "y": …}');
            continue;
          }
          const rec = obj as Record<string, unknown>;
          const extra = Object.keys(rec).filter((k) => k !== 'x' && k !== 'y');
          if (extra.length > 0) {
            bad(line.no, `unexpected field ${JSON.stringify(extra[0]!.slice(0, 40))} (only "x" and "y" are allowed)`);
            continue;
          }
          const missing = ['x', 'y'].filter((k) => !Object.hasOwn(rec, k));
          if (missing.length > 0) {
            bad(line.no, `missing field "${missing[0]}"`);
            continue;
          }
          const x = parseField(rec.x, dtype);
          const y = parseField(rec.y, dtype);
          if (typeof x === 'string' || typeof y === 'string') {
            bad(line.no, typeof x === 'string' ? `field "x": ${x}` : `field "y": ${y as string}`);
            continue;
          }
          const ref = half ? half(x) : correctF32 ? correctF32(x) : oracle.correctlyRounded(fn, x, dtype);
          const cmp = compareResult(y, ref, dtype);
          const st = cmp.steps;
          // ulps of the exact value only where the result is steps off: a correctly rounded one is ≤ 0.5 by
          // definition, and so is a zero of the wrong sign (the exact value is then below half the smallest
          // subnormal); skipping them saves an oracle evaluation per line (a PyTorch bf16 gelu dump has 15,912)
          let ulps: number | null = null;
          if (!cmp.matches && !cmp.zeroSign && canUlp) {
            if (Number.isFinite(x) && Number.isFinite(y)) {
              const exact = oracle.evaluate!(fn, x, { digits: 40 }).value;
              ulps = oracle.ulpError!(y, exact, dtype);
            } else ulps = Infinity;
            if (ulps > (s.maxUlps ?? 0)) s.maxUlps = ulps;
          }
          s.checked++;
          const region = regionOf(fn, dtype, x) ?? 'special';
          s.byRegion[region].count++;
          if (!cmp.matches) s.mismatches++;
          if (cmp.zeroSign) {
            s.zeroSign++;
            s.byRegion[region].zeroSign++;
          }
          if (st > s.byRegion[region].maxSteps) s.byRegion[region].maxSteps = st;
          if (st > s.maxSteps) s.maxSteps = st;
          const key = String(st);
          s.histogram[key] = (s.histogram[key] ?? 0) + 1;
          if (!cmp.matches && (s.worst.length < WORST || st > s.worst.at(-1)!.steps)) {
            s.worst.push({ line: line.no, x: formatNumber(x), y: formatNumber(y), expected: formatNumber(ref), steps: st, zeroSign: cmp.zeroSign, ulps });
            s.worst.sort((a, b) => b.steps - a.steps || (b.ulps ?? 0) - (a.ulps ?? 0) || a.line - b.line);
            if (s.worst.length > WORST) s.worst.pop();
          }
        }
      }
    } catch (err) {
      const e = err as NodeJS.ErrnoException;
      if (e.code === 'EISDIR' || e.code === 'EACCES') throw new UsageError(`geglu check: cannot read ${file} (${e.code})`);
      throw err;
    }
    if (s.badLines > MAX_REPORTED_BAD_LINES) io.stderr.write(`geglu check: ... and ${s.badLines - MAX_REPORTED_BAD_LINES} more bad lines\n`);
    // an empty file proves nothing: it fails rather than passing vacuously
    // a zero of the wrong sign fails whatever the bound: a bound counts steps, and a wrong sign is not a step (README, the tolerance table)
    const withinLimits = Object.values(s.byRegion).every((g) => g.allowed === null || (g.maxSteps <= g.allowed && g.zeroSign === 0));
    // a run whose every input falls where the table has no measured bound gates nothing: it fails too
    const gatedSomething = Object.values(s.byRegion).some((g) => g.count > 0 && g.allowed !== null);
    s.passed = withinLimits && gatedSomething && s.badLines === 0 && s.checked > 0;
    // Infinity (a NaN mismatch) is written as the string "Infinity": JSON has no Infinity and null would read as "no data".
    io.stdout.write(args.values.json ? `${JSON.stringify(s, (_k, v) => (v === Infinity ? 'Infinity' : v))}\n` : formatSummary(s));
    return s.passed ? EXIT_OK : EXIT_CHECK_FAILED;
  },
};

/** The correctly rounded 16-bit fn(x), looked up in the sweep's reference table of all 65,536 inputs. */
function halfReference(fn: EvalFunction, dtype: HalfFormat, oracle: OracleModule): (x: number) => number {
  const { toBits, fromBits } = halfCodec(dtype);
  const { expected } = halfReferenceTable(fn, dtype, (x) => oracle.correctlyRounded(fn, x, dtype));
  return (x) => fromBits(expected[toBits(x)]!);
}

function formatSummary(s: CheckSummary): string {
  const out: string[] = [];
  out.push(`geglu check ${s.fn} ${s.dtype}: ${s.checked} lines checked, ${s.badLines} bad lines skipped`);
  const ulps =
    s.checked === 0 ? 'n/a (no line checked)' : s.maxUlps === null ? 'n/a (oracle has no ulpError)' : s.mismatches === 0 ? '≤ 0.5 (every result correctly rounded)' : s.maxUlps.toPrecision(4);
  const allowed = s.backend === null ? `allowed ${s.maxStepsAllowed}` : `limits per region from the tolerance table for ${s.backend}`;
  out.push(`max steps ${s.maxSteps} (${allowed}), max ulps ${ulps}`);
  out.push(`mismatches ${s.mismatches} (results not bit-identical to the correctly rounded one), zero sign ${s.zeroSign} (of those, only the sign of zero differs)`);
  for (const r of [...REGIONS, 'special'] as const) {
    const g = s.byRegion[r];
    if (g.count > 0) {
      out.push(`  ${r.padEnd(9)} ${String(g.count).padStart(10)} inputs, max steps ${g.maxSteps}, zero sign ${g.zeroSign}, ${g.allowed === null ? 'not gated (no bound over all inputs in the table)' : `allowed ${g.allowed}`}`);
    }
  }
  if (s.checked === 0) out.push('histogram (steps: count): (no line checked)');
  else out.push(`histogram (steps: count): ${Object.entries(s.histogram).sort((a, b) => Number(a[0]) - Number(b[0])).map(([k, v]) => `${k}: ${v}`).join(', ')}`);
  if (s.worst.length > 0) {
    out.push('worst inputs:');
    for (const w of s.worst) {
      const off = w.zeroSign ? 'zero sign differs, 0 steps' : `${w.steps} steps`;
      out.push(`  line ${w.line}: x=${w.x} y=${w.y} expected ${w.expected} (${off}${w.ulps === null ? '' : `, ${w.ulps.toPrecision(4)} ulps`})`);
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
