/**
 * The MLP's activation a = fl(gelu(g)·u), in place over g: the fused `geglu`
 * of the elementwise half of the kernel (correctly rounded in float32; ≤ 1
 * step in float64).
 *
 * Its own module, with this one signature, because worker threads of
 * ./engine.ts import it by URL to run their share of the elements.
 */
import { gegluOneThread } from '../elementwise/array.js';

export function gegluActivation(
  gate: Float32Array | Float64Array,
  up: Float32Array | Float64Array,
  approximate: 'none' | 'tanh',
  out: Float32Array | Float64Array,
): void {
  // One thread: the MLP splits the elements among its own threads.
  gegluOneThread(gate as Float32Array, up as Float32Array, { approximate, out: out as Float32Array });
}
