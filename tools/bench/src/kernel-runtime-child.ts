/**
 * A child process of the bench that runs one @geglu/kernel row on a chosen relaxed-SIMD path
 * (./impl/kernel-runtimes.ts starts it with the Node binary and flags of that path). It answers
 * the parent's requests in order: prepare (set the kernel's path, rebuild the workload's inputs
 * from their fixed seeds, prepare the registry's row), run (one run, timed here), evaluate (the
 * accuracy sample), dispose (then exit).
 */
import type { ChildReply, ChildRequest, RelaxedPath, RelaxedRequest } from './impl/kernel-runtimes.js';
import { firstLine } from './impl/ort-web-threads.js';
import { inputsFor } from './inputs.js';
import { baseImplementations } from './registry.js';
import type { Prepared } from './types.js';

let prepared: Prepared | undefined;

async function answer(m: ChildRequest): Promise<ChildReply> {
  switch (m.op) {
    case 'prepare': {
      const kernel = (await import('@geglu/kernel')) as {
        setRelaxedSimd(mode: RelaxedRequest): void;
        relaxedSimdPath(): RelaxedPath;
      };
      // Before the row builds any module: the kernel chooses its path then.
      kernel.setRelaxedSimd(m.relaxed);
      const impl = baseImplementations({ oracleElements: m.oracleElements }).find((i) => i.id === m.impl);
      if (impl === undefined) return { ok: false, error: `no row ${JSON.stringify(m.impl)} in the registry` };
      prepared = await impl.prepare(m.workload, inputsFor(m.workload));
      return {
        ok: true,
        prepared: {
          precision: prepared.precision,
          ...(prepared.work !== undefined ? { work: prepared.work } : {}),
          notes: prepared.notes ?? [],
          ...(prepared.accuracyNote !== undefined ? { accuracyNote: prepared.accuracyNote } : {}),
          evaluates: prepared.evaluate !== undefined,
          version: process.version,
          path: kernel.relaxedSimdPath(),
        },
      };
    }
    case 'run': {
      const t0 = performance.now();
      await prepared!.run();
      return { ok: true, ms: performance.now() - t0 };
    }
    case 'evaluate':
      return { ok: true, y: await prepared!.evaluate!(m.x, m.up) };
    case 'dispose':
      await prepared?.dispose?.();
      prepared = undefined;
      return { ok: true };
  }
}

process.on('message', (m: ChildRequest) => {
  answer(m).then(
    (reply) => {
      process.send!(reply);
      if (m.op === 'dispose') process.exit(0);
    },
    (e: unknown) => process.send!({ ok: false, error: firstLine(e) }),
  );
});
