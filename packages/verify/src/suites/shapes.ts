/**
 * Suite 4 — shapes of the Gemma 2 MLP: [T, d] → [T, d]; permuting tokens
 * permutes outputs exactly; a batch and its rows one by one agree exactly
 * (each token's arithmetic must not depend on its neighbours); mismatched
 * shapes throw the documented error (docs/architecture.md: the message names
 * the argument, the expected and the actual value).
 */
import fc from 'fast-check';
import { mlpCase, permutation, type MlpCase } from '../arbitraries/tensors.js';
import { show } from './context.js';
import type { Observation, PropertySpec, SuiteTarget, MlpWeightsF } from './types.js';

const FN = 'gelu-tanh' as const;

function needMlp(target: SuiteTarget): { skip: string } | undefined {
  return target.gemma2Mlp ? undefined : { skip: target.missing?.gemma2Mlp ?? 'no gemma2Mlp' };
}

const weightsOf = (c: MlpCase): MlpWeightsF => ({ gate: c.gate, up: c.up, down: c.down, hidden: c.hidden, intermediate: c.intermediate });

function sameBits(a: Float64Array, b: Float64Array): number {
  for (let i = 0; i < a.length; i++) if (!Object.is(a[i], b[i])) return i;
  return -1;
}

const shape: PropertySpec<MlpCase> = {
  suite: 'shapes',
  id: 'shape',
  name: (t) => `gemma2Mlp (${t.backend} ${t.dtype}) maps [T, d] to [T, d] with finite values, T ≤ 4, d ≤ 8, f ≤ 12`,
  prepare(_c, target) {
    return (
      needMlp(target) ?? {
        arbitrary: mlpCase(target.dtype),
        async check(c): Promise<Observation> {
          const y = await target.gemma2Mlp!(c.x, c.tokens, weightsOf(c), FN);
          if (y.length !== c.tokens * c.hidden)
            return { ok: false, message: `output has ${y.length} elements, expected T·d = ${c.tokens}·${c.hidden}` };
          const bad = y.findIndex((v) => !Number.isFinite(v));
          if (bad >= 0) return { ok: false, message: `output[${bad}] = ${show(y[bad]!)} for finite inputs bounded by 4 and weights by 1` };
          return { ok: true };
        },
      }
    );
  },
};

const permute: PropertySpec<{ c: MlpCase; p: number[] }> = {
  suite: 'shapes',
  id: 'permute',
  name: (t) => `gemma2Mlp (${t.backend} ${t.dtype}): permuting the tokens permutes the outputs exactly (Object.is), T ≤ 6`,
  prepare(_c, target) {
    return (
      needMlp(target) ?? {
        arbitrary: mlpCase(target.dtype, { maxTokens: 6 }).chain((c) => fc.record({ c: fc.constant(c), p: permutation(c.tokens) })),
        bound: 0,
        unit: 'differing elements',
        async check({ c, p }) {
          const d = c.hidden;
          const xp = new Float64Array(c.x.length);
          p.forEach((src, dst) => xp.set(c.x.subarray(src * d, (src + 1) * d), dst * d));
          const y = await target.gemma2Mlp!(c.x, c.tokens, weightsOf(c), FN);
          const yp = await target.gemma2Mlp!(xp, c.tokens, weightsOf(c), FN);
          const expected = new Float64Array(y.length);
          p.forEach((src, dst) => expected.set(y.subarray(src * d, (src + 1) * d), dst * d));
          const at = sameBits(yp, expected);
          if (at >= 0) {
            return {
              ok: false,
              observed: 1,
              message: `with tokens permuted by [${p.join(', ')}], output[${at}] = ${show(yp[at]!)}, expected ${show(expected[at]!)}`,
            };
          }
          return { ok: true, observed: 0 };
        },
      }
    );
  },
};

const rows: PropertySpec<MlpCase> = {
  suite: 'shapes',
  id: 'rows',
  name: (t) => `gemma2Mlp (${t.backend} ${t.dtype}): a batch of T ≤ 6 tokens equals its rows computed one by one, exactly`,
  prepare(_c, target) {
    return (
      needMlp(target) ?? {
        arbitrary: mlpCase(target.dtype, { maxTokens: 6 }),
        bound: 0,
        unit: 'differing elements',
        async check(c) {
          const d = c.hidden;
          const y = await target.gemma2Mlp!(c.x, c.tokens, weightsOf(c), FN);
          for (let t = 0; t < c.tokens; t++) {
            const yt = await target.gemma2Mlp!(c.x.slice(t * d, (t + 1) * d), 1, weightsOf(c), FN);
            const at = sameBits(yt, y.subarray(t * d, (t + 1) * d));
            if (at >= 0) {
              return {
                ok: false,
                observed: 1,
                message: `token ${t} of ${c.tokens}: batched output[${at}] = ${show(y[t * d + at]!)}, alone ${show(yt[at]!)}`,
              };
            }
          }
          return { ok: true, observed: 0 };
        },
      }
    );
  },
};

type Mismatch = { c: MlpCase; which: 'x' | 'gate' | 'up' | 'down'; delta: number };

const mismatch: PropertySpec<Mismatch> = {
  suite: 'shapes',
  id: 'mismatch',
  name: (t) =>
    `gemma2Mlp (${t.backend} ${t.dtype}) rejects an x, gate, up or down of the wrong length with an Error naming the argument, the expected and the actual length`,
  prepare(_c, target) {
    return (
      needMlp(target) ?? {
        arbitrary: fc.record({
          c: mlpCase(target.dtype, { maxTokens: 3, maxHidden: 4, maxIntermediate: 4 }),
          which: fc.constantFrom('x' as const, 'gate' as const, 'up' as const, 'down' as const),
          delta: fc.oneof(fc.integer({ min: -3, max: -1 }), fc.integer({ min: 1, max: 3 })),
        }),
        async check({ c, which, delta }) {
          const w = weightsOf(c);
          const arrays = { x: c.x, gate: w.gate, up: w.up, down: w.down };
          const good = arrays[which];
          const n = Math.max(0, good.length + delta);
          if (n === good.length) return { ok: true };
          const bad = new Float64Array(n);
          bad.set(good.subarray(0, Math.min(n, good.length)));
          const x = which === 'x' ? bad : c.x;
          const weights = which === 'x' ? w : { ...w, [which]: bad };
          let thrown: unknown;
          try {
            await target.gemma2Mlp!(x, c.tokens, weights, FN);
          } catch (err) {
            thrown = err;
          }
          if (!(thrown instanceof Error)) {
            return { ok: false, message: `${which} of length ${n} (expected ${good.length}) was accepted` };
          }
          const msg = thrown.message;
          const namesArg = new RegExp(`\\b${which}\\b`).test(msg);
          const hasActual = msg.includes(String(n));
          const hasExpected = msg.includes(String(good.length));
          if (!namesArg || !hasActual || !hasExpected) {
            return {
              ok: false,
              message: `${which} of length ${n} (expected ${good.length}) threw "${msg}", which does not name ${which}, ${n} and ${good.length}`,
            };
          }
          return { ok: true };
        },
      }
    );
  },
};

const gegluMismatch: PropertySpec<{ n: number; m: number }> = {
  suite: 'shapes',
  id: 'geglu-mismatch',
  name: (t) => `geglu (${t.backend} ${t.dtype}) rejects gate and up of different lengths (1..8) with an Error naming both lengths`,
  prepare(_c, target) {
    if (!target.geglu) return { skip: target.missing?.geglu ?? 'no geglu' };
    return {
      arbitrary: fc
        .tuple(fc.integer({ min: 1, max: 8 }), fc.integer({ min: 1, max: 8 }))
        .filter(([n, m]) => n !== m)
        .map(([n, m]) => ({ n, m })),
      async check({ n, m }) {
        let thrown: unknown;
        try {
          await target.geglu!(FN, new Float64Array(n).fill(0.5), new Float64Array(m).fill(0.5));
        } catch (err) {
          thrown = err;
        }
        if (!(thrown instanceof Error)) return { ok: false, message: `gate of length ${n} and up of length ${m} were accepted` };
        const msg = thrown.message;
        if (!/\b(gate|up)\b/.test(msg) || !msg.includes(String(n)) || !msg.includes(String(m))) {
          return {
            ok: false,
            message: `gate of length ${n}, up of length ${m}: threw "${msg}", which does not name the argument and both lengths`,
          };
        }
        return { ok: true };
      },
    };
  },
};

/** Every property of suite 4. */
export const shapesSuite: PropertySpec<any>[] = [shape, permute, rows, mismatch, gegluMismatch];
