import { readFileSync, renameSync, rmSync, writeFileSync, openSync, fsyncSync, closeSync, statSync } from 'node:fs';
import { addCounts, emptyCounts, type SweepCounts, type SweepFunction } from './engine.js';

/** All float32 bit patterns: [0, 2^32). */
export const ALL_INPUTS = 2 ** 32;

/** A sweep's result over a set of disjoint bit-pattern intervals; a shard's file, a checkpoint, or a merge. */
export interface SweepResult extends SweepCounts {
  kind: 'geglu-sweep';
  version: 1;
  fn: SweepFunction;
  dtype: 'f32';
  /** What was checked, e.g. "@geglu/kernel geluArray (Float32Array)". */
  impl: string;
  /** Sorted, disjoint, non-adjacent [start, end) intervals of unsigned bit patterns covered. */
  intervals: [number, number][];
  /** What this run was asked to cover (a shard of a range); absent on a merge. */
  target?: { start: number; end: number; chunkSize: number };
  complete: boolean;
  elapsedSeconds: number;
}

export class SweepFileError extends Error {
  override name = 'SweepFileError';
}

export function newResult(fn: SweepFunction, impl: string, target?: SweepResult['target']): SweepResult {
  return { kind: 'geglu-sweep', version: 1, fn, dtype: 'f32', impl, intervals: [], ...(target ? { target } : {}), complete: false, elapsedSeconds: 0, ...emptyCounts() };
}

/** Adds [s, e) to a sorted disjoint interval list. @throws {SweepFileError} when it overlaps (an input checked twice). */
export function addInterval(list: [number, number][], s: number, e: number): void {
  let i = 0;
  while (i < list.length && list[i]![1] <= s) i++;
  if (i < list.length && list[i]![0] < e) {
    throw new SweepFileError(`inputs 0x${hex(Math.max(s, list[i]![0]))}… are covered twice ([0x${hex(s)}, 0x${hex(e)}) overlaps [0x${hex(list[i]![0])}, 0x${hex(list[i]![1])}))`);
  }
  list.splice(i, 0, [s, e]);
  // coalesce touching neighbours of the new interval
  if (i + 1 < list.length && list[i]![1] === list[i + 1]![0]) {
    list[i]![1] = list[i + 1]![1];
    list.splice(i + 1, 1);
  }
  if (i > 0 && list[i - 1]![1] === list[i]![0]) {
    list[i - 1]![1] = list[i]![1];
    list.splice(i, 1);
  }
}

export function coveredCount(list: readonly [number, number][]): number {
  return list.reduce((n, [s, e]) => n + (e - s), 0);
}

export const hex = (n: number): string => n.toString(16).padStart(8, '0');

/** Adds a disjoint piece (chunk or shard) into an accumulated result. */
export function mergeInto(acc: SweepResult, part: SweepCounts, intervals: readonly [number, number][]): void {
  for (const [s, e] of intervals) addInterval(acc.intervals, s, e);
  addCounts(acc, part);
}

/** Writes JSON atomically: a temporary file in the same folder, fsync, then rename over the target. */
export function writeJsonAtomic(file: string, value: unknown): void {
  const tmp = `${file}.tmp-${process.pid}`;
  writeFileSync(tmp, `${JSON.stringify(value, null, 1)}\n`);
  const fd = openSync(tmp, 'r');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  try {
    renameSync(tmp, file);
  } catch (err) {
    rmSync(tmp, { force: true });
    throw err;
  }
}

/** Reads and checks a sweep result file (shard output or checkpoint). @throws {SweepFileError} naming the file and field. */
export function readResult(file: string): SweepResult {
  let text: string;
  try {
    // a result holds intervals, counts and 20 worst inputs: kilobytes; never read a huge file whole
    const size = statSync(file).size;
    if (size > 16 * 1024 * 1024) throw new SweepFileError(`${file}: ${size} bytes is too large for a sweep result (at most 16 MiB)`);
    text = readFileSync(file, 'utf8');
  } catch (err) {
    if (err instanceof SweepFileError) throw err;
    throw new SweepFileError(`${file}: cannot read (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`);
  }
  let j: Record<string, unknown>;
  try {
    j = JSON.parse(text) as Record<string, unknown>;
  } catch (err) {
    throw new SweepFileError(`${file}: not valid JSON (${(err as Error).message}); a file cut short by a kill is never produced, since files are written atomically`);
  }
  const bad = (path: string, msg: string): never => {
    throw new SweepFileError(`${file}: $.${path}: ${msg}`);
  };
  if (typeof j !== 'object' || j === null || Array.isArray(j)) bad('', 'expected an object');
  if (j.kind !== 'geglu-sweep') bad('kind', `expected "geglu-sweep", got ${JSON.stringify(j.kind)}`);
  if (j.version !== 1) bad('version', `expected 1, got ${JSON.stringify(j.version)}`);
  if (j.fn !== 'gelu' && j.fn !== 'gelu-tanh') bad('fn', `expected "gelu" or "gelu-tanh", got ${JSON.stringify(j.fn)}`);
  for (const k of ['checked', 'nan', 'escalated', 'undecided', 'mismatches', 'zeroSign', 'elapsedSeconds'] as const) {
    const v = j[k];
    if (typeof v !== 'number' || !(v >= 0) || (k !== 'elapsedSeconds' && !Number.isSafeInteger(v))) bad(k, `expected a non-negative integer, got ${JSON.stringify(v)}`);
  }
  if (typeof j.impl !== 'string') bad('impl', 'expected a string');
  if (!Array.isArray(j.intervals)) bad('intervals', 'expected an array of [start, end]');
  const iv = j.intervals as unknown[];
  let prev = -1;
  iv.forEach((p, i) => {
    if (!Array.isArray(p) || p.length !== 2 || !p.every((n) => Number.isSafeInteger(n))) bad(`intervals[${i}]`, 'expected [start, end] integers');
    const [s, e] = p as [number, number];
    if (!(s >= 0 && s < e && e <= ALL_INPUTS)) bad(`intervals[${i}]`, `expected 0 ≤ start < end ≤ 2^32, got [${s}, ${e}]`);
    if (s <= prev) bad(`intervals[${i}]`, 'intervals must be sorted and disjoint');
    prev = e;
  });
  if (typeof j.histogram !== 'object' || j.histogram === null) bad('histogram', 'expected an object');
  if (!Array.isArray(j.worst)) bad('worst', 'expected an array');
  const counted = Object.values(j.histogram as Record<string, number>).reduce((a, b) => a + b, 0);
  if (counted !== j.checked) bad('histogram', `counts ${counted} inputs but checked is ${String(j.checked)}`);
  if (coveredCount(iv as [number, number][]) !== (j.checked as number) + (j.undecided as number)) {
    bad('intervals', `cover ${coveredCount(iv as [number, number][])} inputs but checked + undecided is ${(j.checked as number) + (j.undecided as number)}`);
  }
  return j as unknown as SweepResult;
}

/** Merges shard results of one function. @throws {SweepFileError} on different functions or overlapping inputs. */
export function mergeResults(results: readonly { file: string; result: SweepResult }[]): SweepResult {
  const first = results[0]!.result;
  const acc = newResult(first.fn, first.impl);
  for (const { file, result } of results) {
    if (result.fn !== first.fn) throw new SweepFileError(`${file}: fn ${result.fn} differs from ${results[0]!.file}'s ${first.fn}`);
    if (result.impl !== first.impl) acc.impl = `${acc.impl}; ${result.impl}`;
    try {
      mergeInto(acc, result, result.intervals);
    } catch (err) {
      throw new SweepFileError(`${file}: ${(err as Error).message}`);
    }
    acc.elapsedSeconds += result.elapsedSeconds;
  }
  acc.complete = coveredCount(acc.intervals) === ALL_INPUTS;
  return acc;
}

/** Steps histogram as "0: n, 1: m". */
export function formatHistogram(h: Record<string, number>): string {
  const keys = Object.keys(h).sort((a, b) => Number(a) - Number(b));
  return keys.length === 0 ? '(empty)' : keys.map((k) => `${k}: ${h[k]}`).join(', ');
}
