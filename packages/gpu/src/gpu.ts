/**
 * GegluGpu: GELU, erf/erfc, GeGLU and the Gemma 2 MLP as gpu.js kernels, with
 * an explicit backend choice and the backend that actually ran reported.
 *
 * Every kernel object is checked after creation (`kernel.kernel.constructor.mode`
 * and, for pipelines, `pipeline.backend`): gpu.js degrades some kernels to its
 * cpu backend with only a console warning, and a silent degradation would make
 * `gpu.backend` a lie, so it is an error here.
 */
import {
  AUTO_ORDER,
  GPU_BACKENDS,
  type BackendAvailability,
  type GpuBackendName,
  type GpuJs,
  type ResolvedGpuBackend,
  acquireWebGpu,
  loadGpuJs,
  probeBackend,
  releaseWebGpu,
} from './backends.js';
import { erfStatements, erfcStatements, geluExactStatements, geluTanhStatements } from './kernel-source.js';
import { erfF64, erfcF64, geluF64, geluTanhF64 } from './reference.js';
import { type Approximate, checkApproximate, checkF32, checkLength, checkPositiveInt } from './validate.js';
import { describe, GegluError } from '@geglu/float';
import type { Gemma2MlpWeights as KernelGemma2MlpWeights } from '@geglu/kernel';

export interface GegluGpuOptions {
  /** Which gpu.js backend to run; 'auto' (default) picks the first that works of webgpu, headlessgl (in a browser webgl2, webgl), webasm, cpu. */
  backend?: GpuBackendName;
}

export interface FallbackRecord {
  backend: ResolvedGpuBackend;
  reason: string;
}

export interface GeluOptions {
  approximate?: Approximate;
}

export interface GegluOptions extends GeluOptions {
  /** Added to gate before the activation, broadcast over rows: gateBias[i mod f], f = its length. */
  gateBias?: Float32Array;
  /** Added to up, broadcast the same way; same length as gateBias when both are given. */
  upBias?: Float32Array;
}

/** The Gemma 2 MLP's float32 weights, as @geglu/kernel takes them (PyTorch nn.Linear's [out, in] layout). */
export type Gemma2MlpWeights = KernelGemma2MlpWeights<Float32Array>;

type Elementwise = 'gelu' | 'gelu-tanh' | 'erf' | 'erfc';

const STATEMENTS: Record<Elementwise, (v: string, out: string) => string> = {
  gelu: geluExactStatements,
  'gelu-tanh': geluTanhStatements,
  erf: erfStatements,
  erfc: erfcStatements,
};

// Host values for non-finite inputs, which never reach a kernel (WGSL lets an
// implementation assume there are none), and for the inputs below HOST_BELOW:
// WGSL and GLSL ES let a device flush subnormal inputs and results to zero
// (NVIDIA and SwiftShader do), which no kernel code can undo. erf(x) ≈ 2x/√π
// of a subnormal x is normal for |x| > 0.89·2^-126, and gelu(x) ≈ x/2 is
// subnormal for |x| < 2^-125. These functions round correctly to float32 there
// (test/reference.test.ts). Other finite inputs are never computed here.
const HOST: Record<Elementwise, (x: number) => number> = {
  gelu: geluF64,
  'gelu-tanh': geluTanhF64,
  erf: erfF64,
  erfc: erfcF64,
};

// erfc of a subnormal is 1, which a flushing device also gets right
const HOST_BELOW: Record<Elementwise, number> = { gelu: 2 ** -125, 'gelu-tanh': 2 ** -125, erf: 2 ** -126, erfc: 0 };

function elementwiseName(approximate: Approximate): Elementwise {
  return approximate === 'tanh' ? 'gelu-tanh' : 'gelu';
}

/** Copies a kernel result into a plain Float32Array the caller owns. */
function ownF32(r: unknown, n: number, what: string): Float32Array {
  if (r instanceof Float32Array) {
    if (r.length !== n) throw new Error(`${what}: backend returned ${r.length} values, expected ${n}`);
    return new Float32Array(r);
  }
  if (Array.isArray(r)) {
    const out = new Float32Array(n);
    let off = 0;
    for (const row of r as ArrayLike<number>[]) {
      out.set(row as Float32Array, off);
      off += row.length;
    }
    if (off !== n) throw new Error(`${what}: backend returned ${off} values, expected ${n}`);
    return out;
  }
  throw new Error(`${what}: backend returned ${describe(r)}, expected a Float32Array`);
}

/** Indices of non-finite values, or null when all are finite (the common case). */
function nonFinite(...arrays: Float32Array[]): Int32Array | null {
  let idx: number[] | null = null;
  for (const a of arrays) {
    for (let i = 0; i < a.length; i++) {
      if (!Number.isFinite(a[i]!)) (idx ??= []).push(i);
    }
  }
  return idx === null ? null : Int32Array.from(new Set(idx));
}

/**
 * gelu, erf (odd, sign of x) and gelu(g)·u (sign of g·u) never change sign, so a
 * zero result must carry the sign its exact value has. Devices that flush
 * subnormals (WGSL allows it; NVIDIA and gpu.js's WebAssembly backend do) or
 * that round a tiny negative product through +0 lose it: restore it on the host.
 * One pass over the readback, far cheaper than the transfer itself.
 */
function restoreZeroSigns(out: Float32Array, negativeAt: (i: number) => boolean): void {
  for (let i = 0; i < out.length; i++) {
    if (out[i] === 0) out[i] = negativeAt(i) ? -0 : 0;
  }
}

const isNegative = (v: number): boolean => v < 0 || Object.is(v, -0);

function zeroed(a: Float32Array, idx: Int32Array): Float32Array {
  const c = new Float32Array(a);
  for (const i of idx) c[i] = 0;
  return c;
}

/**
 * The mode of a gpu.js GL kernel class: every GL kernel reports the mode
 * 'gpu', so the class tells WebGL 2, WebGL 1 and headless-gl apart (by
 * identity: HeadlessGLKernel extends WebGLKernel). Undefined for other classes.
 */
const GL_MODES = ['webgl2', 'webgl', 'headlessgl'] as const;

function glModeOf(kernelClass: unknown): ResolvedGpuBackend | undefined {
  if (kernelClass === undefined) return undefined;
  const js = loadGpuJs();
  if (kernelClass === js.WebGL2Kernel) return 'webgl2';
  if (kernelClass === js.WebGLKernel) return 'webgl';
  if (kernelClass === js.HeadlessGLKernel) return 'headlessgl';
  return undefined;
}

export class GegluGpu {
  /** The backend that runs every operation of this instance (never 'auto'). */
  readonly backend: ResolvedGpuBackend;
  /** What was asked for. */
  readonly requested: GpuBackendName;
  /** Device description, e.g. the WebGPU adapter ("mesa / llvmpipe / …") or "WebAssembly SIMD (f32x4) on the CPU". */
  readonly device: string;
  /** For 'auto': each backend tried before `backend`, and why it was passed over. Empty otherwise. */
  readonly fallbacks: readonly FallbackRecord[];

  #gpu: GpuJs;
  #kernels = new Map<string, GpuJs>();
  #pipelines = new Map<string, GpuJs>();
  #queue: Promise<unknown> = Promise.resolve();
  #disposed = false;
  #holdsWebGpu: boolean;

  private constructor(gpu: GpuJs, backend: ResolvedGpuBackend, requested: GpuBackendName, device: string, fallbacks: FallbackRecord[]) {
    this.#gpu = gpu;
    this.backend = backend;
    this.requested = requested;
    this.device = device;
    this.fallbacks = Object.freeze(fallbacks);
    this.#holdsWebGpu = backend === 'webgpu';
  }

  /**
   * Opens a backend. An explicit backend that cannot run throws an Error
   * naming it and why; only 'auto' falls back (recorded in `fallbacks`).
   * Each candidate must also run a smoke kernel correctly before it is accepted.
   */
  static async create(options: GegluGpuOptions = {}): Promise<GegluGpu> {
    if (options === null || typeof options !== 'object') {
      throw new GegluError(`GegluGpu.create: options is ${describe(options)}, expected an object`);
    }
    const requested = options.backend ?? 'auto';
    const valid: readonly string[] = ['auto', ...GPU_BACKENDS];
    if (!valid.includes(requested as string)) {
      throw new GegluError(
        `GegluGpu.create: options.backend is ${describe(requested)}, expected one of ${valid.map((v) => `'${v}'`).join(', ')}`,
      );
    }
    const candidates = requested === 'auto' ? AUTO_ORDER : [requested as ResolvedGpuBackend];
    const fallbacks: FallbackRecord[] = [];
    for (const backend of candidates) {
      const opened = await GegluGpu.#open(backend, requested, fallbacks);
      if (opened instanceof GegluGpu) return opened;
      if (requested !== 'auto') {
        throw new Error(`GegluGpu.create: backend '${backend}' is not available: ${opened}`);
      }
      fallbacks.push({ backend, reason: opened });
    }
    // unreachable in practice: the cpu backend always opens
    throw new Error(`GegluGpu.create: no backend is available (${fallbacks.map((f) => `${f.backend}: ${f.reason}`).join('; ')})`);
  }

  /** Returns the instance, or the reason the backend cannot run. */
  static async #open(backend: ResolvedGpuBackend, requested: GpuBackendName, fallbacks: FallbackRecord[]): Promise<GegluGpu | string> {
    const probe: BackendAvailability = await probeBackend(backend);
    if (!probe.available) return probe.reason ?? 'unavailable';
    if (backend === 'webgpu') {
      try {
        await acquireWebGpu();
      } catch (e) {
        return (e as Error).message;
      }
    }
    let gpu: GpuJs;
    try {
      gpu = new (loadGpuJs().GPU)({ mode: backend });
    } catch (e) {
      if (backend === 'webgpu') await releaseWebGpu();
      return `gpu.js could not open mode '${backend}': ${(e as Error).message}`;
    }
    const inst = new GegluGpu(gpu, backend, requested, probe.device ?? backend, [...fallbacks]);
    try {
      // gelu(1) = Phi(1) = 0.8413447460685429 (erfc form, A&S 7.1.26 table); a
      // wrong backend or broken transpile shows up here, not in the user's data
      const r = await inst.gelu(new Float32Array([1, -1]));
      if (!(Math.abs(r[0]! - 0.8413447) < 1e-6 && Math.abs(r[1]! + 0.1586553) < 1e-6)) {
        throw new Error(`smoke test gelu([1, -1]) returned [${r[0]}, ${r[1]}]`);
      }
    } catch (e) {
      await inst.dispose();
      return `smoke test failed: ${(e as Error).message}`;
    }
    return inst;
  }

  #assertLive(fn: string): void {
    if (this.#disposed) throw new Error(`GegluGpu.${fn}: this instance has been disposed`);
  }

  /** Runs jobs one at a time: gpu.js kernels keep per-call state (output size). */
  #serial<T>(job: () => Promise<T>): Promise<T> {
    const run = this.#queue.then(job, job);
    this.#queue = run.catch(() => undefined);
    return run;
  }

  #checkMode(what: string, obj: GpuJs): void {
    let mode: unknown = glModeOf(obj?.kernel?.constructor) ?? obj?.kernel?.constructor?.mode ?? obj?.backend;
    // A pipeline names only 'gpu' for any GL mode; its kernels' classes were checked when they were made.
    if (mode === 'gpu' && obj?.kernel === undefined && (GL_MODES as readonly string[]).includes(this.backend)) mode = this.backend;
    if (mode !== undefined && mode !== this.backend) {
      const why = obj?.kernel?.fallbackReason ?? obj?.fallbackReason;
      throw new Error(
        `GegluGpu: ${what} ran on gpu.js backend '${String(mode)}' instead of '${this.backend}'${why ? ` (${String(why)})` : ''}`,
      );
    }
  }

  #kernel(key: string, make: () => GpuJs): GpuJs {
    let k = this.#kernels.get(key);
    if (!k) {
      k = make();
      this.#kernels.set(key, k);
    }
    return k;
  }

  async #elementwise(fn: string, which: Elementwise, x: Float32Array): Promise<Float32Array> {
    this.#assertLive(fn);
    const n = x.length;
    if (n === 0) return new Float32Array(0);
    const bad = nonFinite(x);
    const input = bad ? zeroed(x, bad) : x;
    const out = await this.#serial(async () => {
      const k = this.#kernel(which, () =>
        this.#gpu.createKernel(`function (x) { const v = x[this.thread.x]; ${STATEMENTS[which]('v', 'r')}\n return r; }`, {
          output: [n],
          dynamicOutput: true,
          dynamicArguments: true,
          asyncMode: true,
          precision: 'single',
          tactic: 'precision',
        }),
      );
      k.setOutput([n]);
      const r = await k(input);
      this.#checkMode(fn, k);
      return ownF32(r, n, fn);
    });
    if (which !== 'erfc') restoreZeroSigns(out, (i) => isNegative(x[i]!));
    const host = HOST[which];
    const below = HOST_BELOW[which];
    if (below > 0) {
      for (let i = 0; i < n; i++) {
        const v = x[i]!;
        if (v !== 0 && Math.abs(v) < below) out[i] = Math.fround(host(v));
      }
    }
    if (bad) for (const i of bad) out[i] = Math.fround(host(x[i]!));
    return out;
  }

  /** gelu(x) elementwise, float32; approximate 'none' (default, erf form) or 'tanh'. */
  gelu(x: Float32Array, options?: GeluOptions): Promise<Float32Array> {
    return Promise.resolve().then(() => {
      checkF32('gelu', 'x', x);
      return this.#elementwise('gelu', elementwiseName(checkApproximate('gelu', options, 'none')), x);
    });
  }

  /** erf(x) elementwise, float32. */
  erf(x: Float32Array): Promise<Float32Array> {
    return Promise.resolve().then(() => this.#elementwise('erf', 'erf', checkF32('erf', 'x', x)));
  }

  /** erfc(x) elementwise, float32. */
  erfc(x: Float32Array): Promise<Float32Array> {
    return Promise.resolve().then(() => this.#elementwise('erfc', 'erfc', checkF32('erfc', 'x', x)));
  }

  /**
   * gelu(gate + gateBias) ⊙ (up + upBias) in one kernel, float32; gate and up
   * of equal length, a multiple of the biases' length f (the last dimension).
   * The bias sums are float32 additions on the device (@geglu/kernel adds them
   * in float64), then gelu(g)·u is one more float32 rounding.
   */
  geglu(gate: Float32Array, up: Float32Array, options?: GegluOptions): Promise<Float32Array> {
    return Promise.resolve().then(async () => {
      const fn = 'geglu';
      this.#assertLive(fn);
      checkF32(fn, 'gate', gate);
      checkF32(fn, 'up', up);
      if (up.length !== gate.length) {
        throw new GegluError(`geglu: up has length ${up.length}, expected gate.length = ${gate.length}`);
      }
      const which = elementwiseName(checkApproximate(fn, options, 'none'));
      const gb = options?.gateBias === undefined ? undefined : checkF32(fn, 'options.gateBias', options.gateBias);
      const ub = options?.upBias === undefined ? undefined : checkF32(fn, 'options.upBias', options.upBias);
      let f = 1;
      if (gb || ub) {
        f = (gb ?? ub)!.length;
        if (f === 0)
          throw new GegluError(
            `geglu: ${gb ? 'options.gateBias' : 'options.upBias'} has length 0, expected at least 1 (the last dimension)`,
          );
        if (gb && ub && ub.length !== f) {
          throw new GegluError(`geglu: options.upBias has length ${ub.length}, expected options.gateBias.length = ${f}`);
        }
        if (gate.length % f !== 0) {
          throw new GegluError(`geglu: gate has length ${gate.length}, expected a multiple of the bias length ${f}`);
        }
      }
      const n = gate.length;
      if (n === 0) return new Float32Array(0);
      const rows = n / f;
      // indices whose value comes from the host: non-finite gate/up, or a non-finite bias column
      const badCols = gb || ub ? nonFinite(...[gb, ub].filter((b): b is Float32Array => b !== undefined)) : null;
      let bad = nonFinite(gate, up);
      if (badCols) {
        const set = new Set<number>(bad ?? []);
        for (let r = 0; r < rows; r++) for (const c of badCols) set.add(r * f + c);
        bad = Int32Array.from(set);
      }
      const g = bad ? zeroed(gate, bad) : gate;
      const u = bad ? zeroed(up, bad) : up;
      const out = await this.#serial(async () => {
        let r: unknown;
        if (gb || ub) {
          const gbk = gb ? (badCols ? zeroed(gb, badCols) : gb) : new Float32Array(f);
          const ubk = ub ? (badCols ? zeroed(ub, badCols) : ub) : new Float32Array(f);
          const k = this.#kernel(`geglu-bias:${which}`, () =>
            this.#gpu.createKernel(
              `function (g, u, gb, ub) {
                const i = this.thread.y * this.output.x + this.thread.x;
                const v = g[i] + gb[this.thread.x];
                ${STATEMENTS[which]('v', 'r')}
                return r * (u[i] + ub[this.thread.x]);
              }`,
              { output: [f, rows], dynamicOutput: true, dynamicArguments: true, asyncMode: true, precision: 'single', tactic: 'precision' },
            ),
          );
          k.setOutput([f, rows]);
          r = await k(g, u, gbk, ubk);
          this.#checkMode(fn, k);
        } else {
          const k = this.#kernel(`geglu:${which}`, () =>
            this.#gpu.createKernel(
              `function (g, u) { const v = g[this.thread.x]; ${STATEMENTS[which]('v', 'r')}\n return r * u[this.thread.x]; }`,
              { output: [n], dynamicOutput: true, dynamicArguments: true, asyncMode: true, precision: 'single', tactic: 'precision' },
            ),
          );
          k.setOutput([n]);
          r = await k(g, u);
          this.#checkMode(fn, k);
        }
        return ownF32(r, n, fn);
      });
      // The sign of each zero from its operands as the device saw them (float32 bias sums),
      // computed only where a zero came back: no extra arrays or passes for the common case.
      // (−0 is the identity of addition: without a bias, a −0 operand keeps its sign.)
      restoreZeroSigns(
        out,
        (i) => isNegative(Math.fround(gate[i]! + (gb ? gb[i % f]! : -0))) !== isNegative(Math.fround(up[i]! + (ub ? ub[i % f]! : -0))),
      );
      if (bad) {
        for (const i of bad) {
          const gv = Math.fround(gate[i]! + (gb ? gb[i % f]! : 0));
          const uv = Math.fround(up[i]! + (ub ? ub[i % f]! : 0));
          out[i] = Math.fround(Math.fround(HOST[which](gv)) * uv);
        }
      }
      return out;
    });
  }

  /**
   * Gemma 2 MLP: y = (gelu(x·gateᵀ) ⊙ (x·upᵀ))·downᵀ, x: [tokens, hidden].
   * Two matmul kernels (gate/up with the activation fused, then down) compiled
   * into one gpu.js pipeline: the [tokens, intermediate] activation stays on
   * the device and there is one readback. approximate defaults to 'tanh' (Gemma 2).
   */
  gemma2Mlp(x: Float32Array, tokens: number, weights: Gemma2MlpWeights, options?: GeluOptions): Promise<Float32Array> {
    return Promise.resolve().then(async () => {
      const fn = 'gemma2Mlp';
      this.#assertLive(fn);
      checkF32(fn, 'x', x);
      checkPositiveInt(fn, 'tokens', tokens);
      if (weights === null || typeof weights !== 'object') {
        throw new GegluError(`${fn}: weights is ${describe(weights)}, expected an object { gate, up, down, hidden, intermediate }`);
      }
      const d = checkPositiveInt(fn, 'weights.hidden', weights.hidden);
      const f = checkPositiveInt(fn, 'weights.intermediate', weights.intermediate);
      checkF32(fn, 'weights.gate', weights.gate);
      checkF32(fn, 'weights.up', weights.up);
      checkF32(fn, 'weights.down', weights.down);
      checkLength(fn, 'x', x, tokens * d, `tokens × hidden = ${tokens} × ${d}`);
      checkLength(fn, 'weights.gate', weights.gate, f * d, `intermediate × hidden = ${f} × ${d}`);
      checkLength(fn, 'weights.up', weights.up, f * d, `intermediate × hidden = ${f} × ${d}`);
      checkLength(fn, 'weights.down', weights.down, d * f, `hidden × intermediate = ${d} × ${f}`);
      const which = elementwiseName(checkApproximate(fn, options, 'tanh'));
      for (const [name, a] of [
        ['x', x],
        ['weights.gate', weights.gate],
        ['weights.up', weights.up],
        ['weights.down', weights.down],
      ] as const) {
        const bad = nonFinite(a);
        if (bad) throw new GegluError(`${fn}: ${name}[${bad[0]}] is ${a[bad[0]!]}, expected finite values only`);
      }
      return this.#serial(async () => {
        const key = `${which}:${tokens}:${d}:${f}`;
        let pipe = this.#pipelines.get(key);
        if (!pipe) {
          const settings = {
            constants: { d, f },
            loopMaxIterations: Math.max(d, f) + 1,
            precision: 'single',
            tactic: 'precision',
          };
          const gateUp = this.#gpu.createKernel(
            `function (x, wg, wu) {
              const t = this.thread.y;
              const j = this.thread.x;
              let sg = 0.0;
              let su = 0.0;
              for (let k = 0; k < this.constants.d; k++) {
                const xv = x[t * this.constants.d + k];
                sg += xv * wg[j * this.constants.d + k];
                su += xv * wu[j * this.constants.d + k];
              }
              ${STATEMENTS[which]('sg', 'r')}
              return r * su;
            }`,
            { ...settings, output: [f, tokens] },
          );
          const down = this.#gpu.createKernel(
            `function (h, wd) {
              const t = this.thread.y;
              const i = this.thread.x;
              let s = 0.0;
              for (let j = 0; j < this.constants.f; j++) {
                s += h[t][j] * wd[i * this.constants.f + j];
              }
              return s;
            }`,
            { ...settings, output: [d, tokens] },
          );
          this.#kernels.set(`mlp-gate-up:${key}`, gateUp);
          this.#kernels.set(`mlp-down:${key}`, down);
          pipe = this.#gpu.createPipeline((xx: unknown, wg: unknown, wu: unknown, wd: unknown) => down(gateUp(xx, wg, wu), wd));
          this.#pipelines.set(key, pipe);
        }
        const r = await pipe(x, weights.gate, weights.up, weights.down);
        this.#checkMode(fn, { backend: pipe.backend, fallbackReason: pipe.fallbackReason });
        return ownF32(r, tokens * d, fn);
      });
    });
  }

  /** Releases kernels, pipelines and the gpu.js instance; the last WebGPU instance also releases the device and navigator.gpu. */
  async dispose(): Promise<void> {
    if (this.#disposed) return;
    this.#disposed = true;
    await this.#queue;
    this.#kernels.clear();
    this.#pipelines.clear();
    try {
      await this.#gpu.destroy();
    } finally {
      if (this.#holdsWebGpu) {
        this.#holdsWebGpu = false;
        await releaseWebGpu();
      }
    }
  }
}
