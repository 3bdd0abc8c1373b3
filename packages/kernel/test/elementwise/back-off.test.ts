// The back-off rule of the parallel float32 gelu (src/elementwise/back-off.ts) on sequences of
// judged ring jobs and calls alone, as parallel.ts feeds it: one worker (2 threads), times in
// milliseconds per element (3e-6 ms is a 2^20-element call of ~3 ms).
import { describe, expect, it } from 'vitest';
import {
  JOB_KINDS,
  MAX_BACKOFF,
  MIN_JOBS_JUDGED,
  backOffs,
  judgeRingJob,
  kindOf,
  median,
  newBackOffState,
  recordAlone,
} from '../../src/elementwise/back-off.js';

const THREADS = 2;
/** A job where threads help: the caller took 40% of the blocks, in well under a call alone's time. */
const HELPFUL = [0.4, 2.5e-6] as const;
/** A job where the worker stalled or woke late: the caller took every block, slower than alone. */
const STALLED = [1, 8e-6] as const;

/** Runs the calls alone that a back-off set, each at `aloneMs` per element; returns how many. */
function callsAlone(s: ReturnType<typeof newBackOffState>, aloneMs: number): number {
  let calls = 0;
  while (s.skip > 0) {
    recordAlone(s, aloneMs);
    calls++;
  }
  return calls;
}

describe('backing off to the calling thread', () => {
  it('a slow first job alone does not back off; the helpful jobs after it keep the threads', () => {
    const s = newBackOffState();
    // The pool's first job, cold: the caller computed 81% of the blocks, 10e-6 ms per element.
    expect(judgeRingJob(s, THREADS, 0.81, 10e-6)).toBe(false);
    for (let job = 0; job < 20; job++) {
      expect({ job, backedOff: judgeRingJob(s, THREADS, ...HELPFUL) }).toEqual({ job, backedOff: false });
    }
    expect(s.backoff).toBe(0);
  });

  it('one stalled job in four among helpful ones never backs off', () => {
    const s = newBackOffState();
    s.alone.push(4e-6);
    const jobs: (readonly [number, number])[] = Array.from({ length: 16 }, (_, i) => (i % 4 === 1 ? STALLED : HELPFUL));
    jobs.forEach((job, i) => expect({ i, backedOff: judgeRingJob(s, THREADS, ...job) }).toEqual({ i, backedOff: false }));
  });

  it('after a back-off, a stalled first job and helpful ones after it back off no more', () => {
    const s = newBackOffState();
    for (let job = 1; job < MIN_JOBS_JUDGED; job++) expect(judgeRingJob(s, THREADS, ...STALLED)).toBe(false);
    expect(judgeRingJob(s, THREADS, ...STALLED)).toBe(true);
    expect(callsAlone(s, 4e-6)).toBe(1);
    expect(judgeRingJob(s, THREADS, ...STALLED)).toBe(false);
    for (let job = 0; job < 10; job++) expect(judgeRingJob(s, THREADS, ...HELPFUL)).toBe(false);
    expect(s.backoff).toBe(0);
  });

  it('jobs whose caller computes nearly every block back off for 1, 2, 4, then MAX_BACKOFF calls', () => {
    const s = newBackOffState();
    const before = backOffs();
    const skips: number[] = [];
    for (let job = 0; job < 6 * MIN_JOBS_JUDGED; job++) {
      if (judgeRingJob(s, THREADS, 0.95, 3e-6)) skips.push(callsAlone(s, 3e-6));
    }
    expect(skips).toEqual([1, 2, 4, 8, 8, 8]);
    expect(MAX_BACKOFF).toBe(8);
    expect(backOffs() - before).toBe(6);
  });

  it('jobs no faster than 0.9 of the calls alone back off, though the caller took only its share', () => {
    const s = newBackOffState();
    s.alone.push(3e-6);
    const verdicts = [2.8e-6, 2.8e-6, 2.8e-6].map((ms) => judgeRingJob(s, THREADS, 0.5, ms));
    expect(verdicts).toEqual([false, false, true]);
    // helpful jobs after the calls alone halve the next back-off
    callsAlone(s, 3e-6);
    for (let job = 0; job < MIN_JOBS_JUDGED; job++) judgeRingJob(s, THREADS, 0.45, 1.6e-6);
    expect(s.backoff).toBe(0);
  });

  it('takes medians, and gives each kind of job its own index', () => {
    expect(median([3])).toBe(3);
    expect(median([5, 1, 3])).toBe(3);
    expect(median([4, 1, 3, 2])).toBe(2.5);
    const kinds = [kindOf(false, false), kindOf(true, false), kindOf(false, true), kindOf(true, true)];
    expect(new Set(kinds).size).toBe(JOB_KINDS);
    expect(Math.max(...kinds)).toBe(JOB_KINDS - 1);
  });
});
