import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { renderMarkdown } from './render.js';
import type { BenchReport } from './types.js';

/** Writes latest.md and latest.json side by side; returns their paths. */
export async function writeResults(report: BenchReport, dir: string): Promise<{ markdown: string; json: string }> {
  await mkdir(dir, { recursive: true });
  const markdown = path.join(dir, 'latest.md');
  const json = path.join(dir, 'latest.json');
  await writeFile(markdown, `${renderMarkdown(report)}\n`);
  await writeFile(json, `${JSON.stringify(report, null, 2)}\n`);
  return { markdown, json };
}

export async function readReport(file: string): Promise<BenchReport> {
  const report = JSON.parse(await readFile(file, 'utf8')) as BenchReport;
  if (report.schema !== 1) {
    throw new Error(`${file}: schema is ${String(report.schema)}, expected 1`);
  }
  return report;
}
