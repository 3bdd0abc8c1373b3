import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { readResult, type SweepResult } from '../sweep/result.js';
import { REGIONS, ToleranceError, type ToleranceEntry, type ToleranceTable } from './index.js';

/** How many inputs a complete sweep of the dtype checks, in words. */
const INPUTS: Record<string, string> = {
  f32: 'all 2^32 float32 inputs',
  bf16: 'all 2^16 bfloat16 inputs',
  f16: 'all 2^16 binary16 inputs',
};

/**
 * The table with every entry a complete sweep result covers set from that result: per region the
 * largest steps over all inputs, basis "exhaustive", and one source per backend and function that
 * names the command and the result file (which holds the worst input per region, the device, the
 * commit and the time). Results that are not complete are refused: a partial sweep bounds nothing.
 * Several files of one backend, function and format (the kernel's paths with and without relaxed
 * SIMD's multiply-add) bound it together: per region the largest of their steps, every file named.
 */
export function tolerancesFromSweeps(table: ToleranceTable, dir: string): { table: ToleranceTable; applied: string[] } {
  const next = structuredClone(table);
  const applied: string[] = [];
  /** Sources already set in this run, per entry: a second file of the same entry adds to them. */
  const seen = new Map<ToleranceEntry, string>();
  for (const name of readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    .sort()) {
    const file = join(dir, name);
    const r: SweepResult = readResult(file);
    if (!r.complete) throw new ToleranceError(`${file}: the sweep is not complete; a partial sweep bounds nothing`);
    const dtype = (r as { dtype: string }).dtype;
    const byDtype = next.backends[r.backend as keyof ToleranceTable['backends']]?.bounds[r.fn] as Record<string, unknown> | undefined;
    const entries = byDtype?.[dtype] as Record<string, ToleranceEntry> | undefined;
    if (!entries) throw new ToleranceError(`${file}: the table has no entry for ${r.backend} ${r.fn} ${dtype}`);
    const path = r.relaxedSimd === undefined ? '' : ` --relaxed-simd ${r.relaxedSimd ? 'on' : 'off'}`;
    const source =
      `exhaustive over ${INPUTS[dtype] ?? dtype}: geglu sweep --backend ${r.backend} --fn ${r.fn} --dtype ${dtype}${path}${dtype === 'f32' ? ' --workers 2' : ''}; ` +
      `worst input per region, device, commit and time in ${file}`;
    for (const g of REGIONS) {
      const m = r.regions[g].maxSteps;
      if (m === 'Infinity') throw new ToleranceError(`${file}: ${g} has a NaN where a number is correct; no step bound holds`);
      const before = entries[g];
      const earlier = before === undefined ? undefined : seen.get(before);
      const entry: ToleranceEntry =
        earlier === undefined
          ? { maxSteps: m, measured: true, basis: 'exhaustive', source }
          : { maxSteps: Math.max(m, before!.maxSteps ?? 0), measured: true, basis: 'exhaustive', source: `${earlier}. And ${source}` };
      entries[g] = entry;
      seen.set(entry, entry.source);
    }
    applied.push(`${r.backend} ${r.fn} ${dtype}${path}`);
  }
  return { table: next, applied };
}
