// Generates docs/constants.md and its plots in docs/img/ from @geglu/constants'
// derivation. Usage: pnpm --filter @geglu/tool-constants constants [-- --digits N]
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { deriveConstants, sigmoidFamily, tanhFamily } from '@geglu/constants';
import { renderMarkdown } from './markdown.js';
import { errorCurve, maxErrorCurve } from './plots.js';
import { lineChart } from './svg.js';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');

function parseDigits(argv: readonly string[]): number {
  const i = argv.indexOf('--digits');
  if (i === -1) return 30;
  const n = Number(argv[i + 1]);
  if (!Number.isInteger(n) || n < 6 || n > 60) {
    throw new Error(`constants: --digits must be an integer in [6, 60], got ${JSON.stringify(argv[i + 1])}`);
  }
  return n;
}

function main(): void {
  const digits = parseDigits(process.argv.slice(2));
  const t0 = Date.now();
  const r = deriveConstants({ digits, onStep: (s) => process.stderr.write(`constants: ${s}…\n`) });
  const aMin = r.minimax.tanhPhi.value.toSignificantDigits(12).toString();
  const aT = r.taylor.taylorA.toSignificantDigits(12).toString();
  const aLs = r.leastSquares.tanhPhiAll.value.toSignificantDigits(12).toString();
  const aGelu = r.minimax.tanhGelu.value.toSignificantDigits(12).toString();
  const kPhi = r.minimax.sigmoidPhi.value.toSignificantDigits(12).toString();
  const kGelu = r.minimax.sigmoidGelu.value.toSignificantDigits(12).toString();

  process.stderr.write('constants: plots…\n');
  const img = join(root, 'docs', 'img');
  mkdirSync(img, { recursive: true });
  const N = 241;
  const std = r.standard;
  const plots: Record<string, string> = {
    'constants-tanh-cdf-error.svg': lineChart({
      title: 'Error of ½(1 + tanh(√(2/π)(x + a·x³))) against Phi(x)',
      xLabel: 'x',
      yLabel: 'approximation − Phi(x)',
      series: [
        { name: 'a = 0.044715', points: errorCurve(tanhFamily, '0.044715', 'phi', -6, 6, N), color: '#1f77b4' },
        {
          name: `a = 2/(3π) − 1/6 ≈ ${Number(aT).toPrecision(6)} (Taylor)`,
          points: errorCurve(tanhFamily, aT, 'phi', -6, 6, N),
          color: '#d62728',
          dashed: true,
        },
        {
          name: `a ≈ ${Number(aLs).toPrecision(6)} (least squares, all reals)`,
          points: errorCurve(tanhFamily, aLs, 'phi', -6, 6, N),
          color: '#2ca02c',
          dashed: true,
        },
      ],
      markers: std.tanhPhi.extrema.flatMap((m) => [
        { x: m.argmax.toNumber(), y: m.value.toNumber(), label: `${m.value.toExponential(3)}`, color: '#1f77b4' },
        { x: -m.argmax.toNumber(), y: -m.value.toNumber(), label: '', color: '#1f77b4' },
      ]),
    }),
    'constants-gelu-tanh-error.svg': lineChart({
      title: 'gelu_tanh(x) − gelu(x)  (a = 0.044715)',
      xLabel: 'x',
      yLabel: 'gelu_tanh − gelu',
      series: [
        {
          name: 'x·(½(1 + tanh(√(2/π)(x + 0.044715x³))) − Phi(x))',
          points: errorCurve(tanhFamily, '0.044715', 'gelu', -6, 6, N),
          color: '#1f77b4',
        },
      ],
      markers: [
        {
          x: std.tanhGelu.maximum.argmax.toNumber(),
          y: std.tanhGelu.maximum.value.toNumber(),
          label: `x = ±${std.tanhGelu.maximum.argmax.toSignificantDigits(5)}: ${std.tanhGelu.maximum.value.toExponential(4)}`,
        },
        { x: -std.tanhGelu.maximum.argmax.toNumber(), y: std.tanhGelu.maximum.value.toNumber(), label: '' },
      ],
    }),
    'constants-max-error-vs-a.svg': lineChart({
      title: 'Maximum error over all reals as a function of a',
      xLabel: 'a',
      yLabel: 'max over x of |error|',
      series: [
        { name: 'CDF: max |T − Phi|', points: maxErrorCurve(tanhFamily, 'phi', 0.043, 0.047, 33), color: '#1f77b4' },
        { name: 'GELU: max |x·(T − Phi)|', points: maxErrorCurve(tanhFamily, 'gelu', 0.043, 0.047, 33), color: '#ff7f0e' },
      ],
      markers: [
        {
          x: Number(aMin),
          y: r.minimax.tanhPhi.atOptimum.maximum.max.toNumber(),
          label: `minimax ${Number(aMin).toPrecision(6)}`,
          color: '#1f77b4',
        },
        {
          x: Number(aGelu),
          y: r.minimax.tanhGelu.atOptimum.maximum.max.toNumber(),
          label: `minimax ${Number(aGelu).toPrecision(6)}`,
          color: '#ff7f0e',
        },
      ],
    }),
    'constants-sigmoid-error.svg': lineChart({
      title: 'Errors of the sigmoid approximation (k = 1.702)',
      xLabel: 'x',
      yLabel: 'error',
      series: [
        { name: 'sigmoid(1.702x) − Phi(x)', points: errorCurve(sigmoidFamily, '1.702', 'phi', -6, 6, N), color: '#1f77b4' },
        { name: 'x·sigmoid(1.702x) − gelu(x)', points: errorCurve(sigmoidFamily, '1.702', 'gelu', -6, 6, N), color: '#ff7f0e' },
      ],
      markers: [
        {
          x: std.sigmoidGelu.maximum.argmax.toNumber(),
          y: std.sigmoidGelu.maximum.value.toNumber(),
          label: `${std.sigmoidGelu.maximum.value.toExponential(3)}`,
          color: '#ff7f0e',
        },
        {
          x: std.sigmoidPhi.maximum.argmax.toNumber(),
          y: std.sigmoidPhi.maximum.value.toNumber(),
          label: `${std.sigmoidPhi.maximum.value.toExponential(3)}`,
          color: '#1f77b4',
        },
      ],
    }),
    'constants-max-error-vs-k.svg': lineChart({
      title: 'Maximum error over all reals as a function of k in sigmoid(k·x)',
      xLabel: 'k',
      yLabel: 'max over x of |error|',
      series: [
        { name: 'CDF: max |sigmoid(kx) − Phi|', points: maxErrorCurve(sigmoidFamily, 'phi', 1.6, 1.86, 27), color: '#1f77b4' },
        { name: 'GELU: max |x·sigmoid(kx) − gelu|', points: maxErrorCurve(sigmoidFamily, 'gelu', 1.6, 1.86, 27), color: '#ff7f0e' },
      ],
      markers: [
        {
          x: Number(kPhi),
          y: r.minimax.sigmoidPhi.atOptimum.maximum.max.toNumber(),
          label: `minimax ${Number(kPhi).toPrecision(6)}`,
          color: '#1f77b4',
        },
        {
          x: Number(kGelu),
          y: r.minimax.sigmoidGelu.atOptimum.maximum.max.toNumber(),
          label: `minimax ${Number(kGelu).toPrecision(6)}`,
          color: '#ff7f0e',
        },
      ],
    }),
  };
  for (const [name, svg] of Object.entries(plots)) writeFileSync(join(img, name), svg);
  writeFileSync(join(root, 'docs', 'constants.md'), renderMarkdown(r, Object.keys(plots)));
  process.stderr.write(
    `constants: wrote docs/constants.md and ${Object.keys(plots).length} plots in ${((Date.now() - t0) / 1000).toFixed(1)} s\n`,
  );
}

main();
