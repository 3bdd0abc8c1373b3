import { execFileSync } from 'node:child_process';
import { availableParallelism } from 'node:os';
import { formatOptions, parseOrHelp, quote, requireOption, type ArgSpec } from '../cli/args.js';
import { EXIT_CHECK_FAILED, EXIT_OK, UsageError, type Command, type CommandIO } from '../cli/command.js';
import { checkOutputFile } from '../cli/paths.js';
import { SWEEP_FUNCTIONS, type RegionCounts, type SweepFunction } from '../sweep/engine.js';
import {
  RELAXED_SIMD_MODES,
  SWEEP_BACKENDS,
  sweepDtypeOf,
  sweepFunctionsOf,
  type RelaxedSimdMode,
  type SweepBackend,
} from '../sweep/impl.js';
import { gatedSteps, loadTolerances, REGIONS, ToleranceError, toleranceFor } from '../tolerances/index.js';
import {
  ALL_INPUTS,
  coveredCount,
  inputsOf,
  SWEEP_DTYPES,
  type SweepDtype,
  formatHistogram,
  hex,
  mergeResults,
  readResult,
  SweepFileError,
  writeJsonAtomic,
  type SweepResult,
} from '../sweep/result.js';
import { runHalfSweep, runSweep, SweepUnavailable } from '../sweep/run.js';

export const DEFAULT_CHUNK_SIZE = 1 << 20;

const TABLE_OPTION = {
  type: 'boolean',
  description:
    "pass when each region's largest steps is within the tolerance table's bound for the backend (default: every result correctly rounded)",
} as const;

const spec: ArgSpec = {
  command: 'geglu sweep',
  options: {
    fn: { type: 'string', choices: SWEEP_FUNCTIONS, description: 'function to sweep (required)' },
    backend: {
      type: 'string',
      choices: SWEEP_BACKENDS,
      description: 'implementation to check (default kernel-<dtype>; gpu-* are @geglu/gpu on that gpu.js mode, f32 only)',
    },
    dtype: {
      type: 'string',
      choices: SWEEP_DTYPES,
      description: 'input and output format (required); bf16 and f16: all 65,536 inputs in one call',
    },
    range: {
      type: 'string',
      valueName: 'START:END',
      description: 'bit patterns START (inclusive) to END (exclusive), decimal or 0x hex; default 0:0x100000000',
    },
    shard: { type: 'string', valueName: 'i/n', description: 'check only the i-th of n equal parts of the range (1 ≤ i ≤ n)' },
    workers: { type: 'integer', valueName: 'K', description: 'worker threads (default: available cores)' },
    resume: {
      type: 'string',
      valueName: 'FILE',
      description: 'checkpoint file: continue from it if it exists, keep it up to date (written atomically)',
    },
    out: { type: 'string', valueName: 'FILE', description: 'write the JSON result (for geglu sweep merge)' },
    'chunk-size': {
      type: 'integer',
      valueName: 'N',
      description: `inputs per unit of work and checkpoint (default ${DEFAULT_CHUNK_SIZE})`,
    },
    'relaxed-simd': {
      type: 'string',
      choices: RELAXED_SIMD_MODES,
      description:
        "kernel backends: the WebAssembly multiply-add path (default auto: relaxed SIMD's madd where the engine validates it; on: require it, setting Node 20's --experimental-wasm-relaxed-simd; off: mul and add)",
    },
    table: TABLE_OPTION,
  },
};

const mergeSpec: ArgSpec = {
  command: 'geglu sweep merge',
  options: {
    out: { type: 'string', valueName: 'FILE', description: 'write the merged JSON result' },
    partial: { type: 'boolean', description: 'do not fail when the files cover less than all 2^32 inputs' },
    table: TABLE_OPTION,
  },
  positionals: { min: 1, max: Infinity, name: 'FILES' },
};

const usage = `Usage: geglu sweep --fn gelu|gelu-tanh|erf|erfc|gelu-grad|gelu-tanh-grad --dtype f32 [--backend kernel-f32|gpu-webasm|gpu-cpu|gpu-webgpu]
                   [--range START:END] [--shard i/n] [--workers K] [--resume FILE] [--out FILE] [--chunk-size N]
                   [--relaxed-simd auto|on|off] [--table]
       geglu sweep --fn gelu|gelu-tanh --dtype bf16|f16 [--backend kernel-bf16|kernel-f16] [--relaxed-simd auto|on|off]
                   [--out FILE] [--table]
       geglu sweep merge [--partial] [--table] [--out FILE] FILES...

Checks a backend's float32 function on every float32 input (all 2^32 bit patterns, NaN payloads
included) against a float64 reference with a proven per-input error bound, asking the oracle's
correctlyRounded only where that bound does not decide the rounding. Prints a progress line on
stderr (rate, ETA) and a summary on stdout: the histogram of steps, and per region of the tolerance
table (tail, subnormal, normal) the largest steps and the input reaching it. The kernel-f32 backend
has gelu and gelu-tanh and their derivatives gelu-grad and gelu-tanh-grad (geluGradArray); the gpu-*
backends (@geglu/gpu, one GegluGpu per worker) have gelu, gelu-tanh, erf and erfc.

With --dtype bf16 or f16 the kernel's 16-bit gelu (geluBf16Array, geluF16Array over bit patterns)
is checked on all 65,536 inputs of the format at once, against a table of correctly rounded
results built from the same float64 reference (the oracle where its bound does not decide). The
gpu-* backends have no 16-bit functions: gpu.js has float32 buffers only.

The kernel's WebAssembly kernels have two paths: with relaxed SIMD's f64x2.relaxed_madd (which the
engine may fuse or not) and without; both must be correctly rounded. --relaxed-simd picks one in
every worker thread, and the result records it (relaxedSimd, and in device whether madd fused). Node
20 has relaxed SIMD only behind a V8 flag, which --relaxed-simd on sets; Node 22 has it by default,
so auto takes it there. The 16-bit kernels compute in JavaScript: the path changes nothing in them.

A killed sweep resumes with --resume FILE: the checkpoint lists whole chunks only, so no input is
checked twice or skipped. Shards (--shard i/n) of one range are joined with geglu sweep merge,
which refuses overlapping files and, unless --partial, files that do not cover all 2^32 inputs.

sweep options:
${formatOptions(spec)}

merge options:
${formatOptions(mergeSpec)}

Exit status: 0 every input correctly rounded (with --table: every region within the tolerance
table's bound for the backend), 1 a mismatch (a region beyond the bound), an undecided input (no
oracle) or missing coverage, 2 bad usage, unreadable or overlapping files, or the backend not
available.`;

function parseBits(s: string, what: string): number {
  const v = /^0x[0-9a-f]+$/i.test(s) ? parseInt(s.slice(2), 16) : /^\d+$/.test(s) ? Number(s) : NaN;
  if (!Number.isSafeInteger(v) || v > ALL_INPUTS) {
    throw new UsageError(`geglu sweep: --range ${what} must be an integer in [0, 0x100000000], got ${quote(s)}`);
  }
  return v;
}

/** 4.29G, 12.3M, 32.8k, 512: counts and rates readable at any scale. */
function count(n: number): string {
  if (n >= 1e9) return `${(n / 1e9).toFixed(2)}G`;
  if (n >= 1e6) return `${(n / 1e6).toFixed(1)}M`;
  if (n >= 1e3) return `${(n / 1e3).toFixed(1)}k`;
  return String(Math.round(n));
}

function fmtDuration(s: number): string {
  if (!Number.isFinite(s)) return '?';
  const m = Math.floor(s / 60);
  return m > 0 ? `${m}m${String(Math.round(s % 60)).padStart(2, '0')}s` : `${s.toFixed(1)}s`;
}

function summary(r: SweepResult, label: string): string {
  const lines = [
    `${label}: ${r.checked} inputs checked (${r.nan} NaN), ${r.escalated} escalated to the oracle, ${r.undecided} undecided, ${r.mismatches} not correctly rounded (${r.zeroSign} of them a zero of the wrong sign)`,
    `  backend: ${r.backend}, impl: ${r.impl}`,
    `  device: ${r.device}${r.commit ? `, commit ${r.commit}` : ''}`,
    `  covered: ${r.intervals
      .map(([s, e]) => `[0x${hex(s)}, 0x${hex(e)})`)
      .slice(0, 8)
      .join(' ')}${r.intervals.length > 8 ? ' …' : ''}`,
    `  steps histogram: ${formatHistogram(r.histogram)}`,
    `  time: ${fmtDuration(r.elapsedSeconds)} (summed over runs${r.target ? '' : ' and shards'})`,
  ];
  for (const g of REGIONS) lines.push(`  ${g}: ${regionLine(r.regions[g])}`);
  for (const w of r.worst.slice(0, 10))
    lines.push(
      `  worst: x=${w.x} (0x${hex(w.bits)}) got ${w.got}, expected ${w.expected}: ${w.zeroSign ? 'zero sign differs (0 steps)' : `${w.steps} steps`}`,
    );
  return `${lines.join('\n')}\n`;
}

/**
 * What fails a result: undecided inputs always; then, by default, any input not correctly rounded,
 * or with `--table`, a region whose largest steps exceeds the shipped table's bound for the backend
 * (a NaN or ±∞ input, in no region, must be exact either way).
 */
function judge(r: SweepResult, againstTable: boolean): string[] {
  const problems: string[] = [];
  if (r.undecided > 0) problems.push(`${r.undecided} inputs undecided (no oracle)`);
  if (!againstTable) {
    if (r.mismatches > 0) problems.push(`${r.mismatches} inputs not correctly rounded (${r.zeroSign} of them a zero of the wrong sign)`);
    return problems;
  }
  // no step bound excuses a zero of the wrong sign (it is 0 steps from the right one)
  if (r.zeroSign > 0) problems.push(`${r.zeroSign} results are a zero of the wrong sign`);
  let table;
  try {
    table = loadTolerances();
  } catch (err) {
    if (err instanceof ToleranceError) throw new UsageError(`geglu sweep: ${err.message}`);
    throw err;
  }
  const inRegions = REGIONS.reduce((n, g) => n + r.regions[g].mismatches, 0);
  if (r.mismatches > inRegions) problems.push(`${r.mismatches - inRegions} NaN or ±∞ inputs without their exact result`);
  for (const g of REGIONS) {
    const e = toleranceFor(table, r.backend, r.fn, r.dtype, g);
    const bound = e ? gatedSteps(e) : null;
    const max = r.regions[g].maxSteps === 'Infinity' ? Infinity : r.regions[g].maxSteps;
    if (bound === null) problems.push(`${g}: the table has no gated bound for ${r.backend} ${r.fn} ${r.dtype} (max seen ${max} steps)`);
    else if (max > bound) problems.push(`${g}: max ${max} steps > the table's ${bound}`);
  }
  return problems;
}

function regionLine(c: RegionCounts): string {
  const w = c.worst;
  return (
    `${c.checked} inputs, ${c.mismatches} not correctly rounded, max ${c.maxSteps} steps` +
    (w ? ` at x=${w.x} (0x${hex(w.bits)}): got ${w.got}, correctly rounded ${w.expected}` : '')
  );
}

/**
 * The commit swept: HEAD of the checkout this command runs from, "-dirty" when the sources a sweep
 * depends on (the packages' src folders) differ from it; undefined outside a git checkout.
 */
function describeCommit(): string | undefined {
  const git = (...a: string[]): string =>
    execFileSync('git', a, { cwd: new URL('.', import.meta.url).pathname, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  try {
    const root = git('rev-parse', '--show-toplevel');
    const head = git('rev-parse', '--short=12', 'HEAD');
    const sources = ['oracle', 'kernel', 'gpu', 'verify'].map((p) => `${root}/packages/${p}/src`);
    return git('status', '--porcelain', '--', ...sources) === '' ? head : `${head}-dirty`;
  } catch {
    return undefined;
  }
}

async function merge(argv: readonly string[], io: CommandIO): Promise<number> {
  const args = parseOrHelp(argv, mergeSpec, usage, io);
  if (!args) return EXIT_OK;
  if (args.values.out) checkOutputFile(args.values.out as string, '--out', 'geglu sweep merge');
  let merged: SweepResult;
  try {
    merged = mergeResults(args.positionals.map((file) => ({ file, result: readResult(file) })));
  } catch (err) {
    if (err instanceof SweepFileError) throw new UsageError(`geglu sweep merge: ${err.message}`);
    throw err;
  }
  if (args.values.out) writeJsonAtomic(args.values.out as string, merged);
  const covered = merged.intervals.reduce((n, [s, e]) => n + e - s, 0);
  io.stdout.write(
    summary(
      merged,
      `sweep merge ${merged.backend} ${merged.fn} ${merged.dtype} (${args.positionals.length} files, ${covered} of ${inputsOf(merged.dtype)} inputs)`,
    ),
  );
  const problems = judge(merged, args.values.table === true);
  if (!merged.complete && !args.values.partial) problems.push(`covers ${covered} of ${inputsOf(merged.dtype)} inputs`);
  io.stdout.write(problems.length === 0 ? 'PASS\n' : `FAIL: ${problems.join('; ')}\n`);
  return problems.length === 0 ? EXIT_OK : EXIT_CHECK_FAILED;
}

/** The 16-bit sweep: one call over all 65,536 inputs, so the f32 sweep's partitioning options do not apply. */
async function sweepHalf(
  fn: SweepFunction,
  dtype: 'bf16' | 'f16',
  values: Record<string, unknown>,
  relaxedSimd: RelaxedSimdMode,
  io: CommandIO,
): Promise<number> {
  for (const o of ['range', 'shard', 'workers', 'resume', 'chunk-size']) {
    if (values[o] !== undefined)
      throw new UsageError(`geglu sweep: --${o} does not apply to --dtype ${dtype} (all 65,536 inputs are checked in one call)`);
  }
  const commit = describeCommit();
  let run: Awaited<ReturnType<typeof runHalfSweep>>;
  try {
    run = await runHalfSweep(fn, dtype, relaxedSimd);
  } catch (err) {
    if (err instanceof SweepUnavailable) throw new UsageError(`geglu sweep: ${err.message}`);
    throw err;
  }
  const result = run.result;
  if (!run.oracle) io.stderr.write('geglu sweep: NO ORACLE: undecided inputs will fail the sweep\n');
  if (commit !== undefined) result.commit = commit;
  if (values.out) writeJsonAtomic(values.out as string, result);
  io.stdout.write(summary(result, `sweep ${result.backend} ${fn} ${dtype} (all ${inputsOf(dtype)} inputs)`));
  const problems = judge(result, values.table === true);
  io.stdout.write(problems.length === 0 ? 'PASS\n' : `FAIL: ${problems.join('; ')}\n`);
  return problems.length === 0 ? EXIT_OK : EXIT_CHECK_FAILED;
}

export const sweepCommand: Command = {
  name: 'sweep',
  summary: "check a backend's float32 gelu, gelu-tanh, erf, erfc or a gelu derivative on every one of the 2^32 inputs",
  usage,
  async run(argv: readonly string[], io: CommandIO): Promise<number> {
    if (argv[0] === 'merge') return merge(argv.slice(1), io);
    const args = parseOrHelp(argv, spec, usage, io);
    if (!args) return EXIT_OK;
    const fn = requireOption<SweepFunction>(args, 'fn', spec.command);
    const dtype = requireOption<SweepDtype>(args, 'dtype', spec.command);
    const backend = (args.values.backend as SweepBackend | undefined) ?? (`kernel-${dtype}` as const);
    if (sweepDtypeOf(backend) !== dtype) {
      throw new UsageError(
        `geglu sweep: --backend ${backend} has no ${dtype} (it computes in ${sweepDtypeOf(backend)}${backend.startsWith('gpu-') ? ': gpu.js has float32 buffers only' : ''})`,
      );
    }
    if (!sweepFunctionsOf(backend).includes(fn)) {
      throw new UsageError(
        `geglu sweep: --backend ${backend} has no ${dtype === 'f32' ? 'float32' : dtype} ${fn} (it has ${sweepFunctionsOf(backend).join(', ')})`,
      );
    }
    const relaxedSimd = (args.values['relaxed-simd'] as RelaxedSimdMode | undefined) ?? 'auto';
    if (args.values['relaxed-simd'] !== undefined && !backend.startsWith('kernel-')) {
      throw new UsageError(
        `geglu sweep: --relaxed-simd applies to the kernel backends, not ${backend} (gpu.js builds its own WebAssembly)`,
      );
    }
    if (args.values.out) checkOutputFile(args.values.out as string, '--out', 'geglu sweep');
    if (dtype !== 'f32') return sweepHalf(fn, dtype, args.values, relaxedSimd, io);
    if (args.values.resume) checkOutputFile(args.values.resume as string, '--resume', 'geglu sweep');
    let start = 0;
    let end = ALL_INPUTS;
    const range = args.values.range as string | undefined;
    if (range !== undefined) {
      const m = /^([^:]+):([^:]+)$/.exec(range);
      if (!m) throw new UsageError(`geglu sweep: --range must be START:END, got ${quote(range)}`);
      start = parseBits(m[1]!, 'START');
      end = parseBits(m[2]!, 'END');
      if (start >= end) throw new UsageError(`geglu sweep: --range START must be below END, got ${quote(range)}`);
    }
    const shard = args.values.shard as string | undefined;
    if (shard !== undefined) {
      const m = /^(\d+)\/(\d+)$/.exec(shard);
      const i = m ? Number(m[1]) : NaN;
      const n = m ? Number(m[2]) : NaN;
      if (!m || !(n >= 1 && n <= 65536 && i >= 1 && i <= n)) {
        throw new UsageError(`geglu sweep: --shard must be i/n with 1 ≤ i ≤ n ≤ 65536, got ${quote(shard)}`);
      }
      const total = end - start;
      [start, end] = [start + Math.floor((total * (i - 1)) / n), start + Math.floor((total * i) / n)];
      if (start === end) throw new UsageError(`geglu sweep: shard ${shard} of a range of ${total} inputs is empty`);
    }
    const workers = (args.values.workers as number | undefined) ?? availableParallelism();
    if (workers < 1 || workers > 256) throw new UsageError(`geglu sweep: --workers must be between 1 and 256, got ${workers}`);
    const chunkSize = (args.values['chunk-size'] as number | undefined) ?? DEFAULT_CHUNK_SIZE;
    if (chunkSize < 1 || chunkSize > 2 ** 28)
      throw new UsageError(`geglu sweep: --chunk-size must be between 1 and 2^28, got ${chunkSize}`);
    // before the sweep: a commit made while it runs is not what it checked
    const commit = describeCommit();
    const tty = (io.stderr as { isTTY?: boolean }).isTTY === true;
    let lastLine = 0;
    let result: SweepResult;
    // Ctrl-C or a CI timeout's SIGTERM: stop between chunks and leave the checkpoint up to date
    const abort = new AbortController();
    const onSignal = (): void => abort.abort();
    process.once('SIGINT', onSignal);
    process.once('SIGTERM', onSignal);
    try {
      result = await runSweep({
        fn,
        backend,
        start,
        end,
        chunkSize,
        workers,
        relaxedSimd,
        signal: abort.signal,
        checkpoint: args.values.resume as string | undefined,
        onStart: ({ impl, device, oracle, resumedInputs, total }) => {
          io.stderr.write(
            `geglu sweep: ${backend} ${fn} f32 over [0x${hex(start)}, 0x${hex(end)}) (${total} inputs), ${workers} workers, impl ${impl} on ${device}` +
              `${oracle ? '' : ', NO ORACLE: undecided inputs will fail the sweep'}${resumedInputs > 0 ? `, resuming with ${resumedInputs} done` : ''}\n`,
          );
        },
        onProgress: ({ done, total, rate, etaSeconds, result: r }) => {
          const now = Date.now();
          if (!tty && now - lastLine < 10_000 && done < total) return;
          lastLine = now;
          const line = `sweep ${fn}: ${((100 * done) / total).toFixed(1)}% (${count(done)} of ${count(total)}), ${count(rate)} inputs/s, ETA ${fmtDuration(etaSeconds)}, ${r.escalated} escalated, ${r.mismatches} mismatches`;
          io.stderr.write(tty ? `\r${line}\x1b[K${done >= total ? '\n' : ''}` : `${line}\n`);
        },
      });
    } catch (err) {
      if (err instanceof SweepFileError || err instanceof SweepUnavailable) throw new UsageError(`geglu sweep: ${err.message}`);
      throw err;
    } finally {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
    }
    if (abort.signal.aborted && !result.complete) {
      io.stderr.write(
        args.values.resume
          ? `geglu sweep: interrupted; ${args.values.resume} holds every finished chunk: run the same command to resume\n`
          : 'geglu sweep: interrupted (use --resume FILE to be able to continue an interrupted sweep)\n',
      );
    }
    if (commit !== undefined) result.commit = commit;
    if (args.values.out) writeJsonAtomic(args.values.out as string, result);
    io.stdout.write(summary(result, `sweep ${backend} ${fn} f32 [0x${hex(start)}, 0x${hex(end)})`));
    const problems = judge(result, args.values.table === true);
    if (!result.complete) problems.push(`covers ${coveredCount(result.intervals)} of ${end - start} inputs`);
    const ok = problems.length === 0;
    io.stdout.write(ok ? 'PASS\n' : `FAIL: ${problems.join('; ')}\n`);
    return ok ? EXIT_OK : EXIT_CHECK_FAILED;
  },
};
