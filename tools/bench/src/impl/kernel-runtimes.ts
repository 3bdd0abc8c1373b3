/**
 * A @geglu/kernel row beside itself on the other WebAssembly multiply-add paths (issue 19):
 * with relaxed SIMD on in this Node (Node 20 needs V8's --experimental-wasm-relaxed-simd), on
 * Node 22 (where it is on by default) and on Node 22 with it off. V8 flags are per process and
 * the kernel chooses its path when it builds a module, so each variant runs in a child process
 * of its own (../kernel-runtime-child.ts) that rebuilds the workload's inputs from their fixed
 * seeds, prepares the same registry row, and times each run itself when the bench asks: the
 * variants stay interleaved run by run with the rest of the table, and the message there and
 * back is outside the time.
 *
 * A row opts in with `relaxedSimdVariants: (w) => …` (../types.ts), true for the workloads to vary; `withKernelRuntimes` adds the
 * variants after it and makes the row itself report its own path.
 */
import { type ChildProcess, fork } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { FloatFormat, Implementation, Prepared, Workload } from '../types.js';
import { SkipRow } from '../types.js';
import { firstLine } from './ort-web-threads.js';

/** The kernel's setRelaxedSimd modes. */
export type RelaxedRequest = 'auto' | 'on' | 'off';

/** What @geglu/kernel's relaxedSimdPath() returns. */
export interface RelaxedPath {
  request: RelaxedRequest;
  active: boolean;
  available: boolean;
  fuses: boolean | undefined;
}

/** The Node a variant runs on, and its V8 flags. */
interface NodeBinary {
  execPath: string;
  execArgv: string[];
}

export interface KernelRuntime {
  /** Appended to the row's id after '@'. */
  id: string;
  /** Appended to the row's label. */
  label: string;
  relaxed: RelaxedRequest;
  /** The major version the child must report (undefined: whatever this Node is). */
  major?: number;
  /** The binary and flags, or why the variant cannot run here. */
  node(): NodeBinary | string;
}

/** The environment variable naming a Node 22 binary (`.ci/node22` installs one and prints its path). */
export const NODE22_ENV = 'GEGLU_NODE22';

const majorOf = (version: string) => Number(version.replace(/^v/, '').split('.')[0]);

function node22(): NodeBinary | string {
  const path = process.env[NODE22_ENV];
  if (path === undefined || path === '')
    return `${NODE22_ENV} is not set (to a Node 22 binary; .ci/node22 installs one and prints its path)`;
  if (!existsSync(path)) return `${NODE22_ENV} is ${JSON.stringify(path)}, which does not exist`;
  return { execPath: path, execArgv: [] };
}

export const KERNEL_RUNTIMES: readonly KernelRuntime[] = [
  {
    id: 'relaxed',
    label: 'relaxed SIMD on',
    relaxed: 'on',
    // Node 22 refuses the experimental flag (relaxed SIMD has shipped there).
    node: () => ({
      execPath: process.execPath,
      execArgv: majorOf(process.version) < 22 ? ['--experimental-wasm-relaxed-simd'] : [],
    }),
  },
  { id: 'node22', label: 'Node 22', relaxed: 'auto', major: 22, node: node22 },
  { id: 'node22-off', label: 'Node 22, relaxed SIMD off', relaxed: 'off', major: 22, node: node22 },
];

/** How a report names the path that ran. */
export function describePath(version: string, path: RelaxedPath): string {
  const how = path.active
    ? `relaxed SIMD on (relaxed_madd ${path.fuses ? 'fuses' : 'does not fuse'})`
    : `relaxed SIMD off (${path.available ? 'set off' : 'not available'})`;
  return `Node ${version}, ${how}`;
}

/** The child's script: beside this folder when built, else (vitest runs the sources) the built copy. */
function childUrl(): URL {
  for (const candidate of ['../kernel-runtime-child.js', '../../dist/kernel-runtime-child.js']) {
    const url = new URL(candidate, import.meta.url);
    if (existsSync(fileURLToPath(url))) return url;
  }
  throw new SkipRow('kernel-runtime-child.js not found: build tools/bench first');
}

/** A request to the child (../kernel-runtime-child.ts answers them in order). */
export type ChildRequest =
  | { op: 'prepare'; impl: string; workload: Workload; relaxed: RelaxedRequest; oracleElements: number }
  | { op: 'run' }
  | { op: 'evaluate'; x: Float32Array; up?: Float32Array }
  | { op: 'dispose' };

export type ChildReply =
  | {
      ok: true;
      ms?: number;
      y?: Float32Array | Float64Array;
      prepared?: {
        precision: FloatFormat;
        work?: number;
        notes?: string[];
        accuracyNote?: string;
        evaluates: boolean;
        version: string;
        path: RelaxedPath;
      };
    }
  | { ok: false; error: string };

/** `base` run in a child process on `runtime`. */
export function onRuntime(base: Implementation, runtime: KernelRuntime, oracleElements: number): Implementation {
  return {
    id: `${base.id}@${runtime.id}`,
    label: `${base.label}, ${runtime.label}`,
    group: base.group,
    description:
      `The \`${base.id}\` row in a child process (${runtime.id === 'relaxed' ? 'this Node, with --experimental-wasm-relaxed-simd on Node 20' : `the Node 22 binary in ${NODE22_ENV}`}) ` +
      `after \`setRelaxedSimd('${runtime.relaxed}')\`; each run is timed in the child, interleaved with the other rows.`,
    supports: (w) => base.supports(w) && base.relaxedSimdVariants?.(w) === true,
    async prepare(w): Promise<Prepared> {
      const node = runtime.node();
      if (typeof node === 'string') throw new SkipRow(node);
      const child: ChildProcess = fork(childUrl(), [], {
        execPath: node.execPath,
        execArgv: node.execArgv,
        serialization: 'advanced',
        // stdout carries the table: the child's goes nowhere, its stderr to ours.
        stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
      });
      const pending: Array<(r: ChildReply) => void> = [];
      let dead: string | null = null;
      const fail = (why: string) => {
        dead ??= why;
        for (const resolve of pending.splice(0)) resolve({ ok: false, error: why });
      };
      child.on('message', (r: ChildReply) => pending.shift()?.(r));
      child.on('error', (e) => fail(firstLine(e)));
      child.on('exit', (code, signal) => fail(`child process exited (${signal ?? code})`));
      const ask = (request: ChildRequest): Promise<ChildReply> =>
        dead !== null
          ? Promise.resolve({ ok: false, error: dead })
          : new Promise((resolve) => {
              pending.push(resolve);
              child.send(request);
            });
      const must = async (request: ChildRequest) => {
        const r = await ask(request);
        if (!r.ok) throw new Error(r.error);
        return r;
      };
      const ready = await ask({ op: 'prepare', impl: base.id, workload: w, relaxed: runtime.relaxed, oracleElements });
      const info = ready.ok ? ready.prepared : undefined;
      const skip = !ready.ok
        ? ready.error
        : info === undefined
          ? 'the child prepared nothing'
          : runtime.major !== undefined && majorOf(info.version) !== runtime.major
            ? `${NODE22_ENV} runs Node ${info.version}, expected ${runtime.major}.x`
            : null;
      if (skip !== null || info === undefined) {
        child.kill();
        throw new SkipRow(skip ?? 'the child prepared nothing');
      }
      return {
        precision: info.precision,
        ...(info.work !== undefined ? { work: info.work } : {}),
        notes: info.notes ?? [],
        device: describePath(info.version, info.path),
        ...(info.accuracyNote !== undefined ? { accuracyNote: info.accuracyNote } : {}),
        run: async () => void (await must({ op: 'run' })),
        timedRun: async () => (await must({ op: 'run' })).ms!,
        ...(info.evaluates ? { evaluate: async (x: Float32Array, up?: Float32Array) => (await must({ op: 'evaluate', x, up })).y! } : {}),
        dispose: async () => {
          await ask({ op: 'dispose' });
          child.kill();
        },
      };
    },
  };
}

/** `impl` reporting the path it ran on in this process (as its variants do). */
function reportingPath(impl: Implementation): Implementation {
  return {
    ...impl,
    async prepare(w, inputs) {
      const prepared = await impl.prepare(w, inputs);
      const kernel = (await import('@geglu/kernel')) as { relaxedSimdPath?: () => RelaxedPath };
      if (kernel.relaxedSimdPath === undefined) return prepared;
      return { ...prepared, device: describePath(process.version, kernel.relaxedSimdPath()) };
    },
  };
}

/** The list with every opted-in row followed by its variants (KERNEL_RUNTIMES). */
export function withKernelRuntimes(list: readonly Implementation[], oracleElements: number): Implementation[] {
  return list.flatMap((impl) =>
    impl.relaxedSimdVariants !== undefined
      ? [reportingPath(impl), ...KERNEL_RUNTIMES.map((r) => onRuntime(impl, r, oracleElements))]
      : [impl],
  );
}
