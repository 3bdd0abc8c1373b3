import { EXIT_OK, UsageError, type Command, type CommandIO } from '../cli/command.js';
import { constantsToJSON, deriveConstants, formatConstantsText } from '../constants/index.js';

const USAGE = `Usage: geglu constants [--digits N] [--json]

Derive GELU's constants from first principles at N significant digits (default 30):
√(2/π) from the slope at 0, the Taylor coefficient 2/(3π) − 1/6, the minimax coefficient a
(which rounds to 0.044715), least-squares and GELU-minimax alternatives, the maximum errors of
gelu_tanh and x·sigmoid(1.702x), and the minimax k for Phi and for GELU. Each number comes with
how precisely it is known. Takes about a minute at 30 digits; --digits 12 takes seconds.

Options:
  --digits N   significant digits, 6…60 (default 30)
  --json       print the full derivation as JSON (Decimals as strings)
  -h, --help   show this help
`;

function parseArgs(argv: readonly string[]): { digits: number; json: boolean; help: boolean } {
  let digits = 30;
  let json = false;
  let help = false;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--json') json = true;
    else if (a === '-h' || a === '--help') help = true;
    else if (a === '--digits' || a.startsWith('--digits=')) {
      const raw = a === '--digits' ? argv[++i] : a.slice('--digits='.length);
      if (raw === undefined) throw new UsageError('geglu constants: --digits needs a value, e.g. --digits 30');
      const n = Number(raw);
      if (!Number.isInteger(n) || n < 6 || n > 60) {
        throw new UsageError(`geglu constants: --digits must be an integer in [6, 60], got ${JSON.stringify(raw)}`);
      }
      digits = n;
    } else {
      throw new UsageError(`geglu constants: unknown argument ${JSON.stringify(a)} (expected --digits N, --json or --help)`);
    }
  }
  return { digits, json, help };
}

/** `geglu constants`: where √(2/π), 0.044715 and 1.702 come from. */
export const constantsCommand: Command = {
  name: 'constants',
  summary: 'derive √(2/π), 0.044715 and 1.702 from first principles, with their precision',
  usage: USAGE,
  async run(argv: readonly string[], io: CommandIO): Promise<number> {
    const { digits, json, help } = parseArgs(argv);
    if (help) {
      io.stdout.write(USAGE);
      return EXIT_OK;
    }
    const result = deriveConstants({ digits, onStep: (s) => io.stderr.write(`constants: ${s}…\n`) });
    io.stdout.write(json ? `${JSON.stringify(constantsToJSON(result), null, 2)}\n` : formatConstantsText(result));
    return EXIT_OK;
  },
};
