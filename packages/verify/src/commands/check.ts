import { open, type FileHandle } from 'node:fs/promises';
import type { Readable } from 'node:stream';
import { formatOptions, parseOrHelp, requireOption, type ArgSpec } from '../cli/args.js';
import { EXIT_CHECK_FAILED, EXIT_OK, UsageError, type Command, type CommandIO } from '../cli/command.js';
import { loadOracle } from '../backends/modules.js';
import type { FloatFormat } from '../backends/types.js';
import { MAX_LINE_BYTES } from '../io/lines.js';
import { CheckInputError, jsonlBatches, npyBatches, safetensorsBatches, type CheckBatch } from '../io/check-inputs.js';
import { gatedSteps, loadTolerances, REGIONS, TOLERANCE_BACKENDS, ToleranceError, toleranceFor, type Region } from '../tolerances/index.js';
import type { BackendId } from '../backends/types.js';
import { CHECK_FUNCTIONS, CheckJudge, checkFields, formatSummary, type CheckFunction, type CheckSummary } from '../check/judge.js';

export type { CheckFunction, CheckSummary, CheckWorst } from '../check/judge.js';

export const MAX_REPORTED_BAD_LINES = 20;

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
    const fields = checkFields(fn);
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
    const judge = new CheckJudge(
      {
        fn,
        approximate,
        dtype,
        input: plan.kind,
        limits,
        maxStepsAllowed: backend === undefined ? (maxStepsOption ?? 0) : null,
        backend: backend ?? null,
      },
      oracle,
    );
    const fileLabel = plan.kind === 'npy' ? plan.files.at(-1)! : plan.file === '-' ? 'stdin' : plan.file;
    const badSeen: { line: number; why: string }[] = [];
    const bad = (no: number, why: string): void => {
      if (judge.badLine() <= MAX_REPORTED_BAD_LINES) {
        io.stderr.write(`geglu check: ${fileLabel} line ${no}: ${why}; skipped\n`);
        badSeen.push({ line: no, why });
      }
    };
    let batches: AsyncGenerator<CheckBatch>;
    let close = async (): Promise<void> => {};
    try {
      if (plan.kind === 'jsonl') {
        const input = await openInput(plan.file, io);
        batches = jsonlBatches(input, fields, dtype, bad, (no) => judge.line(no));
      } else {
        const opened = plan.kind === 'npy' ? await npyBatches(plan.files, dtype) : await safetensorsBatches(plan.file, plan.names, dtype);
        batches = opened.batches;
        close = opened.close;
      }
    } catch (err) {
      if (err instanceof CheckInputError) throw new UsageError(`geglu check: ${err.message}`);
      throw err;
    }
    try {
      for await (const batch of batches) judge.add(batch);
    } catch (err) {
      const e = err as NodeJS.ErrnoException;
      if (err instanceof CheckInputError) throw new UsageError(`geglu check: ${err.message}`);
      if (e.code === 'EISDIR' || e.code === 'EACCES') throw new UsageError(`geglu check: cannot read ${fileLabel} (${e.code})`);
      if (e.name === 'SafetensorsError' || e.name === 'NpyError') throw new UsageError(`geglu check: ${e.message}`);
      throw err;
    } finally {
      await close();
    }
    const s = judge.finish();
    if (s.badLines > MAX_REPORTED_BAD_LINES)
      io.stderr.write(`geglu check: ... and ${s.badLines - MAX_REPORTED_BAD_LINES} more bad lines\n`);
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
