import { readFile } from 'node:fs/promises';
import os from 'node:os';
import type { MachineInfo } from './types.js';

export function machineInfo(): MachineInfo {
  const cpus = os.cpus();
  return {
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

export async function packageVersions(): Promise<Record<string, string>> {
  const out: Record<string, string> = { node: process.versions.node, v8: process.versions.v8 };
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
