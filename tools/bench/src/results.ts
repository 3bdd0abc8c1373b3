import { mkdir, writeFile } from 'node:fs/promises';
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
