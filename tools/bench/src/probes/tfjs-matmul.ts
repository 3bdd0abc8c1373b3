/**
 * Why the tfjs MLP row pre-transposes its weights: prints the median time of
 * tfjs-wasm's matMul with transposeB on [out, in] weights against plain matMul
 * on the same weights stored [in, out], at the small MLP's gate shape.
 *
 *   node tools/bench/dist/probes/tfjs-matmul.js
 */
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-wasm';
import { fillUniform } from '../inputs.js';
import { transpose } from '../onnx.js';

const [T, d, f] = [64, 256, 1024];
const RUNS = 15;

await tf.setBackend('wasm');
await tf.ready();
const w = fillUniform(new Float32Array(f * d), -0.06, 0.06, 11);
const x = tf.tensor2d(fillUniform(new Float32Array(T * d), -2, 2, 14), [T, d]);
const outIn = tf.tensor2d(w, [f, d]);
const inOut = tf.tensor2d(transpose(w, f, d), [d, f]);

function median(run: () => void): number {
  const times: number[] = [];
  for (let i = 0; i < RUNS + 2; i++) {
    const t0 = performance.now();
    run();
    if (i >= 2) times.push(performance.now() - t0);
  }
  times.sort((a, b) => a - b);
  return times[Math.floor(times.length / 2)]!;
}

const read = (y: tf.Tensor) => {
  y.dataSync();
  y.dispose();
};
const transB = median(() => read(tf.matMul(x, outIn, false, true)));
const plain = median(() => read(tf.matMul(x, inOut)));
const gflop = (ms: number) => ((2 * T * d * f) / (ms / 1000) / 1e9).toFixed(2);
process.stdout.write(
  `tfjs-wasm matMul [${T}×${d}]·[${d}×${f}], median of ${RUNS}:\n` +
    `  transposeB on [out, in]: ${transB.toFixed(2)} ms (${gflop(transB)} GFLOP/s)\n` +
    `  plain on [in, out]:      ${plain.toFixed(2)} ms (${gflop(plain)} GFLOP/s)\n` +
    `  ratio: ${(transB / plain).toFixed(1)}×\n`,
);
