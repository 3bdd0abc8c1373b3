import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import os from 'node:os';
import type { MachineInfo } from './types.js';

/** The vector extensions that decide how fast the native and wasm peers run (Linux only). */
const SIMD_FLAGS = ['sse4_2', 'avx', 'avx2', 'fma', 'avx512f', 'avx512bw', 'avx512_vnni', 'amx_tile'];

function simdFlags(): string[] | undefined {
  try {
    const info = readFileSync('/proc/cpuinfo', 'utf8');
    const line = info.split('\n').find((l) => l.startsWith('flags'));
    if (line === undefined) return undefined;
    const flags = new Set(line.split(':')[1]!.trim().split(/\s+/));
    return SIMD_FLAGS.filter((f) => flags.has(f));
  } catch {
    return undefined;
  }
}

export function machineInfo(): MachineInfo {
  const cpus = os.cpus();
  const simd = simdFlags();
  return {
    ...(simd !== undefined ? { simd } : {}),
    cpu: cpus[0]?.model.trim() ?? 'unknown',
    cores: cpus.length,
    memoryGiB: Math.round(os.totalmem() / 2 ** 30),
    platform: `${os.type()} ${os.release()}`,
    arch: os.arch(),
    node: process.versions.node,
  };
}

/** The packages whose versions decide the numbers; read from the installed package.json files. */
export const VERSIONED_PACKAGES = [
  '@geglu/kernel',
  '@geglu/gpu',
  '@geglu/oracle',
  'onnxruntime-node',
  'onnxruntime-web',
  '@tensorflow/tfjs-core',
  '@tensorflow/tfjs-backend-wasm',
  '@stdlib/math-base-special-erf',
] as const;

/**
 * The workspace packages are all 0.1.0 while they change hourly, so the
 * commit (and whether the tree had uncommitted edits) is what identifies them.
 * The bench's own results (tools/bench/results) are not code: a previous
 * run's uncommitted output does not make the measured tree differ from HEAD.
 */
function repositoryRevision(): string | undefined {
  try {
    const cwd = new URL('.', import.meta.url).pathname;
    const head = execFileSync('git', ['rev-parse', '--short=12', 'HEAD'], { cwd, encoding: 'utf8' }).trim();
    const dirty = execFileSync(
      'git',
      ['status', '--porcelain', '--untracked-files=no', '--', ':(top)', ':(top,exclude)tools/bench/results'],
      {
        cwd,
        encoding: 'utf8',
      },
    ).trim();
    return dirty === '' ? head : `${head} (with uncommitted changes)`;
  } catch {
    return undefined;
  }
}

export async function packageVersions(): Promise<Record<string, string>> {
  const out: Record<string, string> = { node: process.versions.node, v8: process.versions.v8 };
  const revision = repositoryRevision();
  if (revision !== undefined) out['geglu commit'] = revision;
  for (const name of VERSIONED_PACKAGES) {
    try {
      // pnpm links each dependency under this package's node_modules, which
      // works even for packages whose "exports" hide package.json.
      const url = new URL(`../node_modules/${name}/package.json`, import.meta.url);
      const pkg = JSON.parse(await readFile(url, 'utf8')) as { version?: string };
      out[name] = pkg.version ?? 'unknown';
    } catch {
      out[name] = 'not installed';
    }
  }
  return out;
}
