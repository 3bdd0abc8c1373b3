#!/usr/bin/env node
// Writes src/elementwise/grad-roots.generated.ts: the root r of each gelu derivative
// (exact Φ(x) + x·φ(x) near −0.7518, tanh form near −0.7525) as a triple of doubles
// r0 + r1 + r2, each the nearest double to what is left (|r − (r0 + r1 + r2)| < 2^-160·|r|).
// The gradient kernel expands the derivative around r, and x − r must keep its relative
// precision for the float64 x nearest r (|x − r| can be ~2^-60): a double-double root would
// leave only 2^-106 absolute.
//
// Method: the secant method on @geglu/oracle's geluGrad at 90 significant digits (each value
// within one unit in its last digit), started at −0.75 and −0.76, until two iterates agree to
// 70 digits; the derivative's slope there is ≈ 0.43, so the root is known to ~10^-70.
//
// Usage (from packages/kernel): pnpm build (the oracle's dist) && node scripts/generate-grad-roots.mjs
import { writeFileSync } from 'node:fs';
import { Decimal, exactDecimal, geluGrad } from '@geglu/oracle';

const D = Decimal.clone({ precision: 120 });
const DIGITS = 90;

function root(approximate) {
  const f = (x) => new D(geluGrad(x, { approximate, digits: DIGITS }));
  let a = new D('-0.75');
  let b = new D('-0.76');
  let fa = f(a);
  let fb = f(b);
  for (let i = 0; i < 60; i++) {
    const c = b.minus(fb.times(b.minus(a)).div(fb.minus(fa)));
    if (c.minus(b).abs().lt(new D('1e-72'))) return c;
    a = b;
    fa = fb;
    b = c;
    fb = f(c);
  }
  throw new Error(`no convergence for approximate=${approximate}`);
}

function parts(r) {
  const out = [];
  let rest = r;
  for (let i = 0; i < 3; i++) {
    const p = rest.toNumber();
    out.push(p);
    rest = rest.minus(exactDecimal(p)); // the double's exact binary value (new Decimal(p) would take its shortest decimal)
  }
  if (!rest.abs().lt(r.abs().times(new D(2).pow(-160)))) throw new Error('three doubles do not hold the root');
  return out;
}

const bits = (x) => {
  const v = new DataView(new ArrayBuffer(8));
  v.setFloat64(0, x);
  const h = (i) => `0x${v.getUint32(i).toString(16).toUpperCase().padStart(8, '0')}`;
  return `${h(0)}, ${h(4)}`;
};

let text = `// generated — do not edit. Regenerate with \`node scripts/generate-grad-roots.mjs\` (after a build):
// the root of each gelu derivative by the secant method on @geglu/oracle's geluGrad at ${DIGITS}
// digits, split into three doubles (each the nearest double to the rest). Bit patterns: high, low word.
`;
for (const [name, approximate, what] of [
  ['EXACT', 'none', 'Φ(x) + x·φ(x)'],
  ['TANH', 'tanh', "the tanh form's derivative"],
]) {
  const r = root(approximate);
  const [r0, r1, r2] = parts(r);
  text += `
/** Root of ${what}: ${r.toSignificantDigits(50).toString()}… (part 0). */
export const ${name}_GRAD_ROOT_0 = ${r0}; // ${bits(r0)}
/** Part 1 of that root. */
export const ${name}_GRAD_ROOT_1 = ${r1}; // ${bits(r1)}
/** Part 2 of that root. */
export const ${name}_GRAD_ROOT_2 = ${r2}; // ${bits(r2)}
`;
}
writeFileSync(new URL('../src/elementwise/grad-roots.generated.ts', import.meta.url), text);
