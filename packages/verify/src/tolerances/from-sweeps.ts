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
 */
export function tolerancesFromSweeps(table: ToleranceTable, dir: string): { table: ToleranceTable; applied: string[] } {
  const next = structuredClone(table);
  const applied: string[] = [];
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
    const source =
      `exhaustive over ${INPUTS[dtype] ?? dtype}: geglu sweep --backend ${r.backend} --fn ${r.fn} --dtype ${dtype}${dtype === 'f32' ? ' --workers 2' : ''}; ` +
      `worst input per region, device, commit and time in ${file}`;
    for (const g of REGIONS) {
      const m = r.regions[g].maxSteps;
      if (m === 'Infinity') throw new ToleranceError(`${file}: ${g} has a NaN where a number is correct; no step bound holds`);
      entries[g] = { maxSteps: m, measured: true, basis: 'exhaustive', source };
    }
    applied.push(`${r.backend} ${r.fn} ${dtype}`);
  }
  return { table: next, applied };
}
