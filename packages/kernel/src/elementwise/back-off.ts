/**
 * When the parallel float32 gelu (./parallel.ts) stops handing ring jobs to
 * its workers for a while: after ring jobs whose threads did not help, the
 * next calls run on the calling thread alone, and what those calls take tells
 * the next threaded jobs whether threads help.
 *
 * Each kind of ring job (gelu or geglu, exact or tanh form) is judged on its
 * own figures: their times per element differ (the exact form's kernel does
 * more per pair, geglu reads two arrays), so one kind's calls alone say
 * nothing about another kind's threaded jobs.
 *
 * ## Rule
 *
 * After a ring job whose workers had all warmed up, in moving averages over
 * the kind's ring jobs since its last back-off (weight 1/4 to the newest):
 * threads do not help when the calling thread computed more than halfway
 * between its fair share of the blocks and all of them (more than 3/4 with
 * one worker), or the jobs took more than 0.9 of the time per element of the
 * kind's calls alone. Then the kind's next calls run on the calling thread:
 * the next one, after another such job the next 2, then 4, up to
 * MAX_BACKOFF; a job after which threads help halves the count.
 *
 * Averages, because single jobs mislead on a VM: 2^20-element calls with one
 * worker mostly take half a one-thread call, but now and then longer than
 * one, when a thread stalls or a sleeping worker wakes late. Since the last
 * back-off only, because the jobs before it are the ones that were judged
 * unhelpful: kept, a slow first job (the pool's first after start-up, its
 * caches cold) outweighed the helpful jobs after it for several back-offs, as
 * fewer and fewer threaded jobs came between the calls alone. Beside a busy
 * process of the same priority on 2 cores the workers are late or share the
 * core that is left; `node bench/stalls.mjs [--busy]` times both cases.
 */

/** What backing off knows of one kind of ring job. */
export interface BackOffState {
  /** Calls left to run on the calling thread. */
  skip: number;
  /** How many the last back-off set (doubled by the next, halved by a helpful job). */
  backoff: number;
  /** Moving average of the milliseconds per element of the calls alone (−1 before the first). */
  aloneMsPerElement: number;
  /** Moving averages over the judged ring jobs since the last back-off (−1: none yet). */
  threadedMsPerElement: number;
  callerShare: number;
}

/** Calls at most that run on the calling thread after ring jobs whose threads did not help. */
export const MAX_BACKOFF = 8;

/** Kinds of ring job: index kindOf(tanh, geglu). */
export const JOB_KINDS = 4;

export function kindOf(tanh: boolean, geglu: boolean): number {
  return (tanh ? 1 : 0) + (geglu ? 2 : 0);
}

export function newBackOffState(): BackOffState {
  return { skip: 0, backoff: 0, aloneMsPerElement: -1, threadedMsPerElement: -1, callerShare: -1 };
}

/** A moving average with weight 1/4 to the newest value; `old` −1 means none yet. */
function movingAverage(old: number, now: number): number {
  return old < 0 ? now : 0.75 * old + 0.25 * now;
}

let backOffCount = 0;

/** Ring jobs after which the next calls ran on the calling thread (judgeRingJob), so far. */
export function backOffs(): number {
  return backOffCount;
}

/**
 * Judges a ring job of `threads` threads (the caller's included) in which the
 * calling thread computed `callerShare` of the blocks, at `msPerElement`;
 * returns true when the kind's next calls are to run on the calling thread
 * (s.skip of them).
 */
export function judgeRingJob(s: BackOffState, threads: number, callerShare: number, msPerElement: number): boolean {
  s.callerShare = movingAverage(s.callerShare, callerShare);
  s.threadedMsPerElement = movingAverage(s.threadedMsPerElement, msPerElement);
  const alone = s.aloneMsPerElement;
  if (s.callerShare * 2 * threads > threads + 1 || (alone > 0 && s.threadedMsPerElement > 0.9 * alone)) {
    backOffCount++;
    s.backoff = Math.min(MAX_BACKOFF, 2 * s.backoff || 1);
    s.skip = s.backoff;
    s.callerShare = -1;
    s.threadedMsPerElement = -1;
    return true;
  }
  s.backoff >>= 1;
  return false;
}

/** Records a call that backing off ran on the calling thread. */
export function recordAlone(s: BackOffState, msPerElement: number): void {
  s.skip--;
  s.aloneMsPerElement = movingAverage(s.aloneMsPerElement, msPerElement);
}
