import { describe, expect, it } from 'vitest';
import { listBackends, openBackend, backendIdFor, getBackend } from '../../src/backends/registry.js';
import { BackendUnavailable } from '../../src/backends/types.js';
import { BROWSER_TOLERANCE_BACKENDS, loadTolerances } from '../../src/tolerances/index.js';

describe('backend registry', () => {
  it("enumerates the tolerance table's backends that are not browser-only, each declaring its precision and dtypes", () => {
    const ids = listBackends().map((b) => b.id);
    expect(ids).toEqual([
      'oracle',
      'kernel-f64',
      'kernel-f32',
      'kernel-bf16',
      'kernel-f16',
      'gpu-webgpu',
      'gpu-webasm',
      'gpu-cpu',
      'gpu-headlessgl',
    ]);
    expect(Object.keys(loadTolerances().backends).sort()).toEqual([...ids, ...BROWSER_TOLERANCE_BACKENDS].sort());
    for (const b of listBackends()) {
      expect(loadTolerances().backends[b.id].precision, b.id).toBe(b.precision);
      if (b.precision !== 'exact') expect(b.dtypes, b.id).toEqual([b.precision]);
    }
    expect(getBackend('oracle')!.dtypes).toEqual(['f32', 'f64', 'bf16', 'f16']);
  });
  it('maps the command line selection to registry ids', () => {
    expect(backendIdFor('oracle', 'f32')).toBe('oracle');
    expect(backendIdFor('kernel', 'f32')).toBe('kernel-f32');
    expect(backendIdFor('kernel', 'f64')).toBe('kernel-f64');
    expect(backendIdFor('kernel', 'bf16')).toBe('kernel-bf16');
    expect(backendIdFor('kernel', 'f16')).toBe('kernel-f16');
    expect(backendIdFor('gpu', 'f32', 'webasm')).toBe('gpu-webasm');
    expect(backendIdFor('gpu', 'f32')).toBe('gpu-auto');
  });
  it('an unknown or unavailable backend is a BackendUnavailable with its reason, never a session', async () => {
    await expect(openBackend('nope')).rejects.toThrow(/backend nope is not available: no such backend is registered/);
    // headless-gl's native build is blocked by pnpm on these machines (docs/DESIGN.md), so gpu.js
    // cannot run it; whatever the reason, it must surface as BackendUnavailable or a session that ran headlessgl
    try {
      const s = await openBackend('gpu-headlessgl');
      expect(s.ran).toBe('gpu-headlessgl');
      await s.close();
    } catch (err) {
      expect(err).toBeInstanceOf(BackendUnavailable);
      expect((err as BackendUnavailable).reason.length).toBeGreaterThan(0);
    }
  });
});
