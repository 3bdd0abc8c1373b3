import { describe, expect, it } from 'vitest';
import { parseArgs, type ArgSpec } from '../../src/cli/args.js';
import { UsageError } from '../../src/cli/command.js';

const spec: ArgSpec = {
  command: 'geglu test',
  options: {
    fn: { type: 'string', choices: ['gelu', 'erf'], description: '' },
    out: { type: 'string', description: '' },
    markdown: { type: 'boolean', description: '' },
    workers: { type: 'integer', description: '' },
    file: { type: 'string', multiple: true, description: '' },
  },
  positionals: { min: 0, max: 1, name: 'FILE' },
};

const usage = (argv: string[]): string => {
  try {
    parseArgs(argv, spec);
  } catch (err) {
    expect(err).toBeInstanceOf(UsageError);
    return (err as Error).message;
  }
  throw new Error(`expected a UsageError for ${JSON.stringify(argv)}`);
};

describe('strict argument parser', () => {
  it('reads --name value, --name=value, booleans, integers, repeated options and positionals', () => {
    const a = parseArgs(['--fn', 'gelu', '--out=x.json', '--markdown', '--workers', '3', '--file', 'a', '--file=b', 'in.jsonl'], spec);
    expect(a.values).toEqual({ fn: 'gelu', out: 'x.json', markdown: true, workers: 3, file: ['a', 'b'] });
    expect(a.positionals).toEqual(['in.jsonl']);
    expect(a.help).toBe(false);
  });
  it('treats a negative number as a positional, and -- ends the options', () => {
    expect(parseArgs(['-1.5'], spec).positionals).toEqual(['-1.5']);
    expect(parseArgs(['--', '--fn'], spec).positionals).toEqual(['--fn']);
  });
  it('--help anywhere before -- wins over everything else, even invalid options', () => {
    expect(parseArgs(['--bogus', '--help'], spec).help).toBe(true);
    expect(parseArgs(['-h'], spec).help).toBe(true);
  });
  it('rejects unknown options, short options and prototype keys with the option named', () => {
    expect(usage(['--bogus'])).toBe('geglu test: unknown option --bogus (see geglu test --help)');
    expect(usage(['-x'])).toMatch(/unknown option "-x"/);
    expect(usage(['--constructor', 'x'])).toMatch(/unknown option --constructor/);
  });
  it('rejects a missing value, including an option name where the value should be', () => {
    expect(usage(['--fn'])).toBe('geglu test: option --fn needs a value');
    expect(usage(['--out', '--markdown'])).toBe('geglu test: option --out needs a value');
    expect(usage(['--out='])).toMatch(/non-empty value/);
  });
  it('rejects a value outside the choices, a bad integer, a value on a boolean, a repeated option', () => {
    expect(usage(['--fn', 'tanh'])).toBe('geglu test: option --fn must be one of gelu, erf; got "tanh"');
    expect(usage(['--workers', '2.5'])).toMatch(/non-negative integer; got "2.5"/);
    expect(usage(['--workers', '1e400'])).toMatch(/non-negative integer/);
    expect(usage(['--markdown=yes'])).toMatch(/takes no value/);
    expect(usage(['--fn', 'gelu', '--fn', 'erf'])).toMatch(/--fn given more than once/);
  });
  it('rejects too many positionals and quotes a huge argument cut to one short line', () => {
    expect(usage(['a', 'b'])).toMatch(/too many arguments; expected at most 1 FILE, got 2/);
    const msg = usage(['--fn', 'x'.repeat(100000)]);
    expect(msg.length).toBeLessThan(200);
    expect(msg).not.toContain('\n');
  });
});
