/**
 * "Your device": runs @geglu/kernel (WebAssembly) and every gpu.js mode this browser offers on
 * the sample, and compares each result bit for bit with the oracle's correctly rounded float32
 * values shipped in explorer.json (computed at build time); then times each on a larger array.
 */
import { bitsToF32, compareResult } from '@geglu/float';
import { GegluGpu, GPU_BACKENDS } from '@geglu/gpu';
import { geluArray, geluThreads } from '@geglu/kernel';
import type { ExplorerData } from '../data/format.js';

type Form = 'none' | 'tanh';

interface Backend {
  id: string;
  label: string;
  /** Opens the backend and returns its gelu and what it ran on; throws when this browser lacks it. */
  open(): Promise<{ ran: string; gelu: (x: Float32Array, approximate: Form) => Promise<Float32Array>; close(): Promise<void> }>;
  /** Elements per timed run: the kernel is fast enough for 2^20; gpu.js moves data to and from the device each call. */
  timed: number;
}

const backends: Backend[] = [
  {
    id: 'kernel',
    label: '@geglu/kernel (WebAssembly)',
    timed: 2 ** 20,
    async open() {
      const out = new Map<number, Float32Array>();
      return {
        ran: 'WebAssembly',
        async gelu(x, approximate) {
          let o = out.get(x.length);
          if (o === undefined) out.set(x.length, (o = new Float32Array(x.length)));
          return geluArray(x, { approximate, out: o });
        },
        close: async () => {},
      };
    },
  },
  ...GPU_BACKENDS.map(
    (mode): Backend => ({
      id: `gpu-${mode}`,
      label: `@geglu/gpu, gpu.js ${mode}`,
      timed: 2 ** 18,
      async open() {
        const inst = await GegluGpu.create({ backend: mode });
        return {
          ran: `${inst.backend}: ${inst.device}`,
          gelu: (x, approximate) => inst.gelu(x, { approximate }),
          close: () => inst.dispose(),
        };
      },
    }),
  ),
];

/** Uniform on [−10, 10] (the benchmark's timing range) from a fixed linear congruential sequence. */
function timingInput(n: number): Float32Array {
  const x = new Float32Array(n);
  let s = 12345;
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    x[i] = (s / 2 ** 32) * 20 - 10;
  }
  return x;
}

/** The measured columns after the backend's name: data-measure key and heading. */
const COLUMNS: [string, string][] = [
  ['ran', 'ran on'],
  ['steps-none', 'max steps, exact'],
  ['steps-tanh', 'max steps, tanh'],
  ['body-none', 'x > −3, exact'],
  ['body-tanh', 'x > −3, tanh'],
  ['mismatches', 'mismatches'],
  ['speed', 'Melem/s'],
];

function cell(tr: HTMLTableRowElement, measure: string, text = '…'): HTMLTableCellElement {
  const td = document.createElement('td');
  td.dataset.measure = measure;
  td.textContent = text;
  tr.append(td);
  return td;
}

export function deviceSection(root: HTMLElement, data: ExplorerData): void {
  const body = root.querySelector<HTMLTableSectionElement>('#device-table tbody')!;
  const head = document.createElement('tr');
  for (const [, heading] of [['', 'backend'], ...COLUMNS]) {
    const th = document.createElement('th');
    th.scope = 'col';
    th.textContent = heading!;
    head.append(th);
  }
  root.querySelector('#device-table thead')!.append(head);
  const status = root.querySelector<HTMLElement>('#device-status')!;
  const button = root.querySelector<HTMLButtonElement>('#device-run')!;
  const x = new Float32Array(data.sample.xBits.map(bitsToF32));
  const want: Record<Form, number[]> = { none: data.sample.reference.none.map(bitsToF32), tanh: data.sample.reference.tanh.map(bitsToF32) };
  const timing = new Map<number, Float32Array>();

  async function measure(b: Backend, tr: HTMLTableRowElement): Promise<void> {
    const [ran, none, tanh, bodyNone, bodyTanh, off, speed] = [
      'ran',
      'steps-none',
      'steps-tanh',
      'body-none',
      'body-tanh',
      'mismatches',
      'speed',
    ].map((m) => cell(tr, m));
    const rest = [none, tanh, bodyNone, bodyTanh, off, speed];
    let opened: Awaited<ReturnType<Backend['open']>>;
    try {
      opened = await b.open();
    } catch (e) {
      ran!.textContent = `not available here: ${(e as Error).message.split('\n')[0]}`;
      ran!.colSpan = 1 + rest.length;
      for (const c of rest) c!.remove();
      tr.dataset.state = 'unavailable';
      return;
    }
    try {
      ran!.textContent = opened.ran;
      let mismatches = 0;
      let zeroSign = 0;
      const show = (n: number) => (Number.isFinite(n) ? n.toLocaleString('en-US') : 'NaN for a number');
      for (const [form, all, body] of [
        ['none', none, bodyNone],
        ['tanh', tanh, bodyTanh],
      ] as const) {
        const got = await opened.gelu(x, form);
        let max = 0;
        // above the negative tail: a flushed tail result is millions of steps off and would hide the rest
        let maxBody = 0;
        for (let i = 0; i < x.length; i++) {
          const c = compareResult(got[i]!, want[form][i]!, 'f32');
          if (!c.matches) mismatches++;
          if (c.zeroSign) zeroSign++;
          max = Math.max(max, c.steps);
          if (x[i]! > -3) maxBody = Math.max(maxBody, c.steps);
        }
        all!.textContent = show(max);
        body!.textContent = show(maxBody);
      }
      off!.textContent = `${mismatches.toLocaleString('en-US')} of ${(2 * x.length).toLocaleString('en-US')}${zeroSign > 0 ? ` (${zeroSign} zero sign)` : ''}`;
      let input = timing.get(b.timed);
      if (input === undefined) timing.set(b.timed, (input = timingInput(b.timed)));
      await opened.gelu(input, 'tanh');
      const times: number[] = [];
      for (let r = 0; r < 5; r++) {
        const t0 = performance.now();
        await opened.gelu(input, 'tanh');
        times.push(performance.now() - t0);
      }
      times.sort((p, q) => p - q);
      const median = times[2]!;
      speed!.textContent = (b.timed / median / 1e3).toFixed(1);
      speed!.title = `2^${Math.log2(b.timed)} elements, median of 5 runs`;
      tr.dataset.state = 'measured';
    } catch (e) {
      for (const c of rest) if (c!.textContent === '…') c!.textContent = 'failed';
      ran!.textContent = `${opened.ran}; failed: ${(e as Error).message.split('\n')[0]}`;
      tr.dataset.state = 'failed';
    } finally {
      await opened.close();
    }
  }

  async function runAll(): Promise<void> {
    button.disabled = true;
    delete root.dataset.done;
    body.replaceChildren();
    status.textContent = 'Running…';
    for (const b of backends) {
      const tr = document.createElement('tr');
      tr.dataset.backend = b.id;
      const th = document.createElement('th');
      th.scope = 'row';
      th.textContent = b.label;
      tr.append(th);
      body.append(tr);
      await measure(b, tr);
    }
    const isolated = (globalThis as { crossOriginIsolated?: boolean }).crossOriginIsolated === true;
    status.textContent = `Done. Kernel worker threads: ${geluThreads()} (crossOriginIsolated: ${isolated ? 'yes' : 'no'}; cores reported: ${navigator.hardwareConcurrency}).`;
    root.dataset.done = 'true';
    button.disabled = false;
  }
  button.addEventListener('click', () => void runAll());
  void runAll();
}
