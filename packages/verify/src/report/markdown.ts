import { SUITE_TITLES } from '../suites/types.js';
import { cells, cellText, fmt, SUITE_IDS, truncate, type VerifyReport } from './model.js';

const esc = (s: string) => s.replace(/\|/g, '\\|').replace(/\n/g, ' ');

/** report.md: summary, exceeded bounds, landmarks, the suite × backend table and every property. */
export function formatMarkdown(r: VerifyReport): string {
  const L: string[] = [];
  L.push('# geglu verify report', '');
  L.push(`- seed: \`${r.seed}\` (replay: \`GEGLU_SEED=${r.seed} geglu verify --runs ${r.runs}\`)`);
  L.push(`- runs per property: ${r.runs}; started ${r.startedAt}; took ${(r.durationMs / 1000).toFixed(1)} s on Node ${r.node}`);
  L.push(`- tolerances: ${r.tolerances}`);
  L.push(`- result: ${r.summary.passed} passed, ${r.summary.failed} failed, ${r.summary.skipped} skipped`, '');
  L.push('## Exceeded bounds', '');
  if (r.exceeded.length === 0) L.push('None.');
  else for (const e of r.exceeded) L.push(`- ${esc(e)}`);
  L.push('', '## Backends', '', '| backend | dtype | precision | ran | status |', '|---|---|---|---|---|');
  for (const t of r.targets)
    L.push(
      `| ${t.backend} | ${t.dtype} | ${t.precision} | ${t.ran ?? '–'} | ${t.unavailable ? `unavailable: ${esc(t.unavailable)}` : 'available'} |`,
    );
  L.push('', '## Landmarks (located with the oracle in this run)', '');
  const lm = r.landmarks;
  if (lm.maxGeluGap)
    L.push(`- max |gelu_tanh − gelu| = ${lm.maxGeluGap.value} at x = ±${lm.maxGeluGap.argmax} (${esc(lm.maxGeluGap.source)})`);
  if (lm.maxPhiGap) L.push(`- max |tanhPhi − Phi| = ${lm.maxPhiGap.value} at x = ±${lm.maxPhiGap.argmax}`);
  for (const [fn, m] of Object.entries(lm.minimum ?? {})) L.push(`- min ${fn} = ${m.value} at x = ${m.argmin}`);
  if (lm.thresholds && Object.keys(lm.thresholds).length > 0) {
    L.push('', '| function/dtype | gelu(x) = −0 for x ≤ | normal results from x = | gelu(x) = x from x = |', '|---|---|---|---|');
    for (const [k, t] of Object.entries(lm.thresholds)) L.push(`| ${k} | ${t.underflowToZero} | ${t.normalFrom} | ${t.identityFrom} |`);
  }
  const suite1 = r.results.filter((p) => p.suite === 'tanh-vs-erf' && p.id.startsWith('oracle/') && p.facts);
  if (suite1.length > 0) {
    L.push('', '### Suite 1: the maxima checked against the oracle', '');
    for (const p of suite1) {
      L.push(
        `- ${p.id} (${p.status}): ${Object.entries(p.facts!)
          .map(([k, v]) => `${k} = ${esc(String(v))}`)
          .join('; ')}`,
      );
    }
  }
  L.push('', '## Suites × backends', '');
  const targets = r.targets.map((t) => `${t.backend} ${t.dtype}`);
  L.push(`| suite | ${targets.join(' | ')} |`, `|---|${targets.map(() => '---').join('|')}|`);
  const grid = cells(r.results);
  for (const s of SUITE_IDS) {
    const row = grid.get(s);
    if (row) L.push(`| ${SUITE_TITLES[s]} | ${targets.map((t) => cellText(row.get(t))).join(' | ')} |`);
  }
  L.push('', 'Cells: pass / FAIL failed/run / skipped; in brackets the worst max-observed/bound in steps.', '');
  L.push(
    '## Plots',
    '',
    '![gelu_tanh − gelu](tanh-vs-erf.svg)',
    '',
    '![gelu: error by region](error-by-region-gelu.svg)',
    '',
    '![gelu tanh: error by region](error-by-region-gelu-tanh.svg)',
    '',
  );
  L.push(
    '## Every property',
    '',
    '| suite | backend | property | status | runs | max observed | bound | note |',
    '|---|---|---|---|---|---|---|---|',
  );
  for (const p of r.results) {
    const note =
      p.status === 'pass' ? '' : truncate(`${p.reason ?? ''}${p.counterexample ? `; counterexample ${p.counterexample}` : ''}`, 300);
    L.push(
      `| ${p.suite} | ${p.backend} ${p.dtype} | ${esc(p.property)} | ${p.status} | ${p.runs} | ${fmt(p.maxObserved)} | ${p.bound === undefined ? '–' : Number.isFinite(p.bound) ? `${fmt(p.bound)} ${p.unit ?? ''}` : 'not gated'} | ${esc(note)} |`,
    );
  }
  L.push('');
  return L.join('\n');
}
