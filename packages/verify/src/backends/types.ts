/** Float formats, named as everywhere in geglu (@geglu/float's). */
export type FloatFormat = 'f32' | 'f64' | 'bf16' | 'f16';

/** The scalar functions `geglu eval` and `geglu check` know (command-line names). */
export type EvalFunction = 'gelu' | 'gelu-tanh' | 'erf' | 'erfc' | 'gelu-grad' | 'gelu-tanh-grad';
export const EVAL_FUNCTIONS: readonly EvalFunction[] = ['gelu', 'gelu-tanh', 'erf', 'erfc', 'gelu-grad', 'gelu-tanh-grad'];
/** The functions without the derivatives: what the gpu.js backends evaluate. */
export const FORWARD_FUNCTIONS: readonly EvalFunction[] = ['gelu', 'gelu-tanh', 'erf', 'erfc'];
/** The derivatives of gelu (approximate 'none') and gelu tanh. */
export const isGradFunction = (fn: EvalFunction): fn is 'gelu-grad' | 'gelu-tanh-grad' => fn === 'gelu-grad' || fn === 'gelu-tanh-grad';

/** gpu.js backends that `@geglu/gpu` can be asked for. */
export type GpuBackendName = 'auto' | 'webgpu' | 'headlessgl' | 'webasm' | 'cpu';
export const GPU_BACKENDS: readonly Exclude<GpuBackendName, 'auto'>[] = ['webgpu', 'webasm', 'cpu', 'headlessgl'];

/** Ids in the registry and in the tolerance table. */
export type BackendId =
  | 'oracle'
  | 'kernel-f64'
  | 'kernel-f32'
  | 'kernel-bf16'
  | 'kernel-f16'
  | 'gpu-webgpu'
  | 'gpu-webasm'
  | 'gpu-cpu'
  | 'gpu-headlessgl';

/** Backends in headless Chromium (`geglu verify --browser`, ./browser.ts); not in the default registry. */
export type BrowserBackendId =
  | 'kernel-f32-browser'
  | 'kernel-f64-browser'
  | 'gpu-webgl2'
  | 'gpu-webgl'
  | 'gpu-webgpu-browser'
  | 'gpu-webasm-browser';

/**
 * The arithmetic a backend promises: `exact` = correctly rounded into the requested dtype
 * (the oracle); `f64` / `f32` / `bf16` / `f16` = results in that format, with a measured error in
 * the tolerance table.
 */
export type Precision = 'exact' | 'f64' | 'f32' | 'bf16' | 'f16';

export interface BackendInfo {
  id: BackendId | BrowserBackendId;
  kind: 'oracle' | 'kernel' | 'gpu';
  precision: Precision;
  /** dtypes it evaluates in. */
  dtypes: readonly FloatFormat[];
  functions: readonly EvalFunction[];
  description: string;
  /** The tolerance table's row its results are gated on, when not its own id (the kernel in a browser: kernel-f32's). */
  toleranceOf?: string;
}

/** An opened backend. Values travel in a Float64Array; for dtype f32 they are exact f32 values. */
export interface BackendSession {
  /** What actually ran, e.g. `gpu-webasm` after asking gpu.js for `auto`. */
  ran: string;
  /** Backends tried first and not available, with why, in one line (gpu.js `auto`); absent when none. */
  passedOver?: string;
  evaluate(fn: EvalFunction, dtype: FloatFormat, xs: Float64Array): Promise<Float64Array>;
  /** GeGLU and the Gemma 2 MLP where the session runs them itself (a browser page); absent: the suites use the package in Node. */
  geglu?(fn: 'gelu' | 'gelu-tanh', dtype: FloatFormat, gate: Float64Array, up: Float64Array): Promise<Float64Array>;
  gemma2Mlp?(
    x: Float64Array,
    tokens: number,
    weights: { hidden: number; intermediate: number; gate: Float64Array; up: Float64Array; down: Float64Array },
    fn: 'gelu' | 'gelu-tanh',
    dtype: FloatFormat,
  ): Promise<Float64Array>;
  close(): Promise<void>;
}

export interface Backend extends BackendInfo {
  /** @throws {BackendUnavailable} with the reason when it cannot run here. */
  open(): Promise<BackendSession>;
}

/** A backend that cannot run in this build or on this machine; reported as skipped, never passed. */
export class BackendUnavailable extends Error {
  override name = 'BackendUnavailable';
  constructor(
    readonly backend: string,
    readonly reason: string,
  ) {
    super(`backend ${backend} is not available: ${reason}`);
  }
}
