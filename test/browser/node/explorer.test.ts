/**
 * End to end: `npm run web`'s server (scripts/web.js) in Node, Debian's
 * chromium driven by playwright-core, a docker-archive and an OCI archive
 * made here with the library (three layers; the top one whites out a file
 * and a directory) opened through the page's file input, dropped on the
 * drop zone (a DataTransfer drop event), and pulled by the page from a local
 * docker-registry (CORS headers, test/helpers/registry.ts). Saves
 * test-results/explorer.png.
 */
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openMemoryStore } from '../../../src/node.js';
import { freePort, startRegistry, type TestRegistry } from '../../helpers/registry.js';
import { requireTools } from '../../helpers/tools.js';
import { CHROMIUM, CHROMIUM_ARGS } from '../chromium.js';
import { DELETED, LAYER_SPECS, makeDemoImage } from '../fixture.js';
// @ts-expect-error plain ESM script without types
import { buildWebPage, startWebServer } from '../../../scripts/web.js';
import { serveStatic } from './static-server.js';

let dir: string;
let server: { url: string; close(): Promise<void> };
let browser: Browser;
let page: Page;
let registry: TestRegistry;
let digests: string[];
let diffIds: string[];
const errors: string[] = [];

beforeAll(async () => {
  requireTools('chromium');
  dir = mkdtempSync(join(tmpdir(), 'layerfs-explorer-'));
  const store = openMemoryStore();
  const img = await makeDemoImage(store, 'demo/app:1');
  digests = img.layers.map((l) => l.digest);
  diffIds = img.layers.map((l) => l.diffId);
  await store.copy('demo/app:1', `docker-archive:${join(dir, 'demo.tar')}:demo/app:1`);
  await store.copy('demo/app:1', `oci-archive:${join(dir, 'demo-oci.tar')}:1`);
  registry = await startRegistry();
  await store.copy('demo/app:1', `docker://${registry.host}/demo/app:1`);
  server = await startWebServer({ port: 0, logLevel: 'warn' });
  browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS, headless: true });
  page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
  page.on('pageerror', (e) => errors.push(e.message));
});

afterAll(async () => {
  await browser?.close();
  await server?.close();
  await registry?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

/**
 * dive's efficiency worked out from the fixture's specs, independently of
 * web/analyze.ts: per layer, its leaf paths (a file counts its size; a
 * whiteout counts 0 for a file and the bytes of the lower subtree for a
 * directory); per path, cumulative = sum and minimum = smallest;
 * efficiency = sum(min) / sum(cumulative); wasted = the cumulative of paths
 * found in two or more layers.
 */
function diveFromFixture(): { efficiency: number; wasted: number } {
  const size = (c: unknown) => (typeof c === 'string' ? new TextEncoder().encode(c).length : c instanceof Uint8Array ? c.length : 0);
  const below = new Map<string, number>(); // file path -> size in the layers below
  const found = new Map<string, number[]>();
  LAYER_SPECS.forEach((layer, i) => {
    const nodes = new Map<string, number>(layer.specs.map((s) => [s.path, s.type === 'directory' ? 0 : size(s.content)]));
    if (i === LAYER_SPECS.length - 1) {
      for (const d of DELETED) {
        const sub = [...below].filter(([p]) => p.startsWith(`${d}/`));
        nodes.set(d, sub.length ? sub.reduce((n, [, b]) => n + b, 0) : 0);
      }
    }
    for (const [p, b] of nodes) {
      if ([...nodes.keys()].some((q) => q.startsWith(`${p}/`))) continue; // not a leaf of this layer
      found.set(p, [...(found.get(p) ?? []), b]);
    }
    for (const s of layer.specs) if (s.type !== 'directory') below.set(s.path, size(s.content));
  });
  let min = 0;
  let cum = 0;
  let wasted = 0;
  for (const sizes of found.values()) {
    const sum = sizes.reduce((a, b) => a + b, 0);
    min += Math.min(...sizes);
    cum += sum;
    if (sizes.length > 1) wasted += sum;
  }
  return { efficiency: min / cum, wasted };
}

/** The layer list, whiteouts gone from the merged tree, and dive's figures, as the page shows them. */
async function checkShown(p: Page, layerDigests: string[]): Promise<void> {
  expect(await p.locator('#layers tbody td.digest').allTextContents()).toEqual(layerDigests.map((d) => d.slice(7, 19)));
  expect(await p.locator('#layers tbody td.cmd').allTextContents()).toEqual(LAYER_SPECS.map((l) => l.createdBy));
  const paths = await p.locator('#tree li').evaluateAll((els) => els.map((e) => (e as HTMLElement).dataset.path!));
  expect(paths).toContain('etc/motd');
  for (const d of DELETED) expect(paths.filter((x) => x === d || x.startsWith(`${d}/`))).toEqual([]);
  expect(paths.some((x) => x.includes('.wh.'))).toBe(false);
  const dive = diveFromFixture();
  expect(Number(await p.getAttribute('#summary', 'data-efficiency'))).toBeCloseTo(dive.efficiency, 12);
  expect(Number(await p.getAttribute('#summary', 'data-wasted'))).toBe(dive.wasted);
  expect(await p.locator('#summary').textContent()).toContain(`${(dive.efficiency * 100).toFixed(1)} %`);
}

/** Waits until the page has shown an image or an error; a page still loading after 45 s fails with what its status line says. */
async function settled(p: Page): Promise<void> {
  try {
    await p.waitForSelector('body[data-ready="true"], body[data-ready="error"]', { timeout: 45_000 });
  } catch (e) {
    const status = await p.locator('#status').textContent().catch(() => '?');
    throw new Error(`the page did not finish (data-ready=${await p.getAttribute('body', 'data-ready').catch(() => '?')}): status ${JSON.stringify(status)}`, { cause: e });
  }
}

/** A page in a new browser context: its own, empty OPFS store. */
async function freshPage(): Promise<{ p: Page; errs: string[]; close(): Promise<void> }> {
  const ctx = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  const p = await ctx.newPage();
  const errs: string[] = [];
  p.on('pageerror', (e) => errs.push(e.message));
  await p.goto(server.url);
  await p.waitForSelector('body[data-ready="idle"]');
  return { p, errs, close: () => ctx.close() };
}

async function open(file: string): Promise<void> {
  await page.goto(server.url);
  await page.waitForSelector('body[data-ready="idle"]');
  await page.setInputFiles('#file', join(dir, file));
  await settled(page);
  expect(await page.locator('#status').textContent()).not.toMatch(/^[A-Z_]+:/); // no LayerfsError shown
  expect(await page.getAttribute('body', 'data-ready')).toBe('true');
}

describe('explorer page in Chromium', () => {
  it('opens a docker save archive: layer list, deletions, merged tree, preview', async () => {
    await open('demo.tar');
    const rows = page.locator('#layers tbody tr');
    expect(await rows.count()).toBe(3);
    for (let i = 0; i < 3; i++) {
      const row = rows.nth(i);
      // docker save holds uncompressed layers: their digest is the diffId
      expect(await row.locator('td.digest').textContent()).toBe(diffIds[i]!.slice(7, 19));
      expect(await row.locator('td.cmd').textContent()).toBe(LAYER_SPECS[i]!.createdBy);
    }
    // the top layer is selected: its whiteouts are listed as deletions
    const deleted = await page.locator('#changes li[data-kind="D"]').evaluateAll((els) => els.map((e) => (e as HTMLElement).dataset.path));
    expect(deleted.sort()).toEqual([...DELETED].sort());
    // the merged tree has no whited-out path and no .wh. name
    const paths = await page.locator('#tree li').evaluateAll((els) => els.map((e) => (e as HTMLElement).dataset.path!));
    for (const p of DELETED) expect(paths).not.toContain(p);
    expect(paths.some((p) => p.includes('.wh.'))).toBe(false);
    expect(paths).toEqual(expect.arrayContaining(['bin/app', 'etc/motd', 'etc/passwd']));
    expect(await page.locator('#tree li[data-path="bin/app"]').getAttribute('data-layer')).toBe('1');
    // dive's efficiency for this image (worked out in test/browser/analyze.test.ts)
    expect(Number(await page.getAttribute('#summary', 'data-efficiency'))).toBeCloseTo(3053 / 27_553, 12);
    expect(await page.getAttribute('#summary', 'data-wasted')).toBe('27500');
    // a file preview
    await page.click('#tree li[data-path="etc/passwd"]');
    await page.waitForFunction(() => document.getElementById('preview')!.textContent!.includes('root:x:0:0'));
    // layer 1's changes
    await rows.nth(1).click();
    const l1 = await page.locator('#changes li').evaluateAll((els) => els.map((e) => `${(e as HTMLElement).dataset.kind} ${(e as HTMLElement).dataset.path}`));
    expect(l1).toEqual(expect.arrayContaining(['M bin/app', 'A data/cache/tmp.txt']));
    await rows.nth(2).click();
    await page.click('#tree li[data-path="bin/app"]');
    await page.waitForFunction(() => document.getElementById('preview')!.textContent!.startsWith('v2 v2'));
    mkdirSync('test-results', { recursive: true });
    await page.screenshot({ path: 'test-results/explorer.png', fullPage: true });
    expect(errors).toEqual([]);
  });

  it('opens the same image from an OCI archive', async () => {
    await open('demo-oci.tar');
    const shown = await page.locator('#layers tbody td.digest').allTextContents();
    expect(shown).toEqual(digests.map((d) => d.slice(7, 19)));
    const paths = await page.locator('#tree li').evaluateAll((els) => els.map((e) => (e as HTMLElement).dataset.path!));
    for (const p of DELETED) expect(paths).not.toContain(p);
    expect(errors).toEqual([]);
  });

  it('shows a typed error for a file that is not an image archive', async () => {
    await page.goto(server.url);
    await page.waitForSelector('body[data-ready="idle"]');
    await page.setInputFiles('#file', { name: 'notes.txt', mimeType: 'text/plain', buffer: Buffer.from('just text, not a tar archive at all'.repeat(40)) });
    await page.waitForSelector('body[data-ready="error"]');
    expect(await page.locator('#status').textContent()).toMatch(/^INVALID_TAR: /);
  });

  it('opens an archive dropped on the drop zone', async () => {
    const { p, errs, close } = await freshPage();
    // nothing leaves the page: from here on, only GETs of the page's own files
    const sent: string[] = [];
    p.on('request', (r) => void sent.push(`${r.method()} ${r.url()}`));
    const b64 = readFileSync(join(dir, 'demo.tar')).toString('base64');
    const dt = await p.evaluateHandle((data) => {
      const t = new DataTransfer();
      t.items.add(new File([Uint8Array.from(atob(data), (c) => c.charCodeAt(0))], 'demo.tar', { type: 'application/x-tar' }));
      return t;
    }, b64);
    await p.dispatchEvent('#drop', 'dragover', { dataTransfer: dt });
    expect(await p.getAttribute('#drop', 'class')).toContain('over');
    await p.dispatchEvent('#drop', 'drop', { dataTransfer: dt });
    await settled(p);
    expect(await p.locator('#status').textContent()).toMatch(/^demo\.tar: 3 layers/);
    expect(await p.getAttribute('#drop', 'class')).not.toContain('over');
    await checkShown(p, diffIds); // docker save: uncompressed layers, digest = diffId
    expect(sent.filter((r) => !r.startsWith(`GET ${server.url}`))).toEqual([]);
    await close();
    expect(errs).toEqual([]);
  });

  it('pulls an image from a registry URL (docker-registry with CORS)', async () => {
    const { p, errs, close } = await freshPage();
    registry.mark();
    await p.fill('#ref', `${registry.host}/demo/app:1`);
    await p.click('#pull');
    await settled(p);
    expect(await p.locator('#status').textContent()).toMatch(new RegExp(`^${registry.host.replace(/\./g, '\\.')}/demo/app:1: 3 layers`));
    await checkShown(p, digests); // the pushed gzip layers
    // it came from the registry: the manifest and every layer blob were fetched by the page
    const got = registry.requests().filter((r) => r.startsWith('GET '));
    expect(got).toContain('GET /v2/demo/app/manifests/1 200');
    for (const d of digests) expect(got).toContain(`GET /v2/demo/app/blobs/${d} 200`);
    await close();
    expect(errs).toEqual([]);
  });

  it('`npm run web` (scripts/web.js) serves the page on 127.0.0.1:$PORT', async () => {
    const port = await freePort();
    const child = spawn(process.execPath, ['scripts/web.js'], { env: { ...process.env, PORT: String(port) }, stdio: ['ignore', 'pipe', 'pipe'] });
    try {
      let out = '';
      await new Promise<void>((ok, fail) => {
        child.stdout!.on('data', (d: Buffer) => {
          out += d.toString();
          if (out.includes('\n')) ok();
        });
        child.on('exit', (code) => fail(new Error(`scripts/web.js exited with ${code}: ${out}`)));
      });
      expect(out.trim()).toBe(`layerfs explorer: http://127.0.0.1:${port}/`);
      const html = await (await fetch(`http://127.0.0.1:${port}/`)).text();
      expect(html).toContain('<title>layerfs explorer</title>');
    } finally {
      child.kill('SIGTERM');
    }
  });

  it('the static build (scripts/web.js --build) works from any static server', async () => {
    const out = join(dir, 'site');
    await buildWebPage({ outDir: out, logLevel: 'warn' });
    const site = await serveStatic(out);
    const ctx = await browser.newContext();
    try {
      const p = await ctx.newPage();
      const errs: string[] = [];
      p.on('pageerror', (e) => errs.push(e.message));
      await p.goto(`${site.url}/index.html`);
      await p.waitForSelector('body[data-ready="idle"]');
      await p.setInputFiles('#file', join(dir, 'demo-oci.tar'));
      await settled(p);
      await checkShown(p, digests);
      expect(errs).toEqual([]);
      // the Wasm core came from the built assets by URL
      expect(site.requests.filter((r) => r.endsWith('.wasm'))).toEqual([expect.stringMatching(/^\/assets\/layerfs\.simd-[\w-]+\.wasm$/)]);
    } finally {
      await ctx.close();
      await site.close();
    }
  });
});
