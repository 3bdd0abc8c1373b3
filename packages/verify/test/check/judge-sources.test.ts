// @geglu/verify/check (what the explorer page runs in a browser) judges a file given as a Blob or
// File exactly as `geglu check` judges it by path: same rows, same summary, same report.
import { readFileSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { compareResult } from '@geglu/float';
import { loadOracle } from '../../src/backends/modules.js';
import { runCli } from '../../src/cli/main.js';
import { CheckJudge, formatSummary, jsonlBatches, npyBatches, safetensorsBatches, type CheckBatch } from '../../src/check/index.js';
import { fakeIO } from '../cli/fake-io.js';
import { Dir, elementBytes, npy, safetensors } from './writers.js';

const oracle = await loadOracle();
const O = oracle as Exclude<typeof oracle, string>;
const dir = new Dir();
afterAll(() => dir.remove());

const XS = [-1000, -10, -5.5, -1, -0.75, -0.25, -0, 0, 1e-40, 0.5, 1, 2.7, 6, 100, Infinity, -Infinity, NaN].map(Math.fround);
/** Correctly rounded float32 gelu with two wrong: +0 for −0 at index 0, one step off at index 3. */
function outputs(): number[] {
  const ys = XS.map((x) => O.correctlyRounded('gelu', x, 'f32'));
  ys[0] = 0;
  ys[3] = new Float32Array(new Uint32Array([new Uint32Array(Float32Array.of(ys[3]!).buffer)[0]! + 1]).buffer)[0]!;
  return ys;
}
const file = (path: string) => new File([readFileSync(path)], path.split('/').pop()!);
const options = {
  fn: 'gelu',
  dtype: 'f32',
  maxStepsAllowed: 0,
  backend: null,
  limits: { tail: 0, subnormal: 0, normal: 0, special: 0 },
} as const;

async function judge(
  input: 'jsonl' | 'npy' | 'safetensors',
  batches: AsyncGenerator<CheckBatch>,
  judge = new CheckJudge({ ...options, input }, O),
) {
  for await (const b of batches) judge.add(b);
  return judge.finish();
}

async function cli(argv: string[]): Promise<string> {
  const f = fakeIO();
  await runCli(['check', '--fn', 'gelu', '--dtype', 'f32', ...argv], f.io);
  return f.stdout;
}

describe.skipIf(typeof oracle === 'string')('geglu check on Blobs (the explorer page) and on paths (the CLI)', () => {
  const ys = outputs();

  it('.npy and safetensors as Files: the summary and report of the paths', async () => {
    const px = dir.file('x.npy', npy('<f4', [XS.length], elementBytes('f4', XS)));
    const py = dir.file('y.npy', npy('<f4', [XS.length], elementBytes('f4', ys)));
    const fromFiles = await npyBatches([file(px), file(py)], 'f32');
    const s = await judge('npy', fromFiles.batches);
    await fromFiles.close();
    expect(s).toMatchObject({ checked: XS.length, mismatches: 2, zeroSign: 1, maxSteps: 1, passed: false });
    expect(formatSummary(s)).toBe(await cli(['--x', px, '--y', py]));

    const t = (name: string, v: number[]) => ({ name, dtype: 'F32', shape: [v.length], bytes: elementBytes('f4', v) });
    const pst = dir.file('gelu.safetensors', safetensors([t('x', XS), t('y', ys)]));
    const st = await safetensorsBatches(file(pst), ['x', 'y'], 'f32', 'gelu.safetensors');
    const s2 = await judge('safetensors', st.batches);
    await st.close();
    expect(formatSummary(s2)).toBe(await cli([pst]));
  });

  it('JSONL as a Blob stream, bad lines reported the same way', async () => {
    const text = `${XS.map((x, i) => JSON.stringify({ x: Object.is(x, -0) ? '-0' : String(x), y: Object.is(ys[i], -0) ? '-0' : String(ys[i]) })).join('\n')}\nnot json\n`;
    const path = dir.file('gelu.jsonl', text);
    const bad: number[] = [];
    const j = new CheckJudge({ ...options, input: 'jsonl' }, O);
    const s = await judge(
      'jsonl',
      jsonlBatches(
        new Blob([text]).stream() as unknown as AsyncIterable<Uint8Array>,
        ['x', 'y'],
        'f32',
        (no) => {
          bad.push(no);
          j.badLine();
        },
        (no) => j.line(no),
      ),
      j,
    );
    expect(bad).toEqual([XS.length + 1]);
    expect(s).toMatchObject({ lines: XS.length + 1, checked: XS.length, badLines: 1, mismatches: 2 });
    // independently of the judge: the rows' own distances
    expect(s.maxSteps).toBe(Math.max(...XS.map((x, i) => compareResult(ys[i]!, O.correctlyRounded('gelu', x, 'f32'), 'f32').steps)));
    expect(formatSummary(s)).toBe(await cli([path]));
  });

  it('a truncated .npy File is an error naming the file', async () => {
    const bytes = npy('<f4', [XS.length], elementBytes('f4', XS));
    const short = new File([bytes.subarray(0, bytes.length - 4)], 'short.npy');
    await expect(npyBatches([short, short], 'f32')).rejects.toThrow(/^short\.npy: /);
  });
});
