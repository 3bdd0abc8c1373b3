import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { runBench } from './bench.js';
import { parseArgs, USAGE } from './cli.js';
import { allImplementations } from './registry.js';
import { renderMarkdown } from './render.js';
import { readReport, writeResults } from './results.js';

const DEFAULT_OUT = fileURLToPath(new URL('../results/', import.meta.url));

async function main(argv: readonly string[]): Promise<number> {
  let cli;
  try {
    cli = parseArgs(argv);
  } catch (e) {
    process.stderr.write(`${(e as Error).message}\n`);
    return 2;
  }
  if (cli.help) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  if (cli.renderFrom !== undefined) {
    const report = await readReport(cli.renderFrom);
    const markdown = renderMarkdown(report);
    if (cli.write) {
      const file = path.join(path.resolve(cli.outDir ?? path.dirname(cli.renderFrom)), 'latest.md');
      await writeFile(file, `${markdown}\n`);
      process.stderr.write(`wrote ${file}\n`);
    }
    process.stdout.write(`${markdown}\n`);
    return 0;
  }
  cli.bench.log = (line) => process.stderr.write(`${line}\n`);
  // `pnpm bench` passes no arguments; anything else was run by hand in this folder.
  const command = argv.length === 0 ? 'pnpm bench' : `node tools/bench/dist/main.js ${argv.join(' ')}`;
  const report = await runBench(cli.bench, allImplementations(cli.bench), command);
  const markdown = renderMarkdown(report);
  if (cli.write) {
    const written = await writeResults(report, path.resolve(cli.outDir ?? DEFAULT_OUT));
    process.stderr.write(`\nwrote ${written.markdown} and ${written.json}\n`);
  }
  process.stdout.write(`${markdown}\n`);
  return 0;
}

main(process.argv.slice(2)).then(
  (code) => {
    // Native runtimes (onnxruntime thread pools, GPU contexts) can keep the
    // event loop alive after the work is done; the results are written by now.
    process.exit(code);
  },
  (e: unknown) => {
    process.stderr.write(`${(e as Error).stack ?? String(e)}\n`);
    process.exit(1);
  },
);
