import { describe, expect, it } from 'vitest';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readResult, SweepFileError } from '../../src/sweep/result.js';
import { sweepCommand } from '../../src/commands/sweep.js';
import { fakeIO } from '../cli/fake-io.js';
import { validCheckpoint } from './fixtures.js';

const dir = mkdtempSync(join(tmpdir(), 'geglu-result-'));
let n = 0;
const write = (value: unknown): string => {
  const f = join(dir, `r${n++}.json`);
  writeFileSync(f, typeof value === 'string' ? value : JSON.stringify(value));
  return f;
};

const rejects = (mutate: (r: any) => void, why: RegExp): void => {
  const r = validCheckpoint();
  mutate(r);
  const f = write(r);
  expect(() => readResult(f)).toThrow(SweepFileError);
  expect(() => readResult(f)).toThrow(why);
};

describe('readResult validates every field of a sweep result or checkpoint', () => {
  it('a bf16 or f16 result covers 2^16 bit patterns: complete at 2^16, nothing beyond', () => {
    for (const dtype of ['bf16', 'f16']) {
      const r = JSON.parse(readFileSync(new URL(`../../sweeps/kernel-${dtype}-gelu.json`, import.meta.url), 'utf8'));
      expect(readResult(write(r)).dtype).toBe(dtype);
      const beyond = structuredClone(r);
      beyond.intervals = [[0, 2 ** 16 + 1]];
      expect(() => readResult(write(beyond))).toThrow(/\$\.intervals\[0\]: expected 0 ≤ start < end ≤ 2\^16/);
      const part = structuredClone(r);
      part.intervals = [[0, 2 ** 15]];
      expect(() => readResult(write(part))).toThrow(/\$\.complete: true but the intervals cover 32768 of 65536 inputs/);
      const asF32 = structuredClone(r);
      asF32.dtype = 'f32';
      expect(() => readResult(write(asF32))).toThrow(/\$\.complete: true but the intervals cover 65536 of 4294967296 inputs/);
      const worst = structuredClone(r);
      worst.worst = [{ bits: 2 ** 16, x: '1', got: '1', expected: '2', steps: 1 }];
      expect(() => readResult(write(worst))).toThrow(new RegExp(`\\$\\.worst\\[0\\]\\.bits: expected a ${dtype} bit pattern`));
    }
  });

  it('accepts the valid checkpoint', () => {
    expect(readResult(write(validCheckpoint()))).toEqual(validCheckpoint());
  });

  it('histogram keys must be step counts: not __proto__, constructor, "01", "-1" or "1.5"', () => {
    for (const key of ['__proto__', 'constructor', '01', '-1', '1.5', 'NaN']) {
      const text = JSON.stringify(validCheckpoint()).replace('"1":1', `${JSON.stringify(key)}:1`);
      const f = write(text);
      expect(() => readResult(f), key).toThrow(/\$\.histogram\[?.*: expected a step count/);
    }
  });

  it('histogram counts must be positive integers', () => {
    rejects((r) => (r.histogram = { 0: 2046.5, 1: 1.5 }), /\$\.histogram\["0"\]: expected a positive integer count, got 2046\.5/);
    rejects((r) => (r.histogram = { 0: 2049, 1: -1 }), /\$\.histogram\["1"\]: expected a positive integer count, got -1/);
  });

  it('mismatches equals the inputs the histogram puts above 0 steps', () => {
    rejects((r) => (r.mismatches = 0), /\$\.mismatches: 0 but the histogram has 1 inputs above 0 steps/);
  });

  it('dtype, complete, nan and unknown fields', () => {
    rejects((r) => (r.dtype = 'f64'), /\$\.dtype: expected one of f32, bf16, f16, got "f64"/);
    rejects((r) => (r.complete = 'no'), /\$\.complete: expected true or false/);
    rejects((r) => (r.complete = true), /\$\.complete: true but the intervals cover 2048 of the 4096 inputs of the target/);
    rejects((r) => (r.nan = 5000), /\$\.nan: 5000 NaN inputs but only 2048 checked/);
    rejects((r) => (r.extra = 1), /\$\.extra: unknown field/);
    rejects((r) => (r.elapsedSeconds = -1), /\$\.elapsedSeconds: expected a finite number ≥ 0/);
  });

  it('worst entries: bits, strings and steps each checked, no extra fields, at most 20', () => {
    rejects((r) => (r.worst[0].steps = 0), /\$\.worst\[0\]\.steps: expected an integer ≥ 1 or "Infinity", got 0/);
    rejects((r) => (r.worst[0].steps = '2'), /\$\.worst\[0\]\.steps: expected an integer ≥ 1 or "Infinity"/);
    rejects((r) => (r.worst[0].bits = 2 ** 32), /\$\.worst\[0\]\.bits: expected a float32 bit pattern/);
    rejects((r) => (r.worst[0].bits = 0x1900), /\$\.worst\[0\]\.bits: 0x00001900 is not in the intervals covered/);
    rejects((r) => delete r.worst[0].x, /\$\.worst\[0\]\.x: expected a string/);
    rejects((r) => (r.worst[0].extra = 1), /\$\.worst\[0\]\.extra: unknown field/);
    rejects((r) => (r.worst[0] = null), /\$\.worst\[0\]: expected an object/);
    rejects((r) => (r.worst = Array.from({ length: 21 }, () => r.worst[0])), /\$\.worst: 21 entries, at most 20/);
  });

  it('target: integers with start < end ≤ 2^32, chunkSize ≥ 1, and every interval within it on chunk bounds', () => {
    rejects((r) => (r.target.chunkSize = 0), /\$\.target\.chunkSize: expected an integer ≥ 1/);
    rejects((r) => (r.target = { start: 5, end: 5, chunkSize: 1 }), /\$\.target: expected 0 ≤ start < end ≤ 2\^32/);
    rejects(
      (r) => (r.intervals = [[0x800, 0x1000]]),
      /\$\.intervals\[0\]: \[0x00000800, 0x00001000\) lies outside the target \[0x00001000, 0x00002000\)/,
    );
    rejects((r) => (r.intervals = [[0x1001, 0x1801]]), /\$\.intervals\[0\]: does not start and end on chunk bounds/);
  });

  it('geglu sweep merge writes --out only when every file validated', async () => {
    const good = write({ ...validCheckpoint(), target: undefined });
    const badWorst = validCheckpoint() as any;
    badWorst.intervals = [[0x1800, 0x2000]];
    badWorst.worst = [{ bits: 0x1900, x: 1, got: '3e-42', expected: '4e-42', steps: 1 }];
    const bad = write(badWorst);
    const out = join(dir, 'merged.json');
    await expect(sweepCommand.run(['merge', '--partial', '--out', out, good, bad], fakeIO().io)).rejects.toThrow(
      /\$\.worst\[0\]\.x: expected a string/,
    );
    expect(existsSync(out)).toBe(false);
  });
});
