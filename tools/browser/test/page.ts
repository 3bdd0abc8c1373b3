import type { Browser } from 'playwright-core';
import { afterAll, beforeAll } from 'vitest';
import { bundleForBrowser, launchChromium } from '../src/index.js';

const here = new URL('.', import.meta.url).pathname;

/**
 * Registers hooks that bundle @geglu/kernel for a browser (the page finds it at
 * globalThis.geglu.kernel) and start Chromium before the file's tests, and
 * close it after; the getters give them to the tests.
 */
export function useKernelPage(): { readonly browser: Browser; readonly script: string } {
  let browser: Browser | undefined;
  let script = '';
  beforeAll(async () => {
    script = await bundleForBrowser(`import * as kernel from '@geglu/kernel'; globalThis.geglu = { kernel };`, here);
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
  });
  return {
    get browser() {
      return browser!;
    },
    get script() {
      return script;
    },
  };
}
