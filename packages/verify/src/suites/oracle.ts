/**
 * The part of `@geglu/oracle` (docs/architecture.md) that the suites use.
 *
 * The suites take this as a value instead of importing the oracle's names
 * statically, so the verifier keeps building while the oracle is still being
 * written, and a missing function shows up as a skipped suite with the name
 * of what is missing rather than as a build break.
 */
import type { Decimal } from 'decimal.js';
import type { FloatFormat } from '../arbitraries/floats.js';

/** The oracle computes with decimal.js; its Decimals are what the suites compare. */
export type DecimalLike = Decimal;

// The oracle's own names for its functions and enclosures (one definition, in @geglu/oracle).
export type { Enclosure, OracleFunction } from '@geglu/oracle';
import type { Enclosure, OracleFunction } from '@geglu/oracle';

export interface MlpWeights {
  gate: ArrayLike<number>;
  up: ArrayLike<number>;
  down: ArrayLike<number>;
  hidden: number;
  intermediate: number;
}

export interface OracleApi {
  /** The exact decimal value of a double (new Decimal(x) would take its shortest string instead). */
  exactDecimal(x: number): DecimalLike;
  evaluate(fn: OracleFunction, x: number | string | DecimalLike, options: { digits: number }): Enclosure;
  correctlyRounded(fn: OracleFunction, x: number, format: FloatFormat): number;
  /** fn(g)·u correctly rounded, exact float ties of g·u included (fn a gelu variant). */
  correctlyRoundedGeglu(fn: 'gelu' | 'gelu-tanh', g: number, u: number, format: FloatFormat): number;
  roundDecimal(value: DecimalLike, format: FloatFormat): number;
  gelu(x: number | string | DecimalLike, options: { approximate?: 'none' | 'tanh'; digits: number }): DecimalLike;
  geglu(gate: readonly number[], up: readonly number[], options: { approximate?: 'none' | 'tanh'; digits: number }): DecimalLike[];
  gemma2Mlp(
    x: readonly number[],
    weights: MlpWeights,
    tokens: number,
    options: { approximate?: 'none' | 'tanh'; digits: number },
  ): DecimalLike[];
}

const REQUIRED = [
  'exactDecimal',
  'evaluate',
  'correctlyRounded',
  'correctlyRoundedGeglu',
  'roundDecimal',
  'gelu',
  'geglu',
  'gemma2Mlp',
] as const;

export type OracleLoad =
  | { ok: true; oracle: OracleApi; missing: string[] }
  | { ok: false; reason: string; missing: string[] };

/** Checks a module namespace against {@link OracleApi}; `missing` lists absent functions. */
export function asOracle(mod: Record<string, unknown>): OracleLoad {
  const missing = REQUIRED.filter((name) => typeof mod[name] !== 'function');
  // The elementwise core is what every suite needs; geglu/MLP gaps only skip those suites.
  const core = ['evaluate', 'correctlyRounded'].filter((n) => missing.includes(n as never));
  if (core.length > 0) {
    return { ok: false, reason: `@geglu/oracle does not export ${core.join(', ')} yet`, missing };
  }
  return { ok: true, oracle: mod as unknown as OracleApi, missing };
}

/** Imports `@geglu/oracle` and checks it against the contract. */
export async function loadOracle(): Promise<OracleLoad> {
  try {
    const mod = (await import('@geglu/oracle')) as unknown as Record<string, unknown>;
    return asOracle(mod);
  } catch (err) {
    return { ok: false, reason: `@geglu/oracle failed to load: ${(err as Error).message}`, missing: [...REQUIRED] };
  }
}
