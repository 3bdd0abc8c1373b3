/**
 * A hand-written encoder for the few ONNX protobuf messages the benchmark
 * needs, so the peer models are built from source here instead of shipping
 * opaque .onnx files or pulling in protobufjs.
 *
 * Field numbers follow onnx/onnx.proto (github.com/onnx/onnx, onnx/onnx.proto):
 * ModelProto { ir_version = 1, producer_name = 2, graph = 7, opset_import = 8 },
 * OperatorSetIdProto { domain = 1, version = 2 },
 * GraphProto { node = 1, name = 2, initializer = 5, input = 11, output = 12 },
 * NodeProto { input = 1, output = 2, name = 3, op_type = 4, attribute = 5 },
 * AttributeProto { name = 1, s = 4, type = 20 (STRING = 3) },
 * TensorProto { dims = 1, data_type = 2 (FLOAT = 1), name = 8, raw_data = 9 },
 * ValueInfoProto { name = 1, type = 2 }, TypeProto { tensor_type = 1 },
 * TypeProto.Tensor { elem_type = 1, shape = 2 }, TensorShapeProto { dim = 1 },
 * Dimension { dim_value = 1, dim_param = 2 }.
 */

const WIRE_VARINT = 0;
const WIRE_BYTES = 2;
const FLOAT = 1;
const ATTRIBUTE_STRING = 3;
/** IR version 9 is the first that may import opset 20 (onnx docs/Versioning.md). */
const IR_VERSION = 9;
export const GELU_OPSET = 20;

type Chunk = Uint8Array;

export function varint(value: number): Chunk {
  if (!Number.isSafeInteger(value) || value < 0) {
    throw new Error(`varint: value must be a non-negative safe integer, got ${value}`);
  }
  const bytes: number[] = [];
  let v = value;
  while (v >= 0x80) {
    bytes.push((v % 0x80) | 0x80);
    v = Math.floor(v / 0x80);
  }
  bytes.push(v);
  return Uint8Array.from(bytes);
}

function concat(chunks: readonly Chunk[]): Chunk {
  let length = 0;
  for (const c of chunks) length += c.length;
  const out = new Uint8Array(length);
  let at = 0;
  for (const c of chunks) {
    out.set(c, at);
    at += c.length;
  }
  return out;
}

function tag(field: number, wire: number): Chunk {
  return varint(field * 8 + wire);
}

function fieldVarint(field: number, value: number): Chunk {
  return concat([tag(field, WIRE_VARINT), varint(value)]);
}

function fieldBytes(field: number, bytes: Chunk): Chunk {
  return concat([tag(field, WIRE_BYTES), varint(bytes.length), bytes]);
}

function fieldString(field: number, text: string): Chunk {
  return fieldBytes(field, new TextEncoder().encode(text));
}

/** A dimension is either fixed (a number) or symbolic (a name), so one session serves any length. */
export type Dim = number | string;

export interface ValueInfo {
  name: string;
  dims: readonly Dim[];
}

export interface NodeSpec {
  op: string;
  inputs: readonly string[];
  outputs: readonly string[];
  stringAttributes?: Readonly<Record<string, string>>;
}

export interface Initializer {
  name: string;
  dims: readonly number[];
  data: Float32Array;
}

export interface GraphSpec {
  name: string;
  inputs: readonly ValueInfo[];
  outputs: readonly ValueInfo[];
  nodes: readonly NodeSpec[];
  initializers?: readonly Initializer[];
  opset: number;
}

function valueInfo(info: ValueInfo): Chunk {
  const dims = info.dims.map((d) => fieldBytes(1, typeof d === 'number' ? fieldVarint(1, d) : fieldString(2, d)));
  const tensorType = concat([fieldVarint(1, FLOAT), fieldBytes(2, concat(dims))]);
  return concat([fieldString(1, info.name), fieldBytes(2, fieldBytes(1, tensorType))]);
}

function node(spec: NodeSpec, index: number): Chunk {
  const parts: Chunk[] = [];
  for (const i of spec.inputs) parts.push(fieldString(1, i));
  for (const o of spec.outputs) parts.push(fieldString(2, o));
  parts.push(fieldString(3, `${spec.op.toLowerCase()}_${index}`));
  parts.push(fieldString(4, spec.op));
  for (const [name, value] of Object.entries(spec.stringAttributes ?? {})) {
    parts.push(fieldBytes(5, concat([fieldString(1, name), fieldString(4, value), fieldVarint(20, ATTRIBUTE_STRING)])));
  }
  return concat(parts);
}

function initializer(init: Initializer): Chunk {
  const count = init.dims.reduce((a, b) => a * b, 1);
  if (count !== init.data.length) {
    throw new Error(`initializer ${init.name}: data has length ${init.data.length}, expected ${init.dims.join(' × ')} = ${count}`);
  }
  // raw_data is little-endian IEEE 754; every machine this runs on is little-endian,
  // which the typed array view below assumes.
  const raw = new Uint8Array(init.data.buffer, init.data.byteOffset, init.data.byteLength);
  return concat([...init.dims.map((d) => fieldVarint(1, d)), fieldVarint(2, FLOAT), fieldString(8, init.name), fieldBytes(9, raw)]);
}

/** Serialises a float32-only ONNX model (ModelProto bytes) from a graph description. */
export function encodeModel(spec: GraphSpec): Uint8Array {
  const graph = concat([
    ...spec.nodes.map((n, i) => fieldBytes(1, node(n, i))),
    fieldString(2, spec.name),
    ...(spec.initializers ?? []).map((t) => fieldBytes(5, initializer(t))),
    ...spec.inputs.map((v) => fieldBytes(11, valueInfo(v))),
    ...spec.outputs.map((v) => fieldBytes(12, valueInfo(v))),
  ]);
  return concat([
    fieldVarint(1, IR_VERSION),
    fieldString(2, '@geglu/tool-bench'),
    fieldBytes(7, graph),
    fieldBytes(8, concat([fieldString(1, ''), fieldVarint(2, spec.opset)])),
  ]);
}

export type Approximate = 'none' | 'tanh';

/** y = Gelu(x) with the opset-20 operator, for any length N. */
export function geluModel(approximate: Approximate): Uint8Array {
  return encodeModel({
    name: `gelu_${approximate}`,
    opset: GELU_OPSET,
    inputs: [{ name: 'x', dims: ['N'] }],
    outputs: [{ name: 'y', dims: ['N'] }],
    nodes: [{ op: 'Gelu', inputs: ['x'], outputs: ['y'], stringAttributes: { approximate } }],
  });
}

/** y = Gelu(gate) ⊙ up, the GeGLU activation, for any length N. */
export function gegluModel(approximate: Approximate): Uint8Array {
  return encodeModel({
    name: `geglu_${approximate}`,
    opset: GELU_OPSET,
    inputs: [
      { name: 'gate', dims: ['N'] },
      { name: 'up', dims: ['N'] },
    ],
    outputs: [{ name: 'y', dims: ['N'] }],
    nodes: [
      { op: 'Gelu', inputs: ['gate'], outputs: ['g'], stringAttributes: { approximate } },
      { op: 'Mul', inputs: ['g', 'up'], outputs: ['y'] },
    ],
  });
}

export interface MlpWeights {
  hidden: number;
  intermediate: number;
  /** [intermediate, hidden], PyTorch nn.Linear layout. */
  gate: Float32Array;
  /** [intermediate, hidden]. */
  up: Float32Array;
  /** [hidden, intermediate]. */
  down: Float32Array;
}

/** Transposes a row-major [rows, cols] matrix into [cols, rows]. */
export function transpose(m: Float32Array, rows: number, cols: number): Float32Array {
  const t = new Float32Array(m.length);
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < cols; c++) t[c * rows + r] = m[r * cols + c]!;
  }
  return t;
}

/**
 * The Gemma 2 MLP as three MatMuls with the weights as initializers, the way an
 * exported checkpoint would run: MatMul wants [in, out], so the PyTorch [out, in]
 * matrices are transposed once here, outside any timing.
 */
export function gemma2MlpModel(w: MlpWeights): Uint8Array {
  const { hidden: d, intermediate: f } = w;
  return encodeModel({
    name: 'gemma2_mlp',
    opset: GELU_OPSET,
    inputs: [{ name: 'x', dims: ['T', d] }],
    outputs: [{ name: 'y', dims: ['T', d] }],
    initializers: [
      { name: 'w_gate', dims: [d, f], data: transpose(w.gate, f, d) },
      { name: 'w_up', dims: [d, f], data: transpose(w.up, f, d) },
      { name: 'w_down', dims: [f, d], data: transpose(w.down, d, f) },
    ],
    nodes: [
      { op: 'MatMul', inputs: ['x', 'w_gate'], outputs: ['g'] },
      { op: 'MatMul', inputs: ['x', 'w_up'], outputs: ['u'] },
      { op: 'Gelu', inputs: ['g'], outputs: ['a'], stringAttributes: { approximate: 'tanh' } },
      { op: 'Mul', inputs: ['a', 'u'], outputs: ['h'] },
      { op: 'MatMul', inputs: ['h', 'w_down'], outputs: ['y'] },
    ],
  });
}
