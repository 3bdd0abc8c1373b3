import type { Readable, Writable } from 'node:stream';

/** The streams a command reads and writes; tests pass their own. */
export interface CommandIO {
  stdin: Readable;
  stdout: Writable;
  stderr: Writable;
  /** Environment (GEGLU_SEED and friends); defaults to process.env in the CLI. */
  env: Record<string, string | undefined>;
}

/** One `geglu <name>` subcommand. `run` resolves to the exit code. */
export interface Command {
  name: string;
  /** One line for `geglu --help`. */
  summary: string;
  /** Full `geglu <name> --help` text. */
  usage: string;
  run(argv: readonly string[], io: CommandIO): Promise<number>;
}

/** Exit codes of the geglu command. */
export const EXIT_OK = 0;
/** A bound was exceeded or a check failed. */
export const EXIT_CHECK_FAILED = 1;
/** Bad usage: unknown flag, missing value, conflicting options, unreadable input file. */
export const EXIT_USAGE = 2;
/** An unexpected error (a bug, or a failure of the machine): a CI pipeline must tell it from a failed check. */
export const EXIT_INTERNAL = 3;

/** A user error: printed as one line (no stack trace) and exits with EXIT_USAGE. */
export class UsageError extends Error {
  override name = 'UsageError';
}

/** Write errors that are the machine's state (a full disk), not a bug: they exit EXIT_USAGE with this text. */
const WRITE_FAILURES: Readonly<Record<string, string>> = {
  ENOSPC: 'no space left on device',
  EDQUOT: 'disk quota exceeded',
  EFBIG: 'file too large for the file system',
};

/** "no space left on device (ENOSPC)" for a write failure of the machine, else undefined. */
export function writeFailure(err: unknown): string | undefined {
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  return typeof code === 'string' && Object.hasOwn(WRITE_FAILURES, code) ? `${WRITE_FAILURES[code]} (${code})` : undefined;
}
