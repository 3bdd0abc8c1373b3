import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { runBench } from './bench.js';
import { parseArgs, USAGE } from './cli.js';
import { allImplementations } from './registry.js';
import { renderMarkdown } from './render.js';

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
  cli.bench.log = (line) => process.stderr.write(`${line}\n`);
  const command = ['pnpm bench', ...argv].join(' ').replace(/^pnpm bench$/, 'pnpm bench');
  const report = await runBench(cli.bench, allImplementations(cli.bench), command);
  const markdown = renderMarkdown(report);
  if (cli.write) {
    const dir = path.resolve(cli.outDir ?? DEFAULT_OUT);
    await mkdir(dir, { recursive: true });
    await writeFile(path.join(dir, 'latest.md'), markdown);
    await writeFile(path.join(dir, 'latest.json'), `${JSON.stringify(report, null, 2)}\n`);
    process.stderr.write(`\nwrote ${path.join(dir, 'latest.md')} and latest.json\n`);
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
