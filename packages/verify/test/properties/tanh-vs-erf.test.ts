import { registerSuite } from './harness.js';

await registerSuite('tanh-vs-erf');
