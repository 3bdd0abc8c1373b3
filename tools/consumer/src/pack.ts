import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

/** The repository root, found from this file (tools/consumer/{src,dist}/pack.*). */
export const repoRoot = resolve(import.meta.dirname, '..', '..', '..');

/** Published packages, in dependency order. */
export const publishedPackages = ['float', 'oracle', 'constants', 'kernel', 'gpu', 'verify'] as const;
export type PublishedPackage = (typeof publishedPackages)[number];

/**
 * `pnpm pack` every published package into one folder. pnpm rewrites
 * `workspace:` ranges to real versions, exactly as a publish would.
 */
export function packAll(): Record<PublishedPackage, string> {
  const dest = mkdtempSync(join(tmpdir(), 'geglu-pack-'));
  const tarballs = {} as Record<PublishedPackage, string>;
  for (const name of publishedPackages) {
    execFileSync('pnpm', ['pack', '--pack-destination', dest], {
      cwd: join(repoRoot, 'packages', name),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const file = readdirSync(dest).find((f) => f.startsWith(`geglu-${name}-`) && f.endsWith('.tgz'));
    if (file === undefined) throw new Error(`pnpm pack left no tarball for @geglu/${name} in ${dest}`);
    tarballs[name] = join(dest, file);
  }
  return tarballs;
}

/**
 * An empty npm project with the given tarballs installed, and nothing else.
 * Dependency install scripts are skipped: gpu.js's optional `gl` would try to
 * download or compile a native addon, which is not what this test is about.
 */
export function installAlone(tarballs: readonly string[]): string {
  const dir = mkdtempSync(join(tmpdir(), 'geglu-consumer-'));
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'consumer', private: true, type: 'module' }));
  execFileSync('npm', ['install', '--ignore-scripts', '--no-audit', '--no-fund', '--loglevel=error', ...tarballs], {
    cwd: dir,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  return dir;
}

/** Runs an ES module script inside the consumer project and returns its stdout. */
export function runIn(dir: string, script: string): string {
  const file = join(dir, `check-${Date.now()}-${Math.random().toString(36).slice(2)}.mjs`);
  writeFileSync(file, script);
  return execFileSync(process.execPath, [file], { cwd: dir, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

/** Names of the packages npm put under node_modules (scoped ones as @scope/name). */
export function installedPackages(dir: string): Set<string> {
  const lock = JSON.parse(readFileSync(join(dir, 'package-lock.json'), 'utf8')) as {
    packages: Record<string, unknown>;
  };
  const names = new Set<string>();
  for (const key of Object.keys(lock.packages)) {
    const at = key.lastIndexOf('node_modules/');
    if (at >= 0) names.add(key.slice(at + 'node_modules/'.length));
  }
  return names;
}

/** Bytes under a folder (files only, links not followed): what an install puts on disk. */
export function folderBytes(dir: string): number {
  let total = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) total += folderBytes(path);
    else if (entry.isFile()) total += statSync(path).size;
  }
  return total;
}
