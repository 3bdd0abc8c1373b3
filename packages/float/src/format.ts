/**
 * The binary floating-point formats of the project and their parameters.
 *
 * Every value of a format is ±m·2^(e − p + 1) with integer 0 ≤ m < 2^p and
 * emin ≤ e ≤ emax; m < 2^(p−1) at e = emin are the subnormals.
 *
 * - f64, f32: IEEE 754 binary64 and binary32.
 * - bf16 (bfloat16): the top 16 bits of a binary32, so f32's exponent range with
 *   an 8-bit significand (implicit bit included): subnormals down to 2^−133,
 *   largest finite (2 − 2^−7)·2^127 ≈ 3.39e38.
 * - f16: IEEE 754 binary16, an 11-bit significand, subnormals down to 2^−24,
 *   largest finite 65504; from 65520 (the midpoint to 2^16) up, values round to ∞.
 */
import { GegluError } from './errors.js';
import { describe } from './describe.js';

export type FloatFormat = 'f64' | 'f32' | 'bf16' | 'f16';

export const FLOAT_FORMATS: readonly FloatFormat[] = ['f64', 'f32', 'bf16', 'f16'];

export interface FormatInfo {
  readonly name: FloatFormat;
  /** Width of the encoding in bits. */
  readonly bits: number;
  /** Significand bits including the implicit one (p). */
  readonly precision: number;
  /** Exponent of the smallest normal, 2^emin. */
  readonly emin: number;
  /** Exponent of the largest binade: the largest finite is (2 − 2^(1−p))·2^emax. */
  readonly emax: number;
  /** Exponent of the smallest subnormal, emin − p + 1. */
  readonly etiny: number;
  /** 2^etiny. */
  readonly minSubnormal: number;
  /** 2^emin. */
  readonly minNormal: number;
  /** (2 − 2^(1−p))·2^emax. */
  readonly maxFinite: number;
  /** Bit pattern of +∞, which is also the magnitude ordinal just above the largest finite. */
  readonly infinityBits: bigint;
}

function info(name: FloatFormat, bits: number, precision: number, emin: number, emax: number): FormatInfo {
  const etiny = emin - precision + 1;
  const exponentBits = bits - precision;
  return Object.freeze({
    name,
    bits,
    precision,
    emin,
    emax,
    etiny,
    minSubnormal: 2 ** etiny,
    minNormal: 2 ** emin,
    maxFinite: (2 - 2 ** (1 - precision)) * 2 ** emax,
    infinityBits: ((1n << BigInt(exponentBits)) - 1n) << BigInt(precision - 1),
  });
}

const INFO: Readonly<Record<FloatFormat, FormatInfo>> = {
  f64: info('f64', 64, 53, -1022, 1023),
  f32: info('f32', 32, 24, -126, 127),
  bf16: info('bf16', 16, 8, -126, 127),
  f16: info('f16', 16, 11, -14, 15),
};

/** True for the name of a format this package knows. */
export function isFloatFormat(value: unknown): value is FloatFormat {
  return typeof value === 'string' && Object.hasOwn(INFO, value);
}

/** The parameters of `format`; a GegluError naming `fn` for anything else. */
export function formatInfo(format: unknown, fn = 'formatInfo'): FormatInfo {
  if (!isFloatFormat(format)) {
    throw new GegluError(`${fn}: format is ${describe(format)}, expected one of ${FLOAT_FORMATS.map((f) => `'${f}'`).join(', ')}`);
  }
  return INFO[format];
}
