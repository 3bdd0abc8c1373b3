/**
 * A small hand-written SVG line chart: axes with "nice" ticks, several polylines, point
 * markers with labels, a legend. No plotting dependency, deterministic output (the docs
 * are regenerated and diffed, so the same data must give byte-identical SVG).
 */

export interface Series {
  name: string;
  points: readonly (readonly [number, number])[];
  color: string;
  dashed?: boolean;
}

export interface Marker {
  x: number;
  y: number;
  label: string;
  color?: string;
}

export interface ChartOptions {
  title: string;
  xLabel: string;
  yLabel: string;
  series: readonly Series[];
  markers?: readonly Marker[];
  /** Horizontal reference lines, e.g. ±max error. */
  hLines?: readonly { y: number; label: string }[];
  width?: number;
  height?: number;
}

/** Escape text for SVG/XML content and attributes. */
export function escapeXml(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

/** Tick positions at 1, 2 or 5 × 10^k covering [lo, hi] with about `count` ticks. */
export function niceTicks(lo: number, hi: number, count = 8): number[] {
  if (!(Number.isFinite(lo) && Number.isFinite(hi)) || hi <= lo) {
    throw new RangeError(`niceTicks: need finite lo < hi, got [${lo}, ${hi}]`);
  }
  const raw = (hi - lo) / count;
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((m) => m * mag).find((s) => s >= raw) ?? 10 * mag;
  const ticks: number[] = [];
  // Multiply integer tick indices (not accumulate) so 0.1 + 0.2 style drift cannot creep in.
  // `+ 0` turns −0 (from Math.ceil of a tiny negative) into 0, which prints as '0'.
  for (let i = Math.ceil(lo / step - 1e-9); i * step <= hi + step * 1e-9; i++) ticks.push(i * step + 0);
  return ticks;
}

/** Short tick label: exponent form below 1e−3, otherwise plain with at most 4 significant digits. */
export function tickLabel(v: number): string {
  if (v === 0) return '0';
  const a = Math.abs(v);
  if (a < 1e-3 || a >= 1e5) {
    const [m, e] = v.toExponential(1).split('e');
    return `${m!.replace(/\.0$/, '')}e${Number(e)}`.replace(/-/g, '−');
  }
  return String(Number(v.toPrecision(4))).replace('-', '−');
}

const f = (v: number) => (Math.round(v * 100) / 100).toString();

/** Render the chart as a standalone SVG document. */
export function lineChart(o: ChartOptions): string {
  const W = o.width ?? 720;
  const H = o.height ?? 420;
  const m = { left: 78, right: 20, top: 40, bottom: 56 };
  const all = o.series.flatMap((s) => s.points);
  if (all.length === 0) throw new RangeError('lineChart: no points');
  let [x0, x1] = [Math.min(...all.map((p) => p[0])), Math.max(...all.map((p) => p[0]))];
  const ys = all
    .map((p) => p[1])
    .concat(
      (o.hLines ?? []).map((l) => l.y),
      (o.markers ?? []).map((k) => k.y),
    );
  let [y0, y1] = [Math.min(...ys), Math.max(...ys)];
  if (x1 === x0) [x0, x1] = [x0 - 1, x1 + 1];
  if (y1 === y0) [y0, y1] = [y0 - 1, y1 + 1];
  const pad = (y1 - y0) * 0.06;
  y0 -= pad;
  y1 += pad;
  const px = (x: number) => m.left + ((x - x0) / (x1 - x0)) * (W - m.left - m.right);
  const py = (y: number) => H - m.bottom - ((y - y0) / (y1 - y0)) * (H - m.top - m.bottom);
  const out: string[] = [];
  out.push(
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="sans-serif" font-size="12">`,
  );
  out.push(`<rect width="${W}" height="${H}" fill="white"/>`);
  out.push(`<text x="${W / 2}" y="22" text-anchor="middle" font-size="15">${escapeXml(o.title)}</text>`);
  for (const t of niceTicks(x0, x1)) {
    out.push(`<line x1="${f(px(t))}" y1="${m.top}" x2="${f(px(t))}" y2="${H - m.bottom}" stroke="#e4e4e4"/>`);
    out.push(`<text x="${f(px(t))}" y="${H - m.bottom + 16}" text-anchor="middle">${escapeXml(tickLabel(t))}</text>`);
  }
  for (const t of niceTicks(y0, y1)) {
    out.push(`<line x1="${m.left}" y1="${f(py(t))}" x2="${W - m.right}" y2="${f(py(t))}" stroke="${t === 0 ? '#999' : '#e4e4e4'}"/>`);
    out.push(`<text x="${m.left - 6}" y="${f(py(t) + 4)}" text-anchor="end">${escapeXml(tickLabel(t))}</text>`);
  }
  out.push(`<rect x="${m.left}" y="${m.top}" width="${W - m.left - m.right}" height="${H - m.top - m.bottom}" fill="none" stroke="#444"/>`);
  out.push(`<text x="${(m.left + W - m.right) / 2}" y="${H - 14}" text-anchor="middle">${escapeXml(o.xLabel)}</text>`);
  out.push(
    `<text x="16" y="${(m.top + H - m.bottom) / 2}" text-anchor="middle" transform="rotate(-90 16 ${(m.top + H - m.bottom) / 2})">${escapeXml(o.yLabel)}</text>`,
  );
  for (const l of o.hLines ?? []) {
    out.push(`<line x1="${m.left}" y1="${f(py(l.y))}" x2="${W - m.right}" y2="${f(py(l.y))}" stroke="#888" stroke-dasharray="2 3"/>`);
    out.push(`<text x="${W - m.right - 4}" y="${f(py(l.y) - 4)}" text-anchor="end" fill="#555">${escapeXml(l.label)}</text>`);
  }
  for (const s of o.series) {
    const pts = s.points.map(([x, y]) => `${f(px(x))},${f(py(y))}`).join(' ');
    out.push(`<polyline fill="none" stroke="${s.color}" stroke-width="1.8"${s.dashed ? ' stroke-dasharray="6 4"' : ''} points="${pts}"/>`);
  }
  for (const k of o.markers ?? []) {
    out.push(`<circle cx="${f(px(k.x))}" cy="${f(py(k.y))}" r="3.5" fill="${k.color ?? '#000'}"/>`);
    out.push(`<text x="${f(px(k.x) + 6)}" y="${f(py(k.y) - 6)}" fill="${k.color ?? '#000'}">${escapeXml(k.label)}</text>`);
  }
  o.series.forEach((s, i) => {
    const y = m.top + 14 + i * 16;
    out.push(
      `<line x1="${m.left + 10}" y1="${y - 4}" x2="${m.left + 34}" y2="${y - 4}" stroke="${s.color}" stroke-width="2"${s.dashed ? ' stroke-dasharray="6 4"' : ''}/>`,
    );
    out.push(`<text x="${m.left + 40}" y="${y}">${escapeXml(s.name)}</text>`);
  });
  out.push('</svg>');
  return `${out.join('\n')}\n`;
}
