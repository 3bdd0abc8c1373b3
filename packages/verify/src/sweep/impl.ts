import { loadOracle } from '../backends/modules.js';
import type { Escalate, SweepFunction, SweepImpl } from './engine.js';

/** The kernel's float32 gelu as a SweepImpl: geluArray over the block when the kernel has it, else geluF32 per element. */
export async function kernelImpl(fn: SweepFunction): Promise<{ impl: SweepImpl; name: string } | string> {
  let mod: Record<string, unknown>;
  try {
    mod = (await import('@geglu/kernel')) as Record<string, unknown>;
  } catch (err) {
    return `@geglu/kernel could not be loaded (${(err as Error).message.split('\n')[0]})`;
  }
  const approximate = fn === 'gelu-tanh' ? 'tanh' : 'none';
  const options = { approximate } as const;
  if (typeof mod.geluArray === 'function') {
    const geluArray = mod.geluArray as (x: Float32Array, o: { approximate: 'none' | 'tanh'; out: Float32Array }) => Float32Array;
    return { impl: (xs, out) => void geluArray(xs, { approximate, out }), name: '@geglu/kernel geluArray (Float32Array)' };
  }
  if (typeof mod.geluF32 === 'function') {
    const geluF32 = mod.geluF32 as (x: number, o: { approximate: 'none' | 'tanh' }) => number;
    return {
      impl: (xs, out) => {
        for (let i = 0; i < xs.length; i++) out[i] = geluF32(xs[i]!, options);
      },
      name: '@geglu/kernel geluF32 (scalar; this build has no geluArray)',
    };
  }
  return '@geglu/kernel in this build has neither geluArray nor geluF32';
}

/** The oracle's correctlyRounded for undecided roundings, or null when the oracle is not available. */
export async function oracleEscalate(fn: SweepFunction): Promise<Escalate | null> {
  const o = await loadOracle();
  if (typeof o === 'string') return null;
  return (x) => o.correctlyRounded(fn, x, 'f32');
}
