/**
 * Loads one Gemma 2 MLP layer (gate_proj, up_proj, down_proj) from a
 * safetensors checkpoint as Hugging Face ships it (bf16; f16, f32, f64 too),
 * reading only those three tensors.
 *
 * Tensor names follow transformers' Gemma2 modelling code:
 * `model.layers.{layer}.mlp.{gate,up,down}_proj.weight`, stored as
 * nn.Linear weights [out, in]: gate, up [intermediate, hidden], down
 * [hidden, intermediate].
 *
 * `path` may be a `.safetensors` file, a sharded checkpoint's
 * `model.safetensors.index.json` (its `weight_map` names the shard of each
 * tensor), or a directory holding either (the index is preferred).
 */
import { basename, dirname, join, stat } from '../host/node.js';
import { GEMMA2_PRESETS, type Gemma2Preset } from './presets.js';
import { MAX_HEADER_BYTES, SafetensorsError, readSafetensorsTensors, type SafetensorsTensor } from './safetensors.js';
import { FileTooLargeError, readTextFileBounded } from '../io/files.js';
import { JsonError, parseJsonStrict } from '../io/json.js';
import { GegluError, checkDimension, checkOptions, describe, firstNonFinite } from '../validation.js';
import type { Gemma2MlpWeights } from './call.js';

const FN = 'loadGemma2MlpLayer';

export interface LoadGemma2MlpLayerOptions {
  /** Decoder layer index (0-based). */
  readonly layer: number;
  /** Output arrays: 'f32' (default) or 'f64'. bf16/f16/f32 convert exactly to either. */
  readonly dtype?: 'f32' | 'f64';
  /** Expected shapes: a preset name or { hidden, intermediate }; checked against the file. */
  readonly preset?: keyof typeof GEMMA2_PRESETS | { readonly hidden: number; readonly intermediate: number };
  /** Accept NaN or ±Inf weights (default false: they are an error naming tensor and index). */
  readonly allowNonFinite?: boolean;
}

export interface Gemma2MlpLayer<A extends Float32Array | Float64Array> extends Gemma2MlpWeights<A> {
  readonly layer: number;
  /** dtype of each tensor in the file. */
  readonly sourceDtypes: { readonly gate: string; readonly up: string; readonly down: string };
  /** The file each tensor came from. */
  readonly files: { readonly gate: string; readonly up: string; readonly down: string };
}

/** Tensor names of one layer's MLP, as in transformers' Gemma2MLP. */
export function gemma2MlpTensorNames(layer: number): { gate: string; up: string; down: string } {
  return {
    gate: `model.layers.${layer}.mlp.gate_proj.weight`,
    up: `model.layers.${layer}.mlp.up_proj.weight`,
    down: `model.layers.${layer}.mlp.down_proj.weight`,
  };
}

async function resolveFiles(path: string, names: readonly string[]): Promise<string[]> {
  let indexPath: string | undefined;
  let info;
  try {
    info = await stat(path);
  } catch (e) {
    throw new SafetensorsError(`safetensors ${path}: cannot open (${(e as Error).message})`, { cause: e });
  }
  if (info.isDirectory()) {
    const candidate = join(path, 'model.safetensors.index.json');
    const single = join(path, 'model.safetensors');
    if (
      await stat(candidate).then(
        () => true,
        () => false,
      )
    )
      indexPath = candidate;
    else if (
      await stat(single).then(
        () => true,
        () => false,
      )
    )
      return names.map(() => single);
    else throw new SafetensorsError(`safetensors ${path}: directory has neither model.safetensors.index.json nor model.safetensors`);
  } else if (path.endsWith('.json')) {
    indexPath = path;
  } else {
    return names.map(() => path);
  }
  let json: unknown;
  try {
    // read synchronously: an index is kilobytes, and the one bounded reader counts the bytes it reads
    json = parseJsonStrict(readTextFileBounded(indexPath, MAX_HEADER_BYTES));
  } catch (e) {
    const why =
      e instanceof FileTooLargeError
        ? `more than ${MAX_HEADER_BYTES} bytes (the limit of a safetensors header)`
        : e instanceof JsonError
          ? e.message
          : `cannot read (${(e as Error).message})`;
    throw new SafetensorsError(`safetensors index ${indexPath}: ${why}`, { cause: e });
  }
  const map = (json as { weight_map?: unknown } | null)?.weight_map;
  if (map === null || typeof map !== 'object' || Array.isArray(map)) {
    throw new SafetensorsError(
      `safetensors index ${indexPath}: weight_map is ${describe(map)}, expected an object of tensor name → shard file`,
    );
  }
  return names.map((name) => {
    const shard = (map as Record<string, unknown>)[name];
    if (!Object.hasOwn(map, name) || typeof shard !== 'string') {
      throw new SafetensorsError(
        `safetensors index ${indexPath}: tensor ${JSON.stringify(name)}: not in weight_map (got ${describe(shard)})`,
      );
    }
    // Shards live beside the index; a name with a directory part could point anywhere.
    if (shard === '' || basename(shard) !== shard || shard === '.' || shard === '..') {
      throw new SafetensorsError(
        `safetensors index ${indexPath}: tensor ${JSON.stringify(name)}: shard ${JSON.stringify(shard)} is not a plain file name beside the index`,
      );
    }
    return join(dirname(indexPath!), shard);
  });
}

function checkShape(file: string, t: SafetensorsTensor, expected: readonly number[], why: string): void {
  if (t.shape.length !== expected.length || t.shape.some((d, i) => d !== expected[i])) {
    throw new SafetensorsError(
      `safetensors ${file}: tensor ${JSON.stringify(t.name)}: shape [${t.shape.join(', ')}], expected [${expected.join(', ')}] (${why})`,
    );
  }
}

/**
 * Reads `model.layers.{layer}.mlp.{gate,up,down}_proj.weight` into
 * Float32Array (or Float64Array with `dtype: 'f64'`), checking shapes against
 * each other (and against `preset` when given) and rejecting non-finite
 * weights with the tensor and index named.
 */
export async function loadGemma2MlpLayer(
  path: string,
  options: LoadGemma2MlpLayerOptions & { readonly dtype: 'f64' },
): Promise<Gemma2MlpLayer<Float64Array>>;
export async function loadGemma2MlpLayer(
  path: string,
  options: LoadGemma2MlpLayerOptions & { readonly dtype?: 'f32' },
): Promise<Gemma2MlpLayer<Float32Array>>;
export async function loadGemma2MlpLayer(
  path: string,
  options: LoadGemma2MlpLayerOptions,
): Promise<Gemma2MlpLayer<Float32Array | Float64Array>>;
export async function loadGemma2MlpLayer(
  path: string,
  options: LoadGemma2MlpLayerOptions,
): Promise<Gemma2MlpLayer<Float32Array | Float64Array>> {
  if (typeof path !== 'string' || path === '') {
    throw new GegluError(`${FN}: path is ${describe(path)}, expected a non-empty path string`);
  }
  if (options === undefined) throw new GegluError(`${FN}: options is undefined, expected { layer }`);
  const opts = checkOptions<LoadGemma2MlpLayerOptions>(FN, options);
  const layer = checkDimension(FN, 'options.layer', opts.layer, 0);
  if (opts.dtype !== undefined && opts.dtype !== 'f32' && opts.dtype !== 'f64') {
    throw new GegluError(`${FN}: options.dtype is ${describe(opts.dtype)}, expected 'f32' or 'f64'`);
  }
  let preset: Pick<Gemma2Preset, 'hidden' | 'intermediate'> | undefined;
  if (typeof opts.preset === 'string') {
    if (!Object.hasOwn(GEMMA2_PRESETS, opts.preset)) {
      throw new GegluError(`${FN}: options.preset is ${describe(opts.preset)}, expected one of ${Object.keys(GEMMA2_PRESETS).join(', ')}`);
    }
    preset = GEMMA2_PRESETS[opts.preset];
  } else if (opts.preset !== undefined) {
    const p = opts.preset as { hidden?: unknown; intermediate?: unknown };
    preset = {
      hidden: checkDimension(FN, 'options.preset.hidden', p.hidden),
      intermediate: checkDimension(FN, 'options.preset.intermediate', p.intermediate),
    };
  }
  const names = gemma2MlpTensorNames(layer);
  const order = [names.gate, names.up, names.down];
  const files = await resolveFiles(path, order);
  const tensors: SafetensorsTensor[] = [];
  // One handle per distinct file, tensors in file order of request.
  const byFile = new Map<string, number[]>();
  files.forEach((f, i) => byFile.set(f, [...(byFile.get(f) ?? []), i]));
  for (const [file, idx] of byFile) {
    const got = await readSafetensorsTensors(
      file,
      idx.map((i) => order[i]!),
      { dtype: opts.dtype ?? 'f32' },
    );
    idx.forEach((i, j) => (tensors[i] = got[j]!));
  }
  const [gate, up, down] = tensors as [SafetensorsTensor, SafetensorsTensor, SafetensorsTensor];
  const [fg, fu, fd] = files as [string, string, string];
  let f: number;
  let d: number;
  if (preset !== undefined) {
    f = preset.intermediate;
    d = preset.hidden;
    checkShape(fg, gate, [f, d], `[intermediate, hidden] of the preset`);
  } else {
    if (gate.shape.length !== 2) {
      throw new SafetensorsError(
        `safetensors ${fg}: tensor ${JSON.stringify(gate.name)}: shape [${gate.shape.join(', ')}], expected 2 dimensions [intermediate, hidden]`,
      );
    }
    [f, d] = gate.shape as [number, number];
    if (f < 1 || d < 1) {
      throw new SafetensorsError(
        `safetensors ${fg}: tensor ${JSON.stringify(gate.name)}: shape [${gate.shape.join(', ')}], expected non-empty dimensions`,
      );
    }
  }
  checkShape(fu, up, [f, d], `[intermediate, hidden] like gate_proj`);
  checkShape(fd, down, [d, f], `[hidden, intermediate] from gate_proj's [${f}, ${d}]`);
  if (!opts.allowNonFinite) {
    for (const [t, file] of [
      [gate, fg],
      [up, fu],
      [down, fd],
    ] as const) {
      const i = firstNonFinite(t.data);
      if (i >= 0) {
        const cols = t.shape[1]!;
        throw new SafetensorsError(
          `safetensors ${file}: tensor ${JSON.stringify(t.name)}: element ${i} (row ${Math.floor(i / cols)}, column ${i % cols}) is ${t.data[i]}, expected a finite weight (pass allowNonFinite to accept)`,
        );
      }
    }
  }
  return {
    layer,
    hidden: d,
    intermediate: f,
    gate: gate.data,
    up: up.data,
    down: down.data,
    sourceDtypes: { gate: gate.dtype, up: up.dtype, down: down.dtype },
    files: { gate: fg, up: fu, down: fd },
  };
}
