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
 * After a ring job whose workers had all warmed up, taking the medians of the
 * kind's last RECENT judged ring jobs since its last back-off, once there are
 * MIN_JOBS_JUDGED of them: threads do not help when the calling thread
 * computed more than halfway between its fair share of the blocks and all of
 * them (more than 3/4 with one worker), or the jobs took more than 0.9 of the
 * time per element of the kind's recent calls alone (their median). Then the
 * kind's next calls run on the calling thread: the next one, after another
 * such judgement the next 2, then 4, up to MAX_BACKOFF; a judgement that
 * threads help halves the count.
 *
 * Medians of several jobs, because single jobs mislead on a VM: 2^20-element
 * calls with one worker mostly take half a one-thread call, but now and then
 * longer than one, when a thread stalls or a sleeping worker wakes late; a
 * median of three is not moved by one such job, where a moving average
 * carried it into the next several judgements. Since the last back-off only,
 * because the jobs before it are the ones that were judged unhelpful: kept,
 * a slow first job (the pool's first after start-up, its caches cold)
 * outweighed the helpful jobs after it for several back-offs, as fewer and
 * fewer threaded jobs came between the calls alone. Beside a busy process of
 * the same priority on 2 cores the workers are late or share the core that is
 * left; `node bench/stalls.mjs [--busy]` times both cases.
 */

/** What backing off knows of one kind of ring job. */
export interface BackOffState {
  /** Calls left to run on the calling thread. */
  skip: number;
  /** How many the last back-off set (doubled by the next, halved by a judgement that threads help). */
  backoff: number;
  /** Milliseconds per element of the last RECENT calls alone, oldest first. */
  alone: number[];
  /** Of the last RECENT judged ring jobs since the last back-off, oldest first: the caller's share of the blocks, and milliseconds per element. */
  shares: number[];
  threaded: number[];
}

/** Calls at most that run on the calling thread after ring jobs whose threads did not help. */
export const MAX_BACKOFF = 8;
/** Jobs (and calls alone) the medians are taken over, at most. */
export const RECENT = 4;
/** Judged ring jobs since the last back-off before the medians decide. */
export const MIN_JOBS_JUDGED = 3;

/** Kinds of ring job: index kindOf(tanh, geglu). */
export const JOB_KINDS = 4;

export function kindOf(tanh: boolean, geglu: boolean): number {
  return (tanh ? 1 : 0) + (geglu ? 2 : 0);
}

export function newBackOffState(): BackOffState {
  return { skip: 0, backoff: 0, alone: [], shares: [], threaded: [] };
}

/** Appends `v`, keeping the last RECENT values. */
function remember(list: number[], v: number): void {
  list.push(v);
  if (list.length > RECENT) list.shift();
}

/** The median of a non-empty list (the mean of the middle two for an even count). */
export function median(list: readonly number[]): number {
  const sorted = [...list].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
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
  remember(s.shares, callerShare);
  remember(s.threaded, msPerElement);
  if (s.shares.length < MIN_JOBS_JUDGED) return false;
  const alone = s.alone.length > 0 ? median(s.alone) : -1;
  if (median(s.shares) * 2 * threads > threads + 1 || (alone > 0 && median(s.threaded) > 0.9 * alone)) {
    backOffCount++;
    s.backoff = Math.min(MAX_BACKOFF, 2 * s.backoff || 1);
    s.skip = s.backoff;
    s.shares = [];
    s.threaded = [];
    return true;
  }
  s.backoff >>= 1;
  return false;
}

/** Records a call that backing off ran on the calling thread. */
export function recordAlone(s: BackOffState, msPerElement: number): void {
  s.skip--;
  remember(s.alone, msPerElement);
}
