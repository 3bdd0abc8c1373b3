import { describe, expect, it } from 'vitest';
import { runCli } from '../../src/cli/main.js';
import { loadOracle } from '../../src/backends/modules.js';
import { fakeIO } from '../cli/fake-io.js';

const oracle = await loadOracle();
const O = oracle as Exclude<typeof oracle, string>;

describe.skipIf(typeof oracle === 'string' || !O.evaluate || !O.ulpError)('geglu check against the real oracle', () => {
  it('correctly rounded f32 outputs pass; one output nudged one step up is 1 step and 0.5 to 1.5 ulps, exit 1 at --max-steps 0', async () => {
    const xs = [-5.5, -1, -0.25, 0.5, 2.75];
    const f = new Float32Array(1);
    const u = new Uint32Array(f.buffer);
    const lines = xs.map((x, i) => {
      let y = O.correctlyRounded('gelu-tanh', x, 'f32');
      if (i === 2) {
        f[0] = y;
        u[0] = u[0]! + (y < 0 ? -1 : 1); // one float32 step up in value
        y = f[0]!;
      }
      return JSON.stringify({ x: String(x), y: String(y) });
    });
    const erfLines = xs.map((x) => JSON.stringify({ x: String(x), y: String(O.correctlyRounded('erf', x, 'f32')) }));
    const runErf = async (extra: string[]) => {
      const io = fakeIO(`${erfLines.join('\n')}\n`);
      const code = await runCli(['check', '--fn', 'erf', '--dtype', 'f32', '--json', ...extra, '-'], io.io);
      return { code, s: JSON.parse(io.stdout) };
    };
    const run = async (extra: string[]) => {
      const io = fakeIO(`${lines.join('\n')}\n`);
      const code = await runCli(['check', '--fn', 'gelu-tanh', '--dtype', 'f32', '--json', ...extra, '-'], io.io);
      return { code, s: JSON.parse(io.stdout) };
    };
    const strict = await run([]);
    expect(strict.code).toBe(1);
    expect(strict.s.maxSteps).toBe(1);
    expect(strict.s.worst).toHaveLength(1);
    expect(strict.s.worst[0].line).toBe(3);
    // a result one step from the correctly rounded one is between 0.5 and 1.5 ulps from the exact value
    expect(strict.s.maxUlps).toBeGreaterThan(0.5);
    expect(strict.s.maxUlps).toBeLessThanOrEqual(1.5);
    expect(strict.s.byRegion.tail).toEqual({ count: 1, maxSteps: 0, zeroSign: 0, allowed: 0 });
    const lenient = await run(['--max-steps', '1']);
    expect(lenient.code).toBe(0);
    // kernel-f32's bound for gelu-tanh f32 in the shipped table is 0 steps in every region: the fault fails it
    const table = await run(['--backend', 'kernel-f32']);
    expect(table.code).toBe(1);
    expect(table.s.byRegion.normal).toEqual({ count: 4, maxSteps: 1, zeroSign: 0, allowed: 0 });
    expect(table.s.backend).toBe('kernel-f32');
    // gpu-webasm's gelu-tanh bound (exhaustive: 3 steps in the normal region, packages/verify/sweeps) admits the 1-step fault
    const gpu = await run(['--backend', 'gpu-webasm']);
    expect(gpu.code).toBe(0);
    expect(gpu.s.byRegion.normal.allowed).toBe(3);
    // a figure from a sample is not a bound: gpu-cpu's erf rows are sampled, so nothing is gated and the check fails
    const sampled = await runErf(['--backend', 'gpu-cpu']);
    expect(sampled.code).toBe(1);
    expect(sampled.s.byRegion.normal.allowed).toBeNull();
    // headless-gl's bounds are unmeasured: nothing is gated, so the check fails rather than passing vacuously
    const gl = await run(['--backend', 'gpu-headlessgl']);
    expect(gl.code).toBe(1);
    expect(gl.s.byRegion.normal.allowed).toBeNull();
  });

  it("PyTorch's float32 exact gelu(−20) = +0 (correct: −0) is 1 mismatch with zeroSign 1: exit 1 at --max-steps 0 and under a step bound", async () => {
    // DESIGN.md: a real PyTorch returns +0 for x = −20; the oracle's correctly rounded float32 is −0
    expect(Object.is(O.correctlyRounded('gelu', -20, 'f32'), -0)).toBe(true);
    const lines = `{"x":"-20","y":"0"}\n{"x":"1","y":"${String(O.correctlyRounded('gelu', 1, 'f32'))}"}\n`;
    const run = async (extra: string[]) => {
      const io = fakeIO(lines);
      const code = await runCli(['check', '--fn', 'gelu', '--dtype', 'f32', '--json', ...extra, '-'], io.io);
      return { code, s: JSON.parse(io.stdout) };
    };
    const strict = await run(['--max-steps', '0']);
    expect(strict.code).toBe(1);
    expect([strict.s.checked, strict.s.mismatches, strict.s.zeroSign, strict.s.maxSteps]).toEqual([2, 1, 1, 0]);
    expect(strict.s.worst[0]).toMatchObject({ line: 1, x: '-20', y: '0', expected: '-0', steps: 0, zeroSign: true });
    // a step bound does not excuse the wrong sign (gpu-webasm allows steps in gelu's regions)
    const gpu = await run(['--backend', 'gpu-webasm']);
    expect(gpu.code).toBe(1);
    expect(gpu.s.zeroSign).toBe(1);
    // the correctly rounded −0 passes
    const io = fakeIO('{"x":"-20","y":"-0"}\n');
    expect(await runCli(['check', '--fn', 'gelu', '--dtype', 'f32', '-'], io.io)).toBe(0);
  });
});
