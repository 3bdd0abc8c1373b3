export * from './cli/command.js';
export { parseArgs, type ArgSpec, type OptionSpec, type ParsedArgs } from './cli/args.js';
export { runCli, COMMANDS } from './cli/main.js';
export { evalCommand } from './commands/eval.js';
export * from './backends/index.js';
export { parseNumber, formatNumber, numberSyntaxError } from './io/numbers.js';
export { readLineBatches, OutputWriter, OutputClosed, MAX_LINE_BYTES, type Line } from './io/lines.js';
export * from './tolerances/index.js';
export { tolerancesCommand } from './commands/tolerances.js';
export { checkCommand, type CheckSummary, type CheckWorst } from './commands/check.js';
export { sweepCommand } from './commands/sweep.js';
export { refGelu, refGeluTanh, decideF32 } from './sweep/reference.js';
export { sweepRange, stepsF32, type SweepCounts, type SweepWorst, type SweepFunction, type SweepImpl } from './sweep/engine.js';
export { runSweep, type SweepOptions } from './sweep/run.js';
export { readResult, mergeResults, type SweepResult } from './sweep/result.js';
export * from './suites/index.js';
export * from './arbitraries/index.js';
// both define the same 'f32' | 'f64' union; the explicit export settles the star-export ambiguity
export type { FloatFormat } from './backends/types.js';
