/**
 * WebAssembly binary encoding shared by the kernel's two code generators
 * (src/wasm/gelu-simd.ts, src/wasm/matmul-simd.ts), which write their modules byte by
 * byte so that no binary without its source ships in the package.
 *
 * Reference: WebAssembly Core Specification 2.0, §5 (binary format).
 */

/** Value types (§5.3.1). */
export const I32 = 0x7f;
export const F32 = 0x7d;
export const F64 = 0x7c;
export const V128 = 0x7b;

/** Unsigned LEB128 (§5.2.2): section sizes, indices, memory offsets. */
export function uleb(n: number): number[] {
  const out: number[] = [];
  do {
    let b = n & 0x7f;
    n >>>= 7;
    if (n !== 0) b |= 0x80;
    out.push(b);
  } while (n !== 0);
  return out;
}

/** Signed LEB128 (§5.2.2): i32.const immediates. */
export function sleb(n: number): number[] {
  const out: number[] = [];
  for (;;) {
    const b = n & 0x7f;
    n >>= 7;
    if ((n === 0 && (b & 0x40) === 0) || (n === -1 && (b & 0x40) !== 0)) {
      out.push(b);
      return out;
    }
    out.push(b | 0x80);
  }
}

/** A section (§5.5.2): its id, then its body's byte length, then the body. */
export function section(id: number, body: number[]): number[] {
  return [id, ...uleb(body.length), ...body];
}

/**
 * Instructions (§5.4; the SIMD proposal's 0xFD-prefixed opcodes), each as the bytes it encodes
 * to: control, locals, i32 arithmetic, and `simd(code, …immediates)` for any vector opcode.
 */
export const op = {
  block: [0x02, 0x40],
  loop: [0x03, 0x40],
  if: [0x04, 0x40],
  end: [0x0b],
  br: (d: number) => [0x0c, ...uleb(d)],
  brIf: (d: number) => [0x0d, ...uleb(d)],
  get: (i: number) => [0x20, ...uleb(i)],
  set: (i: number) => [0x21, ...uleb(i)],
  tee: (i: number) => [0x22, ...uleb(i)],
  i32Store: (offset: number) => [0x36, 2, ...uleb(offset)],
  i32Const: (n: number) => [0x41, ...sleb(n)],
  i32Eqz: [0x45],
  i32LtU: [0x49],
  i32GtU: [0x4b],
  i32GeU: [0x4f],
  i32Add: [0x6a],
  i32Mul: [0x6c],
  i32And: [0x71],
  i32Shl: [0x74],
  simd: (code: number, ...imm: number[]) => [0xfd, ...uleb(code), ...imm],
};
