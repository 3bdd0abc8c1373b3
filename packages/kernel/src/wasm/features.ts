/**
 * WebAssembly relaxed SIMD: whether this engine has it, whether its
 * `relaxed_madd` fuses, and which path the kernel's modules are built for.
 *
 * `f32x4.relaxed_madd` and `f64x2.relaxed_madd` (opcodes 0x105 and 0x107 of
 * the relaxed SIMD proposal, WebAssembly 3.0) compute a·b + c either fused
 * (one rounding) or as a multiply and an add (two roundings); the engine
 * chooses, per instruction, by the hardware. Every code path that uses them
 * must therefore hold its error bound either way; `relaxedSimdFuses()`
 * reports which one this engine took, for the record, never to pick a bound.
 *
 * Node 22 and Chromium validate relaxed SIMD by default. Node 20 does only
 * with V8's `--experimental-wasm-relaxed-simd` flag, given on the command line
 * or set by `enableRelaxedSimdFlag()` (./host) before the first module that
 * uses it is compiled. The kernel never sets a V8 flag on its own.
 */
import { GegluError, describe } from '@geglu/float';
import { wasmApi } from './api.js';
import { setV8Flag } from '../host/node.js';
import { section, uleb } from './encoding.js';

/** What a caller asks for: 'auto' uses relaxed SIMD where it validates; 'on' requires it; 'off' never uses it. */
export type RelaxedSimdRequest = 'auto' | 'on' | 'off';

const SIMD_PREFIX = 0xfd;
/** Relaxed SIMD opcodes (relaxed-simd proposal, Overview.md's binary encoding table). */
export const RELAXED_OPCODE = {
  f32x4Madd: 0x105,
  f32x4Nmadd: 0x106,
  f64x2Madd: 0x107,
  f64x2Nmadd: 0x108,
} as const;

/** One module exporting `madd(a, b, c) = f64x2.relaxed_madd(a, b, c)` on lane-splatted doubles. */
export function probeModuleBytes(): Uint8Array {
  // (func (param f64 f64 f64) (result f64)
  //   (f64x2.extract_lane 0 (f64x2.relaxed_madd (splat a) (splat b) (splat c))))
  const F64 = 0x7c;
  const type = section(1, [1, 0x60, 3, F64, F64, F64, 1, F64]);
  const funcs = section(3, [1, 0]);
  const name = [...new TextEncoder().encode('madd')];
  const exports = section(7, [1, name.length, ...name, 0x00, 0]);
  const splat = [SIMD_PREFIX, ...uleb(20)]; // f64x2.splat
  const body = [
    0, // no locals
    0x20,
    0,
    ...splat,
    0x20,
    1,
    ...splat,
    0x20,
    2,
    ...splat,
    SIMD_PREFIX,
    ...uleb(RELAXED_OPCODE.f64x2Madd),
    SIMD_PREFIX,
    ...uleb(33), // f64x2.extract_lane
    0,
    0x0b,
  ];
  const code = section(10, [1, ...uleb(body.length), ...body]);
  return new Uint8Array([0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, ...type, ...funcs, ...exports, ...code]);
}

let validates: boolean | undefined;
let probedAt = 0;
/** Milliseconds a `false` answer stands before the next question probes again. */
export const REPROBE_MS = 1000;
/**
 * Whether this engine validates relaxed SIMD. Every call of the kernel asks
 * (which path its modules take), and a probe, building and validating the
 * module above, costs several times a short call's work
 * (`node bench/call-overhead.mjs` times both): a `true` is kept for good, a
 * `false` for REPROBE_MS, since on Node 20 the flag may be turned on in a
 * running process, by this copy of the kernel (enableRelaxedSimdFlag and
 * setRelaxedSimd probe again at once) or by other code (another copy of the
 * kernel, node:v8's setFlagsFromString).
 */
export function relaxedSimdValidates(): boolean {
  if (validates === true) return true;
  const now = Date.now();
  if (validates === undefined || now - probedAt >= REPROBE_MS) {
    probedAt = now;
    try {
      validates = wasmApi?.validate(probeModuleBytes()) ?? false;
    } catch {
      validates = false;
    }
  }
  return validates;
}

let fuses: boolean | undefined;
/**
 * Whether this engine's `f64x2.relaxed_madd` fuses, or undefined where
 * relaxed SIMD does not validate. Probe: a = 1 + 2^-27, b = 1 − 2^-27, c = −1;
 * a·b = 1 − 2^-54 exactly, so a fused result is −2^-54 and an unfused one
 * rounds a·b to 1 first (a tie, to even) and gives 0.
 */
export function relaxedSimdFuses(): boolean | undefined {
  if (fuses !== undefined) return fuses;
  if (!relaxedSimdValidates() || wasmApi === undefined) return undefined;
  const instance = new wasmApi.Instance(new wasmApi.Module(probeModuleBytes()), {});
  const madd = instance.exports.madd as (a: number, b: number, c: number) => number;
  fuses = madd(1 + 2 ** -27, 1 - 2 ** -27, -1) !== 0;
  return fuses;
}

/**
 * Node 20 only, and only when called: sets V8's --experimental-wasm-relaxed-simd
 * flag for this process (worker threads included), then reports whether relaxed
 * SIMD validates. Call it before the kernel's first use; modules compiled
 * earlier keep their path. Elsewhere (Node 22, browsers) it sets nothing.
 */
export function enableRelaxedSimdFlag(): boolean {
  if (!relaxedSimdValidates()) {
    setV8Flag('--experimental-wasm-relaxed-simd');
    validates = undefined;
  }
  return relaxedSimdValidates();
}

let request: RelaxedSimdRequest = 'auto';

/**
 * Chooses whether the kernel's WebAssembly modules use relaxed SIMD's
 * multiply-add. Results are the same either way (correctly rounded where the
 * kernel promises it; within the same bounds elsewhere); only speed differs.
 * 'on' on an engine without relaxed SIMD is an error naming the way to enable
 * it. Takes effect for modules built after the call. Probes the engine again
 * if it had no relaxed SIMD, so a V8 flag set since then counts.
 */
export function setRelaxedSimd(mode: RelaxedSimdRequest): void {
  if (mode !== 'auto' && mode !== 'on' && mode !== 'off') {
    throw new GegluError(`setRelaxedSimd: mode is ${describe(mode)}, expected 'auto', 'on' or 'off'`);
  }
  // A flag set since the last probe (relaxedSimdValidates) counts from here on.
  if (validates === false) validates = undefined;
  if (mode === 'on' && !relaxedSimdValidates()) {
    throw new GegluError(
      "setRelaxedSimd: mode is 'on', expected an engine with WebAssembly relaxed SIMD " +
        '(Node 22 or later, Chromium 114 or later; on Node 20 start node with --experimental-wasm-relaxed-simd ' +
        'or call enableRelaxedSimdFlag() before the kernel compiles its modules)',
    );
  }
  request = mode;
}

/** Whether modules built now use relaxed SIMD: the request, resolved against this engine. */
export function relaxedSimdActive(): boolean {
  return request !== 'off' && relaxedSimdValidates();
}

/** Which multiply-add path the kernel's modules take now, for reports and benchmarks. */
export interface RelaxedSimdPath {
  readonly request: RelaxedSimdRequest;
  /** Whether modules built now use relaxed_madd. */
  readonly active: boolean;
  /** Whether the engine validates relaxed SIMD at all. */
  readonly available: boolean;
  /** Whether relaxed_madd fused on this engine (undefined where unavailable). */
  readonly fuses: boolean | undefined;
}

export function relaxedSimdPath(): RelaxedSimdPath {
  const available = relaxedSimdValidates();
  return { request, active: request !== 'off' && available, available, fuses: available ? relaxedSimdFuses() : undefined };
}
