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
