/**
 * Seeded Gemma 2 MLP calls whose output bits the tests pin (test/mlp/pinned.test.ts), one per
 * path: the plain loop and the WebAssembly SIMD tiles of gemma2Mlp in float32 and float64, and
 * createGemma2Mlp with 1 and 2 threads and with engine 'js'. Each output array is hashed
 * (FNV-1a, 32 bits, over its bytes), so any change of a single bit of any result shows.
 *
 * Print the hashes of a build: node test/mlp/pinned-outputs.mjs [path to dist/index.js]
 */

/** Uniform in [−scale, scale) from a 32-bit LCG (Numerical Recipes' constants). */
function filled(Type, n, scale, seed) {
  let s = seed >>> 0;
  const a = new Type(n);
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    a[i] = (s / 2 ** 32 - 0.5) * 2 * scale;
  }
  return a;
}

function fnv1a(a) {
  const bytes = new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
  let h = 0x811c9dc5;
  for (const b of bytes) h = Math.imul(h ^ b, 0x01000193) >>> 0;
  return h.toString(16).padStart(8, '0');
}

/** Shapes: T·d·f = 5,078,143 ≥ 2^22 takes the SIMD tiles in gemma2Mlp; 5·19·40 the plain loop. d mod 4 = 3 reaches the tails. */
const LARGE = { tokens: 37, hidden: 67, intermediate: 2049 };
const SMALL = { tokens: 5, hidden: 19, intermediate: 40 };

function inputs(Type, { tokens, hidden: d, intermediate: f }, seed) {
  return {
    x: filled(Type, tokens * d, 2, seed),
    weights: {
      hidden: d,
      intermediate: f,
      gate: filled(Type, f * d, 1 / Math.sqrt(d), seed + 1),
      up: filled(Type, f * d, 1 / Math.sqrt(d), seed + 2),
      down: filled(Type, d * f, 1 / Math.sqrt(f), seed + 3),
    },
  };
}

/**
 * { case name: hash } for the kernel module `k` (src or dist). Waits for the 2-thread plan's workers.
 * Pins the plain multiply-add path (relaxed SIMD off): a relaxed_madd may fuse or not, engine by engine.
 */
export async function pinnedHashes(k) {
  const request = k.relaxedSimdPath().request;
  k.setRelaxedSimd('off');
  try {
    return await hashes(k);
  } finally {
    k.setRelaxedSimd(request);
  }
}

async function hashes(k) {
  const out = {};
  for (const approximate of ['tanh', 'none']) {
    for (const [Type, name] of [
      [Float32Array, 'f32'],
      [Float64Array, 'f64'],
    ]) {
      for (const [shape, size] of [
        [SMALL, 'plain'],
        [LARGE, 'simd'],
      ]) {
        const { x, weights } = inputs(Type, shape, 7);
        out[`gemma2Mlp ${name} ${size} ${approximate}`] = fnv1a(k.gemma2Mlp(x, shape.tokens, weights, { approximate }));
      }
    }
    const { x, weights } = inputs(Float32Array, LARGE, 11);
    for (const options of [{ threads: 1 }, { threads: 2 }, { engine: 'js' }]) {
      const m = k.createGemma2Mlp(weights, options);
      for (let i = 0; i < 100 && m.threads > 1 && m.activationThreads < m.threads; i++) await new Promise((r) => setTimeout(r, 20));
      out[`createGemma2Mlp ${JSON.stringify(options)} ${approximate}`] = fnv1a(m.forward(x, LARGE.tokens, { approximate }));
      m.dispose();
    }
  }
  k.releaseGemma2MlpScratch();
  return out;
}

if (import.meta.url === (await import('node:url')).pathToFileURL(process.argv[1] ?? '').href) {
  const dist = process.argv[2] ?? new URL('../../dist/index.js', import.meta.url).pathname;
  console.log(JSON.stringify(await pinnedHashes(await import(dist)), null, 2));
  process.exit(0);
}
