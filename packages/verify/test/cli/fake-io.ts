import { PassThrough, Readable, Writable } from 'node:stream';
import type { CommandIO } from '../../src/cli/command.js';

/** Streams for driving a Command in-process: stdin from a string or chunks, captured stdout/stderr. */
export function fakeIO(input: string | Buffer | (string | Buffer)[] = '', env: Record<string, string | undefined> = {}) {
  const chunks = Array.isArray(input) ? input : [input];
  const stdin = Readable.from(chunks.map((c) => (typeof c === 'string' ? Buffer.from(c) : c)));
  let out = '';
  let err = '';
  const stdout = new Writable({
    write(chunk, _enc, cb) {
      out += chunk.toString();
      cb();
    },
  });
  const stderr = new Writable({
    write(chunk, _enc, cb) {
      err += chunk.toString();
      cb();
    },
  });
  const io: CommandIO = { stdin, stdout, stderr, env };
  return {
    io,
    get stdout() {
      return out;
    },
    get stderr() {
      return err;
    },
  };
}

export { PassThrough };
