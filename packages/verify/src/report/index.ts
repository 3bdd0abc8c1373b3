import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { formatMarkdown } from './markdown.js';
import type { VerifyReport } from './model.js';
import { gapCurveSvg, regionErrorSvg } from './svg.js';

export * from './model.js';
export { formatTable } from './text.js';
export { formatMarkdown } from './markdown.js';
export { gapCurveSvg, regionErrorSvg, ticks } from './svg.js';

/** Writes report.json, report.md and the SVG plots into `dir` (created if needed); returns the paths. */
export async function writeReport(dir: string, report: VerifyReport): Promise<string[]> {
  await mkdir(dir, { recursive: true });
  const max = report.landmarks.maxGeluGap
    ? { argmax: report.landmarks.maxGeluGap.argmax, value: Number(report.landmarks.maxGeluGap.value) }
    : undefined;
  const files: [string, string][] = [
    ['report.json', `${JSON.stringify(report, null, 2)}\n`],
    ['report.md', formatMarkdown(report)],
    ['tanh-vs-erf.svg', gapCurveSvg(report.gapCurve, max)],
    ['error-by-region-gelu.svg', regionErrorSvg(report.results, 'gelu')],
    ['error-by-region-gelu-tanh.svg', regionErrorSvg(report.results, 'gelu-tanh')],
  ];
  const paths: string[] = [];
  for (const [name, text] of files) {
    const p = join(dir, name);
    await writeFile(p, text);
    paths.push(p);
  }
  return paths;
}
