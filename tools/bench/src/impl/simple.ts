import erf from '@stdlib/math-base-special-erf';
import type { Implementation, Prepared, Workload, WorkloadInputs } from '../types.js';

/** √(2/π) and 0.044715 as PyTorch's gelu_pytorch_tanh writes them. */
const SQRT_2_OVER_PI = 0.7978845608028654;
const COEFF = 0.044715;

function geluTanhLoop(x: Float32Array, out: Float32Array): Float32Array {
  for (let i = 0; i < x.length; i++) {
    const v = x[i]!;
    out[i] = 0.5 * v * (1 + Math.tanh(SQRT_2_OVER_PI * (v + COEFF * v * v * v)));
  }
  return out;
}

function geluErfLoop(x: Float32Array, out: Float32Array): Float32Array {
  for (let i = 0; i < x.length; i++) {
    const v = x[i]!;
    out[i] = 0.5 * v * (1 + erf(v * Math.SQRT1_2));
  }
  return out;
}

function gegluTanhLoop(gate: Float32Array, up: Float32Array, out: Float32Array): Float32Array {
  for (let i = 0; i < gate.length; i++) {
    const v = gate[i]!;
    out[i] = 0.5 * v * (1 + Math.tanh(SQRT_2_OVER_PI * (v + COEFF * v * v * v))) * up[i]!;
  }
  return out;
}

function gegluErfLoop(gate: Float32Array, up: Float32Array, out: Float32Array): Float32Array {
  for (let i = 0; i < gate.length; i++) {
    const v = gate[i]!;
    out[i] = 0.5 * v * (1 + erf(v * Math.SQRT1_2)) * up[i]!;
  }
  return out;
}

function upOf(inputs: WorkloadInputs): Float32Array {
  if (inputs.up === undefined) throw new Error('geglu workload has no up input');
  return inputs.up;
}

/** The floor: nothing elementwise can write its output faster than a memcpy of its input. */
export const copyFloor: Implementation = {
  id: 'copy',
  label: 'typed-array copy (floor)',
  group: 'floor',
  description:
    '`out.set(x)` into the preallocated output (`x.slice()` for the allocating row): the memory-bandwidth floor, not a gelu. For GeGLU it copies the gate only, while GeGLU also reads up: a floor that flatters nothing.',
  supports: (w) => w.kind !== 'mlp',
  async prepare(w: Workload, inputs: WorkloadInputs): Promise<Prepared> {
    const { x, out32 } = inputs;
    const notes = ['not a gelu: the bandwidth floor'];
    if (w.kind === 'gelu-alloc') {
      // The copy's length is consumed so the allocation is observably used.
      let sink = 0;
      return {
        precision: 'f32',
        run: () => {
          sink += x.slice().length;
        },
        notes,
        accuracyNote: 'not a gelu',
        dispose: () => void sink,
      };
    }
    return { precision: 'f32', run: () => out32.set(x), notes, accuracyNote: 'not a gelu' };
  },
};

export const mathTanhLoop: Implementation = {
  id: 'math-tanh',
  label: 'Math.tanh loop',
  group: 'peer',
  description:
    'A plain JavaScript loop, `0.5·x·(1 + Math.tanh(√(2/π)·(x + 0.044715·x³)))` in f64, stored to a Float32Array: what one writes without a library.',
  supports: (w) => w.kind !== 'mlp' && w.approximate === 'tanh',
  async prepare(w, inputs): Promise<Prepared> {
    const { x, out32 } = inputs;
    if (w.kind === 'geglu') {
      const up = upOf(inputs);
      return {
        precision: 'f32',
        run: () => void gegluTanhLoop(x, up, out32),
        evaluate: async (sx, sup) => gegluTanhLoop(sx, sup!, new Float32Array(sx.length)),
      };
    }
    return {
      precision: 'f32',
      run: w.kind === 'gelu-alloc' ? () => void geluTanhLoop(x, new Float32Array(x.length)) : () => void geluTanhLoop(x, out32),
      evaluate: async (sx) => geluTanhLoop(sx, new Float32Array(sx.length)),
    };
  },
};

export const stdlibErfLoop: Implementation = {
  id: 'stdlib-erf',
  label: '@stdlib erf loop',
  group: 'peer',
  description:
    'A JavaScript loop over `@stdlib/math-base-special-erf` (a port of FreeBSD s_erf.c): `0.5·x·(1 + erf(x/√2))` in f64, stored to a Float32Array.',
  supports: (w) => (w.kind === 'gelu' || w.kind === 'geglu') && w.approximate === 'none',
  async prepare(w, inputs): Promise<Prepared> {
    const { x, out32 } = inputs;
    if (w.kind === 'geglu') {
      const up = upOf(inputs);
      return {
        precision: 'f32',
        run: () => void gegluErfLoop(x, up, out32),
        evaluate: async (sx, sup) => gegluErfLoop(sx, sup!, new Float32Array(sx.length)),
      };
    }
    return {
      precision: 'f32',
      run: () => void geluErfLoop(x, out32),
      evaluate: async (sx) => geluErfLoop(sx, new Float32Array(sx.length)),
    };
  },
};
