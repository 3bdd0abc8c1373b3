import { UsageError } from './command.js';

/** One `--name` option of a subcommand. */
export interface OptionSpec {
  /** `string` takes a value, `boolean` takes none, `integer` takes a non-negative safe integer. */
  type: 'string' | 'boolean' | 'integer';
  /** When present, the value must be one of these. */
  choices?: readonly string[];
  /** May be given more than once (values collected in order). */
  multiple?: boolean;
  /** Shown in `--help`. */
  description: string;
  /** Placeholder for the value in `--help`, e.g. `FILE`. */
  valueName?: string;
}

export interface ArgSpec {
  /** `geglu eval`, used in messages. */
  command: string;
  options: Record<string, OptionSpec>;
  /** Positional arguments allowed: [min, max]; max may be Infinity. */
  positionals?: { min: number; max: number; name: string };
}

export interface ParsedArgs {
  /** string → string, integer → number, boolean → true, multiple → array. Absent options are absent. */
  values: Record<string, string | number | boolean | string[] | number[] | undefined>;
  positionals: string[];
  /** `--help` or `-h` was given; nothing else was validated. */
  help: boolean;
}

/**
 * A strict argument parser: unknown options, missing values, repeated single options,
 * values outside `choices` and malformed integers are UsageErrors (one line, exit 2).
 * Accepts `--name value` and `--name=value`; `--` ends the options. Short options other
 * than `-h` do not exist, so a lone `-x` is an unknown option, while `-1` (a number) is a
 * positional or a value.
 */
export function parseArgs(argv: readonly string[], spec: ArgSpec): ParsedArgs {
  if (argv.includes('--help') || argv.includes('-h')) {
    const end = argv.indexOf('--');
    const at = Math.max(argv.indexOf('--help'), argv.indexOf('-h'));
    if (end === -1 || at < end) return { values: {}, positionals: [], help: true };
  }
  const values: ParsedArgs['values'] = {};
  const positionals: string[] = [];
  let onlyPositionals = false;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (onlyPositionals || !arg.startsWith('-') || arg === '-' || /^-\d|^-\.\d/.test(arg)) {
      positionals.push(arg);
      continue;
    }
    if (arg === '--') {
      onlyPositionals = true;
      continue;
    }
    if (!arg.startsWith('--')) {
      throw new UsageError(`${spec.command}: unknown option ${quote(arg)} (see ${spec.command} --help)`);
    }
    const eq = arg.indexOf('=');
    const name = eq === -1 ? arg.slice(2) : arg.slice(2, eq);
    const opt = Object.hasOwn(spec.options, name) ? spec.options[name] : undefined;
    if (opt === undefined) {
      throw new UsageError(`${spec.command}: unknown option --${name} (see ${spec.command} --help)`);
    }
    let raw: string | undefined;
    if (opt.type === 'boolean') {
      if (eq !== -1) throw new UsageError(`${spec.command}: option --${name} takes no value, got ${quote(arg.slice(eq + 1))}`);
    } else if (eq !== -1) {
      raw = arg.slice(eq + 1);
    } else {
      const next = argv[i + 1];
      if (next === undefined || (next.startsWith('--') && next.length > 2) || next === '--') {
        throw new UsageError(`${spec.command}: option --${name} needs a value${opt.valueName ? ` (${opt.valueName})` : ''}`);
      }
      raw = next;
      i++;
    }
    let value: string | number | boolean;
    if (opt.type === 'boolean') value = true;
    else {
      if (raw === '') throw new UsageError(`${spec.command}: option --${name} needs a non-empty value`);
      if (opt.choices && !opt.choices.includes(raw!)) {
        throw new UsageError(`${spec.command}: option --${name} must be one of ${opt.choices.join(', ')}; got ${quote(raw!)}`);
      }
      if (opt.type === 'integer') {
        if (!/^\d+$/.test(raw!) || !Number.isSafeInteger(Number(raw))) {
          throw new UsageError(`${spec.command}: option --${name} must be a non-negative integer; got ${quote(raw!)}`);
        }
        value = Number(raw);
      } else value = raw!;
    }
    if (opt.multiple) {
      const list = (values[name] ?? []) as (string | number)[];
      list.push(value as string | number);
      values[name] = list as string[] | number[];
    } else {
      if (values[name] !== undefined) throw new UsageError(`${spec.command}: option --${name} given more than once`);
      values[name] = value;
    }
  }
  const pos = spec.positionals ?? { min: 0, max: 0, name: '' };
  if (positionals.length > pos.max) {
    throw new UsageError(
      pos.max === 0
        ? `${spec.command}: unexpected argument ${quote(positionals[0]!)} (see ${spec.command} --help)`
        : `${spec.command}: too many arguments; expected at most ${pos.max} ${pos.name}, got ${positionals.length}`,
    );
  }
  if (positionals.length < pos.min) {
    throw new UsageError(`${spec.command}: missing ${pos.name} (see ${spec.command} --help)`);
  }
  return { values, positionals, help: false };
}

/** Throws a UsageError when a required option is absent. */
export function requireOption<T>(args: ParsedArgs, name: string, command: string): T {
  const v = args.values[name];
  if (v === undefined) throw new UsageError(`${command}: option --${name} is required (see ${command} --help)`);
  return v as T;
}

/** Renders the options part of a `--help` text from the spec. */
export function formatOptions(spec: ArgSpec): string {
  const rows = Object.entries(spec.options).map(([name, o]) => {
    const v = o.type === 'boolean' ? '' : ` ${o.valueName ?? (o.choices ? o.choices.join('|') : o.type === 'integer' ? 'N' : 'VALUE')}`;
    return [`  --${name}${v}`, o.description] as const;
  });
  rows.push(['  --help', 'show this help']);
  const width = Math.min(40, Math.max(...rows.map(([l]) => l.length)) + 2);
  return rows.map(([l, d]) => (l.length >= width ? `${l}\n${' '.repeat(width)}${d}` : l.padEnd(width) + d)).join('\n');
}

/** JSON-quotes a user string for a message, cut to 80 characters so a huge argument stays one short line. */
export function quote(s: string): string {
  const cut = s.length > 80 ? `${s.slice(0, 77)}...` : s;
  return JSON.stringify(cut);
}

/**
 * {@link parseArgs}, and for `--help` writes the usage to stdout and returns null,
 * so a command reads `const args = parseOrHelp(…); if (!args) return EXIT_OK;`.
 */
export function parseOrHelp(
  argv: readonly string[],
  spec: ArgSpec,
  usage: string,
  io: { stdout: { write(chunk: string): unknown } },
): ParsedArgs | null {
  const args = parseArgs(argv, spec);
  if (!args.help) return args;
  io.stdout.write(usage.endsWith('\n') ? usage : `${usage}\n`);
  return null;
}
