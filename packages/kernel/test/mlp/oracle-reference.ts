/**
 * The Gemma 2 MLP at high precision, with the float32 bound of src/mlp/gemma2.ts per output.
 * `@geglu/oracle` does not export its own gemma2Mlp yet (its index has it commented out), so
 * the reference is composed here from the oracle's `gelu` (40 digits) and decimal.js dot
 * products at 60 digits: exact to far below the f32 bound.
 */
import { Decimal, gelu as oracleGelu } from '@geglu/oracle';
import { gamma } from './reference.js';

const D = Decimal.clone({ precision: 60 });

export function oracleMlp(
  x: Float32Array,
  t: number,
  d: number,
  f: number,
  gate: Float32Array,
  up: Float32Array,
  down: Float32Array,
  approximate: 'none' | 'tanh',
) {
  const y: Decimal[] = [];
  const bound: number[] = [];
  const u = 2 ** -24;
  const L = 1.13;
  const gd = gamma(Math.ceil(d / 4) + 2, u);
  const gf = gamma(Math.ceil(f / 4) + 2, u);
  for (let r = 0; r < t; r++) {
    const A: Decimal[] = [];
    const EA: number[] = [];
    for (let j = 0; j < f; j++) {
      let g = new D(0);
      let uu = new D(0);
      let ag = 0;
      let au = 0;
      for (let k = 0; k < d; k++) {
        g = g.plus(new D(x[r * d + k]!).times(gate[j * d + k]!));
        uu = uu.plus(new D(x[r * d + k]!).times(up[j * d + k]!));
        ag += Math.abs(x[r * d + k]! * gate[j * d + k]!);
        au += Math.abs(x[r * d + k]! * up[j * d + k]!);
      }
      const gg = new D(oracleGelu(g, { approximate, digits: 40 }));
      A.push(gg.times(uu));
      const eg = gd * ag + d * 2 ** -149;
      const eu = gd * au + d * 2 ** -149;
      const P = L * eg * (Math.abs(uu.toNumber()) + eu) + Math.abs(gg.toNumber()) * eu;
      EA.push(P + 2 ** -22 * (Math.abs(A[j]!.toNumber()) + P) + 2 ** -148);
    }
    for (let i = 0; i < d; i++) {
      let s = new D(0);
      let b = 0;
      for (let j = 0; j < f; j++) {
        s = s.plus(A[j]!.times(down[i * f + j]!));
        b += (gf * (Math.abs(A[j]!.toNumber()) + EA[j]!) + EA[j]!) * Math.abs(down[i * f + j]!);
      }
      y.push(s);
      // toNumber() of the magnitudes rounds by ≤ 2^−53 relative: covered by 1 + 2^−40.
      bound.push((b + f * 2 ** -149) * (1 + 2 ** -40));
    }
  }
  return { y, bound };
}
