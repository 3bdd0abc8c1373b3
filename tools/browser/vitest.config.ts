import { packageConfig } from '../../vitest.shared.ts';

// Each test bundles with esbuild and starts Chromium: seconds each on a loaded machine.
export default packageConfig({ testTimeout: 120_000 });
