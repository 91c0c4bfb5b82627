/**
 * End to end: `npm run web`'s server (scripts/web.js) in Node, Debian's
 * chromium driven by playwright-core, a docker-archive and an OCI archive
 * made here with the library (three layers; the top one whites out a file
 * and a directory) opened through the page's file input. Saves
 * test-results/explorer.png.
 */
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openMemoryStore } from '../../../src/node.js';
import { requireTools } from '../../helpers/tools.js';
import { CHROMIUM, CHROMIUM_ARGS } from '../chromium.js';
import { DELETED, LAYER_SPECS, makeDemoImage } from '../fixture.js';
// @ts-expect-error plain ESM script without types
import { startWebServer } from '../../../scripts/web.js';

let dir: string;
let server: { url: string; close(): Promise<void> };
let browser: Browser;
let page: Page;
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
  server = await startWebServer({ port: 0, logLevel: 'warn' });
  browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS, headless: true });
  page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
  page.on('pageerror', (e) => errors.push(e.message));
});

afterAll(async () => {
  await browser?.close();
  await server?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

async function open(file: string): Promise<void> {
  await page.goto(server.url);
  await page.waitForSelector('body[data-ready="idle"]');
  await page.setInputFiles('#file', join(dir, file));
  await page.waitForSelector('body[data-ready="true"], body[data-ready="error"]', { timeout: 60_000 });
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
});
