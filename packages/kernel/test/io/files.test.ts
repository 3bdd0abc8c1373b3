import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { FileTooLargeError, readTextFileBounded } from '../../src/io/index.js';

const dir = mkdtempSync(join(tmpdir(), 'geglu-files-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const linux = process.platform === 'linux';

describe('readTextFileBounded', () => {
  it('reads a regular file within the limit, and refuses one above it', () => {
    const f = join(dir, 'small.json');
    writeFileSync(f, 'x'.repeat(100));
    expect(readTextFileBounded(f, 100)).toBe('x'.repeat(100));
    expect(() => readTextFileBounded(f, 99)).toThrow(FileTooLargeError);
    expect(() => readTextFileBounded(f, 99)).toThrow(/more than 99 bytes/);
  });

  it.skipIf(!linux)('stops at the limit on /dev/zero, whose stat size is 0 (Linux only: /dev/zero)', () => {
    expect(() => readTextFileBounded('/dev/zero', 1 << 20)).toThrow(FileTooLargeError);
  });

  it.skipIf(!linux)('stops at the limit on a FIFO fed without end (Linux only: mkfifo)', async () => {
    const fifo = join(dir, 'endless');
    execFileSync('mkfifo', [fifo]);
    // a writer that never stops: only a limit on the bytes read ends the read
    const writer = spawn('sh', ['-c', `yes > ${fifo}`], { stdio: 'ignore' });
    try {
      expect(() => readTextFileBounded(fifo, 1 << 20)).toThrow(FileTooLargeError);
    } finally {
      writer.kill();
    }
  });

  it('passes the error of a missing file through with its code', () => {
    expect(() => readTextFileBounded(join(dir, 'missing'), 10)).toThrow(expect.objectContaining({ code: 'ENOENT' }));
  });
});
