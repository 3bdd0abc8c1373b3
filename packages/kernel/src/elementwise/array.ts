/**
 * GELU and GeGLU over Float32Array / Float64Array.
 *
 * Float32 arrays go through the fast kernel of ./fast.ts (piecewise
 * polynomials plus a rounding test, double-double fallback): every element is
 * the correctly rounded float32. Float64 arrays use the double-double scalar
 * path per element (at most 1 step, 0 except for 2^-90-hard cases; about
 * 1–6 µs per element).
 */
import {
  type FloatArray,
  checkApproximate,
  checkDimension,
  checkF32Length,
  checkFloatArray,
  checkInPlaceOrDisjoint,
  checkLength,
  checkNoAlias,
  checkNotDetached,
  checkOptions,
  describe,
  fail,
  mayShareUnseen,
} from '../validation.js';
import { gelu64 } from './cores.js';
import { EXACT_TABLE, TANH_TABLE, gegluElement32, gegluExact } from './fast.js';
import { gegluF32Parallel, geluF32Parallel } from './parallel.js';
import { gegluF32Simd, geluF32RangeSimd } from './simd.js';
import type { Approximate } from './scalar.js';

/** Options of {@link geluArray}. */
export interface GeluArrayOptions<T extends FloatArray> {
  approximate?: Approximate;
  /** Output of the same type and length as x; may be x itself (in place). */
  out?: T;
}

/** Options of {@link geglu} and {@link gegluPacked}. */
export interface GegluOptions<T extends FloatArray> {
  approximate?: Approximate;
  /** Added to the gate before gelu, broadcast over the last dimension. */
  gateBias?: T;
  /** Added to the up projection, broadcast over the last dimension. */
  upBias?: T;
  /** Output of the same type as the inputs; for geglu it may be gate or up itself. */
  out?: T;
}

function sameTypeArray<T extends FloatArray>(fn: string, name: string, value: unknown, like: T): T {
  if (!(value instanceof (like.constructor as typeof Float32Array | typeof Float64Array))) {
    fail(fn, `${name} is ${describe(value)}, expected a ${like.constructor.name} like the input`);
  }
  checkNotDetached(fn, name, value as T);
  return value as T;
}

function outputFor<T extends FloatArray>(fn: string, out: unknown, like: T, length: number): T {
  if (out === undefined) return new (like.constructor as new (n: number) => T)(length);
  const o = sameTypeArray(fn, 'options.out', out, like);
  checkLength(fn, 'options.out', o, length);
  return o;
}

/**
 * The checked arguments of an elementwise function of x (geluArray, geluGradArray): the form, the
 * output (options.out or a new array), and whether out may share memory with x unseen (then the
 * caller computes into a fresh array and copies, see mayShareUnseen).
 */
export function elementwiseArguments<T extends FloatArray>(
  fn: string,
  x: T,
  options: GeluArrayOptions<T> | undefined,
): { tanh: boolean; out: T; unseen: boolean } {
  checkFloatArray(fn, 'x', x);
  const o = checkOptions<GeluArrayOptions<T>>(fn, options);
  const tanh = checkApproximate(fn, o.approximate, 'none') === 'tanh';
  checkF32Length(fn, 'x', x);
  const out = outputFor(fn, o.out, x, x.length);
  checkInPlaceOrDisjoint(fn, 'options.out', out, { x });
  return { tanh, out, unseen: mayShareUnseen(out, [x]) };
}

/**
 * Elementwise GELU of a Float32Array or Float64Array into `options.out` (same
 * type and length; in place allowed) or a new array of the same type.
 * Float32: correctly rounded float32 for every input. Float64: as
 * {@link gelu}. Special cases as the scalar functions.
 */
export function geluArray<T extends FloatArray>(x: T, options?: GeluArrayOptions<T>): T {
  const { tanh, out, unseen } = elementwiseArguments('geluArray', x, options);
  if (unseen) {
    out.set(geluArray(x, { approximate: tanh ? 'tanh' : 'none' }));
    return out;
  }
  if (x instanceof Float32Array) {
    const table = tanh ? TANH_TABLE : EXACT_TABLE;
    if (!geluF32Parallel(x, out as Float32Array, table)) geluF32RangeSimd(x, out as Float32Array, table, 0, x.length);
  } else {
    for (let i = 0; i < x.length; i++) out[i] = gelu64(x[i]!, tanh);
  }
  return out;
}

interface Biases<T extends FloatArray> {
  gateBias: T | undefined;
  upBias: T | undefined;
  features: number;
}

function checkBiases<T extends FloatArray>(fn: string, o: Partial<GegluOptions<T>>, like: T, features: number | undefined): Biases<T> {
  const gateBias = o.gateBias === undefined ? undefined : sameTypeArray(fn, 'options.gateBias', o.gateBias, like);
  const upBias = o.upBias === undefined ? undefined : sameTypeArray(fn, 'options.upBias', o.upBias, like);
  let f = features;
  for (const [name, b] of [
    ['options.gateBias', gateBias],
    ['options.upBias', upBias],
  ] as const) {
    if (b === undefined) continue;
    if (f === undefined) {
      if (b.length === 0) fail(fn, `${name} has length 0, expected at least 1 (the last dimension)`);
      f = b.length;
    } else {
      checkLength(fn, name, b, f, f === features ? 'features' : 'the other bias length');
    }
  }
  return { gateBias, upBias, features: f ?? 1 };
}

/**
 * Fused GeGLU: out[i] = gelu(gate[i] + gateBias[i mod f]) · (up[i] + upBias[i mod f]),
 * f being the biases' length (the last dimension; gate.length must be a
 * multiple of it). gate and up are arrays of the same type and length;
 * `out` may be gate or up itself but must not partially overlap them or
 * overlap a bias.
 *
 * Float32: the biases are added in double (exact unless the operands'
 * exponents differ by more than 29), then gelu(g)·u is rounded once to
 * float32 — correctly rounded. Float64: g = fl(gate + gateBias) and
 * u = fl(up + upBias) as float64 sums, then gelu(g)·u is rounded once
 * (0 steps except hard cases), for every finite g and u: gelu(g) is carried
 * with its own exponent far below the double range, so geglu(−40, 1e300) =
 * −1.46e−48 comes out right.
 */
export function geglu<T extends FloatArray>(gate: T, up: T, options?: GegluOptions<T>): T {
  return gegluOn(gate, up, options, true);
}

/**
 * {@link geglu} on the calling thread only: for callers that are threads
 * themselves (the MLP's workers and its activation share), which must not
 * start workers of their own.
 */
export function gegluOneThread<T extends FloatArray>(gate: T, up: T, options?: GegluOptions<T>): T {
  return gegluOn(gate, up, options, false);
}

function gegluOn<T extends FloatArray>(gate: T, up: T, options: GegluOptions<T> | undefined, threads: boolean): T {
  const fn = 'geglu';
  checkFloatArray(fn, 'gate', gate);
  sameTypeArray(fn, 'up', up, gate);
  checkLength(fn, 'up', up, gate.length, 'gate.length');
  const o = checkOptions<GegluOptions<T>>(fn, options);
  const tanh = checkApproximate(fn, o.approximate, 'none') === 'tanh';
  const b = checkBiases(fn, o, gate, undefined);
  if (gate.length % b.features !== 0) {
    fail(fn, `gate has length ${gate.length}, expected a multiple of the bias length ${b.features}`);
  }
  checkF32Length(fn, 'gate', gate);
  const out = outputFor(fn, o.out, gate, gate.length);
  checkInPlaceOrDisjoint(fn, 'options.out', out, { gate, up });
  const biasViews: Record<string, ArrayBufferView> = {};
  if (b.gateBias) biasViews['options.gateBias'] = b.gateBias;
  if (b.upBias) biasViews['options.upBias'] = b.upBias;
  checkNoAlias(fn, 'options.out', out, biasViews);
  if (mayShareUnseen(out, [gate, up, b.gateBias, b.upBias])) {
    const { out: _, ...rest } = o;
    out.set(gegluOn(gate, up, rest as GegluOptions<T>, threads));
    return out;
  }
  if (gate instanceof Float32Array && b.gateBias === undefined && b.upBias === undefined) {
    const table = tanh ? TANH_TABLE : EXACT_TABLE;
    if (!threads || !gegluF32Parallel(gate, up as Float32Array, out as Float32Array, table)) {
      gegluF32Simd(gate, up as Float32Array, out as Float32Array, table);
    }
  } else {
    run(gate, 0, up, 0, out, gate.length / b.features, b.features, b.features, b, tanh);
  }
  return out;
}

/**
 * GeGLU on the packed layout of the JAX reference's gating einsum: each row
 * of `gateUp` is [gate(features) | up(features)], so gateUp has length
 * rows × 2·features and the result rows × features. Biases (length
 * features) and rounding as {@link geglu}; `out` must not overlap gateUp.
 */
export function gegluPacked<T extends FloatArray>(gateUp: T, features: number, options?: GegluOptions<T>): T {
  const fn = 'gegluPacked';
  checkFloatArray(fn, 'gateUp', gateUp);
  checkDimension(fn, 'features', features);
  if (gateUp.length % (2 * features) !== 0) {
    fail(fn, `gateUp has length ${gateUp.length}, expected a multiple of 2 × features = ${2 * features}`);
  }
  const rows = gateUp.length / (2 * features);
  const o = checkOptions<GegluOptions<T>>(fn, options);
  const tanh = checkApproximate(fn, o.approximate, 'none') === 'tanh';
  const b = checkBiases(fn, o, gateUp, features);
  const out = outputFor(fn, o.out, gateUp, rows * features);
  const views: Record<string, ArrayBufferView> = { gateUp };
  if (b.gateBias) views['options.gateBias'] = b.gateBias;
  if (b.upBias) views['options.upBias'] = b.upBias;
  checkNoAlias(fn, 'options.out', out, views);
  if (mayShareUnseen(out, [gateUp, b.gateBias, b.upBias])) {
    const { out: _, ...rest } = o;
    out.set(gegluPacked(gateUp, features, rest as GegluOptions<T>));
    return out;
  }
  if (gateUp instanceof Float32Array && b.gateBias === undefined && b.upBias === undefined && features >= PACKED_SIMD_MIN) {
    // Row by row on the SIMD kernel (the halves of a row are contiguous).
    const table = tanh ? TANH_TABLE : EXACT_TABLE;
    const o = out as Float32Array;
    for (let r = 0; r < rows; r++) {
      const at = r * 2 * features;
      gegluF32Simd(
        gateUp.subarray(at, at + features),
        gateUp.subarray(at + features, at + 2 * features),
        o.subarray(r * features, (r + 1) * features),
        table,
      );
    }
  } else {
    run(gateUp, 0, gateUp, features, out, rows, features, 2 * features, b, tanh);
  }
  return out;
}

/**
 * Feature counts from which float32 gegluPacked without biases runs row by
 * row on the SIMD kernel; narrower rows stay in the JavaScript loop, where a
 * row costs no call into WebAssembly.
 */
export const PACKED_SIMD_MIN = 32;

/**
 * The shared loop: row r, column j reads gate[gOff + r·rowStride + j] and
 * up[uOff + r·rowStride + j] and writes out[r·f + j]. geglu: rowStride = f;
 * the packed layout: rowStride = 2f, up offset f.
 */
function run<T extends FloatArray>(
  gate: T,
  gOff: number,
  up: T,
  uOff: number,
  out: T,
  rows: number,
  f: number,
  rowStride: number,
  b: Biases<T>,
  tanh: boolean,
): void {
  const gb = b.gateBias;
  const ub = b.upBias;
  if (gate instanceof Float32Array) {
    const table = tanh ? TANH_TABLE : EXACT_TABLE;
    for (let r = 0; r < rows; r++) {
      const base = r * rowStride;
      const ob = r * f;
      for (let j = 0; j < f; j++) {
        const g = gb === undefined ? gate[gOff + base + j]! : gate[gOff + base + j]! + gb[j]!;
        const u = ub === undefined ? up[uOff + base + j]! : up[uOff + base + j]! + ub[j]!;
        out[ob + j] = gegluElement32(g, u, table);
      }
    }
  } else {
    for (let r = 0; r < rows; r++) {
      const base = r * rowStride;
      const ob = r * f;
      for (let j = 0; j < f; j++) {
        const g = gb === undefined ? gate[gOff + base + j]! : gate[gOff + base + j]! + gb[j]!;
        const u = ub === undefined ? up[uOff + base + j]! : up[uOff + base + j]! + ub[j]!;
        out[ob + j] = gegluExact(g, u, tanh, true);
      }
    }
  }
}
