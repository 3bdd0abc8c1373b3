// Quick local benchmark of the float32 gelu kernels, side by side in one run:
// @geglu/kernel geluArray and geglu (WebAssembly SIMD kernel, + worker threads when the
// build has them; geluArray also on kernel arrays, without copies), the plain-JavaScript
// table kernel, a Math.tanh loop, and
// onnxruntime-node's Gelu (opset 20, one intra-op thread) when tools/bench has
// it installed. Float32 in and out, preallocated output, inputs 6·sin(0.618·i)
// in [-6, 6] (no hard-case fallbacks dominate; see the README). Then fused geglu
// (gelu(gate)·up, no biases) at 2^20, also on the packed layout (gegluPacked,
// 128 rows of 8192 features), against ORT's Gelu+Mul graph.
// With --uniform, x and the gates are uniform on [-10, 10] (a 32-bit LCG, as
// `pnpm bench` draws its timing inputs) instead of 6·sin(0.618·i).
// Usage (from packages/kernel, after a build): node bench/gelu.mjs [--uniform] [log2 sizes, default 20 24]
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import {
  geglu,
  gegluPacked,
  geluArray,
  geluThreadsReady,
  kernelFloat32Array,
  releaseKernelFloat32Array,
  setGeluThreads,
} from '../dist/index.js';

/** One worker (two threads in all), started and warmed up before timing. */
async function twoThreads() {
  setGeluThreads(1);
  geluArray(new Float32Array(2 ** 17));
  const deadline = Date.now() + 5000;
  while (geluThreadsReady() < 1 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 5));
}
import { geluF32Range, EXACT_TABLE, TANH_TABLE } from '../dist/elementwise/fast.js';

const args = process.argv.slice(2);
const uniform = args.includes('--uniform');
const sizeArgs = args.filter((a) => a !== '--uniform');
const sizes = (sizeArgs.length ? sizeArgs : ['20', '24']).map((s) => 2 ** Number(s));
let lcg = 12345;
/** The i-th input: 6·sin(0.618·i), or uniform on [-10, 10] with --uniform. */
function input(i) {
  if (!uniform) return Math.sin(i * 0.618) * 6;
  lcg = (Math.imul(lcg, 1664525) + 1013904223) >>> 0;
  return -10 + lcg * (20 / 2 ** 32);
}
let ort = null;
let geluModel = null;
let gegluModel = null;
try {
  // bench/node_modules may hold a copy (for machines without the workspace's
  // node_modules); otherwise tools/bench's dependency.
  try {
    ort = createRequire(import.meta.url)('onnxruntime-node');
  } catch {
    ort = createRequire(new URL('../../../tools/bench/package.json', import.meta.url))('onnxruntime-node');
  }
  ({ geluModel, gegluModel } = await import(pathToFileURL(new URL('../../../tools/bench/dist/onnx.js', import.meta.url).pathname).href));
} catch (e) {
  console.log(`onnxruntime-node not available (${e.message.split('\n')[0]}); its rows are skipped`);
}

function timeIt(fn, n, minMs = 300) {
  fn(); // warm-up
  const times = [];
  const t0 = performance.now();
  while (performance.now() - t0 < minMs || times.length < 3) {
    const t = performance.now();
    fn();
    times.push(performance.now() - t);
  }
  times.sort((a, b) => a - b);
  return n / (times[times.length >> 1] * 1e3); // median, million elements per second
}

for (const n of sizes) {
  const x = new Float32Array(n);
  for (let i = 0; i < n; i++) x[i] = input(i);
  const out = new Float32Array(n);
  for (const approximate of ['tanh', 'none']) {
    const rows = [];
    await twoThreads();
    rows.push(['@geglu/kernel geluArray (2 threads)', timeIt(() => geluArray(x, { approximate, out }), n)]);
    {
      // The same on kernel arrays (kernelFloat32Array): no copies into WebAssembly memory and back.
      const kx = kernelFloat32Array(n);
      kx.set(x);
      const kout = kernelFloat32Array(n);
      rows.push(['  on kernel arrays (2 threads)', timeIt(() => geluArray(kx, { approximate, out: kout }), n)]);
      releaseKernelFloat32Array(kx);
      releaseKernelFloat32Array(kout);
    }
    setGeluThreads(0);
    rows.push(['@geglu/kernel geluArray (1 thread)', timeIt(() => geluArray(x, { approximate, out }), n)]);
    await twoThreads();
    const table = approximate === 'tanh' ? TANH_TABLE : EXACT_TABLE;
    rows.push(['JS table kernel (1 thread)', timeIt(() => geluF32Range(x, out, table, 0, n), n)]);
    const tanhLoop = timeIt(() => {
      for (let i = 0; i < n; i++) {
        const v = x[i];
        out[i] = 0.5 * v * (1 + Math.tanh(0.7978845608028654 * (v + 0.044715 * v * v * v)));
      }
    }, n);
    rows.push(['Math.tanh loop', tanhLoop]);
    if (ort) {
      const session = await ort.InferenceSession.create(geluModel(approximate), {
        intraOpNumThreads: 1,
        interOpNumThreads: 1,
        executionMode: 'sequential',
      });
      const feeds = { x: new ort.Tensor('float32', x, [n]) };
      const fetches = { y: new ort.Tensor('float32', out, [n]) };
      await session.run(feeds, fetches);
      const times = [];
      const t0 = performance.now();
      while (performance.now() - t0 < 300 || times.length < 3) {
        const t = performance.now();
        await session.run(feeds, fetches);
        times.push(performance.now() - t);
      }
      times.sort((a, b) => a - b);
      const ortRate = n / (times[times.length >> 1] * 1e3);
      rows.push(['onnxruntime-node Gelu (1 thread)', ortRate]);
      await session.release();
    }
    console.log(`\ngelu ${approximate}, n = 2^${Math.log2(n)}, float32, preallocated output (Melem/s, median)`);
    for (const [name, rate] of rows) {
      console.log(
        `  ${name.padEnd(38)} ${rate.toFixed(1).padStart(8)}   ×${(rate / tanhLoop).toFixed(2)} of Math.tanh loop${rows.at(-1)[0].startsWith('onnx') ? `, ×${(rate / rows.at(-1)[1]).toFixed(2)} of ORT` : ''}`,
      );
    }
  }
}

{
  const n = 2 ** 20;
  const gate = new Float32Array(n);
  const up = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    gate[i] = input(i);
    up[i] = Math.cos(i * 0.377) * 3;
  }
  const out = new Float32Array(n);
  // The same gates and ups in the packed layout: 128 rows of [gate(8192) | up(8192)].
  const features = 8192;
  const gateUp = new Float32Array(2 * n);
  for (let r = 0; r < n / features; r++) {
    gateUp.set(gate.subarray(r * features, (r + 1) * features), 2 * r * features);
    gateUp.set(up.subarray(r * features, (r + 1) * features), (2 * r + 1) * features);
  }
  for (const approximate of ['tanh', 'none']) {
    const rows = [];
    await twoThreads();
    rows.push(['@geglu/kernel geglu (2 threads)', timeIt(() => geglu(gate, up, { approximate, out }), n)]);
    setGeluThreads(0);
    rows.push(['@geglu/kernel geglu (1 thread)', timeIt(() => geglu(gate, up, { approximate, out }), n)]);
    await twoThreads();
    rows.push(['@geglu/kernel gegluPacked (1 thread)', timeIt(() => gegluPacked(gateUp, features, { approximate, out }), n)]);
    const tanhLoop = timeIt(() => {
      for (let i = 0; i < n; i++) {
        const v = gate[i];
        out[i] = 0.5 * v * (1 + Math.tanh(0.7978845608028654 * (v + 0.044715 * v * v * v))) * up[i];
      }
    }, n);
    rows.push(['Math.tanh loop', tanhLoop]);
    if (ort) {
      const session = await ort.InferenceSession.create(gegluModel(approximate), {
        intraOpNumThreads: 1,
        interOpNumThreads: 1,
        executionMode: 'sequential',
      });
      const feeds = { gate: new ort.Tensor('float32', gate, [n]), up: new ort.Tensor('float32', up, [n]) };
      const fetches = { y: new ort.Tensor('float32', out, [n]) };
      await session.run(feeds, fetches);
      const times = [];
      const t0 = performance.now();
      while (performance.now() - t0 < 300 || times.length < 3) {
        const t = performance.now();
        await session.run(feeds, fetches);
        times.push(performance.now() - t);
      }
      times.sort((a, b) => a - b);
      rows.push(['onnxruntime-node Gelu+Mul (1 thread)', n / (times[times.length >> 1] * 1e3)]);
      await session.release();
    }
    console.log(`\ngeglu ${approximate}, n = 2^20, float32, preallocated output (Melem/s, median)`);
    for (const [name, rate] of rows) {
      console.log(
        `  ${name.padEnd(38)} ${rate.toFixed(1).padStart(8)}   ×${(rate / tanhLoop).toFixed(2)} of Math.tanh loop${rows.at(-1)[0].startsWith('onnx') ? `, ×${(rate / rows.at(-1)[1]).toFixed(2)} of ORT` : ''}`,
      );
    }
  }
}
