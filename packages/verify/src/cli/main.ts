import { EXIT_CHECK_FAILED, EXIT_OK, EXIT_USAGE, UsageError, type Command, type CommandIO } from './command.js';
import { evalCommand } from '../commands/eval.js';

/** A command written elsewhere in the package, loaded on first use so a missing one only disables itself. */
interface LazyCommand {
  name: string;
  summary: string;
  load(): Promise<Command | string>;
}

function lazy(name: string, summary: string, specifier: string, exportName: string): LazyCommand {
  return {
    name,
    summary,
    async load() {
      try {
        const mod = (await import(specifier)) as Record<string, unknown>;
        const cmd = mod[exportName] as Command | undefined;
        if (!cmd || typeof cmd.run !== 'function') return `geglu ${name} is not available in this build (${specifier} has no ${exportName})`;
        return cmd;
      } catch (err) {
        const e = err as NodeJS.ErrnoException;
        // only the command's own file missing means "not in this build"; a missing import inside it is a real error
        if (e.code === 'ERR_MODULE_NOT_FOUND' && e.message.includes(specifier.slice(2))) return `geglu ${name} is not available in this build`;
        throw err;
      }
    },
  };
}

const eager = (c: Command): LazyCommand => ({ name: c.name, summary: c.summary, load: async () => c });

/** The subcommands of `geglu`, in help order. */
export const COMMANDS: readonly LazyCommand[] = [
  lazy('verify', 'run every property suite against every backend and write a report', '../commands/verify.js', 'verifyCommand'),
  eager(evalCommand),
  lazy('check', "judge another implementation's JSONL outputs against the oracle", '../commands/check.js', 'checkCommand'),
  lazy('sweep', "check the kernel's float32 gelu on every one of the 2^32 inputs", '../commands/sweep.js', 'sweepCommand'),
  lazy('tolerances', 'validate and print the tolerance table', '../commands/tolerances.js', 'tolerancesCommand'),
  lazy('constants', 'derive the gelu-tanh constants from the oracle', '../commands/constants.js', 'constantsCommand'),
];

export const VERSION = '0.1.0';

function mainUsage(): string {
  const width = Math.max(...COMMANDS.map((c) => c.name.length)) + 2;
  return `Usage: geglu <command> [options]   (geglu <command> --help for its options)

Commands:
${COMMANDS.map((c) => `  ${c.name.padEnd(width)}${c.summary}`).join('\n')}

Exit status: 0 success, 1 a bound was exceeded or a check failed, 2 bad usage.
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
    if (typeof cmd === 'string') {
      io.stderr.write(`geglu: ${cmd}\n`);
      return EXIT_USAGE;
    }
    return await cmd.run(rest, io);
  } catch (err) {
    if (err instanceof UsageError) {
      const msg = err.message.startsWith('geglu') ? err.message : `geglu ${name}: ${err.message}`;
      io.stderr.write(`${msg.split('\n')[0]}\n`);
      return EXIT_USAGE;
    }
    const e = err as Error;
    io.stderr.write(`geglu ${name}: internal error: ${e?.message?.split('\n')[0] ?? String(err)}\n`);
    if (io.env.GEGLU_DEBUG) io.stderr.write(`${e?.stack ?? ''}\n`);
    return EXIT_CHECK_FAILED;
  }
}
