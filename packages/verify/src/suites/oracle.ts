/**
 * The oracle as the suites use it: `@geglu/oracle` itself, loaded once per session (see
 * ../backends/modules.ts for why packages are loaded on first use).
 */
import type { Decimal } from 'decimal.js';
import { loadOracle as loadOracleModule, type OracleModule } from '../backends/modules.js';

/** The oracle computes with decimal.js; its Decimals are what the suites compare. */
export type DecimalLike = Decimal;

export type { Enclosure, OracleFunction } from '@geglu/oracle';

export type OracleApi = OracleModule;

export type OracleLoad = { ok: true; oracle: OracleApi } | { ok: false; reason: string };

/** Imports `@geglu/oracle`; a failed import is a reason, not a throw. */
export async function loadOracle(): Promise<OracleLoad> {
  const mod = await loadOracleModule();
  return typeof mod === 'string' ? { ok: false, reason: mod } : { ok: true, oracle: mod };
}
