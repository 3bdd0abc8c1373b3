export type Approximate = 'none' | 'tanh';
export type FloatFormat = 'f32' | 'f64';

export type WorkloadKind = 'gelu' | 'gelu-alloc' | 'geglu' | 'mlp' | 'geglu-backward' | 'mlp-backward';

export type BackwardKind = 'geglu-backward' | 'mlp-backward';

/** Gradient workloads: only rows marked `backward` run them, and those rows run nothing else. */
export function isBackward(kind: WorkloadKind): kind is BackwardKind {
  return kind === 'geglu-backward' || kind === 'mlp-backward';
}

/** For a forward row's switch over kinds: runBench never gives it a gradient workload. */
export function assertForward(kind: WorkloadKind): asserts kind is Exclude<WorkloadKind, BackwardKind> {
  if (isBackward(kind)) throw new SkipRow(`${kind}: a forward row (gradient workloads have rows of their own)`);
}

export interface MlpShape {
  tokens: number;
  hidden: number;
  intermediate: number;
}

export interface Workload {
  /** Stable key used by `--only` and in the JSON, e.g. `gelu-tanh-2^20`. */
  id: string;
  /** What a reader sees in the table. */
  title: string;
  kind: WorkloadKind;
  approximate: Approximate;
  /** Elements per run for the elementwise kinds; tokens × hidden for the MLP. */
  elements: number;
  mlp?: MlpShape;
  /**
   * 'wide' (default): x uniform on [-10, 10]; 'normal': x ~ N(0, 2²), closer to
   * real gate activations, where the far tail is rare.
   */
  inputs?: 'wide' | 'normal';
  /** Throughput unit: elements for elementwise work, 2·T·d·f·3 flops for the MLP (·6 for its backward). */
  unit: 'Melem/s' | 'GFLOP/s';
  /** Work per run in the unit's base (elements or flops). */
  work: number;
}

/** The inputs every row of one workload shares, so all rows see the same numbers. */
export interface WorkloadInputs {
  /** gelu: x; geglu: the gate half. */
  x: Float32Array;
  /** geglu only: the up half. */
  up?: Float32Array;
  /** Backward workloads: the incoming gradient (same length as the forward output). */
  dy?: Float32Array;
  /** Preallocated outputs shared by the rows that write into a caller's buffer. */
  out32: Float32Array;
  /** Lazily converted so f64 rows pay nothing inside the timed region. */
  x64(): Float64Array;
  up64(): Float64Array;
  out64(): Float64Array;
  mlpWeights?: MlpWeights32;
}

export interface MlpWeights32 {
  hidden: number;
  intermediate: number;
  gate: Float32Array;
  up: Float32Array;
  down: Float32Array;
}

/** A row that is ready to time. */
export interface Prepared {
  run(): void | Promise<void>;
  /**
   * One run timed where it ran, in milliseconds; the bench uses it instead of timing `run` when
   * present (a row in another process: the message there and back stays out of its time).
   */
  timedRun?(): Promise<number>;
  precision: FloatFormat;
  /** Overrides the workload's work per run (the oracle row runs on a small sample). */
  work?: number;
  /**
   * Evaluates the same implementation on the accuracy sample. For gelu it gets x;
   * for geglu gate and up. Absent when accuracy is not measured for this row.
   */
  evaluate?(x: Float32Array, up?: Float32Array): Promise<Float32Array | Float64Array>;
  /** Why accuracy is absent, when it is. */
  accuracyNote?: string;
  notes?: string[];
  /** What actually ran it, when the implementation can tell (a GPU adapter, a wasm build). */
  device?: string;
  dispose?(): void | Promise<void>;
}

/** Thrown from prepare() when a row cannot run here; the row is reported as skipped. */
export class SkipRow extends Error {
  constructor(reason: string) {
    super(reason);
    this.name = 'SkipRow';
  }
}

export interface Implementation {
  /** Stable key for `--only` and the JSON, e.g. `ort-node-1t`. */
  id: string;
  label: string;
  group: 'geglu' | 'peer' | 'floor' | 'oracle';
  /** How it is run and what was composed, for the table's footnotes. */
  description: string;
  /** A row of the gradient workloads (isBackward); such rows run only those. */
  backward?: boolean;
  /** Whether this row belongs in the workload at all (a Math.tanh loop has no exact gelu). */
  supports(w: Workload): boolean;
  prepare(w: Workload, inputs: WorkloadInputs): Promise<Prepared>;
  /**
   * A @geglu/kernel row whose speed depends on the kernel's WebAssembly relaxed SIMD path:
   * the registry adds, after it, the same row run in child processes with relaxed SIMD on
   * (this Node with its flag), on Node 22 (its default, on) and on Node 22 with it off
   * (./impl/kernel-runtimes.ts), for the workloads this returns true for. The row must be
   * listed in the registry and prepare from `inputs` alone, since a child rebuilds those from
   * the workload.
   */
  relaxedSimdVariants?(w: Workload): boolean;
  /** Called once after every workload ran, to release runtimes (GPU contexts keep Node alive). */
  shutdown?(): Promise<void>;
}

export interface Accuracy {
  /** The format of the correctly rounded reference the steps are counted in. */
  format: FloatFormat;
  sampleSize: number;
  /** Largest step distance to the correctly rounded result; null when some output was NaN. */
  maxSteps: number | null;
  /**
   * The same over inputs above the negative tail (x > −3). A flushed tail value is
   * billions of steps from a tiny nonzero result, which would hide everything else.
   */
  maxStepsBody: number | null;
  /** The same over the negative tail (x ≤ −3), flushed values included. */
  maxStepsTail: number | null;
  /** Outputs that were NaN for a finite input (never correct). */
  nanOutputs: number;
  /** Sample inputs whose correctly rounded result is a nonzero value in the negative tail. */
  tailNonzero: number;
  /** Of those, how many came back as ±0. */
  flushedToZero: number;
  /**
   * Outputs that are a zero of the other sign than the correctly rounded result (0 steps away, yet
   * wrong: counted here, not in the steps). Absent in a report that did not count them.
   */
  zeroSign?: number;
}

export interface RowResult {
  workload: string;
  implementation: string;
  label: string;
  group: Implementation['group'];
  status: 'ok' | 'skipped';
  reason?: string;
  precision?: FloatFormat;
  runs?: number;
  timesMs?: number[];
  medianMs?: number;
  minMs?: number;
  maxMs?: number;
  work?: number;
  /** In the workload's unit (Melem/s or GFLOP/s), from the median. */
  throughput?: number;
  /** throughput / throughput of onnxruntime-node with one thread; > 1 is faster. */
  vsOrt1t?: number | null;
  /** throughput / throughput of the typed-array copy; the floor no elementwise kernel can beat. */
  vsCopy?: number | null;
  accuracy?: Accuracy | null;
  accuracyNote?: string;
  notes?: string[];
  device?: string;
}

export interface BenchOptions {
  quick: boolean;
  only?: RegExp;
  repeats: number;
  warmup: number;
  /** Accuracy sample size (inputs per variant). */
  sampleSize: number;
  /** Elementwise sizes (2^20 and 2^24 by default). */
  sizes: number[];
  /** The allocating variant's size. */
  allocSize: number;
  gegluShape: { rows: number; features: number };
  mlpShapes: { name: string; shape: MlpShape }[];
  /** A row whose single run would take longer than this is cut to fewer runs or skipped. */
  maxRunSeconds: number;
  /** Rows stop repeating once their total time passes this. */
  rowBudgetSeconds: number;
  /** Elements the oracle row evaluates per run (it is slow by design). */
  oracleElements: number;
  /** Further rounds of the goal ratios' rows after the table (./rounds.ts); 0 for none. */
  rounds: number;
  log?: (line: string) => void;
}

export interface MachineInfo {
  cpu: string;
  /** Vector extensions from /proc/cpuinfo, when readable. */
  simd?: string[];
  cores: number;
  memoryGiB: number;
  platform: string;
  arch: string;
  node: string;
}

export interface BenchReport {
  schema: 1;
  command: string;
  date: string;
  durationSeconds: number;
  machine: MachineInfo;
  versions: Record<string, string>;
  options: {
    quick: boolean;
    only: string | null;
    repeats: number;
    warmup: number;
    sampleSize: number;
    /** Absent in a report from before rounds existed (none ran). */
    rounds?: number;
  };
  accuracySample: { size: number; composition: string; reference: string };
  /** How the timed inputs are drawn (speed of branchy code depends on it). */
  timingInputs?: string;
  workloads: Workload[];
  rows: RowResult[];
  /** One line per implementation: how it was run and what was composed. */
  implementations: { id: string; label: string; description: string }[];
  /** The ratios measured side by side in each of several rounds; absent when no round ran. */
  rounds?: RoundsReport;
}

/** One ratio the rounds take: row ÷ reference on one workload, both timed in the same round. */
export interface RoundRatioSpec {
  workload: string;
  row: string;
  reference: string;
  /** The ratio issue 19 asks for at least, where it names one. */
  goal?: number;
}

/** One workload in one round: the rows in the order they ran, each one's throughput (null: skipped). */
export interface RoundRun {
  round: number;
  workload: string;
  order: string[];
  throughput: Record<string, number | null>;
  /** Why a row gave no throughput in this round. */
  skipped?: Record<string, string>;
}

export interface RoundRatio extends RoundRatioSpec {
  /** The ratio in each round (null where either row was skipped in it). */
  perRound: (number | null)[];
  /** Over the rounds where both ran; absent when none did. */
  min?: number;
  median?: number;
  max?: number;
}

export interface RoundsReport {
  count: number;
  ratios: RoundRatio[];
  runs: RoundRun[];
  /** Each row's label, by id (a reference may have no row in the table). */
  labels: Record<string, string>;
}
