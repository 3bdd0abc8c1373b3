/**
 * GELU and GeGLU over bf16 and f16 storage: Uint16Arrays of bit patterns, as
 * safetensors files and WebGPU buffers hold them. A Uint16Array cannot say
 * which format it holds, so the format is in the function's name.
 *
 * ## Method
 *
 * Each format has 65,536 inputs, so gelu is a table lookup. The tables are
 * built on first use, per form and format, from the double-double cores
 * (./cores.ts: relative error below 2^-90): for each pattern x the pair
 * h + l ≈ gelu(x) is kept (the GeGLU table) and rounded once, from h + l, to
 * the format (the GELU table) by {@link roundPairBits}. That rounding is of the
 * double-double's exact sum, so it is a single rounding of a value within
 * 2^-90 of gelu(x); a 2^-90-hard input would be the only way to be wrong, and
 * the exhaustive tests (test/half/exhaustive-*.test.ts) show none of the
 * 4 × 65,536 results differs from the oracle's correctly rounded one.
 *
 * GeGLU multiplies the pair by u with {@link ddMulDRounding} (an exact tie of
 * g·u, as at large g where gelu(g) = g − tiny, is decided by the sign of what
 * a double-double cannot hold) and rounds that once: correctly rounded unless
 * gelu(g)·u lies within 2^-90 (relative) of a rounding boundary without being
 * on one (test/half/half.test.ts checks random pairs and the ties against the
 * oracle; 2^32 pairs per format are too many to check all). With 16-bit operands no
 * scaling is needed: a stored |h| is in [2^-600, 2^128] and |u| in
 * [2^-133, 2^128], so every partial product is a normal double. A |gelu(g)|
 * below 2^-600 is stored as ±2^-600 (the sign of g): its product with any u
 * (≤ 2^128) is below 2^-472, far under half the smallest subnormal (2^-134),
 * so it rounds to the zero of the true product's sign, as the true value does.
 *
 * ## Special Cases
 *
 * gelu: NaN → NaN (the input's pattern, quieted), +∞ → +∞, −∞ → −0, ±0 → ±0,
 * results below half the smallest subnormal → a zero of the input's sign.
 * geglu: IEEE product rules on gelu(g)·u (NaN in → NaN, 0·∞ → NaN, zeros and
 * infinities with the sign of sign(g)·sign(u)); f16 results from 65520 up
 * overflow to ±∞, and a product just below 65520 stays 65504.
 */
import { bf16ToBits, bitsToBf16, bitsToF16, f16ToBits } from '@geglu/float';
import { checkApproximate, checkInPlaceOrDisjoint, checkOptions, describe, fail } from '../validation.js';
import { ch, cl, ck, geluDD } from './cores.js';
import { ddMulDRounding, ldexp, rh, rl } from './dd.js';
import { gegluExact } from './fast.js';
import type { Approximate } from './scalar.js';

/** The 16-bit storage formats. */
export type HalfFormat = 'bf16' | 'f16';

/** Options of {@link geluBf16Array} and {@link geluF16Array}. */
export interface HalfGeluOptions {
  approximate?: Approximate;
  /** Output Uint16Array of x's length; may be x itself (in place). */
  out?: Uint16Array;
}

/** Options of {@link gegluBf16} and {@link gegluF16}. */
export interface HalfGegluOptions {
  approximate?: Approximate;
  /** Output Uint16Array of gate's length; may be gate or up itself. */
  out?: Uint16Array;
}

interface Format {
  readonly name: HalfFormat;
  readonly encode: (x: number) => number;
  readonly decode: (bits: number) => number;
  /** Significand bits with the implicit one (p), and the exponent range of the normals. */
  readonly precision: number;
  readonly emin: number;
  readonly emax: number;
  /** 2^(p−1): patterns per binade. */
  readonly binade: number;
  /** Pattern of +∞ (also one past the largest finite magnitude). */
  readonly inf: number;
  /** The quiet bit of a NaN. */
  readonly quiet: number;
  /** 2^(p − 1 − e) for e = emin … emax: scales a magnitude of binade e to an integer significand. */
  readonly scales: Float64Array;
}

function format(
  name: HalfFormat,
  encode: (x: number) => number,
  decode: (bits: number) => number,
  precision: number,
  emin: number,
  emax: number,
  inf: number,
  quiet: number,
): Format {
  const scales = new Float64Array(emax - emin + 1);
  for (let e = emin; e <= emax; e++) scales[e - emin] = 2 ** (precision - 1 - e);
  return { name, encode, decode, precision, emin, emax, binade: 2 ** (precision - 1), inf, quiet, scales };
}

const FORMATS: Readonly<Record<HalfFormat, Format>> = {
  bf16: format('bf16', bf16ToBits, bitsToBf16, 8, -126, 127, 0x7f80, 0x0040),
  f16: format('f16', f16ToBits, bitsToF16, 11, -14, 15, 0x7c00, 0x0200),
};

const word = new Float64Array(1);
const words = new Uint32Array(word.buffer);
/** Index of the word holding a float64's sign and exponent (the platform's byte order). */
const HIGH = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1 ? 1 : 0;

/**
 * The pattern of h + l (a double-double, |l| ≤ ulp(h)/2, |h| ≥ 2^-900) rounded
 * once to the format, nearest-even, subnormals and overflow included.
 *
 * With e = max(⌊log2|h|⌋, emin), n = |h|·2^(p−1−e) is exact (a power-of-two
 * scaling); rounding it to an integer r gives the pattern (e − emin)·2^(p−1) + r
 * (r = 2^p carries into the exponent; at e = emin, r < 2^(p−1) is a subnormal;
 * a pattern ≥ ∞'s overflows). Rounding h alone is right unless n is an exact
 * half-integer: a double h that is not a midpoint of the format is at least
 * one double spacing from every midpoint, farther than |l| ≤ half a spacing
 * can move the sum. At a midpoint the sign of l decides; l = 0 there means the
 * sum is the tie itself, which goes to even.
 */
function roundPairBits(h: number, l: number, f: Format): number {
  const sign = h < 0 ? 0x8000 : 0;
  const a = Math.abs(h);
  word[0] = a;
  const e = Math.max((words[HIGH]! >>> 20) - 1023, f.emin);
  if (e > f.emax) return sign | f.inf;
  const n = a * f.scales[e - f.emin]!;
  let r = Math.floor(n);
  const rest = n - r;
  if (rest > 0.5) r += 1;
  else if (rest === 0.5) {
    const low = h < 0 ? -l : l;
    if (low > 0 || (low === 0 && r % 2 === 1)) r += 1;
  }
  // A variable power (2 ** k) here cost more than the rest of the function in V8.
  const bits = (e - f.emin) * f.binade + r;
  return sign | (bits >= f.inf ? f.inf : bits);
}

/** A |gelu| below this is stored as its sign times this (see the module comment). */
const TINY_STAND_IN = 2 ** -600;

interface Tables {
  /** Correctly rounded gelu per input pattern. */
  readonly gelu: Uint16Array;
  /** gelu(x) ≈ hi + lo per input pattern (NaN for NaN inputs; ±0, +∞, −0 for ±0, +∞, −∞). */
  readonly hi: Float64Array;
  readonly lo: Float64Array;
}

const tables = new Map<string, Tables>();
const decoded = new Map<HalfFormat, Float64Array>();

/** Every pattern's value, built on first use. */
function valuesOf(f: Format): Float64Array {
  let t = decoded.get(f.name);
  if (t === undefined) {
    t = new Float64Array(65536);
    for (let b = 0; b < 65536; b++) t[b] = f.decode(b);
    decoded.set(f.name, t);
  }
  return t;
}

function build(f: Format, tanh: boolean): Tables {
  const values = valuesOf(f);
  const gelu = new Uint16Array(65536);
  const hi = new Float64Array(65536);
  const lo = new Float64Array(65536);
  for (let b = 0; b < 65536; b++) {
    const x = values[b]!;
    if (x !== x) {
      gelu[b] = b | f.quiet;
      hi[b] = NaN;
      continue;
    }
    if (x === 0 || x === Infinity || x === -Infinity) {
      const g = x === -Infinity ? -0 : x;
      gelu[b] = f.encode(g);
      hi[b] = g;
      continue;
    }
    geluDD(x, tanh);
    let h = ldexp(ch, ck);
    let l = ldexp(cl, ck);
    if (Math.abs(h) < TINY_STAND_IN) {
      h = x < 0 ? -TINY_STAND_IN : TINY_STAND_IN;
      l = 0;
    }
    hi[b] = h;
    lo[b] = l;
    gelu[b] = roundPairBits(h, l, f);
  }
  return { gelu, hi, lo };
}

/** The tables of one form and format, built on first use (65,536 double-double gelus). */
function tablesFor(f: Format, tanh: boolean): Tables {
  const key = `${f.name}/${tanh ? 'tanh' : 'none'}`;
  let t = tables.get(key);
  if (t === undefined) {
    t = build(f, tanh);
    tables.set(key, t);
  }
  return t;
}

function checkPatterns(fn: string, name: string, value: unknown, f: Format): Uint16Array {
  if (!(value instanceof Uint16Array)) {
    const hint =
      value instanceof Float32Array || value instanceof Float64Array
        ? ` (float32/float64 values go to ${fn.startsWith('gelu') ? 'geluArray' : 'geglu'}; f32To${f.name === 'bf16' ? 'Bf16' : 'F16'}Array converts)`
        : '';
    fail(fn, `${name} is ${describe(value)}, expected a Uint16Array of ${f.name} bit patterns${hint}`);
  }
  return value;
}

function outputFor(fn: string, out: unknown, length: number, f: Format): Uint16Array {
  if (out === undefined) return new Uint16Array(length);
  const o = checkPatterns(fn, 'options.out', out, f);
  if (o.length !== length) fail(fn, `options.out has length ${o.length}, expected ${length} (the input's length)`);
  return o;
}

function geluHalf(fn: string, x: unknown, options: unknown, f: Format): Uint16Array {
  const input = checkPatterns(fn, 'x', x, f);
  const o = checkOptions<HalfGeluOptions>(fn, options);
  const tanh = checkApproximate(fn, o.approximate, 'none') === 'tanh';
  const out = outputFor(fn, o.out, input.length, f);
  checkInPlaceOrDisjoint(fn, 'options.out', out, { x: input });
  const table = tablesFor(f, tanh).gelu;
  for (let i = 0; i < input.length; i++) out[i] = table[input[i]!]!;
  return out;
}

function gegluHalf(fn: string, gate: unknown, up: unknown, options: unknown, f: Format): Uint16Array {
  const g = checkPatterns(fn, 'gate', gate, f);
  const u = checkPatterns(fn, 'up', up, f);
  if (u.length !== g.length) fail(fn, `up has length ${u.length}, expected gate.length = ${g.length}`);
  const o = checkOptions<HalfGegluOptions>(fn, options);
  const tanh = checkApproximate(fn, o.approximate, 'none') === 'tanh';
  const out = outputFor(fn, o.out, g.length, f);
  checkInPlaceOrDisjoint(fn, 'options.out', out, { gate: g, up: u });
  const { hi, lo } = tablesFor(f, tanh);
  const values = valuesOf(f);
  for (let i = 0; i < g.length; i++) {
    const gb = g[i]!;
    const ub = u[i]!;
    const h = hi[gb]!;
    const uv = values[ub]!;
    if (h !== h || uv !== uv) {
      out[i] = (h !== h ? gb : ub) | f.quiet;
    } else if (h === 0 || uv === 0 || h === Infinity || uv === Infinity || uv === -Infinity) {
      // IEEE product rules on gelu's special values (0·∞ gives NaN), exact in double.
      out[i] = f.encode(gegluExact(values[gb]!, uv, tanh, true));
    } else {
      ddMulDRounding(h, lo[gb]!, uv);
      out[i] = roundPairBits(rh, rl, f);
    }
  }
  return out;
}

/**
 * Elementwise GELU of bf16 bit patterns into `options.out` (a Uint16Array of
 * the same length; in place allowed) or a new Uint16Array: every result is
 * gelu(x) correctly rounded to bf16 (one rounding from the exact value).
 * `approximate: 'tanh'` selects Gemma 2's gelu_pytorch_tanh.
 */
export function geluBf16Array(x: Uint16Array, options?: HalfGeluOptions): Uint16Array {
  return geluHalf('geluBf16Array', x, options, FORMATS.bf16);
}

/** {@link geluBf16Array} for IEEE binary16 (f16) bit patterns. */
export function geluF16Array(x: Uint16Array, options?: HalfGeluOptions): Uint16Array {
  return geluHalf('geluF16Array', x, options, FORMATS.f16);
}

/**
 * Fused GeGLU over bf16 bit patterns: out[i] = gelu(gate[i])·up[i] rounded
 * once to bf16 from a value within 2^-90 of it (exact ties of g·u decided;
 * see the module comment). gate and up have the same length; `out`
 * may be gate or up itself. No biases (Gemma 2 has none).
 */
export function gegluBf16(gate: Uint16Array, up: Uint16Array, options?: HalfGegluOptions): Uint16Array {
  return gegluHalf('gegluBf16', gate, up, options, FORMATS.bf16);
}

/** {@link gegluBf16} for IEEE binary16 (f16) bit patterns. */
export function gegluF16(gate: Uint16Array, up: Uint16Array, options?: HalfGegluOptions): Uint16Array {
  return gegluHalf('gegluF16', gate, up, options, FORMATS.f16);
}
