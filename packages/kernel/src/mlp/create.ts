/**
 * `createGemma2Mlp`: a Gemma 2 MLP prepared for repeated float32 forward
 * passes — the weights copied once into the engine of ./engine.ts
 * (WebAssembly SIMD tiles, optionally on worker threads, or plain
 * TypeScript), with results bit-identical to `gemma2Mlp` (./gemma2.ts) where
 * both run the same multiply-add path (`relaxedSimd` says which).
 */
import { MATMUL_LANES, matmulSimdAvailable } from '../wasm/matmul-simd.js';
import { checkDimension, checkOptions, describe, fail, mayShareUnseen } from '../validation.js';
import { checkForward, checkMlpCall, type Gemma2MlpForwardOptions, type Gemma2MlpWeights } from './call.js';
import { createJsEngine, createSimdEngine, simdEngineBytes, simdEngineFits, type MlpEngine } from './engine.js';

const FN = 'createGemma2Mlp';
/** Most threads a plan may have, the caller included. */
export const MAX_THREADS = 16;

export interface CreateGemma2MlpOptions {
  /**
   * Threads including the caller (default 1; at most 16). Where there is no SharedArrayBuffer
   * (a browser page that is not crossOriginIsolated) the plan runs on one thread: `threads` says 1.
   */
  readonly threads?: number;
  /** 'wasm' (default when WebAssembly SIMD validates) or 'js' (the plain path; same results). */
  readonly engine?: 'wasm' | 'js';
}

export interface Gemma2Mlp {
  readonly hidden: number;
  readonly intermediate: number;
  /** The engine that actually runs: 'wasm-simd' or 'js'. */
  readonly engine: 'wasm-simd' | 'js';
  /**
   * Whether the tiles multiply-add with WebAssembly relaxed SIMD (`setRelaxedSimd`, decided when
   * this MLP was created); `relaxedSimdPath().fuses` says whether this engine's multiply-add fuses.
   */
  readonly relaxedSimd: boolean;
  readonly threads: number;
  /**
   * Threads that run the activation now: 1 + the workers that imported it (they load it
   * asynchronously, so right after creation this may still be 1; the results never depend on it).
   */
  readonly activationThreads: number;
  /**
   * Threads that take part in a forward pass now: 1 + the workers that have started (they start
   * asynchronously: in a browser only once the page's main thread has returned to its event loop).
   */
  readonly readyThreads: number;
  /** y = (gelu(x·W_gateᵀ) ⊙ (x·W_upᵀ))·W_downᵀ for x [tokens, hidden] (float32). */
  forward(x: Float32Array, tokens: number, options?: Gemma2MlpForwardOptions): Float32Array;
  /** Ends the workers and releases the weights' copy. */
  dispose(): void;
}

/**
 * Prepares a Gemma 2 MLP for repeated forward passes (float32 weights).
 * Copies the weights once; later changes to the caller's arrays are not seen.
 */
export function createGemma2Mlp(weights: Gemma2MlpWeights<Float32Array>, options?: CreateGemma2MlpOptions): Gemma2Mlp {
  // Validates the weights with an empty float32 x: same messages as gemma2Mlp, and float32 enforced.
  const w = checkMlpCall<Float32Array>(FN, new Float32Array(0), 0, weights, undefined);
  const opts = checkOptions<CreateGemma2MlpOptions>(FN, options);
  const threads = opts.threads === undefined ? 1 : checkDimension(FN, 'options.threads', opts.threads, 1);
  if (threads > MAX_THREADS) fail(FN, `options.threads is ${threads}, expected at most ${MAX_THREADS}`);
  if (opts.engine !== undefined && opts.engine !== 'wasm' && opts.engine !== 'js') {
    fail(FN, `options.engine is ${describe(opts.engine)}, expected 'wasm' or 'js'`);
  }
  const d = w.hidden;
  const f = w.intermediate;
  const lanes = MATMUL_LANES.f32;
  let engine: MlpEngine<Float32Array>;
  if (opts.engine !== 'js' && matmulSimdAvailable()) {
    if (!simdEngineFits(lanes, d, f)) {
      fail(
        FN,
        `weights need ${simdEngineBytes(lanes, d, f)} bytes of WebAssembly memory, expected at most 4 GiB (use gemma2Mlp or engine 'js')`,
      );
    }
    engine = createSimdEngine(lanes, d, f, threads);
    engine.load(w.gate, w.up, w.down);
  } else {
    // The plain engine keeps the arrays it is given: give it copies.
    engine = createJsEngine(lanes, d, f);
    engine.load(w.gate.slice(), w.up.slice(), w.down.slice());
  }
  let disposed = false;
  return {
    hidden: d,
    intermediate: f,
    engine: engine.engine,
    relaxedSimd: engine.relaxedSimd,
    threads: engine.threads,
    get activationThreads() {
      return engine.activationThreads;
    },
    get readyThreads() {
      return engine.readyThreads;
    },
    forward(x, tokens, options) {
      if (disposed) fail('Gemma2Mlp.forward', 'this Gemma2Mlp was disposed, expected a live one');
      const c = checkForward(x, tokens, d, options);
      // the weights live in the engine's own memory; x and out are the caller's
      if (c.out && mayShareUnseen(c.out, [c.x])) {
        c.out.set(engine.forward(c.x, c.tokens, c.approximate, new Float32Array(c.tokens * d)));
        return c.out;
      }
      return engine.forward(c.x, c.tokens, c.approximate, c.out ?? new Float32Array(c.tokens * d));
    },
    dispose() {
      disposed = true;
      engine.dispose();
    },
  };
}
