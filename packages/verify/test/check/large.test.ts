import { closeSync, openSync, writeSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli } from '../../src/cli/main.js';
import { loadOracle } from '../../src/backends/modules.js';
import { fakeIO } from '../cli/fake-io.js';
import { Dir, npyHeader } from './writers.js';

const oracle = await loadOracle();
const O = oracle as Exclude<typeof oracle, string>;
const dir = new Dir();
afterAll(() => dir.remove());

const N = 2 ** 24;
const CHUNK = 2 ** 16;
// The first HEAD inputs span [-10, 6) and their outputs come from the oracle; every later input
// is ≥ 6, where gelu(x) = x − x·Q(x) with Q(6) < 1e-9, less than half a float32 step below x
// (2^-25 relative at worst), so x itself is the correctly rounded output.
const HEAD = 512;

function inputAt(i: number): number {
  return i < HEAD ? Math.fround(-10 + (16 * i) / HEAD) : Math.fround(6 + (i - HEAD) * 0.37);
}

/** Writes x and y (f32, little-endian) chunk by chunk, so the test never holds 2^24 values either. */
function writePair(write: (x: Uint8Array, y: Uint8Array) => void, wrong: ReadonlyMap<number, number>): void {
  const x = new Float32Array(CHUNK);
  const y = new Float32Array(CHUNK);
  for (let c = 0; c < N; c += CHUNK) {
    for (let i = 0; i < CHUNK; i++) {
      const at = c + i;
      x[i] = inputAt(at);
      y[i] = wrong.get(at) ?? (at < HEAD ? O.correctlyRounded('gelu', x[i]!, 'f32') : x[i]!);
    }
    write(new Uint8Array(x.buffer), new Uint8Array(y.buffer));
  }
}

describe.skipIf(typeof oracle === 'string')('geglu check streams a 2^24-element float32 pair', () => {
  it('.npy and safetensors: every element checked, the three wrong ones counted, memory bounded', { timeout: 240_000 }, async () => {
    // x = -10: the correctly rounded gelu is -7.6e-23, a normal float32 (DESIGN.md), so the +0 that
    // PyTorch returns there is many steps off, not a zero-sign mismatch
    const wrong = new Map<number, number>([
      [0, 0],
      [HEAD + 5, Math.fround(inputAt(HEAD + 5) * (1 - 2 ** -20))],
      [N - 1, NaN],
    ]);
    expect(inputAt(0)).toBe(-10);
    const fx = openSync(dir.file('x.npy', npyHeader('<f4', [N])), 'a');
    const fy = openSync(dir.file('y.npy', npyHeader('<f4', [N])), 'a');
    writePair((x, y) => {
      writeSync(fx, x);
      writeSync(fy, y);
    }, wrong);
    closeSync(fx);
    closeSync(fy);
    // safetensors (8-byte little-endian header length, JSON header, data): x's bytes, then y's in a second pass
    const json = JSON.stringify({
      x: { dtype: 'F32', shape: [N], data_offsets: [0, 4 * N] },
      y: { dtype: 'F32', shape: [N], data_offsets: [4 * N, 8 * N] },
    });
    const len = Buffer.alloc(8);
    len.writeBigUInt64LE(BigInt(json.length));
    const st = dir.file('pair.safetensors', Buffer.concat([len, Buffer.from(json)]));
    const fs1 = openSync(st, 'a');
    writePair((x) => {
      writeSync(fs1, x);
    }, wrong);
    writePair((_x, y) => {
      writeSync(fs1, y);
    }, wrong);
    closeSync(fs1);

    for (const argv of [['--x', `${dir.path}/x.npy`, '--y', `${dir.path}/y.npy`], [st]]) {
      const io = fakeIO('');
      let peak = 0;
      const base = process.memoryUsage().arrayBuffers;
      const sample = setInterval(() => (peak = Math.max(peak, process.memoryUsage().arrayBuffers - base)), 5);
      const code = await runCli(['check', '--fn', 'gelu', '--dtype', 'f32', '--json', ...argv], io.io);
      clearInterval(sample);
      const s = JSON.parse(io.stdout);
      expect(s).toMatchObject({ checked: N, lines: N, mismatches: 3, zeroSign: 0 });
      expect(s.worst.map((w: { index: number }) => w.index).sort((a: number, b: number) => a - b)).toEqual([0, HEAD + 5, N - 1]);
      expect(code).toBe(1);
      // one pair of f32 tensors is 128 MiB; the chunks in flight are a few MiB
      expect(peak).toBeLessThan(32 * 2 ** 20);
    }
  });
});
