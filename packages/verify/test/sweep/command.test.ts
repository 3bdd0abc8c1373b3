import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { sweepCommand } from '../../src/commands/sweep.js';
import { readResult } from '../../src/sweep/result.js';
import { fakeIO } from '../cli/fake-io.js';

// The built bin (`pnpm build` first): its worker threads load dist/sweep/worker.js.
const cli = fileURLToPath(new URL('../../dist/cli.js', import.meta.url));

describe.skipIf(!existsSync(cli))('geglu sweep --relaxed-simd: the kernel path, in the worker threads, recorded in the result', () => {
  it('on and off run their path in a worker thread and record it; gpu backends refuse the option', () => {
    const dir = mkdtempSync(join(tmpdir(), 'geglu-sweep-relaxed-'));
    for (const mode of ['on', 'off'] as const) {
      const out = join(dir, `${mode}.json`);
      const args = ['sweep', '--fn', 'gelu-tanh', '--dtype', 'f32', '--range', '0xc0000000:0xc0004000', '--workers', '1'];
      const r = spawnSync(process.execPath, [cli, ...args, '--relaxed-simd', mode, '--out', out], { encoding: 'utf8' });
      expect({ status: r.status, stderr: r.stderr }).toMatchObject({ status: 0 });
      expect(r.stdout).toContain('PASS');
      const result = readResult(out);
      expect(result.relaxedSimd).toBe(mode === 'on');
      expect(/relaxed_madd, (fused|not fused) on Node/.test(result.device)).toBe(mode === 'on');
    }
  });
  it('--relaxed-simd with a gpu backend is a usage error', async () => {
    await expect(
      sweepCommand.run(['--fn', 'gelu', '--dtype', 'f32', '--backend', 'gpu-cpu', '--range', '0:16', '--relaxed-simd', 'on'], fakeIO().io),
    ).rejects.toThrow(/--relaxed-simd applies to the kernel backends, not gpu-cpu/);
  });
});

// A bad --out must be refused before the sweep starts: found only at the end, it would
// throw away the whole run (up to all 2^32 inputs).
describe('geglu sweep: output paths are checked before any input is swept', () => {
  it('--out in a missing folder, --out naming a folder, and merge --out are UsageErrors', async () => {
    const f = fakeIO();
    await expect(
      sweepCommand.run(['--fn', 'gelu', '--dtype', 'f32', '--range', '0:16', '--out', '/nonexistent-geglu/x.json'], f.io),
    ).rejects.toThrow(/--out \/nonexistent-geglu\/x\.json: folder \/nonexistent-geglu does not exist/);
    expect(f.stdout).toBe('');
    await expect(sweepCommand.run(['--fn', 'gelu', '--dtype', 'f32', '--range', '0:16', '--out', '/tmp'], f.io)).rejects.toThrow(
      /--out \/tmp is a folder, expected a file/,
    );
    await expect(sweepCommand.run(['merge', '--out', '/nonexistent-geglu/m.json', 'a.json'], f.io)).rejects.toThrow(
      /geglu sweep merge: --out \/nonexistent-geglu\/m\.json/,
    );
  });
});
