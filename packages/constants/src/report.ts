import type { Decimal } from 'decimal.js';
import { sigmoidFamily, tanhFamily } from './approximations.js';
import {
  deriveSqrt2OverPi,
  deriveTaylorCoefficient,
  leastSquaresParameter,
  minimaxParameter,
  type LeastSquaresResult,
  type MinimaxResult,
  type SlopeDerivation,
  type TaylorDerivation,
} from './derivation.js';
import type { MagnitudeExtremum } from './extrema.js';
import { errorMaximum, sigmoidVsErfMaximum, tanhVsErfMaximum, type ErrorMaximum } from './maxima.js';

/** Everything `geglu constants` derives, in the order the docs present it. */
export interface ConstantsDerivation {
  digits: number;
  slope: SlopeDerivation;
  taylor: TaylorDerivation;
  minimax: {
    tanhPhi: MinimaxResult;
    tanhGelu: MinimaxResult;
    sigmoidPhi: MinimaxResult;
    sigmoidGelu: MinimaxResult;
  };
  leastSquares: { tanhPhiAll: LeastSquaresResult; tanhPhi3: LeastSquaresResult };
  /** max |T − Phi| (the CDF error) at the GELU-minimax a, to compare criteria on one scale. */
  cdfErrorAtGeluMinimax: ErrorMaximum;
  /** max error over all reals with the standard constants (0.044715 and 1.702). */
  standard: {
    tanhGelu: ErrorMaximum;
    tanhPhi: ErrorMaximum;
    sigmoidGelu: ErrorMaximum;
    sigmoidPhi: ErrorMaximum;
  };
  /** Wall-clock milliseconds per step, for the record. */
  timings: Record<string, number>;
}

// Brackets for the outer searches: wide enough that the optimum is interior (if it were not,
// the equioscillation function would not change sign and minimaxParameter would throw), narrow
// enough that M(p) is unimodal on them.
const A_BRACKET = ['0.035', '0.055'] as const;
const K_BRACKET = ['1.55', '1.9'] as const;

/**
 * Run the whole derivation at `digits` significant digits (default 30).
 * `onStep` hears each step's name as it starts (the command prints progress to stderr).
 */
export function deriveConstants(options: { digits?: number; onStep?: (step: string) => void } = {}): ConstantsDerivation {
  const digits = options.digits ?? 30;
  if (!Number.isInteger(digits) || digits < 6 || digits > 60) {
    throw new RangeError(`deriveConstants: digits must be an integer in [6, 60], got ${digits}`);
  }
  const timings: Record<string, number> = {};
  const step = <T>(name: string, f: () => T): T => {
    options.onStep?.(name);
    const t = Date.now();
    const r = f();
    timings[name] = Date.now() - t;
    return r;
  };
  const slope = step('slope at 0', () => deriveSqrt2OverPi(digits));
  const taylor = step('Taylor coefficient', () => deriveTaylorCoefficient(digits));
  const tanhStd = step('errors of the standard constants', () => ({ ...tanhVsErfMaximum({ digits }), s: sigmoidVsErfMaximum({ digits }) }));
  const tanhPhi = step('minimax a for Phi', () => minimaxParameter(tanhFamily, 'phi', A_BRACKET, digits));
  const tanhGelu = step('minimax a for GELU', () => minimaxParameter(tanhFamily, 'gelu', A_BRACKET, digits));
  const sigmoidPhi = step('minimax k for Phi', () => minimaxParameter(sigmoidFamily, 'phi', K_BRACKET, digits));
  const sigmoidGelu = step('minimax k for GELU', () => minimaxParameter(sigmoidFamily, 'gelu', K_BRACKET, digits));
  const tanhPhiAll = step('least-squares a over all reals', () => leastSquaresParameter(tanhFamily, 'phi', 'all', A_BRACKET, digits));
  const tanhPhi3 = step('least-squares a over [−3, 3]', () => leastSquaresParameter(tanhFamily, 'phi', 3, A_BRACKET, digits));
  const cdfErrorAtGeluMinimax = errorMaximum(tanhFamily, tanhGelu.value, 'phi', Math.min(digits, 20));
  return {
    digits,
    cdfErrorAtGeluMinimax,
    slope,
    taylor,
    minimax: { tanhPhi, tanhGelu, sigmoidPhi, sigmoidGelu },
    leastSquares: { tanhPhiAll, tanhPhi3 },
    standard: { tanhGelu: tanhStd.gelu, tanhPhi: tanhStd.phi, sigmoidGelu: tanhStd.s.gelu, sigmoidPhi: tanhStd.s.phi },
    timings,
  };
}

/** Re-export for callers that only want one curve. */
export { errorMaximum };

const fmt = (d: Decimal, sig?: number) => (sig === undefined ? d.toString() : d.toSignificantDigits(sig).toString());
const sci = (d: Decimal, sig = 3) => d.toExponential(sig - 1);

function extremaLine(ex: readonly MagnitudeExtremum[], sig = 12): string {
  return ex.map((m) => `x = ±${fmt(m.argmax, 10)}: E = ${m.value.isNeg() ? '∓' : '±'}${fmt(m.max, sig)}`).join('; ');
}

/** Plain-text report (what `geglu constants` prints). */
export function formatConstantsText(r: ConstantsDerivation): string {
  const { slope, taylor, minimax, leastSquares: ls, standard } = r;
  const L: string[] = [];
  const P = (s = '') => L.push(s);
  P(`Where GELU's constants come from (${r.digits} significant digits; every maximum is over all real x)`);
  P();
  P('1. √(2/π): match the slope at 0');
  for (const a of slope.algebra) P(`   ${a}`);
  P(`   √(2/π)            = ${fmt(slope.sqrt2OverPi)}`);
  P(`   Phi′(0) = 1/√(2π) = ${fmt(slope.phiPrime0)}`);
  P(
    `   T′(0) = √(2/π)/2  = ${fmt(slope.approximationSlope)}  (difference ${slope.difference.isZero() ? '0' : sci(slope.difference)}: rounding, both computed to ${r.digits + 12} digits)`,
  );
  P(
    `   check: central difference of T at 0 minus Phi′(0) = ${sci(slope.centralDifferenceCheck)} (O(h²) + rounding/h, h = 1e−${Math.ceil((r.digits + 12) / 3)})`,
  );
  P();
  P('2. The Taylor coefficient: match the x³ term');
  for (const a of taylor.algebra) P(`   ${a}`);
  P(`   a_Taylor = 2/(3π) − 1/6 = ${fmt(taylor.taylorA)}`);
  P(
    `   check: (T − Phi)/x⁵ with a_Taylor at x = ${taylor.ratioX5AtTaylor.map((q) => q.x).join(', ')}: ${taylor.ratioX5AtTaylor.map((q) => sci(q.ratio, 6)).join(', ')} (converges: the x³ terms cancel)`,
  );
  P(
    `          (T − Phi)/x³ with 0.044715: ${taylor.ratioX3AtStandard.map((q) => sci(q.ratio, 6)).join(', ')} → c·(0.044715 − a_Taylor)/2 = ${sci(taylor.predictedX3Coefficient, 6)}`,
  );
  P(
    `   but max |T − Phi| with a_Taylor = ${sci(taylor.maxErrorAtTaylor.maximum.max, 6)} at x = ±${fmt(taylor.maxErrorAtTaylor.maximum.argmax, 6)},`,
  );
  P(`   against ${sci(minimax.tanhPhi.atOptimum.maximum.max, 6)} for the minimax a: Taylor matching is best near 0 only.`);
  P();
  P('3. 0.044715 is the minimax a for the CDF: minimise max_x |½(1 + tanh(√(2/π)(x + a·x³))) − Phi(x)|');
  const mm = (m: MinimaxResult, what: string) => {
    P(`   ${what}: ${m.parameter} = ${fmt(m.value)}  (± ${sci(m.valueError)}, ${Math.min(m.valueDigits, r.digits)} significant digits)`);
    P(
      `     rounds to ${m.standard} at ${m.standard.replace(/^0\.0*/, '').replace('.', '').length} significant digits: ${m.roundsToStandard ? 'yes' : `no (${fmt(m.value, 5)})`}`,
    );
    P(`     max error ${sci(m.atOptimum.maximum.max, 12)}; equioscillating extrema: ${extremaLine(m.equioscillating)}`);
    P(
      `     all local maxima of |E| on x ≥ 0: ${m.atOptimum.extrema.length}; tail beyond |x| = 12 ≤ ${sci(m.atOptimum.tail)}; ${m.iterations.golden} golden-section + ${m.iterations.root} root steps`,
    );
  };
  mm(minimax.tanhPhi, 'minimax for Phi ');
  P('   Alternatives that do not give 0.044715:');
  mm(minimax.tanhGelu, 'minimax for GELU (error x·(T − Phi))');
  const lsLine = (q: LeastSquaresResult) => {
    P(
      `   least squares for Phi over ${q.domain}: a = ${fmt(q.value)}  (± ${sci(q.valueError)}, ${q.valueDigits} digits; rounds to 0.044715: ${q.roundsToStandard ? 'yes' : `no (${fmt(q.value, 5)})`}), its max error ${sci(q.maxError.maximum.max, 6)}`,
    );
  };
  lsLine(ls.tanhPhiAll);
  lsLine(ls.tanhPhi3);
  P(`   Taylor: a = ${fmt(taylor.taylorA, 5)}`);
  P();
  P('4. Errors of the constants as used (a = 0.044715 and k = 1.702 taken exactly)');
  const em = (e: ErrorMaximum, what: string) => {
    P(`   ${what}: max ${sci(e.maximum.max, 12)} at x = ±${fmt(e.maximum.argmax, 12)}`);
    P(`     ${e.precision}`);
    P(`     local maxima on x ≥ 0: ${extremaLine(e.extrema, 8)}`);
  };
  em(standard.tanhGelu, 'max |gelu_tanh − gelu|');
  em(standard.tanhPhi, 'max |½(1 + tanh(…)) − Phi|');
  em(standard.sigmoidGelu, 'max |x·sigmoid(1.702x) − gelu|');
  em(standard.sigmoidPhi, 'max |sigmoid(1.702x) − Phi|');
  P();
  P('5. Which criterion gives 1.702: minimax k for sigmoid(k·x)');
  mm(minimax.sigmoidPhi, 'minimax for Phi ');
  mm(minimax.sigmoidGelu, 'minimax for GELU');
  P();
  P(
    `Timings (ms): ${Object.entries(r.timings)
      .map(([k, v]) => `${k} ${v}`)
      .join(', ')}`,
  );
  return `${L.join('\n')}\n`;
}

/** JSON-ready form: decimal.js's toJSON writes every Decimal as its full decimal string. */
export function constantsToJSON(r: ConstantsDerivation): unknown {
  return JSON.parse(JSON.stringify(r));
}
