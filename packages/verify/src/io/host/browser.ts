/** The browser's stand-in for ./node.ts: no file system; the readers take a Blob (a dropped File) instead of a path. */
import type * as NodeHost from './node.js';

export type FileHandle = NodeHost.FileHandle;

export async function open(path: string, _flags: string): Promise<FileHandle> {
  throw new Error(`cannot open ${JSON.stringify(path)} in a browser: there is no file system; pass the file as a Blob or File`);
}
