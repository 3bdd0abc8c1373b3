const worst = { bits: 0x1234, x: '6.5e-42', got: '3e-42', expected: '4e-42', steps: 1 };

/** A checkpoint as runSweep writes it: 2048 of [0x1000, 0x2000) done in chunks of 1024, one input 1 step off. */
export const validCheckpoint = () => ({
  kind: 'geglu-sweep',
  version: 2,
  fn: 'gelu',
  dtype: 'f32',
  backend: 'kernel-f32',
  impl: 'test impl',
  device: 'test device',
  intervals: [[0x1000, 0x1800]],
  target: { start: 0x1000, end: 0x2000, chunkSize: 1024 },
  complete: false,
  elapsedSeconds: 1.5,
  checked: 2048,
  nan: 0,
  escalated: 3,
  undecided: 0,
  mismatches: 1,
  zeroSign: 0,
  histogram: { 0: 2047, 1: 1 },
  worst: [{ ...worst }],
  // every input of [0x1000, 0x1800) is a positive subnormal
  regions: {
    tail: { checked: 0, mismatches: 0, maxSteps: 0, worst: null },
    subnormal: { checked: 2048, mismatches: 1, maxSteps: 1, worst: { ...worst } },
    normal: { checked: 0, mismatches: 0, maxSteps: 0, worst: null },
  },
});
