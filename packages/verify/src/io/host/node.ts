/**
 * The file system as the readers of `geglu check` use it. package.json's "browser" field swaps
 * this module for ./browser.ts, so a browser bundle of the readers (the explorer page) has no
 * node: import; there files arrive as Blobs.
 */
export { open, type FileHandle } from 'node:fs/promises';
