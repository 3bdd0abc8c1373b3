import { EXIT_INTERNAL, EXIT_OK, EXIT_USAGE, UsageError, writeFailure, type Command, type CommandIO } from './command.js';
import { evalCommand } from '../commands/eval.js';

/** A subcommand, imported on first use so `geglu eval` does not load the property suites. */
interface LazyCommand {
  name: string;
  summary: string;
  load(): Promise<Command>;
}

// The summaries are repeated here so that `geglu --help` loads no command module;
// test/cli keeps them equal to each module's own.
export const COMMANDS: readonly LazyCommand[] = [
  {
    name: 'verify',
    summary: 'run every property suite against every backend and write a report',
    load: async () => (await import('../commands/verify.js')).verifyCommand,
  },
  { name: evalCommand.name, summary: evalCommand.summary, load: async () => evalCommand },
  {
    name: 'check',
    summary: "judge another implementation's outputs (JSONL, safetensors, .npy) against the oracle",
    load: async () => (await import('../commands/check.js')).checkCommand,
  },
  {
    name: 'sweep',
    summary: "check a backend's float32 gelu, gelu-tanh, erf, erfc or a gelu derivative on every one of the 2^32 inputs",
    load: async () => (await import('../commands/sweep.js')).sweepCommand,
  },
  {
    name: 'tolerances',
    summary: 'validate and print the tolerance table',
    load: async () => (await import('../commands/tolerances.js')).tolerancesCommand,
  },
  {
    name: 'constants',
    summary: 'derive √(2/π), 0.044715 and 1.702 from first principles, with their precision',
    load: async () => (await import('../commands/constants.js')).constantsCommand,
  },
];

export const VERSION = '0.1.0';

function mainUsage(): string {
  const width = Math.max(...COMMANDS.map((c) => c.name.length)) + 2;
  return `Usage: geglu <command> [options]   (geglu <command> --help for its options)

Commands:
${COMMANDS.map((c) => `  ${c.name.padEnd(width)}${c.summary}`).join('\n')}

Exit status: 0 success, 1 a bound was exceeded or a check failed, 2 bad usage or a bad input file,
3 internal error (a bug or a failure of the machine, never a verdict on the numbers).
Set GEGLU_DEBUG=1 to see stack traces of unexpected errors.`;
}

/**
 * Runs `geglu argv…` against the given streams and resolves to the exit code. User errors become
 * one line on stderr; nothing here calls process.exit, so tests drive it with fake streams.
 */
export async function runCli(argv: readonly string[], io: CommandIO): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined) {
    io.stderr.write(`${mainUsage()}\n`);
    return EXIT_USAGE;
  }
  if (name === '--help' || name === '-h' || name === 'help') {
    io.stdout.write(`${mainUsage()}\n`);
    return EXIT_OK;
  }
  if (name === '--version') {
    io.stdout.write(`${VERSION}\n`);
    return EXIT_OK;
  }
  const entry = COMMANDS.find((c) => c.name === name);
  if (!entry) {
    io.stderr.write(`geglu: unknown command ${JSON.stringify(name.slice(0, 80))} (see geglu --help)\n`);
    return EXIT_USAGE;
  }
  try {
    const cmd = await entry.load();
    return await cmd.run(rest, io);
  } catch (err) {
    if (err instanceof UsageError) {
      const msg = err.message.startsWith('geglu') ? err.message : `geglu ${name}: ${err.message}`;
      io.stderr.write(`${msg.split('\n')[0]}\n`);
      return EXIT_USAGE;
    }
    const full = writeFailure(err);
    if (full !== undefined) {
      io.stderr.write(`geglu ${name}: cannot write ${(err as NodeJS.ErrnoException).path ?? 'stdout'}: ${full}\n`);
      return EXIT_USAGE;
    }
    const e = err as Error;
    io.stderr.write(`geglu ${name}: internal error: ${e?.message?.split('\n')[0] ?? String(err)}\n`);
    // Unset, empty and 0 all mean off.
    const debug = io.env.GEGLU_DEBUG;
    if (debug !== undefined && debug !== '' && debug !== '0') io.stderr.write(`${e?.stack ?? ''}\n`);
    return EXIT_INTERNAL;
  }
}
