/**
 * "Error in steps across x": every backend the benchmark runs, scored at build time against the
 * oracle on the benchmark's accuracy sample (src/data/main.ts), and the committed exhaustive
 * sweeps. Steps go on a log scale (0 at the bottom): a result flushed to zero in the tail is
 * hundreds of millions of steps off, one rounding slip is 1.
 */
import { bitsToF32 } from '@geglu/float';
import type { ExplorerData, ScoredRun } from '../data/format.js';
import { el, frame, linear, log10, tickLabel } from './svg.js';

const COLOURS = ['#1b6ac9', '#d1495b', '#2a9d8f', '#e9a23b', '#6c4ab6', '#3d5a80', '#8d6e63', '#ef476f', '#118ab2', '#06a77d', '#7a7a7a'];
/** Where a NaN-for-a-number result is drawn: above every finite distance. */
const NAN_ROW = 1e10;
/** Tick marks in steps (drawn at steps + 1 on the log axis). */
const STEP_TICKS = [0, 10, 100, 1e4, 1e6, 1e8];

const fmtInt = (n: number) => n.toLocaleString('en-US');

export function errorsSection(root: HTMLElement, data: ExplorerData): void {
  const xs = data.sample.xBits.map(bitsToF32);
  const chart = root.querySelector<HTMLElement>('#error-chart')!;
  const table = root.querySelector<HTMLTableSectionElement>('#error-table tbody')!;
  const toggles = root.querySelector<HTMLElement>('#error-toggles')!;
  root.querySelector('#sample-composition')!.textContent = `${xs.length} float32 inputs: ${data.sample.composition}.`;
  const shown = new Set(data.backends.map((b) => b.id));
  let form: 'none' | 'tanh' = 'none';

  data.backends.forEach((b, i) => {
    const id = `show-${b.id}`;
    const label = document.createElement('label');
    label.className = 'toggle';
    const box = document.createElement('input');
    box.type = 'checkbox';
    box.id = id;
    box.checked = true;
    box.addEventListener('change', () => {
      if (box.checked) shown.add(b.id);
      else shown.delete(b.id);
      draw();
    });
    const swatch = document.createElement('span');
    swatch.className = 'swatch';
    swatch.style.background = COLOURS[i % COLOURS.length]!;
    label.append(box, swatch, document.createTextNode(b.label));
    toggles.append(label);
  });
  for (const r of root.querySelectorAll<HTMLInputElement>('input[name="error-form"]')) {
    r.addEventListener('change', () => {
      form = r.value as 'none' | 'tanh';
      draw();
    });
  }

  function draw(): void {
    const f = frame(chart, {
      title: `Steps from the correctly rounded gelu ${form === 'none' ? '(exact)' : 'tanh'} per input, each backend`,
      xLabel: 'x (float32 sample)',
      yLabel: 'steps (log scale)',
      x: (a, b) => linear(-15, 20, a, b),
      y: (a, b) => {
        const s = log10(1, NAN_ROW * 10, a, b, 1);
        s.ticks = [...STEP_TICKS.map((v) => ({ value: v + 1, label: tickLabel(v) })), { value: NAN_ROW, label: 'NaN' }];
        return s;
      },
    });
    data.backends.forEach((b, i) => {
      const run = b.runs[form];
      if (!shown.has(b.id) || run === undefined || 'skipped' in run) return;
      const g = el('g', { fill: COLOURS[i % COLOURS.length]!, class: 'points' });
      g.append(el('title', {}, b.label));
      run.steps.forEach((s, k) => {
        // tiny inputs (|x| < 1e-1) all sit at x ≈ 0 on this axis; their steps are what matters
        g.append(el('circle', { cx: f.x(xs[k]!).toFixed(1), cy: f.y(s === -1 ? NAN_ROW : s + 1).toFixed(1), r: 2 }));
      });
      f.plot.append(g);
    });

    table.replaceChildren();
    for (const b of data.backends) {
      const run = b.runs[form];
      const tr = document.createElement('tr');
      const cells: [string, number][] = [
        [b.label, 1],
        [b.device ?? '', 1],
        [b.precision, 1],
      ];
      if (run === undefined || 'skipped' in run) cells.push([`not run here: ${run?.skipped ?? 'not supported'}`, 4]);
      else {
        const body = bodyMax(run, xs);
        cells.push(
          [run.maxSteps === null ? 'NaN for a number' : fmtInt(run.maxSteps), 1],
          [body === null ? 'NaN' : fmtInt(body), 1],
          [fmtInt(run.steps.filter((s) => s !== 0).length + run.zeroSign.length), 1],
          [fmtInt(run.zeroSign.length), 1],
        );
      }
      for (const [text, span] of cells) {
        const td = document.createElement('td');
        td.textContent = text;
        if (span > 1) td.colSpan = span;
        tr.append(td);
      }
      table.append(tr);
    }
  }
  draw();

  const sweeps = root.querySelector<HTMLTableSectionElement>('#sweep-table tbody')!;
  for (const s of data.sweeps) {
    const tr = document.createElement('tr');
    for (const c of [
      s.backend,
      s.fn,
      s.dtype,
      fmtInt(s.checked),
      fmtInt(s.mismatches),
      fmtInt(s.zeroSign),
      ...['tail', 'subnormal', 'normal'].map((r) => (s.regions[r] ? fmtInt(s.regions[r].maxSteps) : '')),
    ]) {
      const td = document.createElement('td');
      td.textContent = c;
      tr.append(td);
    }
    tr.title = `${s.impl} on ${s.device} (${s.file})`;
    sweeps.append(tr);
  }
}

/** The largest distance over inputs above the negative tail (x > −3), where a flushed tail would hide the rest. */
function bodyMax(run: ScoredRun, xs: readonly number[]): number | null {
  let m = 0;
  for (let k = 0; k < xs.length; k++) {
    if (!(xs[k]! > -3)) continue;
    if (run.steps[k] === -1) return null;
    m = Math.max(m, run.steps[k]!);
  }
  return m;
}
