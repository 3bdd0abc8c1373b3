import { describe, expect, it } from 'vitest';
import { sweepCommand } from '../../src/commands/sweep.js';
import { fakeIO } from '../cli/fake-io.js';

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
