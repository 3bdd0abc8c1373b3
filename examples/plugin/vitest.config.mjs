import { defineConfig } from 'vitest/config';

// Nothing geglu-specific: verifyImplementation seeds itself (GEGLU_SEED) and prints the seed.
export default defineConfig({ test: { include: ['test/**/*.test.mjs'], retry: 0, testTimeout: 120_000 } });
