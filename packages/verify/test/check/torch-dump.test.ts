import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runCli } from '../../src/cli/main.js';
import { fakeIO } from '../cli/fake-io.js';

// A real PyTorch dump, judged by geglu check and by the independent mpmath checker in examples/:
// both must count the same mismatches and zero signs. Runs only where a python3 with torch and
// mpmath exists (Debian: apt-get install python3-torch python3-mpmath); GEGLU_PYTHON picks one.
const examples = fileURLToPath(new URL('../../../../examples/', import.meta.url));
const python = [process.env.GEGLU_PYTHON, 'python3', '/usr/bin/python3'].find(
  (p) => p !== undefined && spawnSync(p, ['-c', 'import torch, mpmath'], { stdio: 'ignore' }).status === 0,
);

describe.skipIf(python === undefined)('a PyTorch bf16 gelu dump (python3 with torch and mpmath required)', () => {
  it('geglu check and the mpmath cross-check count the same mismatches and zero signs', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'geglu-torch-'));
    const full = join(dir, 'gelu-bf16.jsonl');
    const dump = spawnSync(python!, [join(examples, 'torch_gelu_jsonl.py'), '--dtype', 'bf16', '--approximate', 'none', '--out', full], {
      encoding: 'utf8',
    });
    expect(dump.status, dump.stderr).toBe(0);
    // every 4th line (all regions, 16,384 inputs) keeps the mpmath side to a few seconds
    const lines = readFileSync(full, 'utf8').trim().split('\n');
    expect(lines).toHaveLength(65536);
    const part = join(dir, 'part.jsonl');
    writeFileSync(part, `${lines.filter((_, i) => i % 4 === 0).join('\n')}\n`);
    const mp = spawnSync(python!, [join(examples, 'mpmath_check_gelu_jsonl.py'), '--fn', 'gelu', '--dtype', 'bf16', part], {
      encoding: 'utf8',
    });
    expect(mp.status, mp.stderr).toBe(0);
    const m = /: (\d+) lines, (\d+) mismatches, (\d+) zero sign, (\d+) NaN vs number/.exec(mp.stdout);
    expect(m, mp.stdout).not.toBeNull();
    const f = fakeIO();
    const code = await runCli(['check', '--fn', 'gelu', '--dtype', 'bf16', '--json', part], f.io);
    const s = JSON.parse(f.stdout);
    expect(code).toBe(s.mismatches === 0 ? 0 : 1);
    expect({ lines: s.checked, mismatches: s.mismatches, zeroSign: s.zeroSign, nan: s.histogram.Infinity ?? 0 }).toEqual({
      lines: Number(m![1]),
      mismatches: Number(m![2]),
      zeroSign: Number(m![3]),
      nan: Number(m![4]),
    });
  }, 120_000);
});
