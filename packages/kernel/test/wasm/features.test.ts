import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { relaxedSimdPath, setRelaxedSimd } from '../../src/wasm/features.js';

const major = Number(process.versions.node.split('.')[0]);

/** Runs a snippet in a fresh Node (flags apply per process) against the built package. */
function node(args: string[], source: string): string {
  const r = spawnSync(process.execPath, [...args, '--input-type=module', '-e', source], {
    cwd: new URL('..', import.meta.url).pathname.replace(/\/test\/$/, ''),
    encoding: 'utf8',
  });
  if (r.status !== 0) throw new Error(`node exited ${r.status}: ${r.stderr}`);
  return r.stdout.trim();
}

describe('relaxed SIMD detection', () => {
  it('reports the request, availability and fusing consistently', () => {
    const path = relaxedSimdPath();
    expect(path.request).toBe('auto');
    expect(path.active).toBe(path.available);
    expect(path.fuses === undefined).toBe(!path.available);
  });

  it("refuses an unknown mode and 'on' where relaxed SIMD does not validate, naming the way to enable it", () => {
    expect(() => setRelaxedSimd('yes' as never)).toThrow(/mode is "yes", expected 'auto', 'on' or 'off'/);
    // values JSON.stringify cannot write: the refusal must still be the GegluError naming them
    const circular: Record<string, unknown> = {};
    circular.self = circular;
    for (const [mode, shown] of [
      [1n, '1n'],
      [circular, 'an object'],
      [Symbol('on'), 'a symbol'],
    ] as const) {
      expect(() => setRelaxedSimd(mode as never)).toThrow(
        new RegExp(`^setRelaxedSimd: mode is ${shown}.*, expected 'auto', 'on' or 'off'$`),
      );
    }
    expect(relaxedSimdPath().request).toBe('auto');
    if (!relaxedSimdPath().available) {
      expect(() => setRelaxedSimd('on')).toThrow(/--experimental-wasm-relaxed-simd/);
    }
    setRelaxedSimd('off');
    expect(relaxedSimdPath().active).toBe(false);
    setRelaxedSimd('auto');
  });

  it('never sets a V8 flag on import; enableRelaxedSimdFlag() does, on request', () => {
    const probe = `import * as k from './dist/index.js';
      const before = k.relaxedSimdPath().available;
      const enabled = k.enableRelaxedSimdFlag();
      console.log(JSON.stringify({ before, enabled, after: k.relaxedSimdPath() }));`;
    const out = JSON.parse(node([], probe));
    // Node 20 validates relaxed SIMD only with the flag; Node 22 and later by default.
    expect(out.before).toBe(major >= 22);
    expect(out.enabled).toBe(true);
    expect(out.after.active).toBe(true);
    expect(typeof out.after.fuses).toBe('boolean');
    // Node 22's V8 has shipped relaxed SIMD and refuses the experimental flag on the command line.
    if (major < 22) {
      const flagged = JSON.parse(node(['--experimental-wasm-relaxed-simd'], probe));
      expect(flagged.before).toBe(true);
    }
  });

  /**
   * In a fresh Node: the built package probes for relaxed SIMD (`before`), then other code sets
   * V8's flag; `then` runs after that and logs a JSON object.
   */
  const flagSetByOtherCode = (then: string) =>
    JSON.parse(
      node(
        [],
        `import * as k from './dist/index.js';
        import { REPROBE_MS } from './dist/wasm/features.js';
        import { setFlagsFromString } from 'node:v8';
        const before = k.relaxedSimdPath().available;
        setFlagsFromString('--experimental-wasm-relaxed-simd');
        ${then}`,
      ),
    );

  // Node 22 validates relaxed SIMD from the start: there is nothing to turn on.
  it.skipIf(major >= 22)('sees a flag set by other code within REPROBE_MS', () => {
    const out = flagSetByOtherCode(`
      const t0 = Date.now();
      let seenAfterMs = -1;
      while (Date.now() - t0 < 3 * REPROBE_MS) {
        if (k.relaxedSimdPath().available) { seenAfterMs = Date.now() - t0; break; }
      }
      console.log(JSON.stringify({ before, seenAfterMs, reprobeMs: REPROBE_MS, after: k.relaxedSimdPath() }));`);
    expect(out).toMatchObject({ before: false, after: { available: true, active: true } });
    expect(out.seenAfterMs).toBeGreaterThanOrEqual(0);
    expect(out.seenAfterMs).toBeLessThanOrEqual(out.reprobeMs + 50);
  });

  it.skipIf(major >= 22)('setRelaxedSimd probes again at once for a flag set by other code', () => {
    const out = flagSetByOtherCode(`
      k.setRelaxedSimd('on');
      console.log(JSON.stringify({ before, after: k.relaxedSimdPath() }));`);
    expect(out).toMatchObject({ before: false, after: { request: 'on', available: true, active: true } });
  });
});
