import { describe, expect, it } from 'vitest';
import { runCli } from '../../src/cli/main.js';
import { fakeIO } from './fake-io.js';

/** `geglu tolerances` with a stdout whose write throws: the CLI's internal-error path. */
async function internalError(env: Record<string, string | undefined>): Promise<string> {
  const f = fakeIO('', env);
  f.io.stdout.write = () => {
    throw new Error('stdout is gone');
  };
  await runCli(['tolerances'], f.io);
  return f.stderr;
}

describe('GEGLU_DEBUG', () => {
  it("unset, empty or '0': an internal error is one line, no stack trace", async () => {
    for (const value of [undefined, '', '0']) {
      const err = await internalError({ GEGLU_DEBUG: value });
      expect({ value, lines: err.trim().split('\n') }).toEqual({ value, lines: ['geglu tolerances: internal error: stdout is gone'] });
    }
  });
  it("'1': the stack trace follows the line", async () => {
    const err = await internalError({ GEGLU_DEBUG: '1' });
    expect(err).toMatch(/^geglu tolerances: internal error: stdout is gone\n.*Error: stdout is gone\n\s+at /);
  });
});
