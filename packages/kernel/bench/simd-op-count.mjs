// Counts the instructions in the loop of each function of the elementwise WebAssembly module
// (../src/wasm/gelu-simd.ts), per pair of elements, built without and with relaxed SIMD's madd:
// vector (SIMD-prefixed) operations and scalar ones (local.get/set/tee not counted; the rarely
// taken flag branch included). Usage (from packages/kernel, after a build): node bench/simd-op-count.mjs
import { geluSimdModuleBytes, SIMD_GROUP, SIGMOID_GROUP } from '../dist/wasm/gelu-simd.js';
import { FAST_BAND } from '../dist/elementwise/fast.js';
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
function countFn(b, start, end) {
  // count ops inside the loop (after the first `loop` opcode 0x03 0x40)
  let i = start,
    inLoop = false,
    simd = 0,
    scalar = 0;
  // skip locals
  const [n, j] = uleb(b, i);
  i = j;
  for (let k = 0; k < n; k++) {
    [, i] = uleb(b, i);
    i++;
  }
  while (i < end) {
    const op = b[i++];
    if (op === 0x03) {
      i++;
      inLoop = true;
      continue;
    }
    if (op === 0x02 || op === 0x04) {
      i++;
      continue;
    }
    if (op === 0x0b || op === 0x0f) continue;
    if (op === 0x0c || op === 0x0d || (op >= 0x20 && op <= 0x22)) {
      [, i] = uleb(b, i);
      if (inLoop && op !== 0x20 && op !== 0x21 && op !== 0x22) scalar++;
      continue;
    }
    if (op === 0x36) {
      [, i] = uleb(b, i);
      [, i] = uleb(b, i);
      if (inLoop) scalar++;
      continue;
    }
    if (op === 0x41) {
      while (b[i++] & 0x80);
      if (inLoop) scalar++;
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
      if (inLoop) simd++;
      continue;
    }
    if (inLoop) scalar++;
  }
  return { simd, scalar };
}
for (const relaxed of [false, true]) {
  const b = geluSimdModuleBytes(FAST_BAND, SIMD_GROUP, SIGMOID_GROUP, { relaxed });
  // find code section (id 10)
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
  const names = ['gelu (table)', 'geglu (table)', 'geluTanhSigmoid', 'gegluTanhSigmoid'];
  for (let f = 0; f < nf; f++) {
    let size;
    [size, i] = uleb(b, i);
    const c = countFn(b, i, i + size);
    const g = f < 2 ? SIMD_GROUP : SIGMOID_GROUP;
    console.log(
      `relaxed ${relaxed} ${names[f]}: ${(c.simd / g).toFixed(2)} vector ops per pair, ${(c.scalar / g).toFixed(2)} scalar (excl. local get/set; flag branch body included)`,
    );
    i += size;
  }
}
