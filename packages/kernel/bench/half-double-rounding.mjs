// How many of the 65,536 bf16 / f16 inputs come out wrong when gelu is computed in float32
// and the result rounded again to the 16-bit format (double rounding), against this
// kernel's geluBf16Array / geluF16Array (equal to the oracle's correctly rounded bits for
// every input: test/half/exhaustive-*.test.ts).
//
// Two float32 paths, each rounded to the 16-bit format once at the end, nearest-even:
//  - "f32 correctly rounded, then rounded": this kernel's geluArray on the widened inputs,
//    i.e. the best any float32 opmath can do (PyTorch computes bf16/f16 gelu in float32
//    opmath and converts the result).
//  - "f32 formula": PyTorch's float32 formula with every operation rounded to float32
//    (Math.fround), in the order of GeluErfFunctor / GeluTanhFunctor in PyTorch's
//    aten/src/ATen/native/cuda/ActivationGeluKernel.cu:
//      exact: x·0.5·(1 + erf(x·M_SQRT1_2))
//      tanh:  0.5·x·(1 + tanh(kBeta·(x + kKappa·x·x·x))), kBeta = M_SQRT2·M_2_SQRTPI·0.5
//    with erf and tanh taken as the float32 nearest to their float64 values (this
//    kernel's erf, Math.tanh): a best-case float32 libm, so real ones do no better.
// A NaN input is left out (any NaN is right); a zero of the wrong sign is counted apart.
// Usage (from packages/kernel, after `pnpm build`): node bench/half-double-rounding.mjs
import { compareResult } from '@geglu/float';
import {
  bf16ToF32Array,
  erf,
  f16ToF32Array,
  f32ToBf16Array,
  f32ToF16Array,
  geluArray,
  geluBf16Array,
  geluF16Array,
} from '../dist/index.js';
import { bitsToBf16, bitsToF16 } from '@geglu/float';

const fr = Math.fround;
const K_ALPHA = fr(Math.SQRT1_2);
const K_BETA = fr(Math.SQRT2 * 1.1283791670955126 * 0.5); // M_2_SQRTPI = 1.12837916709551257390 as a double
const K_KAPPA = fr(0.044715);

function formulaExact(x) {
  return fr(fr(x * 0.5) * fr(1 + fr(erf(fr(x * K_ALPHA)))));
}
function formulaTanh(x) {
  const cube = fr(fr(x * x) * x);
  const inner = fr(K_BETA * fr(x + fr(K_KAPPA * cube)));
  return fr(fr(0.5 * x) * fr(1 + fr(Math.tanh(inner))));
}

const formats = {
  bf16: { gelu: geluBf16Array, widen: bf16ToF32Array, narrow: f32ToBf16Array, decode: bitsToBf16 },
  f16: { gelu: geluF16Array, widen: f16ToF32Array, narrow: f32ToF16Array, decode: bitsToF16 },
};

const all = new Uint16Array(65536);
for (let b = 0; b < 65536; b++) all[b] = b;

function tally(name, format, decode, correct, got) {
  let wrong = 0;
  let zeroSign = 0;
  let nan = 0;
  let maxSteps = 0;
  let smallest = Infinity;
  let largest = 0;
  for (let b = 0; b < 65536; b++) {
    const x = decode(b);
    if (x !== x) continue;
    const y = decode(got[b]);
    const c = compareResult(y, decode(correct[b]), format);
    if (c.matches) continue;
    if (c.zeroSign) zeroSign++;
    else if (y !== y) nan++;
    else {
      wrong++;
      maxSteps = Math.max(maxSteps, c.steps);
      smallest = Math.min(smallest, Math.abs(x));
      largest = Math.max(largest, Math.abs(x));
    }
  }
  const where = wrong > 0 ? ` at ${smallest.toPrecision(4)} ≤ |x| ≤ ${largest.toPrecision(4)}` : '';
  console.log(
    `  ${name.padEnd(36)} ${String(wrong).padStart(4)} wrong (max ${maxSteps} step${maxSteps === 1 ? '' : 's'})${where}; ${zeroSign} zero-sign; ${nan} NaN`,
  );
}

for (const [format, f] of Object.entries(formats)) {
  const x32 = f.widen(all);
  let finite = 0;
  for (let b = 0; b < 65536; b++) if (f.decode(b) === f.decode(b)) finite++;
  for (const approximate of ['none', 'tanh']) {
    console.log(`${format} gelu ${approximate === 'tanh' ? 'tanh' : 'exact'} (${finite} non-NaN inputs):`);
    const correct = f.gelu(all, { approximate });
    const viaF32 = f.narrow(geluArray(x32, { approximate }));
    tally('f32 correctly rounded, then rounded', format, f.decode, correct, viaF32);
    const naive = new Float32Array(65536);
    const formula = approximate === 'tanh' ? formulaTanh : formulaExact;
    for (let b = 0; b < 65536; b++) naive[b] = formula(x32[b]);
    tally('f32 formula, then rounded', format, f.decode, correct, f.narrow(naive));
  }
}
