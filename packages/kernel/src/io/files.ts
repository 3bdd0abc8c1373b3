import { closeSync, openSync, readSync } from '../host/node.js';
import { GegluError } from '../validation.js';

/** A file that held more bytes than the reader's limit. */
export class FileTooLargeError extends GegluError {
  override name = 'FileTooLargeError';
  readonly limit: number;
  constructor(path: string, limit: number) {
    super(`${path}: more than ${limit} bytes`);
    this.limit = limit;
  }
}

/**
 * Reads a whole file as UTF-8, refusing it once more than `maxBytes` have
 * been read. The limit counts the bytes actually read, never `stat().size`:
 * that is 0 for /dev/zero, a FIFO or a shell's `<(…)`, which are endless or
 * of unknown length. The file is opened once, so a FIFO's writer is read
 * exactly once. Errors of the file system (ENOENT, EISDIR, …) pass through.
 * @throws {FileTooLargeError}
 */
export function readTextFileBounded(path: string | URL, maxBytes: number): string {
  const fd = openSync(path, 'r');
  try {
    let buf = Buffer.allocUnsafe(Math.min(maxBytes + 1, 64 * 1024));
    let used = 0;
    for (;;) {
      if (used === buf.length) {
        if (used > maxBytes) throw new FileTooLargeError(String(path), maxBytes);
        const bigger = Buffer.allocUnsafe(Math.min(maxBytes + 1, buf.length * 2));
        buf.copy(bigger, 0, 0, used);
        buf = bigger;
      }
      const got = readSync(fd, buf, used, buf.length - used, null);
      if (got === 0) break;
      used += got;
    }
    return buf.toString('utf8', 0, used);
  } finally {
    closeSync(fd);
  }
}
