import { renameSync, rmSync, writeFileSync, openSync, fsyncSync, closeSync } from 'node:fs';
import { FileTooLargeError, JsonError, jsonPathChild, parseJsonStrict, readTextFileBounded } from '@geglu/kernel/io';
import { REGIONS } from '../tolerances/index.js';
import { addCounts, emptyCounts, MAX_WORST, SWEEP_FUNCTIONS, type SweepCounts, type SweepFunction } from './engine.js';
import { SWEEP_BACKENDS, type SweepBackend } from './impl.js';

/** Largest sweep result or checkpoint read. */
export const MAX_RESULT_BYTES = 16 * 1024 * 1024;

/** All float32 bit patterns: [0, 2^32). */
export const ALL_INPUTS = 2 ** 32;

/** The formats a sweep covers exhaustively. */
export type SweepDtype = 'f32' | 'bf16' | 'f16';
export const SWEEP_DTYPES: readonly SweepDtype[] = ['f32', 'bf16', 'f16'];

/** How many bit patterns (inputs) a format has: 2^32 for f32, 2^16 for bf16 and f16. */
export const inputsOf = (dtype: SweepDtype): number => (dtype === 'f32' ? ALL_INPUTS : 2 ** 16);

/** A sweep's result over a set of disjoint bit-pattern intervals; a shard's file, a checkpoint, or a merge. */
export interface SweepResult extends SweepCounts {
  kind: 'geglu-sweep';
  version: 2;
  fn: SweepFunction;
  dtype: SweepDtype;
  backend: SweepBackend;
  /** What was checked, e.g. "@geglu/kernel geluArray (Float32Array)". */
  impl: string;
  /** Where it ran, e.g. the WebGPU adapter ("mesa / software / llvmpipe…"). */
  device: string;
  /**
   * kernel-f32: whether the kernel's WebAssembly used relaxed SIMD's f64x2.relaxed_madd (`geglu sweep
   * --relaxed-simd`); absent in results from before the option, which ran without it.
   */
  relaxedSimd?: boolean;
  /** The commit swept (`git describe --always --dirty` of the checkout), when the command knew it. */
  commit?: string;
  /** Sorted, disjoint, non-adjacent [start, end) intervals of unsigned bit patterns covered. */
  intervals: [number, number][];
  /** What this run was asked to cover (a shard of a range); absent on a merge. */
  target?: { start: number; end: number; chunkSize: number };
  complete: boolean;
  elapsedSeconds: number;
}

/** Every field a result may have; anything else is refused. */
const RESULT_FIELDS = [
  'kind',
  'version',
  'fn',
  'dtype',
  'backend',
  'impl',
  'device',
  'relaxedSimd',
  'commit',
  'intervals',
  'target',
  'complete',
  'elapsedSeconds',
  'checked',
  'nan',
  'escalated',
  'undecided',
  'mismatches',
  'zeroSign',
  'histogram',
  'worst',
  'regions',
];

export class SweepFileError extends Error {
  override name = 'SweepFileError';
}

export function newResult(
  fn: SweepFunction,
  backend: SweepBackend,
  impl: string,
  target?: SweepResult['target'],
  dtype: SweepDtype = 'f32',
): SweepResult {
  return {
    kind: 'geglu-sweep',
    version: 2,
    fn,
    dtype,
    backend,
    impl,
    device: '',
    intervals: [],
    ...(target ? { target } : {}),
    complete: false,
    elapsedSeconds: 0,
    ...emptyCounts(),
  };
}

/** Adds [s, e) to a sorted disjoint interval list. @throws {SweepFileError} when it overlaps (an input checked twice). */
export function addInterval(list: [number, number][], s: number, e: number): void {
  let i = 0;
  while (i < list.length && list[i]![1] <= s) i++;
  if (i < list.length && list[i]![0] < e) {
    throw new SweepFileError(
      `inputs 0x${hex(Math.max(s, list[i]![0]))}… are covered twice ([0x${hex(s)}, 0x${hex(e)}) overlaps [0x${hex(list[i]![0])}, 0x${hex(list[i]![1])}))`,
    );
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

/** A value in a message, cut short: a field may hold megabytes. */
function show(v: unknown): string {
  const t = JSON.stringify(v) ?? 'nothing';
  return t.length > 60 ? `${t.slice(0, 57)}...` : t;
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
  let j: Record<string, unknown>;
  try {
    // a result holds intervals, counts and 20 worst inputs: kilobytes; the limit counts bytes read,
    // so /dev/zero or a FIFO cannot fill memory
    j = parseJsonStrict(readTextFileBounded(file, MAX_RESULT_BYTES)) as Record<string, unknown>;
  } catch (err) {
    if (err instanceof FileTooLargeError)
      throw new SweepFileError(`${file}: more than ${MAX_RESULT_BYTES} bytes, too large for a sweep result`);
    if (err instanceof JsonError) {
      throw new SweepFileError(
        err.path === ''
          ? `${file}: ${err.message}; a file cut short by a kill is never produced, since files are written atomically`
          : `${file}: ${err.message}`,
      );
    }
    throw new SweepFileError(`${file}: cannot read (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`);
  }
  const bad = (path: string, msg: string): never => {
    throw new SweepFileError(`${file}: ${path}: ${msg}`);
  };
  const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
  const onlyKeys = (o: Record<string, unknown>, path: string, allowed: readonly string[]): void => {
    for (const k of Object.keys(o)) if (!allowed.includes(k)) bad(jsonPathChild(path, k), `unknown field (allowed: ${allowed.join(', ')})`);
  };
  const count = (v: unknown, path: string): number => {
    if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 0) bad(path, `expected a non-negative integer, got ${show(v)}`);
    return v as number;
  };
  if (!isObject(j)) bad('$', 'expected an object');
  onlyKeys(j, '$', RESULT_FIELDS);
  if (j.kind !== 'geglu-sweep') bad('$.kind', `expected "geglu-sweep", got ${show(j.kind)}`);
  if (j.version !== 2) bad('$.version', `expected 2 (version 1 files have no backend or regions: sweep again), got ${show(j.version)}`);
  if (!SWEEP_FUNCTIONS.includes(j.fn as SweepFunction)) bad('$.fn', `expected one of ${SWEEP_FUNCTIONS.join(', ')}, got ${show(j.fn)}`);
  if (!SWEEP_BACKENDS.includes(j.backend as SweepBackend))
    bad('$.backend', `expected one of ${SWEEP_BACKENDS.join(', ')}, got ${show(j.backend)}`);
  if (typeof j.device !== 'string') bad('$.device', `expected a string, got ${show(j.device)}`);
  if (j.commit !== undefined && typeof j.commit !== 'string') bad('$.commit', `expected a string, got ${show(j.commit)}`);
  if (j.relaxedSimd !== undefined && typeof j.relaxedSimd !== 'boolean')
    bad('$.relaxedSimd', `expected true or false, got ${show(j.relaxedSimd)}`);
  if (!SWEEP_DTYPES.includes(j.dtype as SweepDtype)) bad('$.dtype', `expected one of ${SWEEP_DTYPES.join(', ')}, got ${show(j.dtype)}`);
  const all = inputsOf(j.dtype as SweepDtype);
  const allName = all === ALL_INPUTS ? '2^32' : '2^16';
  if (typeof j.impl !== 'string') bad('$.impl', 'expected a string');
  if (typeof j.complete !== 'boolean') bad('$.complete', `expected true or false, got ${show(j.complete)}`);
  if (typeof j.elapsedSeconds !== 'number' || !Number.isFinite(j.elapsedSeconds) || j.elapsedSeconds < 0) {
    bad('$.elapsedSeconds', `expected a finite number ≥ 0, got ${show(j.elapsedSeconds)}`);
  }
  const checked = count(j.checked, '$.checked');
  const nan = count(j.nan, '$.nan');
  const escalated = count(j.escalated, '$.escalated');
  const undecided = count(j.undecided, '$.undecided');
  const mismatches = count(j.mismatches, '$.mismatches');
  const zeroSign = count(j.zeroSign, '$.zeroSign');
  let target: { start: number; end: number; chunkSize: number } | undefined;
  if (j.target !== undefined) {
    if (!isObject(j.target)) bad('$.target', 'expected an object { start, end, chunkSize }');
    const t = j.target as Record<string, unknown>;
    onlyKeys(t, '$.target', ['start', 'end', 'chunkSize']);
    const start = count(t.start, '$.target.start');
    const end = count(t.end, '$.target.end');
    const chunkSize = count(t.chunkSize, '$.target.chunkSize');
    if (chunkSize < 1) bad('$.target.chunkSize', `expected an integer ≥ 1, got ${chunkSize}`);
    if (!(start < end && end <= all)) bad('$.target', `expected 0 ≤ start < end ≤ ${allName}, got [${start}, ${end})`);
    target = { start, end, chunkSize };
  }
  if (!Array.isArray(j.intervals)) bad('$.intervals', 'expected an array of [start, end]');
  const iv = j.intervals as unknown[];
  let prev = -1;
  iv.forEach((p, i) => {
    if (!Array.isArray(p) || p.length !== 2 || !p.every((n) => Number.isSafeInteger(n)))
      bad(`$.intervals[${i}]`, 'expected [start, end] integers');
    const [s, e] = p as [number, number];
    if (!(s >= 0 && s < e && e <= all)) bad(`$.intervals[${i}]`, `expected 0 ≤ start < end ≤ ${allName}, got [${s}, ${e}]`);
    // equal would be touching intervals, which addInterval coalesces
    if (s <= prev) bad(`$.intervals[${i}]`, 'intervals must be sorted, disjoint and not touching');
    prev = e;
    // a checkpoint lists whole chunks of its target: anything else would never be redone and never finish
    if (target) {
      if (s < target.start || e > target.end)
        bad(`$.intervals[${i}]`, `[0x${hex(s)}, 0x${hex(e)}) lies outside the target [0x${hex(target.start)}, 0x${hex(target.end)})`);
      if ((s - target.start) % target.chunkSize !== 0 || (e !== target.end && (e - target.start) % target.chunkSize !== 0)) {
        bad(
          `$.intervals[${i}]`,
          `does not start and end on chunk bounds (target start 0x${hex(target.start)}, chunks of ${target.chunkSize})`,
        );
      }
    }
  });
  checkRegions(j.regions, all, bad);
  const covered = coveredCount(iv as [number, number][]);
  const wanted = target ? target.end - target.start : all;
  if (j.complete !== (covered === wanted)) {
    bad(
      '$.complete',
      `${String(j.complete)} but the intervals cover ${covered} of ${target ? `the ${wanted} inputs of the target` : `${wanted} inputs`}`,
    );
  }
  if (nan > checked) bad('$.nan', `${nan} NaN inputs but only ${checked} checked`);
  if (escalated > checked) bad('$.escalated', `${escalated} inputs escalated but only ${checked} checked`);
  if (!isObject(j.histogram)) bad('$.histogram', 'expected an object of steps → count');
  let counted = 0;
  let above = 0;
  for (const [k, v] of Object.entries(j.histogram as Record<string, unknown>)) {
    const path = jsonPathChild('$.histogram', k);
    // keys are String(steps) of a positive count: exactly the canonical integers and "Infinity"
    if (k !== 'Infinity' && !/^(0|[1-9][0-9]{0,9})$/.test(k)) bad(path, 'expected a step count ("0", "1", … or "Infinity") as the key');
    if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 1) bad(path, `expected a positive integer count, got ${show(v)}`);
    counted += v as number;
    if (k !== '0') above += v as number;
  }
  if (counted !== checked) bad('$.histogram', `counts ${counted} inputs but checked is ${checked}`);
  if (covered !== checked + undecided) bad('$.intervals', `cover ${covered} inputs but checked + undecided is ${checked + undecided}`);
  // a zero of the wrong sign is 0 steps away but a mismatch: counted under "0" and in zeroSign
  if (zeroSign > ((j.histogram as Record<string, number>)['0'] ?? 0))
    bad('$.zeroSign', `${zeroSign} but the histogram has fewer inputs at 0 steps`);
  if (above + zeroSign !== mismatches)
    bad('$.mismatches', `${mismatches} but the histogram has ${above} inputs above 0 steps and zeroSign is ${zeroSign}`);
  if (!Array.isArray(j.worst)) bad('$.worst', 'expected an array');
  const worst = j.worst as unknown[];
  if (worst.length > MAX_WORST) bad('$.worst', `${worst.length} entries, at most ${MAX_WORST}`);
  worst.forEach((w, i) => {
    const wp = `$.worst[${i}]`;
    if (!isObject(w)) bad(wp, `expected an object { bits, x, got, expected, steps }, got ${show(w)}`);
    const entry = w as Record<string, unknown>;
    onlyKeys(entry, wp, ['bits', 'x', 'got', 'expected', 'steps', 'zeroSign']);
    if (entry.zeroSign !== undefined && entry.zeroSign !== true)
      bad(`${wp}.zeroSign`, `expected true or absent, got ${show(entry.zeroSign)}`);
    const bits = entry.bits;
    if (typeof bits !== 'number' || !Number.isSafeInteger(bits) || bits < 0 || bits >= all)
      bad(
        `${wp}.bits`,
        `expected a ${j.dtype === 'f32' ? 'float32' : String(j.dtype)} bit pattern (an integer in [0, ${allName})), got ${show(bits)}`,
      );
    if (!(iv as [number, number][]).some(([s, e]) => s <= (bits as number) && (bits as number) < e))
      bad(`${wp}.bits`, `0x${hex(bits as number)} is not in the intervals covered`);
    for (const k of ['x', 'got', 'expected'] as const)
      if (typeof entry[k] !== 'string') bad(`${wp}.${k}`, `expected a string, got ${show(entry[k])}`);
    const st = entry.steps;
    if (st !== 'Infinity' && (typeof st !== 'number' || !Number.isSafeInteger(st) || st < 1))
      bad(`${wp}.steps`, `expected an integer ≥ 1 or "Infinity", got ${show(st)}`);
  });
  return j as unknown as SweepResult;
}

/** The per-region counts: every region present, counts non-negative, a worst input exactly when maxSteps > 0. */
function checkRegions(regions: unknown, all: number, bad: (path: string, msg: string) => never): void {
  if (typeof regions !== 'object' || regions === null || Array.isArray(regions)) bad('$.regions', 'expected an object');
  const rs = regions as Record<string, Record<string, unknown> | null>;
  for (const k of Object.keys(rs))
    if (!(REGIONS as readonly string[]).includes(k)) bad(jsonPathChild('$.regions', k), `unknown region (allowed: ${REGIONS.join(', ')})`);
  for (const r of REGIONS) {
    const e = rs[r];
    const rp = `$.regions.${r}`;
    if (typeof e !== 'object' || e === null || Array.isArray(e)) bad(rp, 'expected an object');
    for (const k of Object.keys(e!))
      if (!['checked', 'mismatches', 'maxSteps', 'worst'].includes(k))
        bad(jsonPathChild(rp, k), 'unknown field (allowed: checked, mismatches, maxSteps, worst)');
    for (const k of ['checked', 'mismatches'] as const) {
      if (!Number.isSafeInteger(e![k]) || (e![k] as number) < 0) bad(`${rp}.${k}`, `expected a non-negative integer, got ${show(e![k])}`);
    }
    const m = e!.maxSteps;
    if (!(m === 'Infinity' || (Number.isSafeInteger(m) && (m as number) >= 0)))
      bad(`${rp}.maxSteps`, `expected a non-negative integer or "Infinity", got ${show(m)}`);
    const w = e!.worst as Record<string, unknown> | null;
    if (m === 0 ? w !== null : typeof w !== 'object' || w === null || Array.isArray(w) || w.steps !== m) {
      bad(`${rp}.worst`, m === 0 ? 'expected null when maxSteps is 0' : `expected the input reaching maxSteps ${String(m)}`);
    }
    if (w !== null) {
      for (const k of Object.keys(w))
        if (!['bits', 'x', 'got', 'expected', 'steps'].includes(k))
          bad(jsonPathChild(`${rp}.worst`, k), 'unknown field (allowed: bits, x, got, expected, steps)');
      if (!Number.isSafeInteger(w.bits) || (w.bits as number) < 0 || (w.bits as number) >= all)
        bad(`${rp}.worst.bits`, `expected a bit pattern below ${all}, got ${show(w.bits)}`);
      for (const k of ['x', 'got', 'expected'] as const)
        if (typeof w[k] !== 'string') bad(`${rp}.worst.${k}`, `expected a string, got ${show(w[k])}`);
    }
  }
}

/** Merges shard results of one function. @throws {SweepFileError} on different functions or overlapping inputs. */
export function mergeResults(results: readonly { file: string; result: SweepResult }[]): SweepResult {
  const first = results[0]!.result;
  const acc = newResult(first.fn, first.backend, first.impl, undefined, first.dtype);
  acc.device = first.device;
  if (first.relaxedSimd !== undefined) acc.relaxedSimd = first.relaxedSimd;
  if (first.commit !== undefined) acc.commit = first.commit;
  for (const { file, result } of results) {
    if (result.fn !== first.fn) throw new SweepFileError(`${file}: fn ${result.fn} differs from ${results[0]!.file}'s ${first.fn}`);
    if (result.dtype !== first.dtype)
      throw new SweepFileError(`${file}: dtype ${result.dtype} differs from ${results[0]!.file}'s ${first.dtype}`);
    if (result.backend !== first.backend)
      throw new SweepFileError(`${file}: backend ${result.backend} differs from ${results[0]!.file}'s ${first.backend}`);
    if ((result.relaxedSimd ?? false) !== (first.relaxedSimd ?? false))
      throw new SweepFileError(
        `${file}: ran ${result.relaxedSimd ? 'with' : 'without'} relaxed SIMD, ${results[0]!.file} ${first.relaxedSimd ? 'with' : 'without'}: one sweep is one path`,
      );
    if (result.impl !== first.impl && !acc.impl.split('; ').includes(result.impl)) acc.impl = `${acc.impl}; ${result.impl}`;
    if (result.device !== first.device && !acc.device.split('; ').includes(result.device)) acc.device = `${acc.device}; ${result.device}`;
    if (result.commit !== first.commit)
      acc.commit = [...new Set([acc.commit, result.commit].flatMap((c) => (c ? c.split('; ') : [])))].join('; ');
    try {
      mergeInto(acc, result, result.intervals);
    } catch (err) {
      throw new SweepFileError(`${file}: ${(err as Error).message}`);
    }
    acc.elapsedSeconds += result.elapsedSeconds;
  }
  acc.complete = coveredCount(acc.intervals) === inputsOf(acc.dtype);
  return acc;
}

/** Steps histogram as "0: n, 1: m". */
export function formatHistogram(h: Record<string, number>): string {
  const keys = Object.keys(h).sort((a, b) => Number(a) - Number(b));
  return keys.length === 0 ? '(empty)' : keys.map((k) => `${k}: ${h[k]}`).join(', ');
}
