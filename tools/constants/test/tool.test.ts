import { describe, expect, it } from 'vitest';
import { escapeXml, lineChart, niceTicks, tickLabel } from '../src/svg.js';
import { gegluBlockCounts } from '../src/gemma2.js';

describe('svg helpers', () => {
  it('niceTicks covers [lo, hi] with 1/2/5 × 10^k steps, starting at +0 not −0', () => {
    const u = niceTicks(0, 1);
    expect(u.length).toBe(6);
    u.forEach((v, i) => expect(v).toBeCloseTo(i * 0.2, 12));
    expect(Object.is(u[0], 0)).toBe(true);
    const t = niceTicks(-6, 6);
    expect(t[0]).toBeGreaterThanOrEqual(-6);
    expect(t[t.length - 1]).toBeLessThanOrEqual(6);
    expect(() => niceTicks(1, 1)).toThrow(/lo < hi/);
  });

  it('tickLabel writes small values in exponent form with a real minus sign', () => {
    expect(tickLabel(-0.0005)).toBe('−5e−4');
    expect(tickLabel(0.25)).toBe('0.25');
    expect(tickLabel(0)).toBe('0');
  });

  it('lineChart escapes text and keeps every point inside the plot area', () => {
    expect(escapeXml('a<b & "c"')).toBe('a&lt;b &amp; &quot;c&quot;');
    const svg = lineChart({
      title: 'x < 1',
      xLabel: 'x',
      yLabel: 'y',
      series: [
        {
          name: 's',
          color: '#000',
          points: [
            [0, -1],
            [1, 2],
            [2, 0],
          ],
        },
      ],
    });
    expect(svg).toContain('x &lt; 1');
    const pts = /points="([^"]+)"/
      .exec(svg)![1]!
      .split(' ')
      .map((p) => p.split(',').map(Number));
    for (const [x, y] of pts) {
      expect(x).toBeGreaterThanOrEqual(78);
      expect(x).toBeLessThanOrEqual(700);
      expect(y).toBeGreaterThanOrEqual(40);
      expect(y).toBeLessThanOrEqual(364);
    }
  });
});

describe('Gemma 2 GeGLU block counts', () => {
  // Shapes: Hugging Face config.json of each checkpoint, as quoted in packages/kernel/src/mlp/presets.ts.
  it('intermediate / hidden is 4, 4 and 8 (no single rule) and a GeGLU block has 3/2 the weights of an ungated MLP', () => {
    const rows = gegluBlockCounts();
    expect(rows.map((r) => r.ratio)).toEqual([4, 4, 8]);
    for (const r of rows) {
      expect(r.gegluParams).toBe(3 * r.hidden * r.intermediate);
      expect(r.gegluParams / r.ungatedParams).toBe(1.5);
      expect(r.feedforwardDim).toBe(2 * r.intermediate);
    }
    expect(rows[0]!.gegluParams).toBe(63_700_992); // 3 · 2304 · 9216
  });
});
