import { packageConfig } from '../../vitest.shared.ts';

// Builds the site and runs it in Chromium, every gpu.js mode on SwiftShader: tens of seconds.
export default packageConfig({ testTimeout: 120_000 });
