/**
 * "Judge a dump": a dropped or picked file is judged in the page by `geglu check`'s own readers
 * and judge (@geglu/verify/check) against @geglu/oracle; nothing leaves the browser.
 */
import * as oracle from '@geglu/oracle';
import {
  CheckInputError,
  CheckJudge,
  MAX_LINE_BYTES,
  checkFields,
  formatSummary,
  jsonlBatches,
  npyBatches,
  safetensorsBatches,
  REGIONS,
  type CheckBatch,
  type CheckFunction,
  type CheckSummary,
} from '@geglu/verify/check';

/** As the CLI: the first bad lines are named, the rest counted. */
const MAX_REPORTED_BAD_LINES = 20;

type FloatFormat = CheckSummary['dtype'];

/** A Blob's bytes as the async iterable of chunks the JSONL reader takes. */
async function* blobChunks(blob: Blob): AsyncGenerator<Uint8Array> {
  const reader = blob.stream().getReader();
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) return;
      yield value;
    }
  } finally {
    reader.releaseLock();
  }
}

/** .npy files go to the fields by name (x.npy, y.npy; gate.npy, up.npy, y.npy for geglu). */
function npyByField(files: readonly File[], fields: readonly string[]): File[] {
  const byStem = new Map(files.map((f) => [f.name.replace(/\.npy$/i, ''), f]));
  const missing = fields.filter((f) => !byStem.has(f));
  if (missing.length > 0 || files.length !== fields.length) {
    throw new CheckInputError(
      `.npy input needs one file per field named ${fields.map((f) => `${f}.npy`).join(', ')}; got ${files.map((f) => f.name).join(', ')}`,
    );
  }
  return fields.map((f) => byStem.get(f)!);
}

export async function judgeFiles(
  files: readonly File[],
  options: { fn: CheckFunction; approximate?: 'none' | 'tanh'; dtype: FloatFormat; maxSteps: number },
): Promise<{ summary: CheckSummary; text: string; badLines: string[] }> {
  const fields = checkFields(options.fn);
  const names = files.map((f) => f.name.toLowerCase());
  const kind = names.every((n) => n.endsWith('.npy'))
    ? 'npy'
    : files.length === 1 && names[0]!.endsWith('.safetensors')
      ? 'safetensors'
      : files.length === 1
        ? 'jsonl'
        : null;
  if (kind === null)
    throw new CheckInputError(`expected one .jsonl or .safetensors file, or .npy files; got ${files.map((f) => f.name).join(', ')}`);
  const limits = { tail: options.maxSteps, subnormal: options.maxSteps, normal: options.maxSteps, special: options.maxSteps };
  const judge = new CheckJudge(
    {
      fn: options.fn,
      approximate: options.approximate,
      dtype: options.dtype,
      input: kind,
      limits,
      maxStepsAllowed: options.maxSteps,
      backend: null,
    },
    oracle,
  );
  const badLines: string[] = [];
  const label = kind === 'npy' ? files.at(-1)!.name : files[0]!.name;
  const bad = (no: number, why: string) => {
    if (judge.badLine() <= MAX_REPORTED_BAD_LINES) badLines.push(`${label} line ${no}: ${why}; skipped`);
  };
  let batches: AsyncGenerator<CheckBatch>;
  let close = async () => {};
  if (kind === 'jsonl') batches = jsonlBatches(blobChunks(files[0]!), fields, options.dtype, bad, (no) => judge.line(no));
  else {
    const opened =
      kind === 'npy'
        ? await npyBatches(npyByField(files, fields), options.dtype)
        : await safetensorsBatches(files[0]!, fields, options.dtype, files[0]!.name);
    batches = opened.batches;
    close = opened.close;
  }
  try {
    for await (const batch of batches) judge.add(batch);
  } finally {
    await close();
  }
  const summary = judge.finish();
  if (summary.badLines > MAX_REPORTED_BAD_LINES) badLines.push(`... and ${summary.badLines - MAX_REPORTED_BAD_LINES} more bad lines`);
  return { summary, text: formatSummary(summary), badLines };
}

export function judgeSection(root: HTMLElement): void {
  const form = root.querySelector<HTMLFormElement>('#judge-form')!;
  const zone = root.querySelector<HTMLElement>('#drop-zone')!;
  const picker = root.querySelector<HTMLInputElement>('#judge-file')!;
  const output = root.querySelector<HTMLPreElement>('#judge-output')!;
  const verdict = root.querySelector<HTMLElement>('#judge-verdict')!;
  const fnSelect = root.querySelector<HTMLSelectElement>('#judge-fn')!;
  const approxSelect = root.querySelector<HTMLSelectElement>('#judge-approximate')!;
  root.querySelector('#judge-line-cap')!.textContent = String(MAX_LINE_BYTES);
  root.querySelector('#judge-regions')!.textContent = REGIONS.join(', ');
  const syncApprox = () => {
    approxSelect.disabled = fnSelect.value !== 'geglu';
  };
  fnSelect.addEventListener('change', syncApprox);
  syncApprox();

  async function judge(files: File[]): Promise<void> {
    if (files.length === 0) return;
    const data = new FormData(form);
    const fn = data.get('fn') as CheckFunction;
    verdict.textContent = `Judging ${files.map((f) => f.name).join(', ')}…`;
    for (const k of Object.keys(verdict.dataset)) delete verdict.dataset[k];
    output.textContent = '';
    try {
      // min="0" step="1" do not stop a typed -1 or 2.5 reaching here, and Number('') is 0: as
      // geglu check's --max-steps, anything but digits is refused, never judged against
      const typed = String(data.get('maxSteps') ?? '');
      if (!/^\d+$/.test(typed)) throw new CheckInputError(`max steps allowed is ${JSON.stringify(typed)}, expected a whole number ≥ 0`);
      const { summary, text, badLines } = await judgeFiles(files, {
        fn,
        approximate: fn === 'geglu' ? (data.get('approximate') as 'none' | 'tanh') : undefined,
        dtype: data.get('dtype') as FloatFormat,
        maxSteps: Number(typed),
      });
      output.textContent = [...badLines, text].join('\n');
      verdict.textContent = `${summary.passed ? 'PASS' : 'FAIL'}: ${summary.checked} checked, ${summary.mismatches} mismatches (${summary.zeroSign} zero sign), max ${summary.maxSteps} steps, ${summary.badLines} bad lines.`;
      verdict.dataset.passed = String(summary.passed);
      for (const k of ['checked', 'mismatches', 'zeroSign', 'maxSteps', 'badLines'] as const) verdict.dataset[k] = String(summary[k]);
    } catch (e) {
      verdict.textContent = `Cannot judge: ${(e as Error).message}`;
      verdict.dataset.passed = 'error';
    }
  }

  picker.addEventListener('change', () => void judge([...(picker.files ?? [])]));
  zone.addEventListener('click', () => picker.click());
  zone.addEventListener('dragover', (e) => {
    e.preventDefault();
    zone.classList.add('over');
  });
  zone.addEventListener('dragleave', () => zone.classList.remove('over'));
  zone.addEventListener('drop', (e) => {
    e.preventDefault();
    zone.classList.remove('over');
    void judge([...(e.dataTransfer?.files ?? [])]);
  });
}
