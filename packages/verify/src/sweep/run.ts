import { existsSync } from 'node:fs';
import { Worker } from 'node:worker_threads';
import { sweepRange, type SweepCounts, type SweepFunction } from './engine.js';
import { compareHalf, HALF_INPUTS, halfReferenceTable, type HalfFormat } from './half.js';
import { loadHalfImpl, loadImpl, oracleEscalate, type RelaxedSimdMode, type SweepBackend } from './impl.js';
import { coveredCount, hex, mergeInto, newResult, readResult, SweepFileError, writeJsonAtomic, type SweepResult } from './result.js';

export interface SweepOptions {
  fn: SweepFunction;
  backend: SweepBackend;
  /** First bit pattern (unsigned). */
  start: number;
  /** One past the last bit pattern (≤ 2^32). */
  end: number;
  /** Inputs per unit of work; a checkpoint records whole chunks only. */
  chunkSize: number;
  /** worker_threads to use; 0 runs in the calling thread (tests). */
  workers: number;
  /** The kernel backends' multiply-add path (default 'auto'), applied in every thread that runs the kernel. */
  relaxedSimd?: RelaxedSimdMode;
  /** Checkpoint file: resumed from when it exists, rewritten atomically as chunks finish. */
  checkpoint?: string;
  /** Least seconds between checkpoint writes (default 1). */
  checkpointInterval?: number;
  /** Called about once a second and at the end. */
  onProgress?: (p: { done: number; total: number; rate: number; etaSeconds: number; result: SweepResult }) => void;
  /** Stops the sweep between chunks (chunks in flight are dropped, never half-counted). */
  signal?: AbortSignal;
  /** Called once the implementation is loaded. */
  onStart?: (info: { impl: string; device: string; oracle: boolean; resumedInputs: number; total: number }) => void;
}

export class SweepUnavailable extends Error {
  override name = 'SweepUnavailable';
}

/**
 * Runs (or resumes) a sweep over [start, end). Each chunk is counted exactly once: a chunk enters
 * the result and the checkpoint only when it is complete, and a resumed run skips exactly the
 * chunks the checkpoint lists, so a kill at any moment loses at most the chunks in flight.
 */
export async function runSweep(o: SweepOptions): Promise<SweepResult> {
  const target = { start: o.start, end: o.end, chunkSize: o.chunkSize };
  const total = o.end - o.start;
  let result: SweepResult;
  if (o.checkpoint && existsSync(o.checkpoint)) {
    result = readResult(o.checkpoint);
    const t = result.target;
    if (result.fn !== o.fn || result.backend !== o.backend || !t || t.start !== o.start || t.end !== o.end || t.chunkSize !== o.chunkSize) {
      throw new SweepFileError(
        `${o.checkpoint}: is a checkpoint of ${result.backend} ${result.fn} over [0x${hex(t?.start ?? 0)}, 0x${hex(t?.end ?? 0)}) in chunks of ${t?.chunkSize}; ` +
          `this run asks for ${o.backend} ${o.fn} over [0x${hex(o.start)}, 0x${hex(o.end)}) in chunks of ${o.chunkSize}`,
      );
    }
  } else result = newResult(o.fn, o.backend, '', target);
  const chunks: [number, number][] = [];
  for (let s = o.start; s < o.end; s += o.chunkSize) {
    const e = Math.min(s + o.chunkSize, o.end);
    if (!result.intervals.some(([a, b]) => a <= s && e <= b)) chunks.push([s, e]);
  }
  const resumedInputs = coveredCount(result.intervals);
  const elapsedBefore = result.elapsedSeconds;
  const t0 = performance.now();
  let doneThisRun = 0;
  let lastWrite = 0;
  let lastProgress = 0;
  const interval = (o.checkpointInterval ?? 1) * 1000;
  const record = (s: number, e: number, counts: SweepCounts): void => {
    mergeInto(result, counts, [[s, e]]);
    doneThisRun += e - s;
    const now = performance.now();
    result.elapsedSeconds = elapsedBefore + (now - t0) / 1000;
    if (o.checkpoint && now - lastWrite >= interval) {
      writeJsonAtomic(o.checkpoint, result);
      lastWrite = now;
    }
    if (o.onProgress && now - lastProgress >= 1000) {
      lastProgress = now;
      progress();
    }
  };
  const progress = (): void => {
    const secs = (performance.now() - t0) / 1000;
    const rate = secs > 0 ? doneThisRun / secs : 0;
    const done = coveredCount(result.intervals);
    o.onProgress?.({ done, total, rate, etaSeconds: rate > 0 ? (total - done) / rate : Infinity, result });
  };

  if (o.workers === 0) {
    const k = await loadImpl(o.backend, o.fn, o.relaxedSimd);
    if (typeof k === 'string') throw new SweepUnavailable(k);
    try {
      const escalate = await oracleEscalate(o.fn);
      setImpl(result, k.name, k.device, k.relaxedSimd);
      o.onStart?.({ impl: k.name, device: k.device, oracle: escalate !== null, resumedInputs, total });
      for (const [s, e] of chunks) {
        if (o.signal?.aborted) break;
        record(s, e, await sweepRange(o.fn, s, e, k.impl, escalate, k.block));
        await new Promise((r) => setImmediate(r));
      }
    } finally {
      await k.close();
    }
  } else {
    try {
      await runWorkers(o, chunks, result, resumedInputs, total, record);
    } catch (err) {
      if (!(o.signal?.aborted && (err as Error).name === 'AbortError')) throw err;
    }
  }
  result.elapsedSeconds = elapsedBefore + (performance.now() - t0) / 1000;
  result.complete = coveredCount(result.intervals) === total;
  if (o.checkpoint) writeJsonAtomic(o.checkpoint, result);
  progress();
  return result;
}

/**
 * Records what ran. A resumed checkpoint must have run the same implementation on the same device
 * and path: counts from two devices are not one device's maximum.
 */
function setImpl(result: SweepResult, impl: string, device: string, relaxedSimd: boolean | undefined): void {
  if (result.impl !== '' && (result.impl !== impl || result.device !== device || result.relaxedSimd !== relaxedSimd)) {
    throw new SweepFileError(`the checkpoint was made by ${result.impl} on ${result.device}; this run has ${impl} on ${device}`);
  }
  result.impl = impl;
  result.device = device;
  if (relaxedSimd !== undefined) result.relaxedSimd = relaxedSimd;
}

async function runWorkers(
  o: SweepOptions,
  chunks: [number, number][],
  result: SweepResult,
  resumedInputs: number,
  total: number,
  record: (s: number, e: number, c: SweepCounts) => void,
): Promise<void> {
  const url = new URL('./worker.js', import.meta.url);
  const workers: Worker[] = [];
  let next = 0;
  let started = false;
  try {
    await new Promise<void>((resolve, reject) => {
      let active = 0;
      const n = Math.max(1, Math.min(o.workers, chunks.length));
      if (chunks.length === 0) {
        resolve();
        return;
      }
      o.signal?.addEventListener('abort', () => reject(Object.assign(new Error('sweep interrupted'), { name: 'AbortError' })), {
        once: true,
      });
      if (o.signal?.aborted) reject(Object.assign(new Error('sweep interrupted'), { name: 'AbortError' }));
      for (let w = 0; w < n; w++) {
        const worker = new Worker(url, { workerData: { fn: o.fn, backend: o.backend, relaxedSimd: o.relaxedSimd ?? 'auto' } });
        workers.push(worker);
        active++;
        const feed = (): void => {
          if (next < chunks.length) {
            const [s, e] = chunks[next++]!;
            worker.postMessage({ type: 'chunk', start: s, end: e });
          } else {
            worker.postMessage({ type: 'stop' });
            active--;
            if (active === 0) resolve();
          }
        };
        worker.on(
          'message',
          (m: {
            type: string;
            message?: string;
            impl?: string;
            device?: string;
            relaxedSimd?: boolean;
            oracle?: boolean;
            start?: number;
            end?: number;
            counts?: SweepCounts;
          }) => {
            if (m.type === 'error') reject(new SweepUnavailable(m.message));
            else if (m.type === 'ready') {
              if (!started) {
                started = true;
                try {
                  setImpl(result, m.impl!, m.device!, m.relaxedSimd);
                } catch (err) {
                  reject(err);
                  return;
                }
                o.onStart?.({ impl: m.impl!, device: m.device!, oracle: m.oracle!, resumedInputs, total });
              }
              feed();
            } else if (m.type === 'done') {
              try {
                record(m.start!, m.end!, m.counts!);
              } catch (err) {
                reject(err);
                return;
              }
              feed();
            }
          },
        );
        worker.on('error', reject);
        worker.on('exit', (code) => {
          if (code !== 0) reject(new Error(`sweep worker exited with code ${code}`));
        });
      }
    });
  } finally {
    await Promise.all(workers.map((w) => w.terminate()));
  }
}

/**
 * Checks a 16-bit backend on all 65,536 inputs in the calling thread (a fraction of a second: no
 * workers, chunks or checkpoints), against the reference table of half.ts.
 */
export async function runHalfSweep(
  fn: SweepFunction,
  dtype: HalfFormat,
  relaxedSimd: RelaxedSimdMode = 'auto',
): Promise<{ result: SweepResult; oracle: boolean }> {
  const backend: SweepBackend = `kernel-${dtype}`;
  const t0 = performance.now();
  const k = await loadHalfImpl(fn, dtype, relaxedSimd);
  if (typeof k === 'string') throw new SweepUnavailable(k);
  const escalate = await oracleEscalate(fn, dtype);
  const table = halfReferenceTable(fn, dtype, escalate);
  const xs = new Uint16Array(HALF_INPUTS);
  for (let b = 0; b < HALF_INPUTS; b++) xs[b] = b;
  const counts = compareHalf(fn, dtype, table, k.run(xs));
  const result = newResult(fn, backend, k.name, undefined, dtype);
  result.device = 'CPU (this process)';
  mergeInto(result, counts, [[0, HALF_INPUTS]]);
  result.complete = true;
  result.elapsedSeconds = (performance.now() - t0) / 1000;
  return { result, oracle: escalate !== null };
}
