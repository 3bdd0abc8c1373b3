import { registerSuite } from './harness.js';

await registerSuite('gradients');
