// geglu verify --browser: the kernel and a gpu.js mode in headless Chromium,
// reported like the others; a browser backend named without --browser is a
// usage error that says so.
import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { browserMissing } from '../../src/browser/chromium.js';
import { verifyCommand } from '../../src/commands/verify.js';
import type { VerifyReport } from '../../src/report/index.js';
import { fakeIO } from '../cli/fake-io.js';

describe('geglu verify --browser: usage', () => {
  it('a browser backend without --browser is a UsageError pointing at --browser', async () => {
    await expect(verifyCommand.run(['--backends', 'kernel-f32-browser'], fakeIO().io)).rejects.toThrow(
      /"kernel-f32-browser".*with --browser: also the browser backends/,
    );
  });
});

const missing = await browserMissing();

describe.skipIf(missing !== null)(`geglu verify --browser in headless Chromium${missing ? ` (skipped: ${missing})` : ''}`, () => {
  it('runs the kernel (gated on kernel-f32 and kernel-f64, derivatives included) and gpu.js webasm in Chromium, every property passing, each reported with what ran', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'geglu-verify-browser-'));
    const s = fakeIO('', { GEGLU_SEED: '2024' });
    const code = await verifyCommand.run(
      ['--browser', '--backends', 'kernel-f32-browser,kernel-f64-browser,gpu-webasm-browser', '--runs', '2', '--report', dir],
      s.io,
    );
    expect(s.stderr).not.toContain('not available here');
    expect(code).toBe(0);
    const report = JSON.parse(await readFile(join(dir, 'report.json'), 'utf8')) as VerifyReport;
    const ran = Object.fromEntries(report.targets.map((t) => [t.backend, t.ran ?? '']));
    expect(ran['kernel-f32-browser']).toMatch(/^kernel-f32-browser \(Chromium \d+/);
    expect(ran['gpu-webasm-browser']).toMatch(/^gpu-webasm in Chromium \d+/);
    const results = report.results.filter((r) => r.backend === 'kernel-f32-browser');
    expect(results.filter((r) => r.status === 'pass').length).toBeGreaterThan(10);
    // the page computes the derivatives too (suite 6 runs, and passes, on both kernel formats)
    for (const backend of ['kernel-f32-browser', 'kernel-f64-browser']) {
      const gradients = report.results.filter((r) => r.backend === backend && r.suite === 'gradients');
      expect(gradients.some((r) => r.status === 'pass')).toBe(true);
    }
    expect(report.summary.failed).toBe(0);
  });
});
