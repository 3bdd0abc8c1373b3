import { bitsToF32 } from '@geglu/float';
import { availableGpuBackends, type BackendAvailability, type ResolvedGpuBackend } from '../src/index.js';

process.env.XDG_RUNTIME_DIR ??= '/tmp';

/** Availability of every backend, probed once per test file. */
export const availability: BackendAvailability[] = await availableGpuBackends();

export function avail(b: ResolvedGpuBackend): BackendAvailability {
  return availability.find((a) => a.backend === b)!;
}

export const requireWebGpu = process.env.GEGLU_REQUIRE_WEBGPU === '1';

/**
 * Backends the suites run on, each with whether to skip and the reason. WebGPU is
 * never skipped when GEGLU_REQUIRE_WEBGPU=1 (CI): its tests then fail instead.
 */
export const BACKENDS: { backend: ResolvedGpuBackend; skip: boolean; label: string }[] = (
  ['webgpu', 'headlessgl', 'webasm', 'cpu'] as const
).map((backend) => {
  const a = avail(backend);
  const forced = backend === 'webgpu' && requireWebGpu;
  const skip = !a.available && !forced;
  return { backend, skip, label: skip ? `${backend} (skipped: ${a.reason})` : backend };
});

/** The float32 whose bit pattern is `b` (@geglu/float's bitsToF32). */
export function fromBits(b: number): number {
  return bitsToF32(b >>> 0);
}

/** n points per float32 binade (subnormal binades included), both signs. */
export function stratified(n: number): Float32Array {
  const out: number[] = [];
  for (let e = 0; e < 255; e++) {
    for (let i = 0; i < n; i++) {
      const m = Math.floor(((i + 0.25) / n) * 0x800000 + 0x1357) & 0x7fffff;
      const bits = (e << 23) | m;
      if (bits !== 0) out.push(fromBits(bits), fromBits(bits | 0x80000000));
    }
  }
  return Float32Array.from(out);
}
