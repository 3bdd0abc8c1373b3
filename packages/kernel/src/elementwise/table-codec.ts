/**
 * The text form of the fast kernels' coefficient tables (./tables.generated.ts),
 * lossless: decoding gives back every float64 bit for bit.
 *
 * Decimal literals take about twice the bytes, and plain float64 bytes compress
 * poorly: their low mantissa bits are noise. But each coefficient is a smooth
 * function of the interval, so it is stored as its difference from a prediction:
 *
 * - each coefficient is predicted from those decoded before it (see `predict`;
 *   0 for the first three intervals), in float64 arithmetic that the encoder
 *   and the decoder evaluate the same way, so the prediction is the same
 *   double in every JavaScript engine;
 * - the residual is the 64-bit bit pattern minus the prediction's, modulo 2^64:
 *   small, so its high bytes are mostly 0x00 or 0xff;
 * - the residuals are stored coefficient by coefficient (k = 0 of every
 *   interval, then k = 1, …) and their bytes plane by plane (every residual's
 *   byte 0, then byte 1, …), so alike bytes sit together for the compressor,
 *   then base64.
 *
 * `node tools/browser/dist/bundle-size.js` prints what the tables cost a page.
 */

const littleEndian = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;
const f64 = new Float64Array(1);
const bits = new BigInt64Array(f64.buffer);

function bitsOf(v: number): bigint {
  f64[0] = v;
  return bits[0]!;
}

/**
 * The prediction of coefficient k of interval i (monomial form in t ∈ [−1, 1],
 * lowest first, `stride` per interval) from the entries decoded before it:
 * every coefficient of the intervals before i, and those of interval i above k.
 * Coefficients 2 and up: cubic extrapolation along the column. Coefficient 1:
 * the slopes of neighbouring polynomials agree where they meet,
 * P′ᵢ₋₁(1) ≈ P′ᵢ(−1). Coefficient 0: so do their values, Pᵢ₋₁(1) ≈ Pᵢ(−1).
 * A prediction that overflows is replaced by 0: a NaN's bits may differ between engines.
 */
function predict(c: Float64Array, stride: number, i: number, k: number): number {
  if (i < 3) return 0;
  const b = i * stride;
  const a = b - stride;
  let s = 0;
  if (k >= 2) {
    s = 3 * c[a + k]! - 3 * c[a - stride + k]! + c[a - 2 * stride + k]!;
  } else if (k === 1) {
    for (let j = 1; j < stride; j++) s += j * c[a + j]!;
    for (let j = stride - 1; j >= 2; j--) s -= (j % 2 === 1 ? j : -j) * c[b + j]!;
  } else {
    for (let j = 0; j < stride; j++) s += c[a + j]!;
    for (let j = stride - 1; j >= 1; j--) s -= (j % 2 === 0 ? 1 : -1) * c[b + j]!;
  }
  return Number.isFinite(s) ? s : 0;
}

/** Encodes a table of finite doubles, `stride` per interval, as base64 text. */
export function encodeTable(coeffs: ArrayLike<number>, stride: number): string {
  const n = coeffs.length;
  if (!Number.isInteger(n / stride)) throw new Error(`encodeTable: ${n} coefficients is not a multiple of the stride ${stride}`);
  for (let i = 0; i < n; i++) {
    if (!Number.isFinite(coeffs[i]!)) throw new Error(`encodeTable: coefficient ${i} is ${coeffs[i]}, expected a finite number`);
  }
  const table = Float64Array.from(coeffs);
  const count = n / stride;
  const residuals = new BigInt64Array(n);
  for (let i = 0; i < count; i++) {
    for (let k = 0; k < stride; k++) residuals[k * count + i] = bitsOf(table[i * stride + k]!) - bitsOf(predict(table, stride, i, k));
  }
  const bytes = new Uint8Array(residuals.buffer);
  const planes = new Uint8Array(8 * n);
  for (let i = 0; i < n; i++) for (let b = 0; b < 8; b++) planes[b * n + i] = bytes[i * 8 + (littleEndian ? b : 7 - b)]!;
  let text = '';
  for (let i = 0; i < planes.length; i += 0x8000) text += String.fromCharCode(...planes.subarray(i, i + 0x8000));
  return btoa(text);
}

/** Decodes `encodeTable`'s text: `count` intervals of `stride` coefficients, interval by interval. */
export function decodeTable(text: string, count: number, stride: number): Float64Array {
  const raw = atob(text);
  const n = count * stride;
  if (raw.length !== 8 * n) throw new Error(`decodeTable: ${raw.length} bytes, expected ${8 * n} for ${count} × ${stride} coefficients`);
  const residualBytes = new Uint8Array(8 * n);
  for (let i = 0; i < n; i++) for (let b = 0; b < 8; b++) residualBytes[i * 8 + (littleEndian ? b : 7 - b)] = raw.charCodeAt(b * n + i);
  const residuals = new BigInt64Array(residualBytes.buffer);
  const out = new Float64Array(n);
  for (let i = 0; i < count; i++) {
    for (let k = stride - 1; k >= 0; k--) {
      bits[0] = BigInt.asIntN(64, residuals[k * count + i]! + bitsOf(predict(out, stride, i, k)));
      out[i * stride + k] = f64[0]!;
    }
  }
  return out;
}
