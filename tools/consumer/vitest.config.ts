import { packageConfig } from '../../vitest.shared.ts';

// Packing and `npm install` take a while; each install is its own test.
export default packageConfig({ testTimeout: 300_000 });
