// The explorer site, built with Vite and served from dist/, in Debian's headless Chromium: it
// loads without console errors or uncaught exceptions, measures every backend on this device,
// judges the committed fixture with the counts the oracle gives, and each section is captured
// as a screenshot under screenshots/ (a CI artifact).
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { correctlyRounded, evaluate } from '@geglu/oracle';
import { chromiumMissing, launchChromium, type Browser, type Page } from '@geglu/tool-browser';
import { build } from 'vite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ExplorerData } from '../src/data/format.js';
import { serveFolder } from './serve.js';

const missing = chromiumMissing();
const root = fileURLToPath(new URL('..', import.meta.url));
const dist = `${root}dist/`;
const fixture = `${root}test/fixtures/gelu-f32.jsonl`;
const shots = `${root}screenshots/`;

/** float32 bits as an ordinal in which adjacent values differ by 1 (±0 both 0). */
function ordinal(v: number): number {
  const u = new Uint32Array(Float32Array.of(v).buffer)[0]!;
  return u & 0x80000000 ? -(u & 0x7fffffff) : u;
}

/**
 * The fixture's counts from the oracle, apart from geglu check's code: lines that are not JSON
 * objects with "x" and "y" are bad; each other line's y against the correctly rounded gelu(x).
 */
function expectedCounts(text: string) {
  const c = { checked: 0, mismatches: 0, zeroSign: 0, maxSteps: 0, badLines: 0 };
  for (const line of text.trimEnd().split('\n')) {
    let row: { x?: string; y?: string };
    try {
      row = JSON.parse(line);
    } catch {
      c.badLines++;
      continue;
    }
    if (row.x === undefined || row.y === undefined) {
      c.badLines++;
      continue;
    }
    const x = Math.fround(Number(row.x));
    const y = Math.fround(Number(row.y));
    const want = correctlyRounded('gelu', x, 'f32');
    c.checked++;
    const bothNaN = Number.isNaN(y) && Number.isNaN(want);
    const steps = bothNaN ? 0 : Number.isNaN(y) || Number.isNaN(want) ? Infinity : Math.abs(ordinal(y) - ordinal(want));
    if (!bothNaN && !Object.is(y, want)) c.mismatches++;
    if (y === 0 && want === 0 && !Object.is(y, want)) c.zeroSign++;
    c.maxSteps = Math.max(c.maxSteps, steps);
  }
  return c;
}

describe.skipIf(missing !== null)(`the explorer page in headless Chromium${missing ? ` (skipped: ${missing})` : ''}`, () => {
  let browser: Browser;
  let page: Page;
  let server: Awaited<ReturnType<typeof serveFolder>>;
  const problems: string[] = [];

  beforeAll(async () => {
    // the data step runs in `pnpm build` (turbo builds before it tests); run it here only if it has not
    if (!existsSync(`${root}public/data/explorer.json`)) {
      const tsc = spawnSync('npx', ['tsc', '-p', 'tsconfig.data.json'], { cwd: root, stdio: 'inherit' });
      expect(tsc.status).toBe(0);
      const data = spawnSync(process.execPath, ['build/data/main.js'], { cwd: root, stdio: 'inherit' });
      expect(data.status).toBe(0);
    }
    await build({ root, logLevel: 'warn' });
    server = await serveFolder(dist);
    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 1100, height: 900 } });
    page.on('console', (m) => {
      if (m.type() === 'error') problems.push(`console error: ${m.text()}`);
    });
    page.on('pageerror', (e) => problems.push(`uncaught: ${e.message}`));
    // offline once loaded, and no CDN: every request goes to the site itself (data: and blob: URLs never reach the network)
    page.on('request', (r) => {
      if (!/^(data|blob):/.test(r.url()) && !r.url().startsWith(server.url)) problems.push(`request outside the site: ${r.url()}`);
    });
    await page.goto(server.url);
    await page.waitForSelector('#device[data-done="true"]', { timeout: 90_000 });
    mkdirSync(shots, { recursive: true });
  });
  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  it('loads with no console error, no uncaught exception and no request outside the site, crossOriginIsolated', async () => {
    expect(await page.textContent('#load-status')).toBe('');
    expect(await page.evaluate(() => crossOriginIsolated)).toBe(true);
    expect(problems).toEqual([]);
  });

  it('shows the largest gap between the two GELUs where the oracle puts it', async () => {
    const data = JSON.parse(readFileSync(`${dist}data/explorer.json`, 'utf8')) as ExplorerData;
    const gap = (x: number) =>
      evaluate('gelu-tanh', x, { digits: 30 })
        .value.minus(evaluate('gelu', x, { digits: 30 }).value)
        .toNumber();
    const { x, difference } = data.peak;
    expect(difference).toBe(gap(x));
    for (const d of [1e-3, 1e-2, 0.1, 0.5]) {
      expect(Math.abs(gap(x - d))).toBeLessThan(Math.abs(difference));
      expect(Math.abs(gap(x + d))).toBeLessThan(Math.abs(difference));
    }
    const text = await page.textContent('#peak');
    expect(text).toContain(`${difference.toExponential(2).replace('e-', 'e−')} at x = ±${x.toFixed(2)}`);
    expect(await page.locator('#gap svg path').count()).toBeGreaterThan(0);
    expect(await page.locator('#tail svg path.series-exact').count()).toBe(1);
    await page.locator('#gelus').screenshot({ path: `${shots}gelus.png` });
  });

  it('zooming with the controls redraws the range', async () => {
    await page.click('#zoom-peak');
    const from = Number(await page.inputValue('#gelu-range-from'));
    const to = Number(await page.inputValue('#gelu-range-to'));
    expect(to - from).toBeCloseTo(1, 6);
    expect(await page.getAttribute('#gap svg', 'aria-label')).toContain(
      `from ${Number(from.toPrecision(6))} to ${Number(to.toPrecision(6))}`,
    );
    await page.click('button[aria-label="reset the range"]');
    expect(await page.inputValue('#gelu-range-from')).toBe('-5');
  });

  it("every backend's error row comes from the build's scoring, the kernel's at 0 steps", async () => {
    const rows = await page.$$eval('#error-table tbody tr', (trs) => trs.map((tr) => [...tr.children].map((td) => td.textContent ?? '')));
    const data = JSON.parse(readFileSync(`${dist}data/explorer.json`, 'utf8')) as ExplorerData;
    expect(rows).toHaveLength(data.backends.length);
    const kernel = rows.find((r) => r[0] === 'geglu kernel f32')!;
    expect(kernel.slice(3)).toEqual(['0', '0', '0', '0']);
    expect(await page.locator('#error-chart svg circle').count()).toBeGreaterThan(1000);
    expect(await page.locator('#sweep-table tbody tr').count()).toBe(data.sweeps.length);
    await page.locator('#errors').screenshot({ path: `${shots}errors.png` });
  });

  it('"Your device" measures every backend: steps and speed are numbers, the kernel correctly rounded', async () => {
    const rows = await page.$$eval('#device-table tbody tr', (trs) =>
      trs.map((tr) => ({
        backend: (tr as HTMLElement).dataset.backend,
        state: (tr as HTMLElement).dataset.state,
        cells: Object.fromEntries([...tr.querySelectorAll<HTMLElement>('td')].map((td) => [td.dataset.measure, td.textContent ?? ''])),
      })),
    );
    expect(rows.map((r) => r.backend)).toEqual(['kernel', 'gpu-webgpu', 'gpu-webgl2', 'gpu-webgl', 'gpu-webasm', 'gpu-cpu']);
    for (const r of rows) {
      expect(r.state, `${r.backend}: ${JSON.stringify(r.cells)}`).toBe('measured');
      for (const m of ['steps-none', 'steps-tanh', 'body-none', 'body-tanh']) expect(r.cells[m], `${r.backend} ${m}`).toMatch(/^\d[\d,]*$/);
      expect(Number.parseFloat(r.cells.speed!), r.backend).toBeGreaterThan(0);
    }
    const kernel = rows[0]!.cells;
    expect([kernel['steps-none'], kernel['steps-tanh'], kernel['body-none'], kernel['body-tanh'], kernel.mismatches]).toEqual([
      '0',
      '0',
      '0',
      '0',
      '0 of 6,000',
    ]);
    for (const mode of ['webgpu', 'webgl2', 'webgl', 'webasm', 'cpu']) {
      expect(rows.find((r) => r.backend === `gpu-${mode}`)!.cells.ran).toMatch(new RegExp(`^${mode}: `));
    }
    await page.locator('#device').screenshot({ path: `${shots}device.png` });
  });

  it('the drop zone judges the fixture with the counts the oracle gives, as geglu check prints them', async () => {
    const want = expectedCounts(readFileSync(fixture, 'utf8'));
    await page.selectOption('#judge-fn', 'gelu');
    await page.selectOption('#judge-dtype', 'f32');
    await page.fill('#judge-max-steps', '0');
    await page.setInputFiles('#judge-file', fixture);
    await page.waitForSelector('#judge-verdict[data-passed]');
    const got = await page.$eval('#judge-verdict', (e) => ({ ...(e as HTMLElement).dataset }));
    expect(got).toEqual({
      passed: 'false',
      checked: String(want.checked),
      mismatches: String(want.mismatches),
      zeroSign: String(want.zeroSign),
      maxSteps: String(want.maxSteps),
      badLines: String(want.badLines),
    });
    // the same report the CLI prints (its bad lines go to stderr; the page lists them first)
    const cli = spawnSync(
      process.execPath,
      [
        fileURLToPath(import.meta.resolve('@geglu/verify/package.json')).replace('package.json', 'dist/cli.js'),
        'check',
        '--fn',
        'gelu',
        '--dtype',
        'f32',
        fixture,
      ],
      {
        encoding: 'utf8',
      },
    );
    expect(cli.status).toBe(1);
    const shown = (await page.textContent('#judge-output'))!;
    expect(shown.endsWith(cli.stdout)).toBe(true);
    for (const line of cli.stderr.trim().split('\n'))
      expect(shown).toContain(line.replace('geglu check: ', '').replace(fixture, 'gelu-f32.jsonl'));
    await page.locator('#judge').screenshot({ path: `${shots}judge.png` });
  });

  it('refuses a max steps field that is not a whole number ≥ 0, naming what was typed, instead of judging', async () => {
    // a number field with min="0" still hands the page "-1" or "2.5", and "" when cleared
    for (const typed of ['-1', '2.5', '']) {
      await page.fill('#judge-max-steps', typed);
      await page.setInputFiles('#judge-file', []);
      await page.setInputFiles('#judge-file', fixture);
      await page.waitForSelector('#judge-verdict[data-passed]');
      const got = await page.$eval('#judge-verdict', (e) => ({ text: e.textContent, ...(e as HTMLElement).dataset }));
      expect(got).toEqual({
        text: `Cannot judge: max steps allowed is ${JSON.stringify(typed)}, expected a whole number ≥ 0`,
        passed: 'error',
      });
    }
    await page.fill('#judge-max-steps', '0');
  });

  it('is readable on a phone: nothing wider than the screen', async () => {
    const phone = await browser.newPage({ viewport: { width: 390, height: 844 } });
    try {
      await phone.goto(server.url);
      await phone.waitForSelector('#device[data-done="true"]', { timeout: 90_000 });
      expect(await phone.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
      for (const id of ['gelus', 'errors', 'device', 'judge'])
        await phone.locator(`#${id}`).screenshot({ path: `${shots}phone-${id}.png` });
    } finally {
      await phone.close();
    }
  });
});
