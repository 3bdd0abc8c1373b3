/**
 * The ceiling of the MLP workloads: the most float32 arithmetic one thread's WebAssembly SIMD
 * does on this machine, doing the workload's flop count as 12 independent chains
 * acc = acc·b + c on f32x4 vectors with nothing loaded or stored, on one thread and on two at
 * once. No matrix product in WebAssembly can beat it on as many threads: beside onnxruntime-node's rows
 * (AVX-512 where the CPU has it) it says how much of a gap 128-bit vectors leave. The kernel
 * runs it the way its tiles multiply and add (relaxed_madd where the kernel's path is relaxed
 * SIMD, else f32x4.mul then f32x4.add), so the row has the kernel rows' relaxed-SIMD variants.
 */
import type { Implementation, Prepared, Workload, WorkloadInputs } from '../types.js';
import { SkipRow } from '../types.js';
import { varint } from '../onnx.js';

/** Independent chains: enough to cover the multiply-add latency on every vector pipe. */
export const CEILING_CHAINS = 12;
/** Flops per f32x4 multiply-add. */
const FLOPS_PER_STEP = 8;

const F32X4_SPLAT = 0x13;
const F32X4_EXTRACT_LANE = 0x1f;
const F32X4_ADD = 0xe4;
const F32X4_MUL = 0xe6;
const F32X4_RELAXED_MADD = 0x105;

/** Unsigned LEB128 (WebAssembly §5.2.2) is protobuf's varint. */
const uleb = (n: number): number[] => [...varint(n)];
const simd = (code: number, ...imm: number[]) => [0xfd, ...uleb(code), ...imm];
const local = (opcode: number, i: number) => [opcode, ...uleb(i)];
const section = (id: number, body: number[]) => [id, ...uleb(body.length), ...body];
const f32Const = (v: number) => [0x43, ...new Uint8Array(new Float32Array([v]).buffer)];

/**
 * A module exporting run(steps: i32) → f32: `steps` rounds of the chains, then a lane of their
 * sum (so that nothing is dead code). `fused`: f32x4.relaxed_madd (relaxed SIMD), else mul, add.
 */
export function ceilingModuleBytes(fused: boolean): Uint8Array {
  const [get, set, tee] = [0x20, 0x21, 0x22];
  const b = 1 + CEILING_CHAINS;
  const c = b + 1;
  const body: number[] = [];
  const splat = (v: number) => [...f32Const(v), ...simd(F32X4_SPLAT)];
  for (let i = 0; i < CEILING_CHAINS; i++) body.push(...splat(1 + i / 64), ...local(set, 1 + i));
  body.push(...splat(0.999999), ...local(set, b), ...splat(1e-6), ...local(set, c));
  body.push(0x03, 0x40); // loop
  for (let i = 0; i < CEILING_CHAINS; i++) {
    body.push(...local(get, 1 + i), ...local(get, b));
    if (fused) body.push(...local(get, c), ...simd(F32X4_RELAXED_MADD));
    else body.push(...simd(F32X4_MUL), ...local(get, c), ...simd(F32X4_ADD));
    body.push(...local(set, 1 + i));
  }
  // steps -= 1; loop while nonzero
  body.push(...local(get, 0), 0x41, 1, 0x6b, ...local(tee, 0), 0x0d, 0, 0x0b);
  body.push(...local(get, 1));
  for (let i = 1; i < CEILING_CHAINS; i++) body.push(...local(get, 1 + i), ...simd(F32X4_ADD));
  body.push(...simd(F32X4_EXTRACT_LANE, 0), 0x0b);
  const fn = [1, ...uleb(CEILING_CHAINS + 2), 0x7b, ...body];
  return new Uint8Array([
    ...[0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00],
    ...section(1, [1, 0x60, 1, 0x7f, 1, 0x7d]),
    ...section(3, [1, 0]),
    ...section(7, [1, 3, 0x72, 0x75, 0x6e, 0x00, 0]), // "run"
    ...section(10, [1, ...uleb(fn.length), ...fn]),
  ]);
}

interface WasmLike {
  validate(bytes: Uint8Array): boolean;
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports?: object) => { exports: Record<string, unknown> };
}

/** Runs the ceiling loop on a worker thread: `steps` in, the loop's result (a lane of the chains' sum) out. */
const CEILING_WORKER = `
const { parentPort, workerData } = require('node:worker_threads');
const run = new WebAssembly.Instance(workerData.module).exports.run;
parentPort.on('message', (steps) => parentPort.postMessage(run(steps)));
`;

/**
 * The ceiling on `threads` threads at once: the calling thread and threads − 1 worker threads each
 * run their share of the chains' steps; a run ends when the last has finished. Two threads reach
 * twice one thread's ceiling only where the two cores do not share their vector pipes.
 */
export function wasmCeilingRow(threads: 1 | 2): Implementation {
  const many = threads > 1;
  return {
    id: many ? `wasm-ceiling-${threads}t` : 'wasm-ceiling',
    label: `WebAssembly f32x4 ceiling, ${threads} thread${many ? 's' : ''}`,
    group: 'floor',
    description:
      `Not an MLP: the workload's flop count as ${CEILING_CHAINS} independent chains acc = acc·b + c on f32x4 vectors per thread, nothing loaded or stored, ` +
      (many
        ? `on ${threads} threads at once (the calling thread and ${threads - 1} worker thread${threads > 2 ? 's' : ''}, equal shares); `
        : 'one thread; ') +
      'f32x4.relaxed_madd where @geglu/kernel runs relaxed SIMD (its `relaxedSimdPath()`), else f32x4.mul then f32x4.add. ' +
      `The most ${many ? `${threads} threads` : 'one thread'} of WebAssembly SIMD compute${many ? '' : 's'} here.`,
    supports: (w) => w.kind === 'mlp',
    relaxedSimdVariants: () => true,
    async prepare(w: Workload, _inputs: WorkloadInputs): Promise<Prepared> {
      const wasm = (globalThis as unknown as { WebAssembly?: WasmLike }).WebAssembly;
      if (wasm === undefined) throw new SkipRow('no WebAssembly here');
      const kernel = (await import('@geglu/kernel')) as { relaxedSimdPath(): { active: boolean } };
      const fused = kernel.relaxedSimdPath().active;
      const bytes = ceilingModuleBytes(fused);
      if (!wasm.validate(bytes)) throw new SkipRow(`this engine does not validate the ${fused ? 'relaxed_madd' : 'f32x4'} loop`);
      const module = new wasm.Module(bytes);
      const run = new wasm.Instance(module).exports.run as (steps: number) => number;
      const share = Math.max(1, Math.round(w.work / (CEILING_CHAINS * FLOPS_PER_STEP * threads)));
      type Worker = import('node:worker_threads').Worker;
      const workers: Worker[] = [];
      if (many) {
        const { Worker } = await import('node:worker_threads');
        for (let i = 1; i < threads; i++) workers.push(new Worker(CEILING_WORKER, { eval: true, workerData: { module } }));
      }
      // One run of `steps` on a worker; a worker that fails or exits fails the run (never a hang).
      const onWorker = (worker: Worker, steps: number) =>
        new Promise<number>((resolve, reject) => {
          const done = () => {
            worker.off('message', onMessage);
            worker.off('error', onError);
            worker.off('exit', onExit);
          };
          const onMessage = (v: number) => {
            done();
            resolve(v);
          };
          const onError = (e: Error) => {
            done();
            reject(e);
          };
          const onExit = (code: number) => {
            done();
            reject(new Error(`the ceiling's worker thread exited (code ${code})`));
          };
          worker.on('message', onMessage);
          worker.on('error', onError);
          worker.on('exit', onExit);
          worker.postMessage(steps);
        });
      let sink = 0;
      try {
        // Each worker compiles and warms its loop before the first timed run.
        await Promise.all(workers.map((worker) => onWorker(worker, 1000)));
      } catch (e) {
        await Promise.all(workers.map((worker) => worker.terminate()));
        throw e;
      }
      return {
        precision: 'f32',
        work: share * threads * CEILING_CHAINS * FLOPS_PER_STEP,
        notes: [`not an MLP: the ceiling, ${fused ? 'f32x4.relaxed_madd' : 'f32x4.mul + f32x4.add'}`],
        accuracyNote: 'not an MLP',
        run: many
          ? async () => {
              const others = workers.map((worker) => onWorker(worker, share));
              sink += run(share);
              for (const v of await Promise.all(others)) sink += v;
            }
          : () => {
              sink += run(share);
            },
        dispose: async () => {
          void sink;
          await Promise.all(workers.map((worker) => worker.terminate()));
        },
      };
    },
  };
}
