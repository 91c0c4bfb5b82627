/**
 * A user's app with Vite: a temp project with node_modules/layerfs laid out
 * as `npm install layerfs` leaves it (package.json, dist/, build/*.wasm
 * copied; its dependencies linked from this repository), so 'layerfs'
 * resolves through package.json "exports" to dist/ and is a real dependency
 * to Vite, not linked source. Built with Vite's programmatic build(), served
 * as static files and run in Debian's chromium: Vite must have emitted the
 * Wasm core as an asset (found through `new URL(..., import.meta.url)` in
 * src/core/load.ts) and the page must fetch it by URL. Also run under Vite's
 * dev server (dependency pre-bundling). The digests must equal the ones
 * Node computes.
 */
import { copyFileSync, cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser } from 'playwright-core';
import { build, createServer } from 'vite';
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
  const pkg = join(dir, 'node_modules', 'layerfs');
  mkdirSync(join(pkg, 'build'), { recursive: true });
  copyFileSync(join(root, 'package.json'), join(pkg, 'package.json'));
  cpSync(join(root, 'dist'), join(pkg, 'dist'), { recursive: true });
  for (const f of ['layerfs.simd.wasm', 'layerfs.scalar.wasm']) copyFileSync(join(root, 'build', f), join(pkg, 'build', f));
  const deps = Object.keys(JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')).dependencies as Record<string, string>);
  for (const d of deps) {
    mkdirSync(join(dir, 'node_modules', d, '..'), { recursive: true });
    symlinkSync(join(root, 'node_modules', d), join(dir, 'node_modules', d), 'dir');
  }
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

async function runPage(url: string): Promise<{ got: Record<string, unknown>; wasm: string[] }> {
  const page = await browser.newPage();
  const errors: string[] = [];
  const wasm: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  page.on('request', (r) => void (new URL(r.url()).pathname.endsWith('.wasm') && wasm.push(new URL(r.url()).pathname)));
  await page.goto(url);
  await page.waitForFunction(() => (window as unknown as { result?: unknown }).result !== undefined, undefined, { timeout: 30_000 });
  const got = await page.evaluate(() => (window as unknown as { result: Record<string, unknown> }).result);
  await page.close();
  expect(errors).toEqual([]);
  expect(got.error).toBeUndefined();
  return { got, wasm };
}

describe("an app that imports 'layerfs', with Vite", () => {
  it('runs under the dev server, the Wasm core fetched from the package by URL', async () => {
    const dev = await createServer({ root: dir, configFile: false, logLevel: 'error', cacheDir: join(dir, '.vite'), server: { host: '127.0.0.1', port: 0 } });
    try {
      await dev.listen();
      const { port } = dev.httpServer!.address() as { port: number };
      const { got, wasm } = await runPage(`http://127.0.0.1:${port}/`);
      const expected = await demo(lib);
      expect(got.hash).toBe(expected.hash);
      expect(got.diffId).toBe(expected.diffId);
      expect(wasm).toEqual(['/node_modules/layerfs/build/layerfs.simd.wasm']);
    } finally {
      await dev.close();
    }
  });

  it('build() emits the Wasm core as an asset, fetched by URL; hashes and diffs like Node', async () => {
    const assets = readdirSync(join(dir, 'dist', 'assets'));
    expect(assets.filter((f) => f.endsWith('.wasm')).sort()).toEqual([expect.stringMatching(/^layerfs\.scalar-[\w-]+\.wasm$/), expect.stringMatching(/^layerfs\.simd-[\w-]+\.wasm$/)]);

    const expected = await demo(lib);
    const requests = server.requests.length;
    const { got, wasm } = await runPage(`${server.url}/index.html`);
    expect(got.hash).toBe(expected.hash);
    expect(got.layerDigest).toBe(expected.layerDigest);
    expect(got.diffId).toBe(expected.diffId);
    expect(got.paths).toEqual(expected.paths);
    expect(got.simd).toBe(true);
    // the SIMD build was fetched by its emitted URL (not inlined as a data: URL)
    expect(wasm).toEqual([expect.stringMatching(/^\/assets\/layerfs\.simd-[\w-]+\.wasm$/)]);
    expect(server.requests.slice(requests)).toContain(wasm[0]);
  });
});
