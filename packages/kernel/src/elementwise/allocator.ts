/**
 * First-fit allocation of byte ranges above a fixed start, for the kernel's
 * shared WebAssembly memory (./simd.ts kernelMemory). Ranges are multiples of
 * ALIGN bytes and start on ALIGN-byte boundaries (a cache line: no two
 * allocations share one, so threads writing neighbouring arrays do not
 * contend). Freed ranges merge with their free neighbours; a free range at
 * the top lowers the high-water mark. The allocator only does the
 * bookkeeping: its owner grows the memory to cover `high`.
 */

/** Alignment and granularity of every range, in bytes. */
export const ALIGN = 64;

export class RangeAllocator {
  /** Free ranges below `high`, sorted by offset, never adjacent to each other. */
  private readonly free: { at: number; bytes: number }[] = [];
  /** Live allocations: offset → bytes. */
  private readonly live = new Map<number, number>();
  private top: number;

  /** `start`: the first byte it may hand out (rounded up to ALIGN). */
  constructor(start: number) {
    this.top = Math.ceil(start / ALIGN) * ALIGN;
  }

  /** One past the highest byte of any live allocation (or the start). */
  get high(): number {
    return this.top;
  }

  /** Bytes of the live allocation at `offset`, or undefined if there is none. */
  sizeOf(offset: number): number | undefined {
    return this.live.get(offset);
  }

  /** Allocates `bytes` (> 0, rounded up to ALIGN); returns the offset. */
  allocate(bytes: number): number {
    if (!Number.isSafeInteger(bytes) || bytes <= 0)
      throw new RangeError(`allocate: bytes is ${String(bytes)}, expected a positive integer`);
    const size = Math.ceil(bytes / ALIGN) * ALIGN;
    for (let i = 0; i < this.free.length; i++) {
      const r = this.free[i]!;
      if (r.bytes < size) continue;
      const at = r.at;
      if (r.bytes === size) this.free.splice(i, 1);
      else {
        r.at += size;
        r.bytes -= size;
      }
      this.live.set(at, size);
      return at;
    }
    const at = this.top;
    this.top += size;
    this.live.set(at, size);
    return at;
  }

  /** Frees the live allocation at `offset`; returns its size, or undefined (nothing freed) if there is none. */
  release(offset: number): number | undefined {
    const size = this.live.get(offset);
    if (size === undefined) return undefined;
    this.live.delete(offset);
    let at = offset;
    let bytes = size;
    // The free ranges just below and just above, if adjacent, merge into it.
    let i = 0;
    while (i < this.free.length && this.free[i]!.at < at) i++;
    const below = this.free[i - 1];
    if (below !== undefined && below.at + below.bytes === at) {
      at = below.at;
      bytes += below.bytes;
      this.free.splice(--i, 1);
    }
    const above = this.free[i];
    if (above !== undefined && above.at === at + bytes) {
      bytes += above.bytes;
      this.free.splice(i, 1);
    }
    if (at + bytes === this.top) this.top = at;
    else this.free.splice(i, 0, { at, bytes });
    return size;
  }
}
