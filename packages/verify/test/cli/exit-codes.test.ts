import { describe, expect, it, vi } from 'vitest';

// A command that fails with an error nobody expected (a bug): its exit status must differ from
// a failed check's (1), so a CI pipeline can tell a crash from a numeric failure.
vi.mock('../../src/commands/tolerances.js', () => ({
  tolerancesCommand: {
    name: 'tolerances',
    summary: 'validate and print the tolerance table',
    usage: '',
    run: async () => {
      throw new TypeError("Cannot read properties of undefined (reading 'steps')");
    },
  },
}));

const { runCli } = await import('../../src/cli/main.js');
const { EXIT_INTERNAL } = await import('../../src/cli/command.js');
const { fakeIO } = await import('./fake-io.js');

describe('exit status of an internal error', () => {
  it('is 3 (EXIT_INTERNAL), not 1, with one line naming it an internal error', async () => {
    const f = fakeIO();
    expect(EXIT_INTERNAL).toBe(3);
    expect(await runCli(['tolerances'], f.io)).toBe(3);
    expect(f.stderr).toBe("geglu tolerances: internal error: Cannot read properties of undefined (reading 'steps')\n");
  });

  it('geglu --help documents it', async () => {
    const f = fakeIO();
    await runCli(['--help'], f.io);
    expect(f.stdout).toMatch(/3 internal error/);
  });
});
