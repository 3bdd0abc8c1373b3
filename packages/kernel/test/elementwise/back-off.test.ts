// The back-off rule of the parallel float32 gelu (src/elementwise/back-off.ts) on sequences of
// judged ring jobs and calls alone, as parallel.ts feeds it: one worker (2 threads), times in
// milliseconds per element (3e-6 ms is a 2^20-element call of ~3 ms).
import { describe, expect, it } from 'vitest';
import { JOB_KINDS, MAX_BACKOFF, backOffs, judgeRingJob, kindOf, newBackOffState, recordAlone } from '../../src/elementwise/back-off.js';

const THREADS = 2;

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
  it('one slow first job backs off once; the helpful jobs after it are judged on their own', () => {
    const s = newBackOffState();
    // The pool's first job, cold: the caller computed 81% of the blocks, 10e-6 ms per element.
    expect(judgeRingJob(s, THREADS, 0.81, 10e-6)).toBe(true);
    expect(callsAlone(s, 4e-6)).toBe(1);
    // Then threads help: the caller computes 40%, 2.5e-6 ms per element, well under alone's 4e-6.
    // (Averaged with the slow job, these would read over 0.9 of alone for their first jobs.)
    for (let job = 0; job < 20; job++) {
      expect({ job, backedOff: judgeRingJob(s, THREADS, 0.4, 2.5e-6) }).toEqual({ job, backedOff: false });
    }
    expect(s.backoff).toBe(0);
  });

  it('jobs whose caller computes nearly every block back off for 1, 2, 4, then MAX_BACKOFF calls', () => {
    const s = newBackOffState();
    const before = backOffs();
    const skips: number[] = [];
    for (let job = 0; job < 6; job++) {
      expect(judgeRingJob(s, THREADS, 0.95, 3e-6)).toBe(true);
      skips.push(callsAlone(s, 3e-6));
    }
    expect(skips).toEqual([1, 2, 4, 8, 8, 8]);
    expect(MAX_BACKOFF).toBe(8);
    expect(backOffs() - before).toBe(6);
  });

  it('jobs no faster than 0.9 of the calls alone back off, though the caller took only its share', () => {
    const s = newBackOffState();
    s.aloneMsPerElement = 3e-6;
    expect(judgeRingJob(s, THREADS, 0.5, 2.5e-6)).toBe(false);
    expect(judgeRingJob(s, THREADS, 0.5, 3.2e-6)).toBe(false);
    // the averages climb past 0.9 × 3e-6
    let backedOff = false;
    for (let job = 0; job < 10 && !backedOff; job++) backedOff = judgeRingJob(s, THREADS, 0.5, 3.2e-6);
    expect(backedOff).toBe(true);
    // a helpful job after the calls alone halves the next back-off
    callsAlone(s, 3e-6);
    expect(judgeRingJob(s, THREADS, 0.45, 1.6e-6)).toBe(false);
    expect(s.backoff).toBe(0);
  });

  it('keeps the four kinds of job apart', () => {
    const kinds = [kindOf(false, false), kindOf(true, false), kindOf(false, true), kindOf(true, true)];
    expect(new Set(kinds).size).toBe(JOB_KINDS);
    expect(Math.max(...kinds)).toBe(JOB_KINDS - 1);
  });
});
