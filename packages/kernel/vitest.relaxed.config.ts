import { fileURLToPath } from 'node:url';
import { packageConfig } from '../../vitest.shared.ts';

/**
 * The elementwise tests and GeGLU's backward again, on the WebAssembly path with relaxed SIMD's multiply-add
 * (`pnpm test` runs both): test/relaxed-simd.setup.ts sets Node 20's flag in each test file's
 * process before the kernel compiles its modules, so both the sources and dist/ take that path.
 */
const config = packageConfig();
const test = config.test!;
test.include = [
  'test/elementwise/simd.test.ts',
  'test/elementwise/array.test.ts',
  'test/elementwise/aliasing.test.ts',
  'test/elementwise/kernel-arrays.test.ts',
  'test/elementwise/parallel.test.ts',
  'test/elementwise/parallel-failure.test.ts',
  'test/backward/geglu.test.ts',
  'test/wasm/dgate-band.test.ts',
  'test/wasm/matmul-tiles.test.ts',
];
test.setupFiles = [...(test.setupFiles as string[]), fileURLToPath(new URL('./test/relaxed-simd.setup.ts', import.meta.url))];
export default config;
