/**
 * Gemma 2 MLP shapes.
 *
 * Sources (the `config.json` Hugging Face ships with each checkpoint,
 * fields `hidden_size`, `intermediate_size`, `num_hidden_layers`,
 * `hidden_activation: "gelu_pytorch_tanh"`):
 * - https://huggingface.co/google/gemma-2-2b/blob/main/config.json  — 2304, 9216, 26
 * - https://huggingface.co/google/gemma-2-9b/blob/main/config.json  — 3584, 14336, 42
 * - https://huggingface.co/google/gemma-2-27b/blob/main/config.json — 4608, 36864, 46
 * The same numbers are in google/gemma_pytorch `gemma/config.py`
 * (`get_config_for_2b_v2`, `get_config_for_9b`, `get_config_for_27b`) and in
 * the shape table of docs/gemma2.md. The Gemma 2 report's "feedforward
 * dim" is 2 × intermediate because it counts gate and up together.
 */
export interface Gemma2Preset {
  readonly name: string;
  readonly hidden: number;
  readonly intermediate: number;
  readonly layers: number;
}

export const GEMMA2_PRESETS = Object.freeze({
  'gemma-2-2b': Object.freeze({ name: 'gemma-2-2b', hidden: 2304, intermediate: 9216, layers: 26 }),
  'gemma-2-9b': Object.freeze({ name: 'gemma-2-9b', hidden: 3584, intermediate: 14336, layers: 42 }),
  'gemma-2-27b': Object.freeze({ name: 'gemma-2-27b', hidden: 4608, intermediate: 36864, layers: 46 }),
} as const satisfies Record<string, Gemma2Preset>);

export type Gemma2PresetName = keyof typeof GEMMA2_PRESETS;
