/** The JSON asset the page loads (public/data/explorer.json), written by ./main.ts at build time. */

/** One backend's error on the sample for one gelu form. */
export interface ScoredRun {
  /** Steps from the correctly rounded result per sample input (same order as sample.x); -1 = NaN for a number. */
  steps: number[];
  /** Sample indices whose result is a zero of the other sign than the correctly rounded one (0 steps, still wrong). */
  zeroSign: number[];
  maxSteps: number | null;
}

export interface ScoredBackend {
  id: string;
  label: string;
  description: string;
  /** The format the steps are counted in (the row's precision). */
  precision: 'f32' | 'f64';
  device: string | null;
  /** gelu form → the scored run, or why it did not run here. */
  runs: Partial<Record<'none' | 'tanh', ScoredRun | { skipped: string }>>;
}

export interface SweepSummary {
  file: string;
  backend: string;
  fn: string;
  dtype: string;
  impl: string;
  device: string;
  complete: boolean;
  checked: number;
  mismatches: number;
  zeroSign: number;
  maxSteps: number;
  regions: Record<string, { checked: number; mismatches: number; maxSteps: number }>;
}

export interface ExplorerData {
  /** Where the largest |gelu tanh − gelu| is for x > 0 (gelu(−x) = gelu(x) − x in both forms, so −x has the same gap). */
  peak: { x: number; difference: number; digits: number };
  sample: {
    composition: string;
    /** float32 inputs as bit patterns. */
    xBits: number[];
    /** Correctly rounded float32 gelu (none) and gelu tanh of each input, as bit patterns (the oracle's). */
    reference: Record<'none' | 'tanh', number[]>;
  };
  backends: ScoredBackend[];
  sweeps: SweepSummary[];
}
