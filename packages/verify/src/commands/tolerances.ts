import { formatOptions, parseOrHelp, type ArgSpec } from '../cli/args.js';
import { EXIT_OK, UsageError, type Command, type CommandIO } from '../cli/command.js';
import { formatTolerancesMarkdown, formatTolerancesText, loadTolerances, ToleranceError, validateTolerances } from '../tolerances/index.js';
import { tolerancesFromSweeps } from '../tolerances/from-sweeps.js';
import { SweepFileError } from '../sweep/result.js';

const spec: ArgSpec = {
  command: 'geglu tolerances',
  options: {
    tolerances: { type: 'string', valueName: 'FILE', description: 'validate and print this file instead of the shipped tolerances.json' },
    markdown: { type: 'boolean', description: 'print the Markdown table the README accuracy section is generated from' },
    'from-sweeps': {
      type: 'string',
      valueName: 'DIR',
      description: 'print the table as JSON with every entry a complete sweep result in DIR covers set from it (exhaustive)',
    },
  },
};

const usage = `Usage: geglu tolerances [--tolerances FILE] [--markdown | --from-sweeps DIR]

Validates the tolerance table (per backend, function, dtype and input region: the most steps a
result may be from the correctly rounded one, and how that was measured) and prints it.
A file that does not match the schema is rejected with the JSON path of the bad field; exit 2.
With --from-sweeps, prints the table (JSON) updated from the sweep results in DIR, e.g.
  geglu tolerances --from-sweeps packages/verify/sweeps > new.json && mv new.json packages/verify/tolerances.json

Options:
${formatOptions(spec)}`;

export const tolerancesCommand: Command = {
  name: 'tolerances',
  summary: 'validate and print the tolerance table',
  usage,
  async run(argv: readonly string[], io: CommandIO): Promise<number> {
    const args = parseOrHelp(argv, spec, usage, io);
    if (!args) return EXIT_OK;
    let table;
    try {
      table = loadTolerances(args.values.tolerances as string | undefined);
    } catch (err) {
      if (err instanceof ToleranceError) throw new UsageError(`geglu tolerances: ${err.message}`);
      throw err;
    }
    const dir = args.values['from-sweeps'] as string | undefined;
    if (dir !== undefined) {
      if (args.values.markdown) throw new UsageError('geglu tolerances: --markdown and --from-sweeps do not go together');
      let updated;
      try {
        updated = tolerancesFromSweeps(table, dir);
        validateTolerances(JSON.parse(JSON.stringify(updated.table)), `${dir} applied`);
      } catch (err) {
        if (err instanceof ToleranceError || err instanceof SweepFileError) throw new UsageError(`geglu tolerances: ${err.message}`);
        if ((err as NodeJS.ErrnoException).code === 'ENOENT' || (err as NodeJS.ErrnoException).code === 'ENOTDIR') {
          throw new UsageError(`geglu tolerances: --from-sweeps ${dir}: not a readable folder`);
        }
        throw err;
      }
      io.stderr.write(`geglu tolerances: set from ${updated.applied.length} sweep results: ${updated.applied.join(', ')}\n`);
      io.stdout.write(`${JSON.stringify(updated.table, null, 2)}\n`);
      return EXIT_OK;
    }
    io.stdout.write(`${args.values.markdown ? formatTolerancesMarkdown(table) : formatTolerancesText(table)}\n`);
    return EXIT_OK;
  },
};
