// Prints the Gemma 2 GeGLU block table of docs/gemma2.md (shapes and parameter counts).
// Usage: pnpm --filter @geglu/tool-constants gemma2-table
import { GEMMA2_PRESETS } from '@geglu/kernel';

export interface GegluBlockCount {
  name: string;
  hidden: number;
  intermediate: number;
  layers: number;
  /** intermediate / hidden: not one rule across the family (4, 4, 8). */
  ratio: number;
  /** The report's "feedforward dim": gate and up stacked, 2 × intermediate. */
  feedforwardDim: number;
  /** gate [f, d] + up [f, d] + down [d, f], no biases. */
  gegluParams: number;
  /** An ungated MLP with the same f: up [f, d] + down [d, f]. */
  ungatedParams: number;
  gegluParamsAllLayers: number;
}

/** Parameter counts of one Gemma 2 MLP block (3·d·f) against an ungated MLP (2·d·f), per preset. */
export function gegluBlockCounts(): GegluBlockCount[] {
  return Object.values(GEMMA2_PRESETS).map((p) => {
    const d = p.hidden;
    const f = p.intermediate;
    return {
      name: p.name,
      hidden: d,
      intermediate: f,
      layers: p.layers,
      ratio: f / d,
      feedforwardDim: 2 * f,
      gegluParams: 3 * d * f,
      ungatedParams: 2 * d * f,
      gegluParamsAllLayers: 3 * d * f * p.layers,
    };
  });
}

const n = (v: number) => v.toLocaleString('en-US');

export function gegluTableMarkdown(): string {
  const rows = gegluBlockCounts();
  return `${[
    '| model | d = hidden | f = intermediate | f / d | report\'s "feedforward dim" = 2f | layers | GeGLU block 3·d·f | ungated 2·d·f | GeGLU, all layers |',
    '|---|---:|---:|---:|---:|---:|---:|---:|---:|',
    ...rows.map(
      (r) =>
        `| ${r.name} | ${n(r.hidden)} | ${n(r.intermediate)} | ${r.ratio} | ${n(r.feedforwardDim)} | ${r.layers} | ${n(r.gegluParams)} | ${n(r.ungatedParams)} | ${n(r.gegluParamsAllLayers)} |`,
    ),
  ].join('\n')}\n`;
}

if (import.meta.url === `file://${process.argv[1]}`) process.stdout.write(gegluTableMarkdown());
