/**
 * Runs a browser bundle of the @geglu packages in headless Chromium: Debian's
 * `chromium` package (apt-get install chromium) driven by playwright-core,
 * which never downloads a browser of its own here, with the packages bundled
 * by esbuild. The page is served from 127.0.0.1, with the cross-origin
 * isolation headers when asked, so that SharedArrayBuffer (and shared
 * WebAssembly memory, and the kernel's worker threads) exist only then.
 *
 * playwright-core and esbuild are optional peer dependencies of
 * @geglu/verify, loaded on first use: a lean install that judges dumps never
 * needs them, and without them `browserMissing` says what to install.
 */
import { existsSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Browser, Page } from 'playwright-core';

export type { Browser, Page };

/** Where Debian's chromium package puts the browser. */
export const CHROMIUM_PATH = '/usr/bin/chromium';

/** The versions the workspace pins, for the install hint. */
const DRIVER_PACKAGES = 'playwright-core@1.65.1 esbuild@0.28.2';

/**
 * Launch flags (shared/DESIGN.md, "Running in a browser"): the first group
 * keeps Chromium off the network, which is closed here and which it would
 * otherwise flood; the last two give WebGPU (SwiftShader's fallback adapter)
 * and WebGL (ANGLE on SwiftShader) without a GPU.
 */
export const CHROMIUM_ARGS: readonly string[] = [
  '--headless=new',
  '--no-sandbox',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--disable-quic',
  '--enable-unsafe-webgpu',
  '--enable-unsafe-swiftshader',
];

/** Why Chromium cannot run here, or null when it can. */
export function chromiumMissing(): string | null {
  return existsSync(CHROMIUM_PATH) ? null : `${CHROMIUM_PATH} is absent (Debian: apt-get install -y chromium)`;
}

type Playwright = typeof import('playwright-core');
type Esbuild = typeof import('esbuild');

async function optional<T>(name: string, importer: () => Promise<T>): Promise<T | string> {
  try {
    return await importer();
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    if (e.code === 'ERR_MODULE_NOT_FOUND' && e.message.includes(`'${name}'`)) {
      return `${name} is not installed (the browser backends need ${DRIVER_PACKAGES}; they are optional peers of @geglu/verify)`;
    }
    return `${name} could not be loaded (${e.message.split('\n')[0]})`;
  }
}

let drivers: Promise<{ playwright: Playwright; esbuild: Esbuild } | string> | undefined;

/** playwright-core and esbuild, or why they cannot be loaded. */
function loadDrivers(): Promise<{ playwright: Playwright; esbuild: Esbuild } | string> {
  drivers ??= (async () => {
    const playwright = await optional('playwright-core', () => import('playwright-core'));
    if (typeof playwright === 'string') return playwright;
    const esbuild = await optional('esbuild', () => import('esbuild'));
    if (typeof esbuild === 'string') return esbuild;
    return { playwright, esbuild };
  })();
  return drivers;
}

/** Why the browser backends cannot run here (no Chromium, no driver packages), or null when they can. */
export async function browserMissing(): Promise<string | null> {
  const d = await loadDrivers();
  return typeof d === 'string' ? d : chromiumMissing();
}

async function driversOrThrow(): Promise<{ playwright: Playwright; esbuild: Esbuild }> {
  const d = await loadDrivers();
  if (typeof d === 'string') throw new Error(d);
  return d;
}

/**
 * Bundles `source` (an ES module) for a browser with esbuild, resolving its
 * imports from `resolveDir` (e.g. a project whose node_modules hold the packages).
 * The "browser" condition and field apply, as in any browser bundler.
 */
export async function bundleForBrowser(source: string, resolveDir: string): Promise<string> {
  const { esbuild } = await driversOrThrow();
  const result = await esbuild.build({
    stdin: { contents: source, resolveDir, sourcefile: 'entry.js', loader: 'js' },
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: 'chrome120',
    write: false,
    logLevel: 'silent',
  });
  return result.outputFiles[0]!.text;
}

export interface PageOptions {
  /** Serve with COOP/COEP, making the page crossOriginIsolated. */
  isolated: boolean;
}

function serve(script: string, isolated: boolean): Promise<Server> {
  const isolation = isolated ? { 'Cross-Origin-Opener-Policy': 'same-origin', 'Cross-Origin-Embedder-Policy': 'require-corp' } : {};
  const server = createServer((req, res) => {
    if (req.url === '/main.js') {
      res.writeHead(200, { 'Content-Type': 'text/javascript', ...isolation });
      res.end(script);
    } else if (req.url === '/') {
      res.writeHead(200, { 'Content-Type': 'text/html', ...isolation });
      res.end('<!doctype html><meta charset="utf-8"><title>geglu</title><script type="module" src="/main.js"></script>');
    } else {
      res.writeHead(404).end();
    }
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve(server));
  });
}

/** Starts Chromium; close it when done. */
export async function launchChromium(): Promise<Browser> {
  const { playwright } = await driversOrThrow();
  const missing = chromiumMissing();
  if (missing) throw new Error(missing);
  return playwright.chromium.launch({ executablePath: CHROMIUM_PATH, args: [...CHROMIUM_ARGS] });
}

/** A page running a bundle, open until `close`. */
export interface OpenPage {
  page: Page;
  close(): Promise<void>;
}

/**
 * Loads a page running `script` (a bundle from bundleForBrowser) in `browser`
 * and waits until the script has set `globalThis.geglu` (its API for the
 * caller). An exception on the page before that fails the call with its message.
 */
export async function openPage(browser: Browser, script: string, options: PageOptions): Promise<OpenPage> {
  const server = await serve(script, options.isolated);
  const page = await browser.newPage();
  const close = async () => {
    await page.close();
    await new Promise((resolve) => server.close(resolve));
  };
  const threw = new Promise<never>((_, reject) => page.on('pageerror', (e: Error) => reject(new Error(`the page threw: ${e.message}`))));
  threw.catch(() => {});
  try {
    const { port } = server.address() as AddressInfo;
    await page.goto(`http://127.0.0.1:${port}/`);
    await Promise.race([page.waitForFunction(() => 'geglu' in globalThis, undefined, { timeout: 60_000 }), threw]);
    return { page, close };
  } catch (err) {
    await close();
    throw err;
  }
}

/** openPage, then `use` with the page, then closes the page and the server. */
export async function withPage<T>(browser: Browser, script: string, options: PageOptions, use: (page: Page) => Promise<T>): Promise<T> {
  const opened = await openPage(browser, script, options);
  try {
    return await use(opened.page);
  } finally {
    await opened.close();
  }
}
