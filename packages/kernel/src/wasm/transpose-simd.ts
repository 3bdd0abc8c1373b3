/**
 * A WebAssembly SIMD transpose within one memory, emitted byte by byte like the kernel's other
 * modules (./encoding.ts): the MLP backward's transposed copies of the weights and activations
 * (../backward/mlp.ts), which a scalar JavaScript loop moved at about a fifth of the backward's
 * time on the gemma-2-2b shape.
 *
 * Exported `transpose(src, rows, cols, dst)` (byte addresses): dst[c·rows + r] = src[r·cols + c]
 * for r < rows − rows mod B and c < cols − cols mod B, B = 4 float32s or 2 float64s per
 * vector; the caller moves the edge rows and columns. Each B × B block is B vector loads, its
 * transpose by i8x16.shuffle (two rounds of interleaving for float32, one for float64) and B
 * vector stores. Rows are taken in bands of BAND rows, and within a band column block by column
 * block, so that the band's source lines stay in cache while every output row is written
 * contiguously. Only data moves: the result is the same as any other transpose's.
 *
 * Reference: WebAssembly Core Specification 2.0 §5 and the fixed-width SIMD proposal's opcodes.
 */
import { I32, V128, op, section, uleb } from './encoding.js';

/** Source rows per band (BAND · 64-byte lines of the source stay in L1 across a band). */
const BAND = 64;

const v128Load = (offset: number) => op.simd(0, 4, ...uleb(offset));
const v128Store = (offset: number) => op.simd(11, 4, ...uleb(offset));
const i8x16Shuffle = (lanes: number[]) => op.simd(13, ...lanes);

/** i8x16.shuffle lanes picking element i of the 32-byte concatenation of two vectors, for elements of `size` bytes. */
function pick(size: number, elements: number[]): number[] {
  return elements.flatMap((e) => Array.from({ length: size }, (_, b) => e * size + b));
}

function str(s: string): number[] {
  const b = [...new TextEncoder().encode(s)];
  return [...uleb(b.length), ...b];
}

/** The transpose's body for elements of `bytes` bytes. Params: 0 src, 1 rows, 2 cols, 3 dst. */
function transposeBody(bytes: 4 | 8): number[] {
  const B = 16 / bytes;
  const [SRC, ROWS, COLS, DST] = [0, 1, 2, 3];
  let next = 4;
  const [RB, REND, ROWSB, COLSB, ROWBYTES, COLBYTES, C, P, Q, PEND] = Array.from({ length: 10 }, () => next++);
  const firstV = next;
  const v = Array.from({ length: B }, () => next++);
  const t = Array.from({ length: B }, () => next++);
  const nV = next - firstV;
  const get = op.get;
  const mul = (a: number[], b: number[]) => [...a, ...b, ...op.i32Mul];
  const add = (a: number[], b: number[]) => [...a, ...b, ...op.i32Add];
  // One B × B block: rows p, p + rowBytes, … into columns q, q + colBytes, …
  // (Row i of the block is at p + i·rowBytes: memarg offsets are constants, so the address is computed.)
  const block: number[] = [];
  for (let i = 0; i < B; i++) {
    block.push(
      ...get(P),
      ...(i > 0 ? [...get(ROWBYTES), ...op.i32Const(i), ...op.i32Mul, ...op.i32Add] : []),
      ...v128Load(0),
      ...op.set(v[i]!),
    );
  }
  const stores: number[][] = [];
  if (B === 4) {
    // t0 = a0 b0 a1 b1, t1 = a2 b2 a3 b3 (rows 0, 1), t2, t3 likewise (rows 2, 3); then
    // column j = the j-th pair of t0/t2 or t1/t3.
    block.push(...get(v[0]!), ...get(v[1]!), ...i8x16Shuffle(pick(4, [0, 4, 1, 5])), ...op.set(t[0]!));
    block.push(...get(v[0]!), ...get(v[1]!), ...i8x16Shuffle(pick(4, [2, 6, 3, 7])), ...op.set(t[1]!));
    block.push(...get(v[2]!), ...get(v[3]!), ...i8x16Shuffle(pick(4, [0, 4, 1, 5])), ...op.set(t[2]!));
    block.push(...get(v[2]!), ...get(v[3]!), ...i8x16Shuffle(pick(4, [2, 6, 3, 7])), ...op.set(t[3]!));
    stores.push(
      [...get(t[0]!), ...get(t[2]!), ...i8x16Shuffle(pick(4, [0, 1, 4, 5]))],
      [...get(t[0]!), ...get(t[2]!), ...i8x16Shuffle(pick(4, [2, 3, 6, 7]))],
      [...get(t[1]!), ...get(t[3]!), ...i8x16Shuffle(pick(4, [0, 1, 4, 5]))],
      [...get(t[1]!), ...get(t[3]!), ...i8x16Shuffle(pick(4, [2, 3, 6, 7]))],
    );
  } else {
    stores.push(
      [...get(v[0]!), ...get(v[1]!), ...i8x16Shuffle(pick(8, [0, 2]))],
      [...get(v[0]!), ...get(v[1]!), ...i8x16Shuffle(pick(8, [1, 3]))],
    );
  }
  for (let j = 0; j < B; j++) {
    block.push(
      ...get(Q),
      ...(j > 0 ? [...get(COLBYTES), ...op.i32Const(j), ...op.i32Mul, ...op.i32Add] : []),
      ...stores[j]!,
      ...v128Store(0),
    );
  }
  const c: number[] = [
    // rowsB, colsB: rows and cols rounded down to whole blocks; rowBytes, colBytes: the strides
    ...get(ROWS),
    ...op.i32Const(-B),
    ...op.i32And,
    ...op.set(ROWSB),
    ...get(COLS),
    ...op.i32Const(-B),
    ...op.i32And,
    ...op.set(COLSB),
    ...mul(get(COLS), op.i32Const(bytes)),
    ...op.set(ROWBYTES),
    ...mul(get(ROWS), op.i32Const(bytes)),
    ...op.set(COLBYTES),
    ...op.i32Const(0),
    ...op.set(RB),
    // for (rb = 0; rb < rowsB; rb += BAND)
    ...op.block,
    ...op.loop,
    ...get(RB),
    ...get(ROWSB),
    ...op.i32GeU,
    ...op.brIf(1),
    // rEnd = min(rb + BAND, rowsB)
    ...add(get(RB), op.i32Const(BAND)),
    ...op.tee(REND),
    ...get(ROWSB),
    ...op.i32GtU,
    ...op.if,
    ...get(ROWSB),
    ...op.set(REND),
    ...op.end,
    ...op.i32Const(0),
    ...op.set(C),
    // for (c = 0; c < colsB; c += B)
    ...op.block,
    ...op.loop,
    ...get(C),
    ...get(COLSB),
    ...op.i32GeU,
    ...op.brIf(1),
    // p = src + (rb·cols + c)·bytes, pEnd = src + (rEnd·cols + c)·bytes, q = dst + (c·rows + rb)·bytes
    ...add(get(SRC), mul(add(mul(get(RB), get(COLS)), get(C)), op.i32Const(bytes))),
    ...op.set(P),
    ...add(get(SRC), mul(add(mul(get(REND), get(COLS)), get(C)), op.i32Const(bytes))),
    ...op.set(PEND),
    ...add(get(DST), mul(add(mul(get(C), get(ROWS)), get(RB)), op.i32Const(bytes))),
    ...op.set(Q),
    ...op.block,
    ...op.loop,
    ...get(P),
    ...get(PEND),
    ...op.i32GeU,
    ...op.brIf(1),
    ...block,
    ...add(get(P), mul(get(ROWBYTES), op.i32Const(B))),
    ...op.set(P),
    ...add(get(Q), op.i32Const(16)),
    ...op.set(Q),
    ...op.br(0),
    ...op.end,
    ...op.end,
    ...add(get(C), op.i32Const(B)),
    ...op.set(C),
    ...op.br(0),
    ...op.end,
    ...op.end,
    ...add(get(RB), op.i32Const(BAND)),
    ...op.set(RB),
    ...op.br(0),
    ...op.end,
    ...op.end,
    ...op.end,
  ];
  const locals = [...uleb(2), ...uleb(firstV - 4), I32, ...uleb(nV), V128];
  const body = [...locals, ...c];
  return [...uleb(body.length), ...body];
}

/** The module's bytes; imports `env.memory` (shared when `shared`, `pages` initial and maximum). */
export function transposeSimdModuleBytes(bytes: 4 | 8, pages: number, shared: boolean): Uint8Array {
  const type = section(1, [...uleb(1), 0x60, ...uleb(4), I32, I32, I32, I32, ...uleb(0)]);
  const limits = [shared ? 0x03 : 0x01, ...uleb(pages), ...uleb(pages)];
  const imports = section(2, [...uleb(1), ...str('env'), ...str('memory'), 0x02, ...limits]);
  const funcs = section(3, [...uleb(1), ...uleb(0)]);
  const exports = section(7, [...uleb(1), ...str('transpose'), 0x00, ...uleb(0)]);
  const code = section(10, [...uleb(1), ...transposeBody(bytes)]);
  return new Uint8Array([0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, ...type, ...imports, ...funcs, ...exports, ...code]);
}

export type TransposeFn = (src: number, rows: number, cols: number, dst: number) => void;
