// worker_threads entry of `geglu sweep`: checks the chunks the main thread sends, one at a time.
import { parentPort, workerData } from 'node:worker_threads';
import { sweepRange, type SweepFunction } from './engine.js';
import { loadImpl, oracleEscalate, type RelaxedSimdMode, type SweepBackend } from './impl.js';

const { fn, backend, relaxedSimd } = workerData as { fn: SweepFunction; backend: SweepBackend; relaxedSimd: RelaxedSimdMode };
const port = parentPort!;
const k = await loadImpl(backend, fn, relaxedSimd);
if (typeof k === 'string') {
  port.postMessage({ type: 'error', message: k });
} else {
  const escalate = await oracleEscalate(fn);
  // the main thread sends a worker its next chunk only after this one's answer, so chunks never overlap here
  port.on('message', (m: { type: 'chunk'; start: number; end: number } | { type: 'stop' }) => {
    if (m.type === 'stop') {
      void k.close().finally(() => port.close());
      return;
    }
    sweepRange(fn, m.start, m.end, k.impl, escalate, k.block).then(
      (counts) => port.postMessage({ type: 'done', start: m.start, end: m.end, counts }),
      (err: unknown) =>
        port.postMessage({ type: 'error', message: `${backend} ${fn} failed on [${m.start}, ${m.end}): ${(err as Error).message}` }),
    );
  });
  port.postMessage({ type: 'ready', impl: k.name, device: k.device, relaxedSimd: k.relaxedSimd, oracle: escalate !== null });
}
