import type { BenchOptions } from './types.js';
import { defaultOptions } from './workloads.js';

export const USAGE = `usage: node dist/main.js [--quick] [--only <regex>] [--repeats N] [--rounds N] [--out <dir>] [--no-write]

  --quick        small sizes and few repeats (CI and tests; numbers not for comparison)
  --only REGEX   run the rows whose "<workload>/<implementation>" matches, e.g. 'gelu-tanh|kernel'
                 (onnxruntime-node 1 thread and the copy floor always run beside them, for the ratios)
  --repeats N    timed runs per row after warm-up (default 9, quick 3)
  --rounds N     after the table, N rounds of only the rows of issue 19's goal ratios (the gelu
                 workloads' kernel rows, onnxruntime-node 1 thread and the Math.tanh loop; the largest
                 MLP's kernel 2-thread rows and onnxruntime-node 2 threads), each ratio taken within a
                 round, reported as min / median / max (default 5, quick 2; 0 for none; --only
                 selects among them by "<workload>/<kernel row>")
  --out DIR      where latest.md and latest.json go (default: this package's results/)
  --no-write     print only
  --render FILE  measure nothing: re-render latest.md from an earlier latest.json (after a renderer change)`;

export interface CliOptions {
  bench: BenchOptions;
  outDir?: string;
  renderFrom?: string;
  write: boolean;
  help: boolean;
}

export function parseArgs(argv: readonly string[]): CliOptions {
  const quick = argv.includes('--quick');
  const bench = defaultOptions(quick);
  let outDir: string | undefined;
  let renderFrom: string | undefined;
  let write = true;
  let help = false;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    const value = () => {
      const v = argv[++i];
      if (v === undefined) throw new Error(`${a}: expected a value after it, got nothing`);
      return v;
    };
    switch (a) {
      case '--quick':
        break;
      case '--only': {
        const v = value();
        try {
          bench.only = new RegExp(v, 'i');
        } catch (e) {
          throw new Error(`--only: expected a regular expression, got ${JSON.stringify(v)} (${(e as Error).message})`);
        }
        break;
      }
      case '--repeats': {
        const v = value();
        const n = Number(v);
        if (!Number.isInteger(n) || n < 1) throw new Error(`--repeats: expected a positive integer, got ${JSON.stringify(v)}`);
        bench.repeats = n;
        break;
      }
      case '--rounds': {
        const v = value();
        const n = Number(v);
        if (!/^\d+$/.test(v) || !Number.isSafeInteger(n))
          throw new Error(`--rounds: expected a non-negative integer, got ${JSON.stringify(v)}`);
        bench.rounds = n;
        break;
      }
      case '--out':
        outDir = value();
        break;
      case '--render':
        renderFrom = value();
        break;
      case '--no-write':
        write = false;
        break;
      case '--help':
      case '-h':
        help = true;
        break;
      default:
        throw new Error(
          `unknown argument ${JSON.stringify(a)}; expected one of --quick, --only, --repeats, --rounds, --out, --no-write, --render\n${USAGE}`,
        );
    }
  }
  return { bench, outDir, renderFrom, write, help };
}
