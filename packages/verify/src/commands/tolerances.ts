import { formatOptions, parseOrHelp, type ArgSpec } from '../cli/args.js';
import { EXIT_OK, UsageError, type Command, type CommandIO } from '../cli/command.js';
import { formatTolerancesMarkdown, formatTolerancesText, loadTolerances, ToleranceError } from '../tolerances/index.js';

const spec: ArgSpec = {
  command: 'geglu tolerances',
  options: {
    tolerances: { type: 'string', valueName: 'FILE', description: 'validate and print this file instead of the shipped tolerances.json' },
    markdown: { type: 'boolean', description: 'print the Markdown table the README accuracy section is generated from' },
  },
};

const usage = `Usage: geglu tolerances [--tolerances FILE] [--markdown]

Validates the tolerance table (per backend, function, dtype and input region: the most steps a
result may be from the correctly rounded one, and how that was measured) and prints it.
A file that does not match the schema is rejected with the JSON path of the bad field; exit 2.

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
    io.stdout.write(`${args.values.markdown ? formatTolerancesMarkdown(table) : formatTolerancesText(table)}\n`);
    return EXIT_OK;
  },
};
