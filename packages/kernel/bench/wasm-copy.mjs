// Why the SIMD kernel's WebAssembly memory is shared: copies out of an
// unshared WebAssembly memory with TypedArray.prototype.set are far slower in
// Node 20 (V8 11.3) than copies out of a shared one or an ordinary
// ArrayBuffer. Copies 2^20 float32s in 8192-element chunks (the kernel's
// chunk) each way, best of 20. Usage: node bench/wasm-copy.mjs
const CHUNK = 8192;
const N = 2 ** 20;
const AT = 65536; // element offset of the chunk inside the source memory
const js = new Float32Array(N).fill(1.5);
function best(fn) {
  let b = Infinity;
  for (let r = 0; r < 20; r++) {
    const t0 = performance.now();
    fn();
    b = Math.min(b, performance.now() - t0);
  }
  return b;
}
const sources = {
  'unshared WebAssembly.Memory': () => new WebAssembly.Memory({ initial: 16 }).buffer,
  'shared WebAssembly.Memory': () => new WebAssembly.Memory({ initial: 16, maximum: 16, shared: true }).buffer,
  SharedArrayBuffer: () => new SharedArrayBuffer(16 * 65536),
  ArrayBuffer: () => new ArrayBuffer(16 * 65536),
};
for (const [name, make] of Object.entries(sources)) {
  const chunk = new Float32Array(make(), AT * 4, CHUNK);
  const out = best(() => {
    for (let c = 0; c < N; c += CHUNK) js.set(chunk, c);
  });
  const into = best(() => {
    for (let c = 0; c < N; c += CHUNK) chunk.set(js.subarray(c, c + CHUNK));
  });
  console.log(`${name.padEnd(28)} out of it ${out.toFixed(3)} ms, into it ${into.toFixed(3)} ms (2^20 float32s)`);
}
