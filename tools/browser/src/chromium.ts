/**
 * Runs a browser bundle of the @geglu packages in headless Chromium: Debian's
 * `chromium` package (apt-get install chromium) driven by playwright-core,
 * which never downloads a browser of its own here. The page is served from
 * 127.0.0.1, with the cross-origin isolation headers when asked, so that
 * SharedArrayBuffer (and shared WebAssembly memory) exist only then.
 */
import { existsSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { build } from 'esbuild';
import { chromium, type Browser, type Page } from 'playwright-core';

export type { Browser, Page };

/** Where Debian's chromium package puts the browser. */
export const CHROMIUM_PATH = '/usr/bin/chromium';

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

/**
 * Bundles `source` (an ES module) for a browser with esbuild, resolving its
 * imports from `resolveDir` (e.g. a project whose node_modules hold the packages).
 * The "browser" condition and field apply, as in any browser bundler.
 */
export async function bundleForBrowser(source: string, resolveDir: string): Promise<string> {
  const result = await build({
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
export function launchChromium(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM_PATH, args: [...CHROMIUM_ARGS] });
}

/**
 * Loads a page running `script` (a bundle from bundleForBrowser) in `browser`,
 * waits until the script has set `globalThis.geglu` (its API for the caller),
 * calls `use` with the page, and closes the page and the server.
 * An exception on the page fails the call with its message.
 */
export async function withPage<T>(browser: Browser, script: string, options: PageOptions, use: (page: Page) => Promise<T>): Promise<T> {
  const server = await serve(script, options.isolated);
  const page = await browser.newPage();
  const threw = new Promise<never>((_, reject) => page.on('pageerror', (e) => reject(new Error(`the page threw: ${e.message}`))));
  threw.catch(() => {});
  try {
    const { port } = server.address() as AddressInfo;
    await page.goto(`http://127.0.0.1:${port}/`);
    await Promise.race([page.waitForFunction(() => 'geglu' in globalThis, undefined, { timeout: 60_000 }), threw]);
    return await use(page);
  } finally {
    await page.close();
    await new Promise((resolve) => server.close(resolve));
  }
}
