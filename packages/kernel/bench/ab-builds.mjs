// Two builds of the kernel side by side, for a change that must not slow
// anything down: the MLP (createGemma2Mlp with 1 and 2 threads, gemma2Mlp in
// float32 and float64) and 2^20-element geluArray calls, on seeded inputs.
// Checks first that both builds give the same bits, then runs the cases
// interleaved (the order flips every round, so a busy machine slows both
// alike) and prints the median wall and CPU (process user + system) ms and
// their ratios A/B. On a shared machine judge over several runs, swapping A and B.
//
// Usage (from packages/kernel): node bench/ab-builds.mjs A/dist/index.js B/dist/index.js [rounds=7]
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

const [pathA, pathB, roundsArg = '7'] = process.argv.slice(2);
if (pathB === undefined) throw new Error('usage: node bench/ab-builds.mjs A/dist/index.js B/dist/index.js [rounds]');
const A = await import(pathToFileURL(resolve(pathA)).href);
const B = await import(pathToFileURL(resolve(pathB)).href);
const rounds = Number(roundsArg);

let s = 12345;
const rand = () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32 - 0.5) * 2;
const fill = (Type, n, scale) => {
  const a = new Type(n);
  for (let i = 0; i < n; i++) a[i] = rand() * scale;
  return a;
};
// gemma-2-2b's shape, 64 tokens, float32; a smaller float64 shape (still above the SIMD threshold).
const d = 2304,
  f = 9216,
  T = 64;
const W = {
  hidden: d,
  intermediate: f,
  gate: fill(Float32Array, f * d, 1 / 48),
  up: fill(Float32Array, f * d, 1 / 48),
  down: fill(Float32Array, d * f, 1 / 96),
};
const x = fill(Float32Array, T * d, 1);
const d64 = 512,
  f64 = 2048,
  T64 = 16;
const W64 = {
  hidden: d64,
  intermediate: f64,
  gate: fill(Float64Array, f64 * d64, 1 / 22),
  up: fill(Float64Array, f64 * d64, 1 / 22),
  down: fill(Float64Array, d64 * f64, 1 / 45),
};
const x64 = fill(Float64Array, T64 * d64, 1);
const g20 = fill(Float32Array, 2 ** 20, 10);

function cases(k) {
  const one = k.createGemma2Mlp(W, { threads: 1 });
  const two = k.createGemma2Mlp(W, { threads: 2 });
  const y = new Float32Array(T * d),
    y64 = new Float64Array(T64 * d64),
    yg = new Float32Array(2 ** 20);
  return {
    two,
    dispose: () => {
      one.dispose();
      two.dispose();
    },
    run: {
      'createGemma2Mlp 1 thread, 2b, T=64': () => one.forward(x, T, { out: y }),
      'createGemma2Mlp 2 threads, 2b, T=64': () => two.forward(x, T, { out: y }),
      'gemma2Mlp f32, 2b, T=64': () => k.gemma2Mlp(x, T, W, { out: y }),
      'gemma2Mlp f64, 512×2048, T=16': () => k.gemma2Mlp(x64, T64, W64, { out: y64 }),
      'geluArray tanh 2^20': () => k.geluArray(g20, { approximate: 'tanh', out: yg }),
      'geluArray none 2^20': () => k.geluArray(g20, { approximate: 'none', out: yg }),
    },
  };
}
const a = cases(A),
  b = cases(B);
// Workers import the activation asynchronously: wait (≤ 5 s) so both 2-thread plans run it on 2 threads.
for (let i = 0; i < 100 && (a.two.activationThreads < 2 || b.two.activationThreads < 2); i++) await new Promise((r) => setTimeout(r, 50));
for (const name of Object.keys(a.run)) {
  const ya = a.run[name]().slice(),
    yb = b.run[name]();
  for (let i = 0; i < ya.length; i++) if (!Object.is(ya[i], yb[i])) throw new Error(`${name}: A and B differ at output ${i}`);
}
const wall = { A: {}, B: {} },
  cpu = { A: {}, B: {} };
for (let r = 0; r < rounds; r++) {
  for (const [tag, c] of r % 2
    ? [
        ['B', b],
        ['A', a],
      ]
    : [
        ['A', a],
        ['B', b],
      ]) {
    for (const [name, fn] of Object.entries(c.run)) {
      const c0 = process.cpuUsage();
      const t0 = performance.now();
      fn();
      (wall[tag][name] ??= []).push(performance.now() - t0);
      const u = process.cpuUsage(c0);
      (cpu[tag][name] ??= []).push((u.user + u.system) / 1000);
    }
  }
}
const med = (v) => [...v].sort((p, q) => p - q)[v.length >> 1];
console.log(
  `A ${pathA}\nB ${pathB}\noutputs bit-identical; activation threads A ${a.two.activationThreads}, B ${b.two.activationThreads}; median of ${rounds}`,
);
console.log('| case | wall A ms | wall B ms | A/B | CPU A ms | CPU B ms | A/B |\n|---|---:|---:|---:|---:|---:|---:|');
for (const name of Object.keys(a.run)) {
  const [wa, wb, ca, cb] = [med(wall.A[name]), med(wall.B[name]), med(cpu.A[name]), med(cpu.B[name])];
  console.log(
    `| ${name} | ${wa.toFixed(1)} | ${wb.toFixed(1)} | ${(wa / wb).toFixed(3)} | ${ca.toFixed(1)} | ${cb.toFixed(1)} | ${(ca / cb).toFixed(3)} |`,
  );
}
a.dispose();
b.dispose();
process.exit(0);
