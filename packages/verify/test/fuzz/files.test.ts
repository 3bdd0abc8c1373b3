import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { formatTolerancesMarkdown, formatTolerancesText, loadTolerances, ToleranceError } from '../../src/tolerances/index.js';
import { readResult, SweepFileError } from '../../src/sweep/result.js';
import { sweepCommand } from '../../src/commands/sweep.js';
import { checkCommand } from '../../src/commands/check.js';
import { UsageError } from '../../src/cli/command.js';
import { fakeIO } from '../cli/fake-io.js';
import { validCheckpoint } from '../sweep/fixtures.js';
import { jsonMutation, mutateJson } from './json-mutations.js';
import { elementBytes, npy } from '../check/writers.js';

// Mutated valid files through the readers a user reaches from the command line: each either reads
// the file or refuses it with its own error class (exit 2), never another error (exit 3); a
// duplicated key is always refused. Seeded by vitest.setup.ts (GEGLU_SEED replays a failure).
const dir = mkdtempSync(join(tmpdir(), 'geglu-fuzz-'));
// minLength 0: the valid file itself is among the cases, so "read" is reached and counted
const mutations = fc.array(jsonMutation, { minLength: 0, maxLength: 4 });
const numRuns = Math.max(100, Number(process.env.GEGLU_RUNS ?? 0));

describe('file readers under mutated valid files (fast-check)', () => {
  it('tolerance tables: a valid table or a ToleranceError; a duplicated key always refused', () => {
    const shipped = JSON.parse(readFileSync(fileURLToPath(new URL('../../tolerances.json', import.meta.url)), 'utf8'));
    const file = join(dir, 'tolerances.json');
    let read = 0;
    let refused = 0;
    fc.assert(
      fc.property(mutations, (ms) => {
        const { text, duplicated } = mutateJson(shipped, ms);
        writeFileSync(file, text);
        let table;
        try {
          table = loadTolerances(file);
        } catch (err) {
          expect(err).toBeInstanceOf(ToleranceError);
          expect((err as Error).message).toContain(file);
          refused++;
          return;
        }
        expect(duplicated, 'a duplicated key was accepted').toBe(false);
        read++;
        expect(() => formatTolerancesMarkdown(table)).not.toThrow();
        expect(() => formatTolerancesText(table)).not.toThrow();
      }),
      { numRuns },
    );
    // both outcomes occur, so the property is not vacuous
    expect(read).toBeGreaterThan(0);
    expect(refused).toBeGreaterThan(0);
  });

  it('sweep results and checkpoints: readResult reads or refuses; what it reads merges, and the merge reads back', async () => {
    const merged = { ...validCheckpoint() } as Record<string, unknown>;
    delete merged.target;
    const file = join(dir, 'result.json');
    const out = join(dir, 'merged.json');
    let read = 0;
    let refused = 0;
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(validCheckpoint(), merged), mutations, async (valid, ms) => {
        const { text, duplicated } = mutateJson(valid, ms);
        writeFileSync(file, text);
        rmSync(out, { force: true });
        try {
          readResult(file);
        } catch (err) {
          expect(err).toBeInstanceOf(SweepFileError);
          // merge refuses it as bad usage and writes nothing
          await expect(sweepCommand.run(['merge', '--partial', '--out', out, file], fakeIO().io)).rejects.toThrow(UsageError);
          expect(existsSync(out)).toBe(false);
          refused++;
          return;
        }
        expect(duplicated, 'a duplicated key was accepted').toBe(false);
        const code = await sweepCommand.run(['merge', '--partial', '--out', out, file], fakeIO().io);
        expect([0, 1]).toContain(code);
        expect(() => readResult(out)).not.toThrow();
        read++;
      }),
      { numRuns },
    );
    expect(read).toBeGreaterThan(0);
    expect(refused).toBeGreaterThan(0);
  });

  it("check's JSONL: every line is checked or reported bad (a duplicated key always bad), exit 0 or 1", async () => {
    const line = fc.record({
      x: fc.constantFrom('0.5', '-3', '1e-40', 'NaN', '-0'),
      y: fc.constantFrom('0.3457', '-0.004', '0', 'NaN', '-0'),
    });
    await fc.assert(
      fc.asyncProperty(fc.array(fc.tuple(line, fc.array(jsonMutation, { maxLength: 2 })), { minLength: 1, maxLength: 8 }), async (rows) => {
        const lines = rows.map(([valid, ms]) => mutateJson(valid, ms));
        // a text edit can insert a newline-free fragment only; every line stays one line
        const text = `${lines.map((l) => l.text.replace(/[\r\n]/g, ' ')).join('\n')}\n`;
        const f = fakeIO(text);
        const code = await checkCommand.run(['--fn', 'gelu', '--dtype', 'f32', '--json', '-'], f.io);
        expect([0, 1]).toContain(code);
        const s = JSON.parse(f.stdout);
        expect(s.checked + s.badLines).toBe(lines.length);
        lines.forEach((l, i) => {
          if (l.duplicated && i < 20) expect(f.stderr).toMatch(new RegExp(`stdin line ${i + 1}: \\$.*: duplicate key`));
        });
      }),
      { numRuns: 40 },
    );
  });

  it('.npy files with mutated headers: geglu check reads them or refuses them naming the file (exit 2), never a crash', async () => {
    const xs = [-1, 0.5, 2, -0, 3].map(Math.fround);
    const y = join(dir, 'y.npy');
    writeFileSync(y, npy('<f4', [5], elementBytes('f4', xs)));
    const x = join(dir, 'x.npy');
    // edits aimed at the header: bytes set or inserted in it, characters of the dict replaced by
    // ones that matter to its grammar, the length field rewritten, the file cut
    const grammar = [...`'"(),:{} \nTrueFals<>|=fuO0123456789-.x`].map((c) => c.charCodeAt(0));
    const mutation = fc.oneof(
      fc.record({
        kind: fc.constant('set' as const),
        at: fc.nat(140),
        value: fc.oneof(fc.constantFrom(...grammar), fc.integer({ min: 0, max: 255 })),
      }),
      fc.record({ kind: fc.constant('insert' as const), at: fc.nat(140), value: fc.constantFrom(...grammar) }),
      fc.record({ kind: fc.constant('delete' as const), at: fc.nat(140) }),
      fc.record({ kind: fc.constant('length' as const), value: fc.oneof(fc.nat(200), fc.nat(0xffffffff)) }),
      fc.record({ kind: fc.constant('truncate' as const), at: fc.nat(160) }),
    );
    let read = 0;
    let refused = 0;
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(1, 2, 3),
        fc.constantFrom('<f4', '>f4'),
        fc.array(mutation, { maxLength: 3 }),
        async (version, descr, ms) => {
          let f = Buffer.from(npy(descr, [5], elementBytes('f4', xs, descr === '<f4'), { version: version as 1 | 2 | 3 }));
          for (const m of ms) {
            if (m.kind === 'set' && m.at < f.length) f[m.at] = m.value;
            else if (m.kind === 'insert') f = Buffer.concat([f.subarray(0, m.at), Buffer.from([m.value]), f.subarray(m.at)]);
            else if (m.kind === 'delete') f = Buffer.concat([f.subarray(0, m.at), f.subarray(m.at + 1)]);
            else if (m.kind === 'truncate') f = f.subarray(0, m.at);
            else if (m.kind === 'length' && f.length >= 12) {
              if (f[6] === 1) f.writeUInt16LE(m.value & 0xffff, 8);
              else f.writeUInt32LE(m.value, 8);
            }
          }
          writeFileSync(x, f);
          const io = fakeIO('');
          let code: number;
          try {
            code = await checkCommand.run(['--fn', 'gelu', '--dtype', 'f32', '--json', '--x', x, '--y', y], io.io);
          } catch (err) {
            expect(err).toBeInstanceOf(UsageError);
            expect((err as Error).message).toContain(x);
            refused++;
            return;
          }
          expect([0, 1]).toContain(code);
          expect(JSON.parse(io.stdout).checked).toBe(5);
          read++;
        },
      ),
      { numRuns },
    );
    expect(read).toBeGreaterThan(0);
    expect(refused).toBeGreaterThan(0);
  });
});
