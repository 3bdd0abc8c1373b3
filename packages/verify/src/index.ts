export * from './cli/command.js';
export { parseArgs, type ArgSpec, type OptionSpec, type ParsedArgs } from './cli/args.js';
export { runCli, COMMANDS } from './cli/main.js';
export { evalCommand } from './commands/eval.js';
export * from './backends/index.js';
export { parseNumber, formatNumber, numberSyntaxError } from './io/numbers.js';
export { readLineBatches, OutputWriter, OutputClosed, MAX_LINE_BYTES, type Line } from './io/lines.js';
export * from './tolerances/index.js';
export { tolerancesCommand } from './commands/tolerances.js';
