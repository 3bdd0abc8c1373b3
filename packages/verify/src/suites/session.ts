/**
 * One verification session: the oracle, the tolerance table, the opened
 * backends and the context the suites run in. Shared by the vitest harness
 * (test/properties) and `geglu verify`, so both run the same code.
 */
import { loadTolerances, type ToleranceTable } from '../tolerances/index.js';
import { createContext, type FullContext } from './context.js';
import { tanhVsErfGapsFromConstants } from './constants-bridge.js';
import { loadOracle } from './oracle.js';
import { openTargets } from './targets.js';
import type { Backend } from '../backends/index.js';
import type { SuiteTarget } from './types.js';

export interface SessionOptions {
  /** Registry ids; absent: every registered backend. */
  backends?: readonly string[];
  /** Tolerance file; absent: the shipped tolerances.json. */
  tolerances?: string;
  /** Backends to choose from instead of the registry's (`geglu verify --browser` adds the browser's). */
  registry?: readonly Backend[];
}

export type Session =
  | { ok: true; ctx: FullContext; targets: SuiteTarget[]; table: ToleranceTable; close(): Promise<void> }
  | { ok: false; reason: string };

/** Loads everything a run needs; a missing oracle is a reason, not a throw. Tolerance errors do throw (ToleranceError). */
export async function openSession(options: SessionOptions = {}): Promise<Session> {
  const table = loadTolerances(options.tolerances);
  const loaded = await loadOracle();
  if (!loaded.ok) return { ok: false, reason: loaded.reason };
  const opened = await openTargets({
    ...(options.backends ? { backends: options.backends } : {}),
    ...(options.registry ? { registry: options.registry } : {}),
    oracle: loaded.oracle,
  });
  const ctx = createContext({
    oracle: loaded.oracle,
    table,
    toleranceSource: options.tolerances ?? 'tolerances.json (shipped with @geglu/verify)',
    targets: opened.targets,
    gapMaxima: tanhVsErfGapsFromConstants,
  });
  return { ok: true, ctx, targets: opened.targets, table, close: opened.close };
}
