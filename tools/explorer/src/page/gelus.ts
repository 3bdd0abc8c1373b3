/**
 * "The two GELUs": gelu(x) = x·Φ(x) and Gemma 2's tanh form, their difference (with the largest
 * gap the data step found with the oracle) and the negative tail on a log scale. Curves are the
 * kernel's correctly rounded float64 values, computed for the range shown, so zooming in keeps
 * full detail.
 */
import { gelu } from '@geglu/kernel';
import type { ExplorerData } from '../data/format.js';
import { frame, line, linear, log10, el, tickLabel, type Frame } from './svg.js';
import { zoomControls } from './zoom.js';

const POINTS = 600;

/** 4.73e−4: three digits, as the README and issue write it. */
const sci = (v: number) => v.toExponential(2).replace('e-', 'e−');

function grid(lo: number, hi: number): number[] {
  return Array.from({ length: POINTS + 1 }, (_, i) => lo + ((hi - lo) * i) / POINTS);
}

/** A legend in the top-left corner, or the bottom-right one where the curves leave room there. */
function legend(f: Frame, entries: [string, string][], corner: 'top-left' | 'bottom-right' = 'top-left'): void {
  const left = corner === 'top-left' ? f.margin.left + 10 : f.width - f.margin.right - 130;
  const top = corner === 'top-left' ? f.margin.top + 14 : f.height - f.margin.bottom - 10 - 18 * (entries.length - 1);
  entries.forEach(([cls, text], i) => {
    const y = top + i * 18;
    f.svg.append(el('line', { x1: left, x2: left + 24, y1: y - 4, y2: y - 4, class: cls }));
    f.svg.append(el('text', { x: left + 30, y, class: 'legend' }, text));
  });
}

export function gelusSection(root: HTMLElement, data: ExplorerData): void {
  const { peak } = data;
  const peakText = root.querySelector<HTMLElement>('#peak')!;
  peakText.textContent = `The largest gap, found with the oracle at ${peak.digits} digits: gelu tanh − gelu = ${sci(peak.difference)} at x = ±${peak.x.toFixed(2)} (both forms satisfy gelu(−x) = gelu(x) − x, so the gap is the same at −x).`;

  const curves = root.querySelector<HTMLElement>('#curves')!;
  const gap = root.querySelector<HTMLElement>('#gap')!;
  let curveFrame: Frame;
  let gapFrame: Frame;
  const main = zoomControls(root.querySelector('#gelu-controls')!, 'gelu-range', [-5, 5], [-40, 40], (lo, hi) => {
    const xs = grid(lo, hi);
    const exact = xs.map((x) => gelu(x));
    const tanh = xs.map((x) => gelu(x, { approximate: 'tanh' }));
    const ys = [...exact, ...tanh];
    const [ylo, yhi] = [Math.min(...ys), Math.max(...ys)];
    const pad = (yhi - ylo) * 0.05 || 1e-12;
    curveFrame = frame(curves, {
      title: `gelu(x) and gelu tanh(x) for x from ${tickLabel(lo)} to ${tickLabel(hi)}`,
      xLabel: 'x',
      yLabel: 'gelu(x)',
      x: (a, b) => linear(lo, hi, a, b),
      y: (a, b) => linear(ylo - pad, yhi + pad, a, b),
    });
    line(curveFrame, xs, exact, 'series-exact');
    line(curveFrame, xs, tanh, 'series-tanh dashed');
    legend(curveFrame, [
      ['series-exact', 'gelu (exact, x·Φ(x))'],
      ['series-tanh dashed', 'gelu tanh (Gemma 2)'],
    ]);
    const diff = tanh.map((t, i) => t - exact[i]!);
    const [dlo, dhi] = [Math.min(0, ...diff), Math.max(0, ...diff)];
    // room above the peak for its label
    const dpad = (dhi - dlo) * 0.12 || 1e-18;
    gapFrame = frame(gap, {
      title: `gelu tanh(x) − gelu(x) for x from ${tickLabel(lo)} to ${tickLabel(hi)}`,
      xLabel: 'x',
      yLabel: 'tanh − exact',
      x: (a, b) => linear(lo, hi, a, b),
      y: (a, b) => linear(dlo - dpad, dhi + dpad, a, b),
    });
    line(gapFrame, xs, diff, 'series-gap');
    for (const px of [-peak.x, peak.x]) {
      if (px < lo || px > hi) continue;
      const cx = gapFrame.x(px);
      const cy = gapFrame.y(peak.difference);
      gapFrame.plot.append(el('circle', { cx, cy, r: 4, class: 'peak' }));
      gapFrame.plot.append(
        el('text', { x: cx, y: cy - 10, 'text-anchor': 'middle', class: 'legend halo' }, `${sci(peak.difference)} at ${px.toFixed(2)}`),
      );
    }
    main.attach(curveFrame);
    main.attach(gapFrame);
  });
  main.set(-5, 5);
  root.querySelector('#zoom-peak')!.addEventListener('click', () => main.set(peak.x - 0.5, peak.x + 0.5));

  // The negative tail: |gelu(x)| on a log scale, with the float32 thresholds a float32 result meets.
  const tail = root.querySelector<HTMLElement>('#tail')!;
  const tailZoom = zoomControls(root.querySelector('#tail-controls')!, 'tail-range', [-40, -1], [-40, -0.01], (lo, hi) => {
    const xs = grid(lo, hi);
    const exact = xs.map((x) => -gelu(x));
    const tanh = xs.map((x) => -gelu(x, { approximate: 'tanh' }));
    const positive = [...exact, ...tanh].filter((v) => v > 0);
    const f = frame(tail, {
      title: `−gelu(x) on a log scale for x from ${tickLabel(lo)} to ${tickLabel(hi)}`,
      xLabel: 'x',
      yLabel: '−gelu(x) (log scale)',
      x: (a, b) => linear(lo, hi, a, b),
      // the smallest double (4.9e−324) bounds the axis: a tenth of a subnormal may be 0
      y: (a, b) => log10(Math.max(Math.min(...positive) / 10, Number.MIN_VALUE), Math.max(...positive) * 10, a, b, 1),
    });
    // labels above and below their lines: the two are 7 decades apart, close on this scale
    const thresholds: [number, string, number][] = [
      [2 ** -126, 'smallest normal float32 (1.2e−38)', -5],
      [2 ** -149, 'smallest float32 (1.4e−45)', 14],
    ];
    for (const [v, text, dy] of thresholds) {
      const py = f.y(v);
      if (py < f.margin.top || py > f.height - f.margin.bottom) continue;
      f.plot.append(el('line', { x1: f.margin.left, x2: f.width - f.margin.right, y1: py, y2: py, class: 'threshold' }));
      f.plot.append(el('text', { x: f.width - f.margin.right - 4, y: py + dy, 'text-anchor': 'end', class: 'legend halo' }, text));
    }
    line(
      f,
      xs,
      exact.map((v) => (v > 0 ? v : Number.NaN)),
      'series-exact',
    );
    line(
      f,
      xs,
      tanh.map((v) => (v > 0 ? v : Number.NaN)),
      'series-tanh dashed',
    );
    legend(
      f,
      [
        ['series-exact', 'exact'],
        ['series-tanh dashed', 'tanh'],
      ],
      'bottom-right',
    );
    tailZoom.attach(f);
  });
  tailZoom.set(-40, -1);
}
