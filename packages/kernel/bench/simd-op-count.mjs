// Counts the instructions in the loop of each function of the elementwise WebAssembly module
// (../src/wasm/gelu-simd.ts), per pair of elements, built without and with relaxed SIMD's madd:
// vector (SIMD-prefixed) operations and scalar ones (local.get/set/tee not counted; the rarely
// taken flag branch included); then those of one k-step of the MLP's float32 tiles. Usage (from packages/kernel, after a build): node bench/simd-op-count.mjs
import { DGATE_GROUP, geluSimdModuleBytes, SIMD_GROUP, SIGMOID_GROUP } from '../dist/wasm/gelu-simd.js';
import { FAST_BAND } from '../dist/elementwise/fast.js';
import { MATMUL_LANES, matmulSimdModuleBytes } from '../dist/wasm/matmul-simd.js';
function uleb(b, i) {
  let r = 0,
    s = 0,
    c;
  do {
    c = b[i++];
    r += (c & 0x7f) * 2 ** s;
    s += 7;
  } while (c & 0x80);
  return [r, i];
}
/**
 * Counts the ops of one function body: vector (SIMD-prefixed) and scalar, local.get/set/tee not
 * counted. `innermost`: only those of the first loop with no loop inside it (the MLP tile's
 * k-step); otherwise all those after the first `loop` opcode.
 */
function countFn(b, start, end, innermost = false) {
  let i = start;
  // skip locals
  const [n, j] = uleb(b, i);
  i = j;
  for (let k = 0; k < n; k++) {
    [, i] = uleb(b, i);
    i++;
  }
  // one counter per open block; a loop's counter counts, the others pass through
  const open = [];
  let inLoop = false;
  const total = { simd: 0, scalar: 0 };
  const count = (kind) => {
    if (innermost) {
      const top = open.findLast((o) => o.loop);
      if (top !== undefined) top[kind]++;
    } else if (inLoop) total[kind]++;
  };
  while (i < end) {
    const op = b[i++];
    if (op === 0x02 || op === 0x03 || op === 0x04) {
      i++;
      if (op === 0x03) {
        inLoop = true;
        const parent = open.findLast((o) => o.loop);
        if (parent !== undefined) parent.nested = true;
      }
      open.push({ loop: op === 0x03, nested: false, simd: 0, scalar: 0 });
      continue;
    }
    if (op === 0x0b) {
      const closed = open.pop();
      if (innermost && closed?.loop && !closed.nested) return { simd: closed.simd, scalar: closed.scalar };
      continue;
    }
    if (op === 0x0f) continue;
    if (op === 0x0c || op === 0x0d || (op >= 0x20 && op <= 0x22)) {
      [, i] = uleb(b, i);
      if (op !== 0x20 && op !== 0x21 && op !== 0x22) count('scalar');
      continue;
    }
    if (op >= 0x28 && op <= 0x3e) {
      // loads and stores: memarg (align, offset)
      [, i] = uleb(b, i);
      [, i] = uleb(b, i);
      count('scalar');
      continue;
    }
    if (op === 0x41) {
      while (b[i++] & 0x80);
      count('scalar');
      continue;
    }
    if (op === 0xfd) {
      let code;
      [code, i] = uleb(b, i);
      if (code === 12 || code === 13) i += 16;
      else if (code <= 11 || code === 92 || code === 93) {
        [, i] = uleb(b, i);
        [, i] = uleb(b, i);
      } else if (code >= 84 && code <= 91) {
        [, i] = uleb(b, i);
        [, i] = uleb(b, i);
        i++;
      } else if (code >= 21 && code <= 34) i++;
      count('simd');
      continue;
    }
    count('scalar');
  }
  return total;
}
/** The function bodies of a module ([start, end) in its bytes), in order. */
function bodies(b) {
  let i = 8;
  while (i < b.length) {
    const id = b[i++];
    let size;
    [size, i] = uleb(b, i);
    if (id === 10) break;
    i += size;
  }
  let nf;
  [nf, i] = uleb(b, i);
  const out = [];
  for (let f = 0; f < nf; f++) {
    let size;
    [size, i] = uleb(b, i);
    out.push([i, i + size]);
    i += size;
  }
  return out;
}
for (const relaxed of [false, true]) {
  const b = geluSimdModuleBytes(FAST_BAND, SIMD_GROUP, SIGMOID_GROUP, { relaxed });
  // The module's functions in order, with the pairs each loop step takes.
  const functions = [
    ['gelu (table)', SIMD_GROUP],
    ['geglu (table)', SIMD_GROUP],
    ['geluTanhSigmoid', SIGMOID_GROUP],
    ['gegluTanhSigmoid', SIGMOID_GROUP],
    ['dgateTanhSigmoid', DGATE_GROUP],
    ['dgateExact (table)', SIMD_GROUP],
  ];
  bodies(b).forEach(([start, end], f) => {
    const c = countFn(b, start, end);
    const [name, g] = functions[f];
    console.log(
      `relaxed ${relaxed} ${name}: ${(c.simd / g).toFixed(2)} vector ops per pair, ${(c.scalar / g).toFixed(2)} scalar (excl. local get/set; flag branch body included)`,
    );
  });
}
// The MLP's float32 tiles (../src/wasm/matmul-simd.ts): the k-step loop of the general R × 2 tile
// and of the largest tile generated for a fixed K (here 2304, gemma-2-2b's hidden size).
for (const relaxed of [false, true]) {
  const lanes = MATMUL_LANES.f32;
  const K = 2304;
  const b = matmulSimdModuleBytes(lanes, 1, false, relaxed, [K]);
  const [R, C] = lanes.fixedKTile[relaxed ? 'relaxed' : 'plain'];
  // Function order (matmulSimdModuleBytes): the four general tiles, then the fixed-K ones, largest first.
  const fns = bodies(b);
  for (const [name, [rows, cols], [start, end]] of [
    [`tile_${lanes.tileRows}_2`, [lanes.tileRows, 2], fns[0]],
    [`tile_${R}_${C}_k${K}`, [R, C], fns[4]],
  ]) {
    const c = countFn(b, start, end, true);
    const flops = 2 * 4 * rows * cols;
    console.log(
      `relaxed ${relaxed} MLP ${name}: per k-step (${flops} flops) ${c.simd} vector ops, ${c.scalar} scalar (excl. local get/set); per 64 flops ${((64 * c.simd) / flops).toFixed(2)} and ${((64 * c.scalar) / flops).toFixed(2)}`,
    );
  }
}
