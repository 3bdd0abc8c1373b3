import { accessSync, constants, existsSync, mkdirSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { UsageError } from './command.js';

/**
 * Checks, before any work, that `file` can be written: its folder exists and is
 * writable, and `file` is not a folder. A bad --out found only after an hour of
 * sweeping would throw the work away.
 */
export function checkOutputFile(file: string, flag: string, command: string): void {
  const path = resolve(file);
  const dir = dirname(path);
  let dirStat;
  try {
    dirStat = statSync(dir);
  } catch {
    throw new UsageError(`${command}: ${flag} ${file}: folder ${dir} does not exist`);
  }
  if (!dirStat.isDirectory()) throw new UsageError(`${command}: ${flag} ${file}: ${dir} is not a folder`);
  try {
    accessSync(dir, constants.W_OK);
  } catch {
    throw new UsageError(`${command}: ${flag} ${file}: folder ${dir} is not writable`);
  }
  try {
    const st = statSync(path);
    if (st.isDirectory()) throw new UsageError(`${command}: ${flag} ${file} is a folder, expected a file`);
    // a finished file is renamed over the target: over a device that would replace the device node
    if (!st.isFile())
      throw new UsageError(
        `${command}: ${flag} ${file} is not a regular file (a device, FIFO or socket); results are written by renaming a finished file over it`,
      );
  } catch (err) {
    if (err instanceof UsageError) throw err;
  }
}

/** Creates the report folder up front (parents included) or names why it cannot. */
export function prepareOutputFolder(folder: string, flag: string, command: string): string {
  const path = resolve(folder);
  if (existsSync(path) && !statSync(path).isDirectory()) {
    throw new UsageError(`${command}: ${flag} ${folder} is a file, expected a folder`);
  }
  try {
    mkdirSync(path, { recursive: true });
  } catch (err) {
    throw new UsageError(
      `${command}: ${flag} ${folder}: cannot create folder (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`,
    );
  }
  try {
    accessSync(path, constants.W_OK);
  } catch {
    throw new UsageError(`${command}: ${flag} ${folder}: folder is not writable`);
  }
  return path;
}
