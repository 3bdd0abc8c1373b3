/**
 * The Chromium driver is @geglu/verify's (`geglu verify --browser` runs the
 * same pages): Debian's chromium driven by playwright-core, packages bundled
 * by esbuild, pages served with or without cross-origin isolation.
 */
export * from '@geglu/verify/browser';
