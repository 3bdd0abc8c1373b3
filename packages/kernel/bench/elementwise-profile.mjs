// Where the float32 gelu's time goes on ordinary arrays, per multiply-add path (relaxed SIMD off
// and on): the copies into WebAssembly memory and back alone, the kernel on kernel arrays (no
// copies), and geluArray on ordinary arrays, each on 1 thread and on 2 (one worker); plus how many
// pairs the kernel flags for the JavaScript fallback. Inputs uniform on [-10, 10] (a 32-bit LCG,
// as `pnpm bench` draws them), preallocated outputs. Prints the median and min–max of each row
// over the rounds; rows and paths are interleaved round by round.
// Usage (from packages/kernel, after a build): node bench/elementwise-profile.mjs [rounds, default 5] [log2 sizes, default 20 24]
import {
  enableRelaxedSimdFlag,
  geluArray,
  geluThreadsReady,
  kernelFloat32Array,
  relaxedSimdPath,
  setGeluThreads,
  setRelaxedSimd,
} from '../dist/index.js';
import { kernelInstance, kernelMemory, kernelSMax } from '../dist/elementwise/simd.js';
import { EXACT_TABLE, TANH_TABLE } from '../dist/elementwise/fast.js';
import { SIGMOID_GROUP, SIMD_GROUP } from '../dist/wasm/gelu-simd.js';

const [roundsArg, ...sizeArgs] = process.argv.slice(2);
const rounds = Number(roundsArg ?? 5);
const sizes = (sizeArgs.length ? sizeArgs : ['20', '24']).map((s) => 2 ** Number(s));
if (!enableRelaxedSimdFlag()) throw new Error('relaxed SIMD does not validate here');

async function threads(count) {
  setGeluThreads(count);
  if (count === 0) return;
  geluArray(new Float32Array(2 ** 17));
  const deadline = Date.now() + 5000;
  while (geluThreadsReady() < count && Date.now() < deadline) await new Promise((r) => setTimeout(r, 5));
  // warm the pool on this path
  for (let i = 0; i < 20; i++) geluArray(new Float32Array(2 ** 18));
}

function time(f) {
  const t0 = performance.now();
  f();
  return performance.now() - t0;
}

const results = new Map();
const add = (key, ms) => {
  if (!results.has(key)) results.set(key, []);
  results.get(key).push(ms);
};

for (const n of sizes) {
  let lcg = 12345;
  const x = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    lcg = (Math.imul(lcg, 1664525) + 1013904223) >>> 0;
    x[i] = -10 + 20 * (lcg / 2 ** 32);
  }
  const out = new Float32Array(n);
  const kx = kernelFloat32Array(n);
  const ko = kernelFloat32Array(n);
  const flags = kernelFloat32Array(n / 2);
  kx.set(x);
  const reps = n >= 2 ** 24 ? 3 : 20;
  for (let round = 0; round < rounds; round++) {
    for (const path of ['off', 'on']) {
      setRelaxedSimd(path);
      for (const approximate of ['none', 'tanh']) {
        const o = { approximate, out };
        const ok = { approximate, out: ko };
        const tag = `2^${Math.log2(n)} ${approximate} relaxed ${path}`;
        for (const t of [0, 1]) {
          await threads(t);
          for (let r = 0; r < 2; r++) geluArray(x, o);
          add(`${tag} | ordinary, ${t + 1} thread(s)`, Math.min(...Array.from({ length: reps }, () => time(() => geluArray(x, o)))));
          add(`${tag} | kernel arrays, ${t + 1} thread(s)`, Math.min(...Array.from({ length: reps }, () => time(() => geluArray(kx, ok)))));
        }
        if (path === 'off' && approximate === 'none')
          add(
            `2^${Math.log2(n)} | copy in + out (1 thread)`,
            Math.min(
              ...Array.from({ length: reps }, () =>
                time(() => {
                  kx.set(x);
                  out.set(ko);
                }),
              ),
            ),
          );
        // flagged pairs: the kernel itself on the kernel arrays, its flag list counted
        const k = kernelMemory();
        const w = kernelInstance(k);
        const table = approximate === 'tanh' ? TANH_TABLE : EXACT_TABLE;
        const group = table.tanh ? SIGMOID_GROUP : SIMD_GROUP;
        const pairs = Math.floor(n / (2 * group)) * group;
        const flagged = table.tanh
          ? w.tanhKernel(kx.byteOffset, ko.byteOffset, pairs, flags.byteOffset)
          : w.kernel(kx.byteOffset, 0, ko.byteOffset, pairs, 0, flags.byteOffset, table.origin, kernelSMax(table));
        if (round === 0)
          console.log(
            `${tag}: ${flagged} of ${pairs} pairs flagged (1 in ${(pairs / Math.max(1, flagged)).toFixed(0)}; groups of ${group})`,
          );
      }
    }
  }
}
setGeluThreads(1);
console.log(
  `path with relaxed SIMD: ${JSON.stringify(relaxedSimdPath())}; best of each round's repeats, then median [min–max] over ${rounds} rounds`,
);
for (const [key, v] of results) {
  const s = [...v].sort((a, b) => a - b);
  const med = s[Math.floor(s.length / 2)];
  const n = 2 ** Number(/2\^(\d+)/.exec(key)[1]);
  console.log(`${key}: ${med.toFixed(3)} ms [${s[0].toFixed(3)}–${s[s.length - 1].toFixed(3)}], ${(n / med / 1e3).toFixed(0)} Melem/s`);
}
