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
  // fast-check seeds are 32-bit: a larger value would wrap silently and not replay what was asked.
  if (!Number.isSafeInteger(seed) || seed < -(2 ** 31) || seed > 2 ** 31 - 1) {
    throw new Error(`GEGLU_SEED must be a 32-bit integer, got ${JSON.stringify(raw)}`);
  }
}
const runs = Number(process.env.GEGLU_RUNS ?? 100);
if (!Number.isSafeInteger(runs) || runs < 1) {
  throw new Error(`GEGLU_RUNS must be a positive integer, got ${JSON.stringify(process.env.GEGLU_RUNS)}`);
}
fc.configureGlobal({ seed, numRuns: runs });

let printed = false;
beforeAll(() => {
  if (!printed) {
    printed = true;
    process.stdout.write(`fast-check seed ${seed} (replay with GEGLU_SEED=${seed})\n`);
  }
});
