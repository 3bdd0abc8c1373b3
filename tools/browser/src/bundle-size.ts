/**
 * What @geglu/kernel costs a page over the wire: the package bundled for a
 * browser by esbuild (minified, as a site would ship it), and its coefficient
 * tables alone, each raw, gzip (level 9) and brotli (quality 11).
 *
 *   node tools/browser/dist/bundle-size.js [--markdown]
 */
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { brotliCompressSync, constants, gzipSync } from 'node:zlib';
import { runScript, UsageError } from '@geglu/gpu/measure';
import { build } from 'esbuild';

const kernelDir = dirname(createRequire(import.meta.url).resolve('@geglu/kernel/package.json'));

interface Row {
  what: string;
  raw: number;
  gzip: number;
  brotli: number;
}

async function measure(what: string, contents: string): Promise<Row> {
  const result = await build({
    stdin: { contents, resolveDir: kernelDir, sourcefile: 'entry.js', loader: 'js' },
    bundle: true,
    minify: true,
    format: 'esm',
    platform: 'browser',
    target: 'chrome120',
    write: false,
    logLevel: 'silent',
  });
  const bytes = result.outputFiles[0]!.contents;
  return {
    what,
    raw: bytes.length,
    gzip: gzipSync(bytes, { level: 9 }).length,
    brotli: brotliCompressSync(bytes, { params: { [constants.BROTLI_PARAM_QUALITY]: 11 } }).length,
  };
}

async function bundleSizes(): Promise<Row[]> {
  const tables = join(kernelDir, 'dist', 'elementwise', 'tables.generated.js');
  return [
    await measure('`@geglu/kernel` (every export)', `export * from '@geglu/kernel';`),
    await measure('its coefficient tables (`tables.generated.js` with its decoder)', `export * from ${JSON.stringify(tables)};`),
  ];
}

const kB = (n: number) => `${(n / 1000).toFixed(1)} kB`;

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const unknown = args.filter((a) => a !== '--markdown');
  if (unknown.length) throw new UsageError(`bundle-size: unknown argument ${unknown[0]}; usage: bundle-size [--markdown]`);
  const rows = await bundleSizes();
  if (args.includes('--markdown')) {
    const lines = [
      'Bytes a page downloads, from `node tools/browser/dist/bundle-size.js --markdown` (esbuild, minified, browser platform; gzip level 9, brotli quality 11):',
      '',
      '| bundle | minified | gzip | brotli |',
      '| --- | ---: | ---: | ---: |',
      ...rows.map((r) => `| ${r.what} | ${kB(r.raw)} | ${kB(r.gzip)} | ${kB(r.brotli)} |`),
    ];
    process.stdout.write(`${lines.join('\n')}\n`);
  } else {
    for (const r of rows) console.log(`${r.what.replaceAll('`', '')}: ${r.raw} bytes minified, ${r.gzip} gzip, ${r.brotli} brotli`);
  }
}

await runScript(main);
