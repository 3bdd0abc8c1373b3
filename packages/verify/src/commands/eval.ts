import { fstatSync } from 'node:fs';
import { formatOptions, parseOrHelp, requireOption, type ArgSpec } from '../cli/args.js';
import { EXIT_CHECK_FAILED, EXIT_OK, UsageError, type Command, type CommandIO } from '../cli/command.js';
import { backendIdFor, getBackend, openBackend } from '../backends/registry.js';
import { BackendUnavailable, EVAL_FUNCTIONS, type EvalFunction, type FloatFormat, type GpuBackendName } from '../backends/types.js';
import { MAX_LINE_BYTES, OutputClosed, OutputWriter, readLineBatches } from '../io/lines.js';
import { formatNumber, numberSyntaxError, parseNumber } from '../io/numbers.js';

/** At most this many bad lines are named one by one on stderr; the rest are counted. */
export const MAX_REPORTED_BAD_LINES = 20;

const spec: ArgSpec = {
  command: 'geglu eval',
  options: {
    fn: { type: 'string', choices: EVAL_FUNCTIONS, description: 'function to evaluate (required)' },
    dtype: {
      type: 'string',
      choices: ['f32', 'f64', 'bf16', 'f16'],
      description: 'round each input to this format and evaluate in it (required)',
    },
    backend: { type: 'string', choices: ['oracle', 'kernel', 'gpu'], description: 'implementation to run (required)' },
    'gpu-backend': {
      type: 'string',
      choices: ['auto', 'webgpu', 'webasm', 'cpu', 'headlessgl'],
      description: 'gpu.js backend for --backend gpu (default auto)',
    },
    'batch-size': { type: 'integer', description: 'lines evaluated per batch (default 8192)' },
  },
};

const usage = `Usage: geglu eval --fn gelu|gelu-tanh|erf|erfc|gelu-grad|gelu-tanh-grad --dtype f32|f64|bf16|f16 --backend oracle|kernel|gpu [--gpu-backend NAME]

Reads one number per line on stdin, rounds it to --dtype (once, to nearest-even, from the exact
decimal), evaluates --fn on the chosen backend and writes one JSON object per line to stdout:
  {"x":"<input as rounded>","y":"<result>"}
Both are JavaScript's shortest round-trip strings of the float64 holding the value ("-0", "NaN",
"Infinity", "-Infinity" spelled out), so each reads back to the same value in --dtype. The backend
that actually ran is printed on stderr. bf16 and f16: --backend oracle (every function) or kernel
(gelu and gelu-tanh, over bit patterns); gpu.js has float32 buffers only.

Input lines: a decimal (1, -0, 2.5e-3, .5), NaN, Infinity, -Infinity, or inf/nan in any case;
surrounding spaces and tabs ignored; CRLF line endings accepted. A bad line (not a number, empty,
longer than ${MAX_LINE_BYTES} bytes) is skipped and named with its line number on stderr; the run goes
on and exits 1 at the end if any line was skipped.

Options:
${formatOptions(spec)}

Exit status: 0 all lines evaluated, 1 some lines skipped, 2 bad usage or backend not available.
Example:
  printf '0.5\\n-3\\n' | geglu eval --fn gelu --dtype f32 --backend oracle`;

export const evalCommand: Command = {
  name: 'eval',
  summary: 'evaluate a function on numbers from stdin, one JSON line each',
  usage,
  async run(argv: readonly string[], io: CommandIO): Promise<number> {
    const args = parseOrHelp(argv, spec, usage, io);
    if (!args) return EXIT_OK;
    const fn = requireOption<EvalFunction>(args, 'fn', spec.command);
    const dtype = requireOption<FloatFormat>(args, 'dtype', spec.command);
    const kind = requireOption<'oracle' | 'kernel' | 'gpu'>(args, 'backend', spec.command);
    // `geglu eval < somefolder`: Node reads a folder on stdin as an empty stream, which
    // would exit 0 with no output; say what is wrong instead.
    // bigint: a plain fstat of a pipe leaves S_IFIFO in the stat buffer that require()'s
    // realpathSync reads next, which then stops resolving pnpm's symlinks (nodejs/node#51142)
    if (io.stdin === process.stdin && fstatSync(0, { bigint: true }).isDirectory()) {
      throw new UsageError(`${spec.command}: stdin is a folder, expected numbers one per line`);
    }
    const gpuName = args.values['gpu-backend'] as GpuBackendName | undefined;
    if (gpuName !== undefined && kind !== 'gpu') {
      throw new UsageError(`${spec.command}: --gpu-backend only applies to --backend gpu, not --backend ${kind}`);
    }
    const batchSize = (args.values['batch-size'] as number | undefined) ?? 8192;
    if (batchSize < 1) throw new UsageError(`${spec.command}: --batch-size must be at least 1`);
    const id = backendIdFor(kind, dtype, gpuName ?? 'auto');
    const info = getBackend(id === 'gpu-auto' ? 'gpu-cpu' : id);
    if (info && (!info.dtypes.includes(dtype) || !info.functions.includes(fn))) {
      throw new UsageError(
        `${spec.command}: backend ${kind} evaluates ${info.functions.join(', ')} in ${info.dtypes.join(', ')}; not ${fn} in ${dtype}` +
          (kind === 'gpu' && !info.dtypes.includes(dtype) ? ' (gpu.js has float32 buffers only)' : ''),
      );
    }
    let session;
    try {
      session = await openBackend(id);
    } catch (err) {
      if (err instanceof BackendUnavailable) throw new UsageError(`${spec.command}: ${err.message}`);
      throw err;
    }
    io.stderr.write(
      `geglu eval: backend ${session.ran}, fn ${fn}, dtype ${dtype}${session.passedOver ? ` (not available: ${session.passedOver})` : ''}\n`,
    );
    const out = new OutputWriter(io.stdout);
    let bad = 0;
    let done = 0;
    try {
      for await (const lines of readLineBatches(io.stdin, { batchSize, maxLineBytes: MAX_LINE_BYTES })) {
        const xs = new Float64Array(lines.length);
        let n = 0;
        for (const line of lines) {
          const why = line.tooLong ? `longer than ${MAX_LINE_BYTES} bytes` : numberSyntaxError(line.text);
          if (why !== null) {
            bad++;
            if (bad <= MAX_REPORTED_BAD_LINES) io.stderr.write(`geglu eval: stdin line ${line.no}: ${why}; skipped\n`);
            continue;
          }
          xs[n++] = parseNumber(line.text, dtype);
        }
        if (n === 0) continue;
        const x = xs.subarray(0, n);
        const y = await session.evaluate(fn, dtype, x);
        let text = '';
        for (let i = 0; i < n; i++) text += `{"x":"${formatNumber(x[i]!)}","y":"${formatNumber(y[i]!)}"}\n`;
        await out.write(text);
        done += n;
      }
    } catch (err) {
      if (err instanceof OutputClosed) return EXIT_OK;
      throw err;
    } finally {
      out.release();
      await session.close();
    }
    if (bad > 0) {
      if (bad > MAX_REPORTED_BAD_LINES) io.stderr.write(`geglu eval: ... and ${bad - MAX_REPORTED_BAD_LINES} more bad lines\n`);
      io.stderr.write(`geglu eval: ${done} lines evaluated, ${bad} skipped\n`);
      return EXIT_CHECK_FAILED;
    }
    return EXIT_OK;
  },
};
