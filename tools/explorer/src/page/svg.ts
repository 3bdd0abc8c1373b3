/**
 * A small SVG line and point plot: axes with ticks, polylines, points, a legend drawn by the
 * caller. Hand-written so the page has no chart library to load or trust.
 */
const NS = 'http://www.w3.org/2000/svg';

export interface Scale {
  (v: number): number;
  ticks: { value: number; label: string }[];
}

export function el<K extends keyof SVGElementTagNameMap>(
  tag: K,
  attrs: Record<string, string | number>,
  text?: string,
): SVGElementTagNameMap[K] {
  const e = document.createElementNS(NS, tag);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, String(v));
  if (text !== undefined) e.textContent = text;
  return e;
}

/** A tick label: a short decimal, or a power of ten written as 1e−5. */
export function tickLabel(v: number): string {
  if (v === 0) return '0';
  const a = Math.abs(v);
  if (a >= 1e-3 && a < 1e5) return String(Number(v.toPrecision(6)));
  return v.toExponential(0).replace('e-', 'e−').replace('e+', 'e');
}

function niceStep(span: number, count: number): number {
  const raw = span / count;
  const mag = 10 ** Math.floor(Math.log10(raw));
  const norm = raw / mag;
  return (norm < 1.5 ? 1 : norm < 3.5 ? 2 : norm < 7.5 ? 5 : 10) * mag;
}

/** A linear scale from [lo, hi] onto [a, b] with about `count` round ticks. */
export function linear(lo: number, hi: number, a: number, b: number, count = 6): Scale {
  const f = ((v: number) => a + ((v - lo) / (hi - lo)) * (b - a)) as Scale;
  const step = niceStep(hi - lo, count);
  f.ticks = [];
  for (let v = Math.ceil(lo / step) * step; v <= hi + step * 1e-9; v += step) {
    const r = Math.abs(v) < step * 1e-9 ? 0 : v;
    f.ticks.push({ value: r, label: tickLabel(r) });
  }
  return f;
}

/** A log10 scale from [lo, hi] (both > 0) onto [a, b], ticks at powers of ten (every `every`-th). */
export function log10(lo: number, hi: number, a: number, b: number, every = 1): Scale {
  const [l, h] = [Math.log10(lo), Math.log10(hi)];
  const f = ((v: number) => a + ((Math.log10(v) - l) / (h - l)) * (b - a)) as Scale;
  f.ticks = [];
  const stride = Math.max(every, [1, 2, 5, 10, 20, 50, 100].find((s) => (h - l) / s <= 8) ?? 100);
  for (let k = Math.ceil(l / stride) * stride; k <= h; k += stride) f.ticks.push({ value: 10 ** k, label: tickLabel(10 ** k) });
  return f;
}

export interface Frame {
  svg: SVGSVGElement;
  plot: SVGGElement;
  x: Scale;
  y: Scale;
  width: number;
  height: number;
  margin: { left: number; right: number; top: number; bottom: number };
}

/** An SVG with axes, grid and titles; draw into `plot` with the scales. */
export function frame(
  container: HTMLElement,
  options: { title: string; xLabel: string; yLabel: string; x: (a: number, b: number) => Scale; y: (a: number, b: number) => Scale },
): Frame {
  // drawn at the container's own width, so text keeps its size on a phone instead of being scaled down
  const width = Math.round(Math.min(960, Math.max(320, container.clientWidth || 720)));
  const height = Math.round(Math.max(260, width * 0.47));
  container.replaceChildren();
  const margin = { left: 80, right: 12, top: 12, bottom: 44 };
  const svg = el('svg', { viewBox: `0 0 ${width} ${height}`, role: 'img', 'aria-label': options.title, class: 'chart' });
  svg.append(el('title', {}, options.title));
  const x = options.x(margin.left, width - margin.right);
  const y = options.y(height - margin.bottom, margin.top);
  const axes = el('g', { class: 'axes' });
  for (const t of x.ticks) {
    const px = x(t.value);
    axes.append(el('line', { x1: px, x2: px, y1: margin.top, y2: height - margin.bottom, class: 'grid' }));
    axes.append(el('text', { x: px, y: height - margin.bottom + 16, 'text-anchor': 'middle' }, t.label));
  }
  for (const t of y.ticks) {
    const py = y(t.value);
    axes.append(el('line', { x1: margin.left, x2: width - margin.right, y1: py, y2: py, class: 'grid' }));
    axes.append(el('text', { x: margin.left - 6, y: py + 4, 'text-anchor': 'end' }, t.label));
  }
  axes.append(
    el('rect', {
      x: margin.left,
      y: margin.top,
      width: width - margin.left - margin.right,
      height: height - margin.top - margin.bottom,
      class: 'box',
    }),
  );
  axes.append(
    el(
      'text',
      { x: (margin.left + width - margin.right) / 2, y: height - 8, 'text-anchor': 'middle', class: 'axis-title' },
      options.xLabel,
    ),
  );
  axes.append(
    el(
      'text',
      {
        x: 14,
        y: (margin.top + height - margin.bottom) / 2,
        'text-anchor': 'middle',
        class: 'axis-title',
        transform: `rotate(-90 14 ${(margin.top + height - margin.bottom) / 2})`,
      },
      options.yLabel,
    ),
  );
  const clipId = `clip-${Math.random().toString(36).slice(2)}`;
  const defs = el('defs', {});
  const clip = el('clipPath', { id: clipId });
  clip.append(
    el('rect', { x: margin.left, y: margin.top, width: width - margin.left - margin.right, height: height - margin.top - margin.bottom }),
  );
  defs.append(clip);
  const plot = el('g', { 'clip-path': `url(#${clipId})` });
  svg.append(defs, axes, plot);
  container.append(svg);
  return { svg, plot, x, y, width, height, margin };
}

/** A polyline through the points whose y is finite (a gap where it is not). */
export function line(f: Frame, xs: readonly number[], ys: readonly number[], cls: string): void {
  let d = '';
  let pen = false;
  for (let i = 0; i < xs.length; i++) {
    const py = f.y(ys[i]!);
    if (!Number.isFinite(py)) {
      pen = false;
      continue;
    }
    d += `${pen ? 'L' : 'M'}${f.x(xs[i]!).toFixed(2)},${py.toFixed(2)}`;
    pen = true;
  }
  f.plot.append(el('path', { d, class: cls }));
}

/** The data x of a pointer event on the frame's SVG (for zooming about the pointer). */
export function dataX(f: Frame, lo: number, hi: number, clientX: number): number {
  const box = f.svg.getBoundingClientRect();
  const px = ((clientX - box.left) / box.width) * f.width;
  const t = (px - f.margin.left) / (f.width - f.margin.left - f.margin.right);
  return lo + Math.min(1, Math.max(0, t)) * (hi - lo);
}
