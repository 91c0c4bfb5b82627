/**
 * A user's app built with Vite: a temp project whose node_modules/layerfs
 * links to this package (so 'layerfs' resolves through package.json
 * "exports" to dist/, as after `npm install layerfs`), built with Vite's
 * programmatic build(), served as static files and run in Debian's
 * chromium. Vite must have emitted the Wasm core as an asset (found through
 * `new URL(..., import.meta.url)` in src/core/load.ts) and the page must
 * fetch it by URL; the digests must equal the ones Node computes.
 */
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser } from 'playwright-core';
import { build } from 'vite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as lib from '../../../src/index.js';
import { requireTools } from '../../helpers/tools.js';
import { CHROMIUM, CHROMIUM_ARGS } from '../chromium.js';
// @ts-expect-error plain ESM script without types
import { demo } from '../pages/demo.js';
import { serveStatic, type StaticServer } from './static-server.js';

const root = fileURLToPath(new URL('../../../', import.meta.url));

let dir: string;
let server: StaticServer;
let browser: Browser;

beforeAll(async () => {
  requireTools('chromium');
  dir = mkdtempSync(join(tmpdir(), 'layerfs-vite-app-'));
  mkdirSync(join(dir, 'node_modules'));
  symlinkSync(root, join(dir, 'node_modules', 'layerfs'), 'dir');
  copyFileSync(fileURLToPath(new URL('../pages/demo.js', import.meta.url)), join(dir, 'demo.js'));
  writeFileSync(join(dir, 'index.html'), '<!doctype html>\n<meta charset="utf-8">\n<title>vite app</title>\n<script type="module" src="./main.js"></script>\n');
  writeFileSync(
    join(dir, 'main.js'),
    [
      "import * as layerfs from 'layerfs';",
      "import { demo } from './demo.js';",
      'demo(layerfs).then((r) => { window.result = r; }, (e) => { window.result = { error: String(e && e.code ? e.code + ": " + e.message : e) }; });',
      '',
    ].join('\n'),
  );
  await build({ root: dir, configFile: false, logLevel: 'error', build: { outDir: join(dir, 'dist'), target: 'es2022' } });
  server = await serveStatic(join(dir, 'dist'));
  browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS, headless: true });
});

afterAll(async () => {
  await browser?.close();
  await server?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe("an app that imports 'layerfs', built with Vite", () => {
  it('emits the Wasm core as an asset, fetches it by URL, and hashes and diffs like Node', async () => {
    const assets = readdirSync(join(dir, 'dist', 'assets'));
    const wasm = assets.filter((f) => f.endsWith('.wasm'));
    expect(wasm.some((f) => /^layerfs\.simd-[\w-]+\.wasm$/.test(f))).toBe(true);

    const expected = await demo(lib);
    const page = await browser.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(`${server.url}/index.html`);
    await page.waitForFunction(() => (window as unknown as { result?: unknown }).result !== undefined, undefined, { timeout: 20_000 });
    const got = await page.evaluate(() => (window as unknown as { result: Record<string, unknown> }).result);
    await page.close();
    expect(errors).toEqual([]);
    expect(got.error).toBeUndefined();
    expect(got.hash).toBe(expected.hash);
    expect(got.layerDigest).toBe(expected.layerDigest);
    expect(got.diffId).toBe(expected.diffId);
    expect(got.paths).toEqual(expected.paths);
    expect(got.simd).toBe(true);
    // the SIMD build was fetched by its emitted URL (not inlined as a data: URL)
    expect(server.requests.filter((p) => p.endsWith('.wasm'))).toEqual([expect.stringMatching(/^\/assets\/layerfs\.simd-[\w-]+\.wasm$/)]);
  });
});
