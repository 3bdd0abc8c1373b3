// Time of one evaluate() at 100 and 1000 digits for inputs across the algorithm regions.
// Run after building: node packages/oracle/bench/high-precision.mjs
// Not a test: it prints numbers and checks nothing.
import { evaluate } from '../dist/index.js';

const cases = [
  ['gelu', '-0.5'],
  ['gelu', '-4.5'],
  ['gelu', '-7'],
  ['gelu', '-30'],
  ['gelu', '-38.5'],
  ['gelu', '9'],
  ['gelu-tanh', '-3'],
  ['gelu-tanh', '-20'],
  ['erf', '5'],
  ['erfc', '4'],
  ['erfc', '27'],
  ['tanh', '0.3'],
  ['exp', '-700'],
];
for (const digits of [100, 1000]) {
  let worst = 0;
  const parts = [];
  for (const [fn, x] of cases) {
    const t0 = performance.now();
    evaluate(fn, x, { digits });
    const ms = performance.now() - t0;
    worst = Math.max(worst, ms);
    parts.push(`${fn}(${x}) ${ms.toFixed(0)} ms`);
  }
  console.log(`${digits} digits (cold caches, one thread): ${parts.join(', ')}; slowest ${worst.toFixed(0)} ms`);
}
