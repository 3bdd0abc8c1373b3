// Shared by every package's vitest config: fixes the fast-check seed so any
// failure can be replayed with GEGLU_SEED=<seed>, and forbids retries.
import fc from 'fast-check';
import { beforeAll } from 'vitest';

const raw = process.env.GEGLU_SEED;
let seed: number;
if (raw === undefined || raw === '') {
  seed = (Date.now() ^ (Math.random() * 0x7fffffff)) | 0;
} else {
  seed = Number(raw);
  if (!Number.isSafeInteger(seed)) {
    throw new Error(`GEGLU_SEED must be an integer, got ${JSON.stringify(raw)}`);
  }
  seed |= 0;
}
fc.configureGlobal({ seed, numRuns: Number(process.env.GEGLU_RUNS ?? 100) });

let printed = false;
beforeAll(() => {
  if (!printed) {
    printed = true;
    process.stdout.write(`fast-check seed ${seed} (replay with GEGLU_SEED=${seed})\n`);
  }
});
