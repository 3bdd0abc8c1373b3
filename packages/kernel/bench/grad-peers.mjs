// How far PyTorch's GeluBackward formulas land from the correctly rounded derivative in float32,
// near each root (where Φ(x) + x·φ(x) cancels) and in the negative tail, beside geluGradArray.
//
// The formulas are ATen's (aten/src/ATen/native/cpu/Activation.cpp, GeluBackwardKernelImpl),
// with dy = 1, every operation in float32 (Math.fround after each):
//   exact: cdf = 0.5·(1 + erf(x·√½)), pdf = (1/√(2π))·exp(−½·x²), cdf + x·pdf
//   tanh:  inner = √(2/π)·(x + 0.044715·x³), t = tanh(inner),
//          0.5·(1 + t) + 0.5·x·(1 − t²)·√(2/π)·(1 + 3·0.044715·x²)
// erf, exp and tanh are the float32 nearest to the double result (the kernel's erf, Math.exp,
// Math.tanh): the best any float32 library can do, so the steps below are what the formulas
// themselves lose, a lower bound for a real PyTorch build. No PyTorch runs here.
//
// Usage (from packages/kernel, after pnpm build): node bench/grad-peers.mjs
import { correctlyRounded } from '@geglu/oracle';
import { stepDistance } from '@geglu/float';
import { erf, geluGradArray } from '../dist/index.js';
import { EXACT_GRAD_ROOT_0, TANH_GRAD_ROOT_0 } from '../dist/elementwise/grad-roots.generated.js';

const f = Math.fround;
const SQRT1_2 = f(Math.SQRT1_2);
const ALPHA = f(1 / Math.sqrt(2 * Math.PI));
const BETA = f(Math.sqrt(2 / Math.PI));
const KAPPA = f(0.044715);

function torchExact(x) {
  const cdf = f(0.5 * f(1 + f(erf(f(x * SQRT1_2)))));
  const pdf = f(ALPHA * f(Math.exp(f(f(x * x) * -0.5))));
  return f(cdf + f(x * pdf));
}

function torchTanh(x) {
  const xSq = f(x * x);
  const xCube = f(xSq * x);
  const inner = f(BETA * f(x + f(KAPPA * xCube)));
  const t = f(Math.tanh(inner));
  const left = f(0.5 * x);
  const leftDerivative = f(0.5 * f(1 + t));
  const tanhDerivative = f(1 - f(t * t));
  const innerDerivative = f(BETA * f(1 + f(f(3 * KAPPA) * xSq)));
  return f(leftDerivative + f(f(left * tanhDerivative) * innerDerivative));
}

const bits = new Float32Array(1);
const u32 = new Uint32Array(bits.buffer);
const fromBits = (b) => {
  u32[0] = b >>> 0;
  return bits[0];
};
const toBits = (x) => {
  bits[0] = x;
  return u32[0];
};

/** float32 inputs: n on each side of x, or every `stride`-th bit pattern over [lo, hi]. */
const around = (x, n) => Float32Array.from({ length: 2 * n + 1 }, (_, i) => fromBits(toBits(f(x)) - n + i));
function strided(lo, hi, stride) {
  const out = [];
  // negative floats: the bit pattern grows as the value falls
  for (let b = toBits(f(hi)); fromBits(b) >= lo; b += stride) out.push(fromBits(b));
  return Float32Array.from(out);
}

function score(fn, xs, ys) {
  let max = 0;
  let at = 0;
  let wrong = 0;
  let flushed = 0;
  let signFlipped = 0;
  let maxRel = 0;
  for (let i = 0; i < xs.length; i++) {
    const want = correctlyRounded(fn, xs[i], 'f32');
    const s = stepDistance(ys[i], want, 'f32');
    const signWrong = ys[i] === 0 && want === 0 && Object.is(ys[i], -want);
    if (s > 0 || signWrong) wrong++;
    if (ys[i] === 0 && want !== 0) flushed++;
    if (ys[i] !== 0 && want !== 0 && ys[i] < 0 !== want < 0) signFlipped++;
    // against the correctly rounded value: within 2^-24 relative of the true one
    if (want !== 0) maxRel = Math.max(maxRel, Math.abs((ys[i] - want) / want));
    if (s > max) {
      max = s;
      at = xs[i];
    }
  }
  return { max, at, wrong, flushed, signFlipped, maxRel };
}

const rows = [];
for (const [fn, approximate, root, torch] of [
  ['gelu-grad', 'none', EXACT_GRAD_ROOT_0, torchExact],
  ['gelu-tanh-grad', 'tanh', TANH_GRAD_ROOT_0, torchTanh],
]) {
  for (const [region, xs] of [
    [`the 2^13 + 1 floats around the root ${root.toPrecision(7)}`, around(root, 4096)],
    ['negative tail, every 2^12th float in [−16, −4]', strided(-16, -4, 4096)],
  ]) {
    const peer = score(fn, xs, Float32Array.from(xs, torch));
    const ours = score(fn, xs, geluGradArray(xs, { approximate }));
    rows.push({ fn, region, inputs: xs.length, peer, ours });
  }
}
for (const r of rows) {
  console.log(`${r.fn}, ${r.region} (${r.inputs} inputs):`);
  console.log(
    `  PyTorch formula in float32: max ${r.peer.max} steps (at x = ${r.peer.at}), ${r.peer.wrong} not correctly rounded, ` +
      `${r.peer.flushed} flushed to zero, ${r.peer.signFlipped} of the wrong sign, relative error up to ${r.peer.maxRel.toPrecision(3)}`,
  );
  console.log(
    `  geluGradArray:              max ${r.ours.max} steps, ${r.ours.wrong} not correctly rounded, ` +
      `${r.ours.flushed} flushed to zero, ${r.ours.signFlipped} of the wrong sign`,
  );
}
