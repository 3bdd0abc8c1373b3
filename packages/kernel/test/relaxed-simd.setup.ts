// Setup of vitest.relaxed.config.ts: the relaxed SIMD path for every module the test file loads
// (sources and dist/ alike: V8's flag is per process, and their request is 'auto').
import { enableRelaxedSimdFlag, relaxedSimdPath } from '../src/wasm/features.js';

if (!enableRelaxedSimdFlag() || !relaxedSimdPath().active) {
  throw new Error(`relaxed SIMD did not validate after enableRelaxedSimdFlag(): ${JSON.stringify(relaxedSimdPath())}`);
}
