import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { evalCommand } from '../../src/commands/eval.js';
import { registerBackend, getBackend } from '../../src/backends/registry.js';
import { numberSyntaxError } from '../../src/io/numbers.js';
import { fakeIO } from '../cli/fake-io.js';

// Identity stand-in for the kernel: this file tests the line handling, not a function.
registerBackend({
  ...getBackend('kernel-f64')!,
  async open() {
    return { ran: 'identity', evaluate: async (_f, _d, xs) => xs, close: async () => {} };
  },
});

const validNumber = fc.oneof(
  fc.double().map((x) => (Object.is(x, -0) ? '-0' : String(x))),
  fc.constantFrom('NaN', 'inf', '-Infinity', '+inf', ' 1.5\t', '.5', '7.', '-0.0e-0'),
);
const garbage = fc.oneof(
  fc.string({ unit: 'grapheme', maxLength: 30 }).filter((s) => !s.includes('\n')),
  fc.constantFrom('', '0x10', '1_000', '1 2', '\r', '--1', 'nan nan', 'Infinity!'),
);

describe('geglu eval under fuzzed input (fast-check)', () => {
  it('every line is either evaluated or reported by number; exit 1 exactly when a line was skipped', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.oneof(validNumber, garbage), { maxLength: 40 }),
        fc.boolean(),
        fc.boolean(),
        async (lines, crlf, finalNewline) => {
          const text = lines.join(crlf ? '\r\n' : '\n') + (finalNewline && lines.length > 0 ? '\n' : '');
          // split the bytes into random-ish chunks so lines cross chunk boundaries
          const buf = Buffer.from(text);
          const chunks = [buf.subarray(0, buf.length >> 1), buf.subarray(buf.length >> 1)];
          const f = fakeIO(chunks);
          const code = await evalCommand.run(['--fn', 'gelu', '--dtype', 'f64', '--backend', 'kernel'], f.io);
          // a lone trailing "" after the last newline is not a line
          const expectedLines =
            text === ''
              ? []
              : text
                  .replace(/\n$/, '')
                  .split('\n')
                  .map((l) => l.replace(/\r$/, ''));
          const bad = expectedLines.map((l, i) => [l, i + 1] as const).filter(([l]) => numberSyntaxError(l) !== null);
          const out = f.stdout === '' ? [] : f.stdout.trimEnd().split('\n');
          expect(out.length + bad.length).toBe(expectedLines.length);
          for (const o of out) expect(() => JSON.parse(o)).not.toThrow();
          for (const [, no] of bad.slice(0, 20)) expect(f.stderr).toContain(`stdin line ${no}:`);
          expect(code).toBe(bad.length > 0 ? 1 : 0);
          expect(f.stderr).not.toMatch(/\n\s+at /);
        },
      ),
      { numRuns: 60 },
    );
  });
});
