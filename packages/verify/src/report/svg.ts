/**
 * Hand-written SVG plots (no plotting dependency): a line chart of
 * gelu_tanh − gelu over x, and grouped bars of each backend's largest
 * observed error (steps) per input region.
 */
import type { PropertyResult } from '../suites/types.js';
import type { GapPoint } from './model.js';

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
const n = (v: number) => (Math.round(v * 100) / 100).toString();

/** "Nice" tick positions covering [lo, hi]. */
export function ticks(lo: number, hi: number, count = 6): number[] {
  if (!(hi > lo)) return [lo];
  const raw = (hi - lo) / count;
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 2.5, 5, 10].map((m) => m * mag).find((s) => s >= raw) ?? 10 * mag;
  const out: number[] = [];
  for (let v = Math.ceil(lo / step) * step; v <= hi + step * 1e-9; v += step) out.push(Number(v.toPrecision(12)));
  return out;
}

function label(v: number): string {
  if (v === 0) return '0';
  const a = Math.abs(v);
  return a < 1e-3 || a >= 1e5 ? v.toExponential(1).replace('e-', 'e−').replace(/^-/, '−') : String(v).replace(/^-/, '−');
}

/** Line chart of the signed gap with the maximum marked at ±argmax. */
export function gapCurveSvg(points: readonly GapPoint[], max: { argmax: number; value: number } | undefined): string {
  const W = 720;
  const H = 360;
  if (points.length < 2) {
    return `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="80" font-family="sans-serif"><text x="10" y="40">no gap curve: the oracle was not available in this run</text></svg>`;
  }
  const m = { l: 70, r: 20, t: 40, b: 50 };
  const xs = points.map((p) => p.x);
  const ys = points.map((p) => p.gap);
  const x0 = Math.min(...xs);
  const x1 = Math.max(...xs);
  const yAbs = Math.max(...ys.map(Math.abs), max?.value ?? 0) * 1.1 || 1;
  const sx = (x: number) => m.l + ((x - x0) / (x1 - x0)) * (W - m.l - m.r);
  const sy = (y: number) => m.t + ((yAbs - y) / (2 * yAbs)) * (H - m.t - m.b);
  const path = points.map((p, i) => `${i === 0 ? 'M' : 'L'}${n(sx(p.x))},${n(sy(p.gap))}`).join(' ');
  const parts: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="sans-serif" font-size="12">`,
    `<title>gelu_tanh(x) − gelu(x)</title>`,
    `<rect width="${W}" height="${H}" fill="white"/>`,
    `<text x="${W / 2}" y="20" text-anchor="middle" font-size="14">gelu_tanh(x) − gelu(x) (oracle, ${points.length} points)</text>`,
  ];
  for (const t of ticks(-yAbs, yAbs, 6)) {
    parts.push(`<line x1="${m.l}" x2="${W - m.r}" y1="${n(sy(t))}" y2="${n(sy(t))}" stroke="#ddd"/>`);
    parts.push(`<text x="${m.l - 6}" y="${n(sy(t) + 4)}" text-anchor="end">${esc(label(t))}</text>`);
  }
  for (const t of ticks(x0, x1, 8)) {
    parts.push(`<line x1="${n(sx(t))}" x2="${n(sx(t))}" y1="${m.t}" y2="${H - m.b}" stroke="#eee"/>`);
    parts.push(`<text x="${n(sx(t))}" y="${H - m.b + 16}" text-anchor="middle">${esc(label(t))}</text>`);
  }
  parts.push(`<text x="${W / 2}" y="${H - 10}" text-anchor="middle">x</text>`);
  if (max) {
    for (const s of [1, -1]) {
      parts.push(
        `<line x1="${m.l}" x2="${W - m.r}" y1="${n(sy(s * max.value))}" y2="${n(sy(s * max.value))}" stroke="#c33" stroke-dasharray="4 3"/>`,
      );
    }
    parts.push(
      `<text x="${W - m.r - 4}" y="${n(sy(max.value) - 6)}" text-anchor="end" fill="#c33">max |gap| = ${esc(max.value.toPrecision(6))} at x = ±${esc(max.argmax.toPrecision(8))}</text>`,
    );
  }
  parts.push(`<path d="${path}" fill="none" stroke="#1f5fbf" stroke-width="1.5"/>`);
  if (max) {
    for (const x of [max.argmax, -max.argmax]) {
      const nearest = points.reduce((a, b) => (Math.abs(b.x - x) < Math.abs(a.x - x) ? b : a));
      parts.push(`<circle cx="${n(sx(x))}" cy="${n(sy(Math.sign(nearest.gap) * max.value))}" r="4" fill="#c33"/>`);
    }
  }
  parts.push('</svg>');
  return parts.join('\n');
}

/** Grouped bars: per backend (group) and region (bar), the largest observed steps; skipped cells hatched grey. */
export function regionErrorSvg(results: readonly PropertyResult[], fn: 'gelu' | 'gelu-tanh'): string {
  const rows = results.filter((r) => r.suite === 'agreement' && r.fn === fn && r.region !== undefined && r.id.startsWith('oracle/'));
  const groups = [...new Set(rows.map((r) => `${r.backend} ${r.dtype}`))];
  const regions = [...new Set(rows.map((r) => r.region!))];
  const W = Math.max(480, 90 + groups.length * (regions.length * 14 + 24));
  const H = 380;
  const m = { l: 60, r: 150, t: 40, b: 70 };
  // Measure-only runs (no bound in the table yet) are skipped but still have an observed maximum: drawn faded.
  const value = (r: PropertyResult | undefined) =>
    r && r.runs > 0 && r.maxObserved !== undefined && Number.isFinite(r.maxObserved) ? r.maxObserved : undefined;
  const top = Math.max(1, ...rows.map((r) => Math.max(value(r) ?? 0, r.bound !== undefined && Number.isFinite(r.bound) ? r.bound : 0)));
  const sy = (v: number) => m.t + (1 - v / top) * (H - m.t - m.b);
  const groupW = (W - m.l - m.r) / Math.max(1, groups.length);
  const barW = Math.min(14, (groupW - 16) / Math.max(1, regions.length));
  const palette = ['#1f5fbf', '#2a9d8f', '#e9c46a', '#f4a261', '#e76f51', '#8e44ad', '#6c757d', '#264653', '#c33'];
  const parts: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="sans-serif" font-size="11">`,
    `<title>${fn === 'gelu' ? 'gelu' : 'gelu tanh'}: largest error by region (steps)</title>`,
    `<rect width="${W}" height="${H}" fill="white"/>`,
    `<text x="${(W - m.r) / 2}" y="20" text-anchor="middle" font-size="14">${fn === 'gelu' ? 'gelu' : 'gelu tanh'}: largest observed error per region, in steps (— = tolerance)</text>`,
  ];
  for (const t of ticks(0, top, 5)) {
    parts.push(`<line x1="${m.l}" x2="${W - m.r}" y1="${n(sy(t))}" y2="${n(sy(t))}" stroke="#ddd"/>`);
    parts.push(`<text x="${m.l - 6}" y="${n(sy(t) + 4)}" text-anchor="end">${esc(label(t))}</text>`);
  }
  groups.forEach((g, gi) => {
    const gx = m.l + gi * groupW + 8;
    regions.forEach((region, ri) => {
      const r = rows.find((x) => `${x.backend} ${x.dtype}` === g && x.region === region);
      const v = value(r);
      const x = gx + ri * barW;
      const colour = palette[ri % palette.length]!;
      if (v === undefined) {
        parts.push(
          `<rect x="${n(x)}" y="${n(sy(top))}" width="${n(barW - 2)}" height="${n(sy(0) - sy(top))}" fill="#f3f3f3" stroke="#ccc"><title>${esc(`${g} ${region}: ${r?.reason ?? 'not run'}`)}</title></rect>`,
        );
      } else {
        const h = Math.max(1.5, sy(0) - sy(v));
        parts.push(
          `<rect x="${n(x)}" y="${n(sy(0) - h)}" width="${n(barW - 2)}" height="${n(h)}" fill="${colour}"${r?.status === 'fail' ? ' stroke="#c00" stroke-width="2"' : r?.status === 'skipped' ? ' fill-opacity="0.35" stroke="#888" stroke-dasharray="2 2"' : ''}><title>${esc(`${g} ${region}: ${v} steps (${r?.bound !== undefined && Number.isFinite(r.bound) ? `bound ${r.bound}` : 'not gated'})`)}</title></rect>`,
        );
      }
      if (r?.bound !== undefined && Number.isFinite(r.bound) && r.status !== 'skipped') {
        parts.push(
          `<line x1="${n(x - 1)}" x2="${n(x + barW - 1)}" y1="${n(sy(r.bound))}" y2="${n(sy(r.bound))}" stroke="#000" stroke-width="2"/>`,
        );
      }
    });
    parts.push(`<text x="${n(gx + (regions.length * barW) / 2)}" y="${H - m.b + 16}" text-anchor="middle">${esc(g)}</text>`);
  });
  regions.forEach((region, ri) => {
    const y = m.t + ri * 16;
    parts.push(`<rect x="${W - m.r + 12}" y="${y}" width="10" height="10" fill="${palette[ri % palette.length]}"/>`);
    parts.push(`<text x="${W - m.r + 26}" y="${y + 9}">${esc(region)}</text>`);
  });
  // Two short lines: the legend column is m.r = 150 px wide.
  parts.push(`<text x="${W - m.r + 12}" y="${m.t + regions.length * 16 + 16}" fill="#888">grey: skipped</text>`);
  parts.push(`<text x="${W - m.r + 12}" y="${m.t + regions.length * 16 + 30}" fill="#888">faded: no bound yet</text>`);
  parts.push('</svg>');
  return parts.join('\n');
}
