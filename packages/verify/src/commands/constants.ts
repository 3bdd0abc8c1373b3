import { formatOptions, parseOrHelp, type ArgSpec } from '../cli/args.js';
import { EXIT_OK, UsageError, type Command, type CommandIO } from '../cli/command.js';
import { constantsToJSON, deriveConstants, formatConstantsText } from '@geglu/constants';

const spec: ArgSpec = {
  command: 'geglu constants',
  options: {
    digits: { type: 'integer', valueName: 'N', description: 'significant digits, 6…60 (default 30)' },
    json: { type: 'boolean', description: 'print the full derivation as JSON (Decimals as strings)' },
  },
};

const USAGE = `Usage: geglu constants [--digits N] [--json]

Derive GELU's constants from first principles at N significant digits (default 30):
√(2/π) from the slope at 0, the Taylor coefficient 2/(3π) − 1/6, the minimax coefficient a
(which rounds to 0.044715), least-squares and GELU-minimax alternatives, the maximum errors of
gelu_tanh and x·sigmoid(1.702x), and the minimax k for Phi and for GELU. Each number comes with
how precisely it is known. Takes about a minute at 30 digits; --digits 12 takes seconds.

Options:
${formatOptions(spec)}
`;

/** `geglu constants`: where √(2/π), 0.044715 and 1.702 come from. */
export const constantsCommand: Command = {
  name: 'constants',
  summary: 'derive √(2/π), 0.044715 and 1.702 from first principles, with their precision',
  usage: USAGE,
  async run(argv: readonly string[], io: CommandIO): Promise<number> {
    const args = parseOrHelp(argv, spec, USAGE, io);
    if (!args) return EXIT_OK;
    const digits = (args.values.digits as number | undefined) ?? 30;
    if (digits < 6 || digits > 60) throw new UsageError(`geglu constants: --digits must be an integer in [6, 60], got ${digits}`);
    const json = args.values.json === true;
    const result = deriveConstants({ digits, onStep: (s) => io.stderr.write(`constants: ${s}…\n`) });
    io.stdout.write(json ? `${JSON.stringify(constantsToJSON(result), null, 2)}\n` : formatConstantsText(result));
    return EXIT_OK;
  },
};
