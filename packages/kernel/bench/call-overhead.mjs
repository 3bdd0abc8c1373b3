// The fixed cost of a kernel call: geluArray on short float32 arrays (exact and tanh forms,
// preallocated output), in microseconds per call, beside what one probe of the engine for relaxed
// SIMD costs (building the probe module and WebAssembly.validate, which src/wasm/features.ts does
// once where the answer is yes, at most once per REPROBE_MS where it is no). Prints the median of 7
// batches of each.
// Usage (from packages/kernel, after a build): node bench/call-overhead.mjs
import { geluArray, relaxedSimdPath } from '../dist/index.js';
import { probeModuleBytes } from '../dist/wasm/features.js';

const median = (a) => [...a].sort((p, q) => p - q)[a.length >> 1];
function perCall(reps, f) {
  const batches = [];
  for (let b = 0; b < 7; b++) {
    const t0 = performance.now();
    for (let i = 0; i < reps; i++) f();
    batches.push(((performance.now() - t0) / reps) * 1000);
  }
  return median(batches);
}

console.log(`Node ${process.version}, relaxed SIMD ${JSON.stringify(relaxedSimdPath())}`);
console.log(
  `one probe (build + WebAssembly.validate, valid here: ${WebAssembly.validate(probeModuleBytes())}): ${perCall(2000, () => WebAssembly.validate(probeModuleBytes())).toFixed(2)} µs`,
);
for (const n of [64, 1024, 16384]) {
  const x = new Float32Array(n).map((_, i) => Math.sin(i) * 10);
  const out = new Float32Array(n);
  const reps = Math.max(50, Math.floor(2e6 / n));
  const exact = perCall(reps, () => geluArray(x, { out }));
  const tanh = perCall(reps, () => geluArray(x, { out, approximate: 'tanh' }));
  console.log(`geluArray, ${n} elements: exact ${exact.toFixed(2)} µs per call, tanh ${tanh.toFixed(2)} µs per call`);
}
