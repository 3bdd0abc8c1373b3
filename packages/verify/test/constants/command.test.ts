import { describe, expect, it } from 'vitest';
import { PassThrough } from 'node:stream';
import { EXIT_OK, UsageError } from '../../src/cli/command.js';
import { constantsCommand } from '../../src/commands/constants.js';

function io() {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let out = '';
  let err = '';
  stdout.on('data', (c: Buffer) => (out += c.toString()));
  stderr.on('data', (c: Buffer) => (err += c.toString()));
  return { io: { stdin: new PassThrough(), stdout, stderr, env: {} }, out: () => out, err: () => err };
}

describe('geglu constants', () => {
  it('--help prints the usage and exits 0', async () => {
    const t = io();
    expect(await constantsCommand.run(['--help'], t.io)).toBe(EXIT_OK);
    expect(t.out()).toMatch(/Usage: geglu constants/);
  });

  it('rejects --digits outside [6, 60] and unknown flags with a UsageError naming the argument', async () => {
    await expect(constantsCommand.run(['--digits', '3'], io().io)).rejects.toThrow(UsageError);
    await expect(constantsCommand.run(['--digits', '3'], io().io)).rejects.toThrow(/--digits must be an integer in \[6, 60\], got 3/);
    await expect(constantsCommand.run(['--digits'], io().io)).rejects.toThrow(/needs a value/);
    await expect(constantsCommand.run(['--fast'], io().io)).rejects.toThrow(/unknown option --fast/);
    // the shared parser: a repeated flag and a non-integer are refused like in every other command
    await expect(constantsCommand.run(['--json', '--json'], io().io)).rejects.toThrow(/--json given more than once/);
    await expect(constantsCommand.run(['--digits', '1e1'], io().io)).rejects.toThrow(/--digits must be a non-negative integer/);
  });

  it('--digits 6 --json reports the minimax a rounding to 0.044715 and the sigmoid Phi minimax rounding to 1.702', async () => {
    const t = io();
    expect(await constantsCommand.run(['--digits', '6', '--json'], t.io)).toBe(EXIT_OK);
    const r = JSON.parse(t.out()) as {
      digits: number;
      minimax: {
        tanhPhi: { value: string; roundsToStandard: boolean };
        sigmoidPhi: { roundsToStandard: boolean };
        sigmoidGelu: { roundsToStandard: boolean };
      };
      standard: { tanhGelu: { maximum: { max: string; argmax: string } } };
    };
    expect(r.digits).toBe(6);
    expect(r.minimax.tanhPhi.value.startsWith('0.0447149')).toBe(true);
    expect(r.minimax.tanhPhi.roundsToStandard).toBe(true);
    expect(r.minimax.sigmoidPhi.roundsToStandard).toBe(true);
    expect(r.minimax.sigmoidGelu.roundsToStandard).toBe(false);
    // DESIGN.md: max |gelu_tanh − gelu| ≈ 4.73e−4 near ±2.70.
    expect(Number(r.standard.tanhGelu.maximum.max).toPrecision(3)).toBe('0.000473');
    expect(t.err()).toMatch(/minimax a for Phi/);
  });
});
