/**
 * The browser bundle (dist/browser/layerfs.js, scripts/build-web.js) loads
 * in a plain `<script type="module">` with no import map and no bundler:
 * a page served from the package tree imports it, hashes a buffer, diffs
 * two in-memory trees and applies the layer, in Debian's chromium. The
 * digests must equal node:crypto's and those the same code computes in
 * Node from src/; the Wasm core must be fetched by URL from build/.
 */
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as lib from '../../../src/index.js';
import { README, codeBlock } from '../../helpers/readme.js';
import { requireTools } from '../../helpers/tools.js';
import { CHROMIUM, CHROMIUM_ARGS } from '../chromium.js';
// @ts-expect-error plain ESM scripts without types
import { demo } from '../pages/demo.js';
// @ts-expect-error plain ESM scripts without types
import { buildBrowserBundle } from '../../../scripts/build-web.js';
import { serveStatic, type StaticServer } from './static-server.js';

const root = fileURLToPath(new URL('../../../', import.meta.url));

const PAGE = `<!doctype html>
<meta charset="utf-8">
<title>layerfs in a plain module script</title>
<script type="module">
  import * as layerfs from '/dist/browser/layerfs.js';
  import { demo } from '/test/browser/pages/demo.js';
  try {
    window.result = await demo(layerfs);
  } catch (e) {
    window.result = { error: String(e && e.code ? e.code + ': ' + e.message : e) };
  }
</script>`;

let server: StaticServer;
let browser: Browser;
let dir: string | undefined;

beforeAll(async () => {
  requireTools('chromium');
  // The test checks the bundle of the current source (1-2 s), not a stale one.
  await buildBrowserBundle();
  server = await serveStatic(root, { '/plain.html': PAGE });
  browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS, headless: true });
});

afterAll(async () => {
  await browser?.close();
  await server?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('dist/browser/layerfs.js in a plain <script type="module">', () => {
  it('hashes, diffs and applies in Chromium with the results Node computes', async () => {
    const expected = await demo(lib);
    const page = await browser.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(`${server.url}/plain.html`);
    await page.waitForFunction(() => (window as unknown as { result?: unknown }).result !== undefined, undefined, { timeout: 20_000 });
    const got = await page.evaluate(() => (window as unknown as { result: Record<string, unknown> }).result);
    await page.close();
    expect(errors).toEqual([]);
    expect(got.error).toBeUndefined();

    // the hash against node:crypto, the layer against the same code run in Node
    const data = new Uint8Array(100_000).map((_, i) => (i * 7 + (i >> 8)) & 0xff);
    expect(got.hash).toBe(`sha256:${createHash('sha256').update(data).digest('hex')}`);
    expect(got.hash).toBe(expected.hash);
    expect(got.layerDigest).toBe(expected.layerDigest);
    expect(got.diffId).toBe(expected.diffId);
    expect(got.summary).toEqual({ added: 1, modified: 1, deleted: 1 });
    expect(got.paths).toEqual(expected.paths);
    expect(got.paths).toEqual(['file data.bin', 'directory etc', 'file etc/app.conf', 'file etc/new.conf']);
    expect(got.conf).toBe('level=2\n');
    expect(got.simd).toBe(true);

    // the module came from the bundle, the Wasm core by URL next to it; no bare specifier was left for the browser
    expect(server.requests).toContain('/dist/browser/layerfs.js');
    expect(server.requests).toContain('/build/layerfs.simd.wasm');
    expect(server.requests.filter((p) => !/^\/(plain\.html|dist\/browser\/|build\/|test\/browser\/pages\/|favicon\.ico)/.test(p))).toEqual([]);
  });

  it("README's plain-script snippet works as written, from a project's node_modules", async () => {
    // a user's project: index.html holding the README's snippet, node_modules/layerfs this package
    dir = mkdtempSync(join(tmpdir(), 'layerfs-plain-'));
    mkdirSync(join(dir, 'node_modules'));
    symlinkSync(root, join(dir, 'node_modules', 'layerfs'), 'dir');
    writeFileSync(join(dir, 'index.html'), `<!doctype html>\n<meta charset="utf-8">\n<body>\n${codeBlock(README, '### In the browser', 'html')}`);
    const site = await serveStatic(dir);
    try {
      const page = await browser.newPage();
      const errors: string[] = [];
      page.on('pageerror', (e) => errors.push(e.message));
      await page.goto(`${site.url}/index.html`);
      await page.waitForFunction(() => document.body.textContent!.startsWith('sha256:'), undefined, { timeout: 20_000 });
      const text = await page.evaluate(() => document.body.textContent);
      await page.close();
      const layer = await lib.diffTrees(new lib.MemoryTree(), await lib.MemoryTree.from([{ path: 'hello.txt', content: 'hi\n' }]));
      expect(text).toBe(`sha256:${createHash('sha256').update('abc').digest('hex')} ${layer.diffId}`);
      expect(errors).toEqual([]);
      expect(site.requests).toContain('/node_modules/layerfs/build/layerfs.simd.wasm');
    } finally {
      await site.close();
    }
  });
});
