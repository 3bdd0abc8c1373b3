import { readFileSync, renameSync, rmSync, writeFileSync, openSync, fsyncSync, closeSync, statSync } from 'node:fs';
import { REGIONS } from '../tolerances/index.js';
import { addCounts, emptyCounts, SWEEP_FUNCTIONS, type SweepCounts, type SweepFunction } from './engine.js';
import { SWEEP_BACKENDS, type SweepBackend } from './impl.js';

/** All float32 bit patterns: [0, 2^32). */
export const ALL_INPUTS = 2 ** 32;

/** A sweep's result over a set of disjoint bit-pattern intervals; a shard's file, a checkpoint, or a merge. */
export interface SweepResult extends SweepCounts {
  kind: 'geglu-sweep';
  version: 2;
  fn: SweepFunction;
  dtype: 'f32';
  backend: SweepBackend;
  /** What was checked, e.g. "@geglu/kernel geluArray (Float32Array)". */
  impl: string;
  /** Where it ran, e.g. the WebGPU adapter ("mesa / software / llvmpipe…"). */
  device: string;
  /** The commit swept (`git describe --always --dirty` of the checkout), when the command knew it. */
  commit?: string;
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

export function newResult(fn: SweepFunction, backend: SweepBackend, impl: string, target?: SweepResult['target']): SweepResult {
  return {
    kind: 'geglu-sweep', version: 2, fn, dtype: 'f32', backend, impl, device: '', intervals: [],
    ...(target ? { target } : {}), complete: false, elapsedSeconds: 0, ...emptyCounts(),
  };
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
  if (j.version !== 2) bad('version', `expected 2 (version 1 files have no backend or regions: sweep again), got ${JSON.stringify(j.version)}`);
  if (!SWEEP_FUNCTIONS.includes(j.fn as SweepFunction)) bad('fn', `expected one of ${SWEEP_FUNCTIONS.join(', ')}, got ${JSON.stringify(j.fn)}`);
  if (!SWEEP_BACKENDS.includes(j.backend as SweepBackend)) bad('backend', `expected one of ${SWEEP_BACKENDS.join(', ')}, got ${JSON.stringify(j.backend)}`);
  if (typeof j.device !== 'string') bad('device', 'expected a string');
  if (j.commit !== undefined && typeof j.commit !== 'string') bad('commit', 'expected a string');
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
  checkRegions(j.regions, bad);
  if (coveredCount(iv as [number, number][]) !== (j.checked as number) + (j.undecided as number)) {
    bad('intervals', `cover ${coveredCount(iv as [number, number][])} inputs but checked + undecided is ${(j.checked as number) + (j.undecided as number)}`);
  }
  return j as unknown as SweepResult;
}

/** The per-region counts: every region present, counts non-negative, a worst input exactly when maxSteps > 0. */
function checkRegions(regions: unknown, bad: (path: string, msg: string) => never): void {
  if (typeof regions !== 'object' || regions === null || Array.isArray(regions)) bad('regions', 'expected an object');
  const rs = regions as Record<string, Record<string, unknown> | null>;
  for (const r of REGIONS) {
    const e = rs[r];
    if (typeof e !== 'object' || e === null) bad(`regions.${r}`, 'expected an object');
    for (const k of ['checked', 'mismatches'] as const) {
      if (!Number.isSafeInteger(e![k]) || (e![k] as number) < 0) bad(`regions.${r}.${k}`, `expected a non-negative integer, got ${JSON.stringify(e![k])}`);
    }
    const m = e!.maxSteps;
    if (!(m === 'Infinity' || (Number.isSafeInteger(m) && (m as number) >= 0))) bad(`regions.${r}.maxSteps`, `expected a non-negative integer or "Infinity", got ${JSON.stringify(m)}`);
    const w = e!.worst as Record<string, unknown> | null;
    if (m === 0 ? w !== null : typeof w !== 'object' || w === null || w.steps !== m) {
      bad(`regions.${r}.worst`, m === 0 ? 'expected null when maxSteps is 0' : `expected the input reaching maxSteps ${String(m)}`);
    }
  }
}

/** Merges shard results of one function. @throws {SweepFileError} on different functions or overlapping inputs. */
export function mergeResults(results: readonly { file: string; result: SweepResult }[]): SweepResult {
  const first = results[0]!.result;
  const acc = newResult(first.fn, first.backend, first.impl);
  acc.device = first.device;
  if (first.commit !== undefined) acc.commit = first.commit;
  for (const { file, result } of results) {
    if (result.fn !== first.fn) throw new SweepFileError(`${file}: fn ${result.fn} differs from ${results[0]!.file}'s ${first.fn}`);
    if (result.backend !== first.backend) throw new SweepFileError(`${file}: backend ${result.backend} differs from ${results[0]!.file}'s ${first.backend}`);
    if (result.impl !== first.impl && !acc.impl.split('; ').includes(result.impl)) acc.impl = `${acc.impl}; ${result.impl}`;
    if (result.device !== first.device && !acc.device.split('; ').includes(result.device)) acc.device = `${acc.device}; ${result.device}`;
    if (result.commit !== first.commit) acc.commit = [...new Set([acc.commit, result.commit].flatMap((c) => (c ? c.split('; ') : [])))].join('; ');
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
