// worker_threads entry of `geglu sweep`: checks the chunks the main thread sends, one at a time.
import { parentPort, workerData } from 'node:worker_threads';
import { sweepRange, type SweepFunction } from './engine.js';
import { kernelImpl, oracleEscalate } from './impl.js';

const { fn } = workerData as { fn: SweepFunction };
const port = parentPort!;
const k = await kernelImpl(fn);
if (typeof k === 'string') {
  port.postMessage({ type: 'error', message: k });
} else {
  const escalate = await oracleEscalate(fn);
  port.on('message', (m: { type: 'chunk'; start: number; end: number } | { type: 'stop' }) => {
    if (m.type === 'stop') {
      port.close();
      return;
    }
    const counts = sweepRange(fn, m.start, m.end, k.impl, escalate);
    port.postMessage({ type: 'done', start: m.start, end: m.end, counts });
  });
  port.postMessage({ type: 'ready', impl: k.name, oracle: escalate !== null });
}
