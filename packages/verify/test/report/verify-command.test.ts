import { mkdtempSync, writeFileSync } from 'node:fs';
import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { UsageError } from '../../src/cli/command.js';
import { verifyCommand } from '../../src/commands/verify.js';
import type { VerifyReport } from '../../src/report/index.js';
import { loadOracle } from '../../src/suites/oracle.js';

function io(env: Record<string, string> = {}) {
  const out: string[] = [];
  const err: string[] = [];
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  stdout.on('data', (d) => out.push(String(d)));
  stderr.on('data', (d) => err.push(String(d)));
  return { io: { stdin: new PassThrough(), stdout, stderr, env }, out: () => out.join(''), err: () => err.join('') };
}

describe('geglu verify: usage', () => {
  it('--help prints the usage with every flag and exits 0', async () => {
    const s = io();
    expect(await verifyCommand.run(['--help'], s.io)).toBe(0);
    for (const flag of ['--backends', '--tolerances', '--runs', '--seed', '--report']) expect(s.out()).toContain(flag);
  });

  it('an unknown backend is a UsageError naming it and the known ids', async () => {
    await expect(verifyCommand.run(['--backends', 'oracle,tpu'], io().io)).rejects.toThrow(UsageError);
    await expect(verifyCommand.run(['--backends', 'tpu'], io().io)).rejects.toThrow(/"tpu".*kernel-f32/);
  });

  it('a non-integer or out-of-int32 seed (flag or GEGLU_SEED) is a UsageError, not silently wrapped', async () => {
    await expect(verifyCommand.run(['--seed', '1.5'], io().io)).rejects.toThrow(/--seed must be a 32-bit integer/);
    await expect(verifyCommand.run([], io({ GEGLU_SEED: 'abc' }).io)).rejects.toThrow(/GEGLU_SEED must be a 32-bit integer/);
    await expect(verifyCommand.run(['--seed', '99999999999'], io().io)).rejects.toThrow(/got "?99999999999/);
  });

  it('a --report path that is a file is a UsageError before any suite runs', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'geglu-report-')), 'not-a-folder');
    writeFileSync(file, '');
    await expect(verifyCommand.run(['--report', file, '--backends', 'oracle'], io().io)).rejects.toThrow(/is a file, expected a folder/);
  });

  it('an unreadable tolerance file is a UsageError naming the file', async () => {
    await expect(verifyCommand.run(['--tolerances', '/nonexistent/t.json', '--backends', 'oracle'], io().io)).rejects.toThrow(
      /\/nonexistent\/t\.json/,
    );
  });
});

const loaded = await loadOracle();

describe.skipIf(!loaded.ok)('geglu verify on the oracle alone', () => {
  it('prints the seed, passes every oracle property at --runs 2 with GEGLU_SEED, and records that seed in report.json', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'geglu-verify-'));
    const s = io({ GEGLU_SEED: '12345' });
    const code = await verifyCommand.run(['--backends', 'oracle', '--runs', '2', '--report', dir], s.io);
    expect(s.out()).toContain('seed 12345 (replay with GEGLU_SEED=12345)');
    const report = JSON.parse(await readFile(join(dir, 'report.json'), 'utf8')) as VerifyReport;
    expect(report.seed).toBe(12345);
    expect(report.summary.failed).toBe(0);
    expect(code).toBe(0);
    expect(report.summary.passed).toBeGreaterThan(0);
    // The landmarks the issue quotes are rediscovered: ≈ 4.73e−4 near ±2.70, ≈ 1.79e−4, min ≈ −0.16997 near −0.75179 (issue 6 text).
    expect(Number(report.landmarks.maxGeluGap!.value)).toBeCloseTo(4.73e-4, 6);
    expect(Math.abs(report.landmarks.maxGeluGap!.argmax)).toBeCloseTo(2.7, 1);
    expect(Number(report.landmarks.maxPhiGap!.value)).toBeCloseTo(1.79e-4, 6);
    expect(Number(report.landmarks.minimum!.gelu!.value)).toBeCloseTo(-0.16997, 5);
    expect(report.landmarks.minimum!.gelu!.argmin).toBeCloseTo(-0.75179, 5);
    expect(report.gapCurve.length).toBeGreaterThan(100);
  });
});
