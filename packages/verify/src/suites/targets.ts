/**
 * Suite targets from the backend registry (src/backends): one target per
 * registered backend and dtype. The registry's sessions evaluate the scalar
 * functions; GeGLU and the MLP are not part of its session interface, so
 * they are wired here from each package's documented API
 * (docs/architecture.md) and reported as missing when a package lacks them.
 */
import { BackendUnavailable, listBackends, type Backend, type BackendSession } from '../backends/index.js';
import type { GeluFunction } from '../arbitraries/thresholds.js';
import type { FloatFormat } from '../arbitraries/floats.js';
import { LANDMARK_DIGITS } from './landmarks.js';
import type { OracleApi } from './oracle.js';
import type { MlpWeightsF, SuiteTarget } from './types.js';

const approximate = (fn: GeluFunction): 'none' | 'tanh' => (fn === 'gelu-tanh' ? 'tanh' : 'none');

type FloatArrayCtor = Float32ArrayConstructor | Float64ArrayConstructor;
const arrayType = (dtype: FloatFormat): FloatArrayCtor => (dtype === 'f32' ? Float32Array : Float64Array);

interface KernelTensorApi {
  geglu?(
    gate: Float32Array | Float64Array,
    up: Float32Array | Float64Array,
    options?: { approximate?: 'none' | 'tanh' },
  ): Float32Array | Float64Array;
  gemma2Mlp?(
    x: Float32Array | Float64Array,
    tokens: number,
    weights: {
      hidden: number;
      intermediate: number;
      gate: Float32Array | Float64Array;
      up: Float32Array | Float64Array;
      down: Float32Array | Float64Array;
    },
    options?: { approximate?: 'none' | 'tanh' },
  ): Float32Array | Float64Array;
}

interface GpuTensorApi {
  backend: string;
  geglu?(gate: Float32Array, up: Float32Array, options?: { approximate?: 'none' | 'tanh' }): Promise<Float32Array>;
  gemma2Mlp?(
    x: Float32Array,
    tokens: number,
    weights: { hidden: number; intermediate: number; gate: Float32Array; up: Float32Array; down: Float32Array },
    options?: { approximate?: 'none' | 'tanh' },
  ): Promise<Float32Array>;
  dispose(): Promise<void> | void;
}

export interface OpenTargets {
  targets: SuiteTarget[];
  close(): Promise<void>;
}

export interface OpenTargetOptions {
  /** Registry ids to include (default: all). Unknown ids are an error for the caller to report. */
  backends?: readonly string[];
  /** The oracle (for the oracle target's GeGLU and MLP); absent: those are missing. */
  oracle?: OracleApi;
  /** Registry backends to use instead of the registry's list (tests). */
  registry?: readonly Backend[];
}

/** Opens every selected backend; unavailable ones become targets with `unavailable` set. */
export async function openTargets(options: OpenTargetOptions = {}): Promise<OpenTargets> {
  const all = options.registry ?? listBackends();
  const chosen = options.backends ? all.filter((b) => options.backends!.includes(b.id)) : all;
  const targets: SuiteTarget[] = [];
  const closers: (() => Promise<void>)[] = [];
  for (const backend of chosen) {
    let session: BackendSession | undefined;
    let unavailable: string | undefined;
    try {
      session = await backend.open();
      const s = session;
      closers.push(() => s.close());
    } catch (err) {
      unavailable = err instanceof BackendUnavailable ? err.reason : `failed to open: ${(err as Error).message.split('\n')[0]}`;
    }
    const extra = session ? (sessionTensors(session) ?? (await tensorApi(backend, options.oracle, closers))) : {};
    // the property suites' arbitraries and landmarks are f32 and f64; bf16 and f16 have only 65,536
    // inputs each, which `geglu sweep --dtype bf16|f16` checks exhaustively instead
    for (const dtype of backend.dtypes.filter((d): d is 'f32' | 'f64' => d === 'f32' || d === 'f64')) {
      const t: SuiteTarget = {
        backend: backend.id,
        dtype,
        precision: backend.precision,
        ...(backend.toleranceOf ? { toleranceOf: backend.toleranceOf } : {}),
      };
      if (unavailable !== undefined || !session) {
        t.unavailable = unavailable ?? 'not opened';
        targets.push(t);
        continue;
      }
      const s = session;
      t.ran = s.ran;
      t.missing = {};
      if (backend.functions.includes('gelu') && backend.functions.includes('gelu-tanh')) {
        t.gelu = (fn, xs) => s.evaluate(fn, dtype, xs);
      } else t.missing.gelu = `${backend.id} does not evaluate gelu and gelu-tanh`;
      if (backend.functions.includes('gelu-grad') && backend.functions.includes('gelu-tanh-grad')) {
        t.geluGrad = (fn, xs) => s.evaluate(fn, dtype, xs);
      } else t.missing.geluGrad = `${backend.id} does not evaluate gelu-grad and gelu-tanh-grad`;
      const e = extra as TensorFns;
      if (e.geglu) t.geglu = (fn, g, u) => e.geglu!(fn, dtype, g, u);
      else t.missing.geglu = e.reason ?? `${backend.id} has no geglu`;
      if (e.gemma2Mlp) t.gemma2Mlp = (x, tokens, w, fn) => e.gemma2Mlp!(x, tokens, w, fn, dtype);
      else t.missing.gemma2Mlp = e.reason ?? `${backend.id} has no gemma2Mlp`;
      targets.push(t);
    }
  }
  return {
    targets,
    async close() {
      for (const c of closers.reverse()) await c().catch(() => undefined);
    },
  };
}

interface TensorFns {
  geglu?(fn: GeluFunction, dtype: FloatFormat, gate: Float64Array, up: Float64Array): Promise<Float64Array>;
  gemma2Mlp?(x: Float64Array, tokens: number, w: MlpWeightsF, fn: GeluFunction, dtype: FloatFormat): Promise<Float64Array>;
  reason?: string;
}

/** GeGLU and the MLP of a session that runs them itself (a browser page), or undefined. */
function sessionTensors(s: BackendSession): TensorFns | undefined {
  if (!s.geglu && !s.gemma2Mlp) return undefined;
  const fns: TensorFns = {};
  if (s.geglu) fns.geglu = (fn, dtype, gate, up) => s.geglu!(fn, dtype, gate, up);
  if (s.gemma2Mlp) fns.gemma2Mlp = (x, tokens, w, fn, dtype) => s.gemma2Mlp!(x, tokens, w, fn, dtype);
  return fns;
}

async function tensorApi(backend: Backend, oracle: OracleApi | undefined, closers: (() => Promise<void>)[]): Promise<TensorFns> {
  if (backend.kind === 'oracle') {
    if (!oracle) return { reason: 'the oracle module is not loaded' };
    const fns: TensorFns = {};
    if (typeof oracle.correctlyRoundedGeglu === 'function') {
      // Element by element, correctly rounded (exact float ties of g·u included).
      fns.geglu = async (fn, dtype, gate, up) => {
        // The oracle's own geglu message (correctlyRoundedGeglu takes one element).
        if (up.length !== gate.length) throw new RangeError(`geglu: up has length ${up.length}, expected ${gate.length}`);
        return gate.map((g, i) => oracle.correctlyRoundedGeglu(fn, g, up[i]!, dtype));
      };
    }
    if (typeof oracle.gemma2Mlp === 'function' && typeof oracle.roundDecimal === 'function') {
      fns.gemma2Mlp = async (x, tokens, w, fn, dtype) =>
        Float64Array.from(
          oracle
            .gemma2Mlp(
              [...x],
              { gate: [...w.gate], up: [...w.up], down: [...w.down], hidden: w.hidden, intermediate: w.intermediate },
              tokens,
              {
                approximate: approximate(fn),
                digits: LANDMARK_DIGITS,
              },
            )
            .map((d) => oracle.roundDecimal(d, dtype)),
        );
    }
    return fns;
  }
  if (backend.kind === 'kernel') {
    let k: KernelTensorApi;
    try {
      k = (await import('@geglu/kernel')) as unknown as KernelTensorApi;
    } catch (err) {
      return { reason: `@geglu/kernel could not be loaded: ${(err as Error).message}` };
    }
    const fns: TensorFns = {};
    if (typeof k.geglu === 'function') {
      const geglu = k.geglu;
      fns.geglu = async (fn, dtype, gate, up) => {
        const A = arrayType(dtype);
        return Float64Array.from(geglu(A.from(gate), A.from(up), { approximate: approximate(fn) }));
      };
    }
    if (typeof k.gemma2Mlp === 'function') {
      const mlp = k.gemma2Mlp;
      fns.gemma2Mlp = async (x, tokens, w, fn, dtype) => {
        const A = arrayType(dtype);
        const weights = { hidden: w.hidden, intermediate: w.intermediate, gate: A.from(w.gate), up: A.from(w.up), down: A.from(w.down) };
        return Float64Array.from(mlp(A.from(x), tokens, weights, { approximate: approximate(fn) }));
      };
    }
    return fns;
  }
  // gpu-<name>: a separate GegluGpu instance on the same gpu.js backend as the registry's session.
  const name = backend.id.replace(/^gpu-/, '');
  let gpu: GpuTensorApi | undefined;
  const get = async (): Promise<GpuTensorApi> => {
    if (gpu) return gpu;
    const mod = (await import('@geglu/gpu')) as unknown as { GegluGpu: { create(o: { backend: string }): Promise<GpuTensorApi> } };
    gpu = await mod.GegluGpu.create({ backend: name });
    const g = gpu;
    closers.push(async () => void (await g.dispose()));
    return g;
  };
  let probe: GpuTensorApi;
  try {
    probe = await get();
  } catch (err) {
    return { reason: `@geglu/gpu could not be opened for geglu: ${(err as Error).message.split('\n')[0]}` };
  }
  const fns: TensorFns = {};
  if (typeof probe.geglu === 'function') {
    fns.geglu = async (fn, _dtype, gate, up) =>
      Float64Array.from(await probe.geglu!(Float32Array.from(gate), Float32Array.from(up), { approximate: approximate(fn) }));
  }
  if (typeof probe.gemma2Mlp === 'function') {
    fns.gemma2Mlp = async (x, tokens, w, fn) =>
      Float64Array.from(
        await probe.gemma2Mlp!(
          Float32Array.from(x),
          tokens,
          {
            hidden: w.hidden,
            intermediate: w.intermediate,
            gate: Float32Array.from(w.gate),
            up: Float32Array.from(w.up),
            down: Float32Array.from(w.down),
          },
          { approximate: approximate(fn) },
        ),
      );
  }
  return fns;
}
