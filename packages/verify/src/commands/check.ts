import { open, type FileHandle } from 'node:fs/promises';
import type { Readable } from 'node:stream';
import { formatOptions, parseOrHelp, requireOption, type ArgSpec } from '../cli/args.js';
import { EXIT_CHECK_FAILED, EXIT_OK, UsageError, type Command, type CommandIO } from '../cli/command.js';
import { compareResult } from '@geglu/float';
import { loadOracle, type OracleModule } from '../backends/modules.js';
import { halfCodec, halfReferenceTable, type HalfFormat } from '../sweep/half.js';
import { EVAL_FUNCTIONS, type EvalFunction, type FloatFormat } from '../backends/types.js';
import { MAX_LINE_BYTES } from '../io/lines.js';
import { formatNumber } from '../io/numbers.js';
import { CheckInputError, jsonlBatches, npyBatches, safetensorsBatches, type CheckBatch } from '../io/check-inputs.js';
import {
  gatedSteps,
  loadTolerances,
  regionOf,
  REGIONS,
  TOLERANCE_BACKENDS,
  ToleranceError,
  toleranceFor,
  type Region,
} from '../tolerances/index.js';
import type { BackendId } from '../backends/types.js';
import { decideF32, decideGegluF32 } from '../sweep/reference.js';
import { SWEEP_REFERENCE } from '../sweep/engine.js';

export const MAX_REPORTED_BAD_LINES = 20;
const WORST = 10;

/** What `geglu check` judges: the scalar functions, and geglu's (gate, up) → gelu(gate)·up. */
export type CheckFunction = EvalFunction | 'geglu';
const CHECK_FUNCTIONS: readonly CheckFunction[] = [...EVAL_FUNCTIONS, 'geglu'];

const spec: ArgSpec = {
  command: 'geglu check',
  options: {
    fn: { type: 'string', choices: CHECK_FUNCTIONS, description: 'function the outputs claim to be (required)' },
    approximate: {
      type: 'string',
      choices: ['none', 'tanh'],
      description: "--fn geglu: gelu's form, exact (none) or Gemma 2's tanh (required with --fn geglu)",
    },
    x: {
      type: 'string',
      valueName: 'NAME|FILE',
      description: 'the input: a tensor name in FILE.safetensors (default x), or a .npy file when there is no FILE',
    },
    gate: { type: 'string', valueName: 'NAME|FILE', description: '--fn geglu: the gate input, as --x (default gate)' },
    up: { type: 'string', valueName: 'NAME|FILE', description: '--fn geglu: the up input, as --x (default up)' },
    y: { type: 'string', valueName: 'NAME|FILE', description: 'the outputs, as --x (default y)' },
    annotate: {
      type: 'string',
      choices: ['github'],
      description: 'also print GitHub Actions annotations (::error file=…,line=…::) for failures',
    },
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
  positionals: { min: 0, max: 1, name: 'FILE.jsonl, FILE.safetensors (or - for JSONL on stdin)' },
};

const usage = `Usage: geglu check --fn gelu|gelu-tanh|erf|erfc|gelu-grad|gelu-tanh-grad --dtype f32|f64|bf16|f16 [limits] [output] FILE.jsonl|FILE.safetensors
       geglu check --fn F --dtype D [limits] [output] --x X.npy --y Y.npy
       geglu check --fn geglu --approximate none|tanh --dtype D [limits] [output] FILE | --gate G.npy --up U.npy --y Y.npy
  limits: --max-steps N | --backend ID [--tolerances FILE];  output: --json, --annotate github

Judges another implementation's outputs (for example dumped from PyTorch) against the oracle.
Inputs, read in bounded memory (a 2^24-element pair is streamed in chunks):
- JSONL (FILE.jsonl, or - for stdin): each line an object with "x" and "y" ("gate", "up" and "y"
  for --fn geglu); other fields are ignored (an index, a name). Values are strings in geglu eval's
  number syntax ("0.5", "-0", "NaN", "-Infinity", "inf"), JSON numbers, or the bare NaN, Infinity
  and -Infinity that Python's json.dumps writes; they are rounded to --dtype the way geglu eval
  rounds its input (a shortest float32 string reads back exactly). A duplicated key is a bad line.
- safetensors (FILE.safetensors): the tensors x and y (gate, up, y), or the names given with
  --x/--gate/--up/--y; each must have --dtype's type (F32, F64, BF16, F16) and all the same shape.
- .npy (no FILE; --x and --y name one file each): NumPy format 1.0-3.0, C order, '<f4'/'<f8'/'<f2'
  for f32/f64/f16 (or big-endian '>'), and '<u2' holding bf16 bit patterns for bf16 (NumPy has none).
For each row the distance of y from the correctly rounded fn(x) is measured in steps
(representable values between them; NaN vs non-NaN counts as infinitely many) and, where it is
not 0, in ulps of the exact value (not for geglu). For float32 gelu, gelu-tanh and their derivatives the correctly rounded value
comes from geglu sweep's bounded f64 reference (the oracle only where that does not decide), so
dumps of millions of rows are checked quickly. --fn geglu compares each y with gelu(gate)·up rounded
once: in float32 from the same reference times up in f64 with its bound (the oracle's
correctlyRoundedGeglu where that does not decide), in f64 from the oracle for every row (slow:
keep f64 geglu dumps to thousands of rows). Regions are those of x (of gate for geglu). Prints the maximum per input region, the worst
inputs (line, or element index in C order) and the step histogram. For bf16 and f16 every function's
65,536 correctly rounded results are tabulated once the same way (geglu sweep --dtype bf16|f16).
A result matches only when its bits equal the correctly rounded result's (any NaN equals any NaN): a zero
of the wrong sign is 0 steps away yet a mismatch, counted under "zero sign", and it fails the check
whatever the limit (a step bound does not excuse a wrong sign).

Bad JSONL lines (invalid JSON, a missing field, a value that is not a number, longer than
${MAX_LINE_BYTES} bytes) are skipped and named with their line number on stderr; the run then exits 1.
A bad safetensors or .npy file (wrong dtype, Fortran order, shapes that differ, truncated) is an error
naming the file and the tensor (exit 2). --annotate github adds one ::error line per bad line and per
worst result over the limit (with file= and line= for JSONL) and one for the verdict, for GitHub Actions.

Options:
${formatOptions(spec)}

Exit status: 0 every line within --max-steps with the right sign of zero, 1 a line above it or with a
zero of the wrong sign, a bad line or no line at all, 2 bad usage or
unreadable file, or the oracle is not available.`;

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

/** Where the rows come from, decided from the arguments. */
type InputPlan =
  | { kind: 'jsonl'; file: string }
  | { kind: 'safetensors'; file: string; names: string[] }
  | { kind: 'npy'; files: string[] };

function planInput(args: { values: Record<string, unknown>; positionals: string[] }, fields: readonly string[]): InputPlan {
  const file = args.positionals[0];
  const given = (f: string) => args.values[f] as string | undefined;
  const stray = CHECK_FIELDS.filter((f) => !fields.includes(f) && given(f) !== undefined);
  if (stray.length > 0)
    throw new UsageError(`geglu check: --${stray[0]} does not apply here (this --fn reads ${fields.map((f) => `--${f}`).join(', ')})`);
  if (file === undefined) {
    const missing = fields.find((f) => given(f) === undefined);
    if (missing !== undefined) {
      throw new UsageError(
        `geglu check: missing FILE.jsonl or FILE.safetensors, or one .npy file per field (${fields.map((f) => `--${f} FILE.npy`).join(' ')}; --${missing} is missing)`,
      );
    }
    return { kind: 'npy', files: fields.map((f) => given(f)!) };
  }
  if (file.endsWith('.safetensors')) return { kind: 'safetensors', file, names: fields.map((f) => given(f) ?? f) };
  const named = fields.find((f) => given(f) !== undefined);
  if (named !== undefined)
    throw new UsageError(
      `geglu check: --${named} names a tensor of a .safetensors file or a .npy file, but FILE is ${file} (JSONL: the fields are always ${fields.map((f) => `"${f}"`).join(', ')})`,
    );
  return { kind: 'jsonl', file };
}

const CHECK_FIELDS = ['x', 'gate', 'up', 'y'] as const;

export const checkCommand: Command = {
  name: 'check',
  summary: "judge another implementation's outputs (JSONL, safetensors, .npy) against the oracle",
  usage,
  async run(argv: readonly string[], io: CommandIO): Promise<number> {
    const args = parseOrHelp(argv, spec, usage, io);
    if (!args) return EXIT_OK;
    const fn = requireOption<CheckFunction>(args, 'fn', spec.command);
    const dtype = requireOption<FloatFormat>(args, 'dtype', spec.command);
    const approximate = args.values.approximate as 'none' | 'tanh' | undefined;
    if (fn === 'geglu' && approximate === undefined)
      throw new UsageError('geglu check: --fn geglu needs --approximate none|tanh (which gelu the outputs use)');
    if (fn !== 'geglu' && approximate !== undefined)
      throw new UsageError(`geglu check: --approximate applies to --fn geglu only (--fn ${fn} names its form)`);
    const geluOf: EvalFunction = fn === 'geglu' ? (approximate === 'tanh' ? 'gelu-tanh' : 'gelu') : fn;
    const maxStepsOption = args.values['max-steps'] as number | undefined;
    const backend = args.values.backend as BackendId | undefined;
    if (maxStepsOption !== undefined && backend !== undefined) {
      throw new UsageError(
        'geglu check: --max-steps and --backend are mutually exclusive (one sets every limit, the other takes them from the tolerance table)',
      );
    }
    if (args.values.tolerances !== undefined && backend === undefined) {
      throw new UsageError("geglu check: --tolerances needs --backend (which backend's bounds to use)");
    }
    const fields: readonly string[] = fn === 'geglu' ? ['gate', 'up', 'y'] : ['x', 'y'];
    const plan = planInput(args, fields);
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
    const oracle = await loadOracle();
    if (typeof oracle === 'string') throw new UsageError(`geglu check: the oracle is not available: ${oracle}`);
    const canUlp = fn !== 'geglu' && typeof oracle.evaluate === 'function' && typeof oracle.ulpError === 'function';
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
    const reference: (a: number, b: number) => number =
      scalarFn === null
        ? dtype === 'f32'
          ? gegluF32
          : geglu
        : (half ?? correctF32 ?? ((x) => oracle.correctlyRounded(scalarFn, x, dtype)));

    const s: CheckSummary = {
      fn,
      approximate: approximate ?? null,
      dtype,
      input: plan.kind,
      maxStepsAllowed: backend === undefined ? (maxStepsOption ?? 0) : null,
      backend: backend ?? null,
      lines: 0,
      checked: 0,
      mismatches: 0,
      zeroSign: 0,
      badLines: 0,
      maxSteps: 0,
      maxUlps: canUlp ? 0 : null,
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
    const fileLabel = plan.kind === 'npy' ? plan.files.at(-1)! : plan.file === '-' ? 'stdin' : plan.file;
    const badSeen: { line: number; why: string }[] = [];
    const bad = (no: number, why: string): void => {
      s.badLines++;
      if (s.badLines <= MAX_REPORTED_BAD_LINES) {
        io.stderr.write(`geglu check: ${fileLabel} line ${no}: ${why}; skipped\n`);
        badSeen.push({ line: no, why });
      }
    };
    let batches: AsyncGenerator<CheckBatch>;
    let close = async (): Promise<void> => {};
    try {
      if (plan.kind === 'jsonl') {
        const input = await openInput(plan.file, io);
        batches = jsonlBatches(input, fields, dtype, bad, (no) => (s.lines = no));
      } else {
        const opened = plan.kind === 'npy' ? await npyBatches(plan.files, dtype) : await safetensorsBatches(plan.file, plan.names, dtype);
        batches = opened.batches;
        close = opened.close;
      }
    } catch (err) {
      if (err instanceof CheckInputError) throw new UsageError(`geglu check: ${err.message}`);
      throw err;
    }
    const histogram = new Map<number, number>();
    try {
      for await (const batch of batches) {
        const { count, columns, lines } = batch;
        const a = columns[0]!;
        const b = columns.length === 3 ? columns[1]! : null;
        const ys = columns[columns.length - 1]!;
        if (lines === null) s.lines += count;
        for (let i = 0; i < count; i++) {
          const x = a[i]!;
          const y = ys[i]!;
          const ref = b === null ? reference(x, 0) : reference(x, b[i]!);
          const cmp = compareResult(y, ref, dtype);
          const st = cmp.steps;
          // ulps of the exact value only where the result is steps off: a correctly rounded one is ≤ 0.5 by
          // definition, and so is a zero of the wrong sign (the exact value is then below half the smallest
          // subnormal); skipping them saves an oracle evaluation per line (a PyTorch bf16 gelu dump has 15,912)
          let ulps: number | null = null;
          if (!cmp.matches && !cmp.zeroSign && canUlp) {
            if (Number.isFinite(x) && Number.isFinite(y)) {
              const exact = oracle.evaluate!(scalarFn!, x, { digits: 40 }).value;
              ulps = oracle.ulpError!(y, exact, dtype);
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
          histogram.set(st, (histogram.get(st) ?? 0) + 1);
          if (!cmp.matches && (s.worst.length < WORST || st > s.worst.at(-1)!.steps)) {
            const inputs = b === null ? { x: formatNumber(x) } : { gate: formatNumber(x), up: formatNumber(b[i]!) };
            const at = lines === null ? { line: null, index: batch.firstIndex + i } : { line: lines[i]! };
            s.worst.push({ ...at, ...inputs, y: formatNumber(y), expected: formatNumber(ref), steps: st, zeroSign: cmp.zeroSign, ulps });
            s.worst.sort(
              (p, q) => q.steps - p.steps || (q.ulps ?? 0) - (p.ulps ?? 0) || (p.line ?? p.index ?? 0) - (q.line ?? q.index ?? 0),
            );
            if (s.worst.length > WORST) s.worst.pop();
          }
        }
      }
    } catch (err) {
      const e = err as NodeJS.ErrnoException;
      if (err instanceof CheckInputError) throw new UsageError(`geglu check: ${err.message}`);
      if (e.code === 'EISDIR' || e.code === 'EACCES') throw new UsageError(`geglu check: cannot read ${fileLabel} (${e.code})`);
      if (e.name === 'SafetensorsError' || e.name === 'NpyError') throw new UsageError(`geglu check: ${e.message}`);
      throw err;
    } finally {
      await close();
    }
    for (const [k, v] of [...histogram].sort((p, q) => p[0] - q[0])) s.histogram[String(k)] = v;
    if (s.badLines > MAX_REPORTED_BAD_LINES)
      io.stderr.write(`geglu check: ... and ${s.badLines - MAX_REPORTED_BAD_LINES} more bad lines\n`);
    // an empty file proves nothing: it fails rather than passing vacuously
    // a zero of the wrong sign fails whatever the bound: a bound counts steps, and a wrong sign is not a step (README, the tolerance table)
    const withinLimits = Object.values(s.byRegion).every((g) => g.allowed === null || (g.maxSteps <= g.allowed && g.zeroSign === 0));
    // a run whose every input falls where the table has no measured bound gates nothing: it fails too
    const gatedSomething = Object.values(s.byRegion).some((g) => g.count > 0 && g.allowed !== null);
    s.passed = withinLimits && gatedSomething && s.badLines === 0 && s.checked > 0;
    // Infinity (a NaN mismatch) is written as the string "Infinity": JSON has no Infinity and null would read as "no data".
    io.stdout.write(args.values.json ? `${JSON.stringify(s, (_k, v) => (v === Infinity ? 'Infinity' : v))}\n` : formatSummary(s));
    if (args.values.annotate === 'github') io.stdout.write(githubAnnotations(s, fileLabel, badSeen));
    return s.passed ? EXIT_OK : EXIT_CHECK_FAILED;
  },
};

/**
 * GitHub Actions workflow commands (docs.github.com, "Workflow commands for GitHub Actions"):
 * `::error file=F,line=N::message` marks a line of a file in the run's summary and in a pull
 * request's diff. Properties escape % \r \n : and ,; the message escapes % \r \n.
 */
export function githubAnnotations(s: CheckSummary, file: string, badLines: readonly { line: number; why: string }[]): string {
  const prop = (v: string) => v.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A').replace(/:/g, '%3A').replace(/,/g, '%2C');
  const msg = (v: string) => v.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
  const out: string[] = [];
  const name = `geglu check ${s.fn}${s.approximate ? ` ${s.approximate}` : ''} ${s.dtype}`;
  for (const b of badLines) out.push(`::error file=${prop(file)},line=${b.line},title=${prop(`${name}: bad line`)}::${msg(b.why)}`);
  for (const w of s.worst) {
    const g = s.byRegion;
    const over = Object.values(g).some((r) => r.allowed !== null && (w.steps > r.allowed || w.zeroSign));
    if (!over) continue;
    const where = w.line === null ? '' : `,line=${w.line}`;
    const inputs = w.x !== undefined ? `x=${w.x}` : `gate=${w.gate} up=${w.up}`;
    const at = w.line === null ? `element ${w.index}: ` : '';
    const off = w.zeroSign ? 'zero sign differs' : `${w.steps} steps`;
    out.push(
      `::error file=${prop(file)}${where},title=${prop(`${name}: not correctly rounded`)}::${msg(`${at}${inputs} y=${w.y} expected ${w.expected} (${off})`)}`,
    );
  }
  if (!s.passed) out.push(`::error title=${prop(name)}::${msg(formatSummary(s).trim().split('\n').at(-1)!)}`);
  return out.length > 0 ? `${out.join('\n')}\n` : '';
}

/** The correctly rounded 16-bit fn(x), looked up in the sweep's reference table of all 65,536 inputs. */
function halfReference(fn: EvalFunction, dtype: HalfFormat, oracle: OracleModule): (x: number) => number {
  const { toBits, fromBits } = halfCodec(dtype);
  const { expected } = halfReferenceTable(fn, dtype, (x) => oracle.correctlyRounded(fn, x, dtype));
  return (x) => fromBits(expected[toBits(x)]!);
}

function formatSummary(s: CheckSummary): string {
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
