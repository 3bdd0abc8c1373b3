/**
 * The worker thread of ./ort-web-threads.ts: its own onnxruntime-web with
 * `numThreads` threads, the workload's session prepared as ./ort.ts prepares
 * the 1-thread row's, then one request at a time: run, evaluate, dispose.
 */
import { parentPort, workerData } from 'node:worker_threads';
import type { MlpWeights32, Prepared, Workload, WorkloadInputs } from '../types.js';
import { firstLine } from './ort-web-threads.js';
import { prepareOrt, type OrtModule } from './ort.js';

const { threads, workload, x, weights } = workerData as {
  threads: number;
  workload: Workload;
  x: Float32Array;
  weights: MlpWeights32 | undefined;
};
const port = parentPort!;
let prepared: Prepared | undefined;

async function handle(m: { op: string; x?: Float32Array }): Promise<object> {
  switch (m.op) {
    case 'prepare': {
      const ort = (await import('onnxruntime-web')) as unknown as OrtModule;
      if (ort.env.wasm) ort.env.wasm.numThreads = threads;
      const notOnThisRow = (): never => {
        throw new Error('float64 inputs are not used by this row');
      };
      const inputs: WorkloadInputs = {
        x,
        out32: new Float32Array(x.length),
        x64: notOnThisRow,
        up64: notOnThisRow,
        out64: notOnThisRow,
        ...(weights !== undefined ? { mlpWeights: weights } : {}),
      };
      prepared = await prepareOrt(ort, workload, inputs, { executionProviders: ['wasm'], graphOptimizationLevel: 'all' }, []);
      return { notes: prepared.notes, threads: ort.env.wasm?.numThreads };
    }
    case 'run':
      await prepared!.run();
      return {};
    case 'evaluate':
      return { y: await prepared!.evaluate!(m.x!) };
    case 'dispose':
      await prepared?.dispose?.();
      return {};
    default:
      throw new Error(`unknown request ${m.op}`);
  }
}

// One request at a time, in the order they came: the main thread pairs
// replies with requests by order.
let queue: Promise<void> = Promise.resolve();
port.on('message', (m: { op: string; x?: Float32Array }) => {
  queue = queue.then(() =>
    handle(m).then(
      (r) => port.postMessage({ ok: true, ...r }),
      (e: unknown) => port.postMessage({ ok: false, error: firstLine(e) }),
    ),
  );
});
