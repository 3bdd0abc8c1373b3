/**
 * The Gemma 2 MLP's argument types and the one check of a call's arguments,
 * shared by `gemma2Mlp` (./gemma2.ts) and `createGemma2Mlp` (./create.ts),
 * and the check of a prepared MLP's forward call.
 */
import {
  checkApproximate,
  checkArrayType,
  checkDimension,
  checkFloatArray,
  checkLength,
  checkNoAlias,
  checkOptions,
  checkedProduct,
  describe,
  fail,
} from '../validation.js';

export interface Gemma2MlpWeights<A extends Float32Array | Float64Array = Float32Array | Float64Array> {
  /** d: the model width (hidden_size). */
  readonly hidden: number;
  /** f: the MLP width (intermediate_size). */
  readonly intermediate: number;
  /** W_gate [f, d] row-major. */
  readonly gate: A;
  /** W_up [f, d] row-major. */
  readonly up: A;
  /** W_down [d, f] row-major. */
  readonly down: A;
}

export interface Gemma2MlpOptions<A extends Float32Array | Float64Array = Float32Array | Float64Array> {
  /** Activation: 'tanh' (Gemma 2's gelu_pytorch_tanh, the default) or 'none' (exact erf form). */
  readonly approximate?: 'none' | 'tanh';
  /** Output [T, d]; same type as x; allocated when absent. */
  readonly out?: A;
}

export interface CheckedMlpCall<A extends Float32Array | Float64Array> {
  x: A;
  tokens: number;
  hidden: number;
  intermediate: number;
  gate: A;
  up: A;
  down: A;
  approximate: 'none' | 'tanh';
  out: A | undefined;
}

/** Validates every argument of gemma2Mlp before any work (createGemma2Mlp checks its weights with it too). */
export function checkMlpCall<A extends Float32Array | Float64Array>(
  fn: string,
  x: unknown,
  tokens: unknown,
  weights: unknown,
  options: unknown,
): CheckedMlpCall<A> {
  const xa = checkFloatArray(fn, 'x', x) as A;
  const t = checkDimension(fn, 'tokens', tokens, 0);
  if (weights === null || typeof weights !== 'object') {
    fail(fn, `weights is ${describe(weights)}, expected { hidden, intermediate, gate, up, down }`);
  }
  const w = weights as Partial<Gemma2MlpWeights>;
  const d = checkDimension(fn, 'weights.hidden', w.hidden, 1);
  const f = checkDimension(fn, 'weights.intermediate', w.intermediate, 1);
  const type = xa.constructor as { new (n: number): A; name: string };
  const gate = checkArrayType(fn, 'weights.gate', w.gate, type);
  const up = checkArrayType(fn, 'weights.up', w.up, type);
  const down = checkArrayType(fn, 'weights.down', w.down, type);
  const fd = checkedProduct(fn, ['intermediate', 'hidden'], [f, d]);
  const td = checkedProduct(fn, ['tokens', 'hidden'], [t, d]);
  checkedProduct(fn, ['tokens', 'intermediate'], [t, f], Number.MAX_SAFE_INTEGER);
  checkLength(fn, 'x', xa, td, `tokens × hidden = ${t} × ${d}`);
  checkLength(fn, 'weights.gate', gate, fd, `intermediate × hidden = ${f} × ${d}`);
  checkLength(fn, 'weights.up', up, fd, `intermediate × hidden = ${f} × ${d}`);
  checkLength(fn, 'weights.down', down, fd, `hidden × intermediate = ${d} × ${f}`);
  const opts = checkOptions<Gemma2MlpOptions<A>>(fn, options);
  const approximate = checkApproximate(fn, opts.approximate, 'tanh');
  let out: A | undefined;
  if (opts.out !== undefined) {
    out = checkArrayType(fn, 'options.out', opts.out, type);
    checkLength(fn, 'options.out', out, td, `tokens × hidden = ${t} × ${d}`);
    checkNoAlias(fn, 'options.out', out, {
      x: xa,
      'weights.gate': gate,
      'weights.up': up,
      'weights.down': down,
    });
  }
  return { x: xa, tokens: t, hidden: d, intermediate: f, gate, up, down, approximate, out };
}

export interface Gemma2MlpForwardOptions {
  readonly approximate?: 'none' | 'tanh';
  readonly out?: Float32Array;
}

/** Checks a forward call's x, tokens and options (the weights were checked at creation). */
export function checkForward(x: unknown, tokens: unknown, d: number, options: unknown) {
  const fn = 'Gemma2Mlp.forward';
  const xa = checkArrayType(fn, 'x', x, Float32Array);
  const t = checkDimension(fn, 'tokens', tokens, 0);
  const td = checkedProduct(fn, ['tokens', 'hidden'], [t, d]);
  checkLength(fn, 'x', xa, td, `tokens × hidden = ${t} × ${d}`);
  const opts = checkOptions<Gemma2MlpForwardOptions>(fn, options);
  const approximate = checkApproximate(fn, opts.approximate, 'tanh');
  let out: Float32Array | undefined;
  if (opts.out !== undefined) {
    out = checkArrayType(fn, 'options.out', opts.out, Float32Array);
    checkLength(fn, 'options.out', out, td, `tokens × hidden = ${t} × ${d}`);
    checkNoAlias(fn, 'options.out', out, { x: xa });
  }
  return { x: xa, tokens: t, approximate, out };
}
