/**
 * The container layer cache: a layer too big to keep in memory is kept, in
 * a persistent store, as its tar in chunk files (LAYER_TARS area), so file
 * reads stop inflating the blob; every byte handed out is checked against
 * the file's content digest, a damaged area falls back to the blob and is
 * filled again, a new process reuses a complete area, gc removes the areas
 * of removed layers, and a memory store keeps no area.
 */
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { openMemoryStore, type Container, type MemoryEntrySpec, type Store } from '../../src/index.js';
import { openStore } from '../../src/node.js';
import { setLayerCacheLimits } from '../../src/container/layer-cache.js';
import { LAYER_TARS } from '../../src/store/types.js';
import { cleanup, makeImage, tempDir } from './helpers.js';

afterAll(cleanup);
afterEach(() => setLayerCacheLimits());

// Contents that straddle the 1,000-byte chunks of these tests every way: empty,
// inside one chunk, ending on a boundary, spanning several.
const SIZES = [0, 1, 999, 1000, 1001, 2500, 4096, 10_000, 7];
const files: Array<[string, Uint8Array]> = SIZES.map((n, i) => [`data/f${i}`, new Uint8Array(randomBytes(n))]);
const SPECS: MemoryEntrySpec[] = [{ path: 'data', mode: 0o755 }, ...files.map(([p, content]) => ({ path: p, content }))];

/** Counts the store's reads of blob `digest` (the layer: what the cache is there to avoid). */
function countBlobReads(store: Store, digest: string): { n: number } {
  const c = { n: 0 };
  const get = store.getBlob.bind(store);
  store.getBlob = ((d: string, size?: number) => {
    if (d === digest) c.n++;
    return get(d, size);
  }) as Store['getBlob'];
  return c;
}

/** The files with content (an empty file is answered without reading its layer). */
const nonEmpty = files.filter(([, b]) => b.length > 0);

/** A disk store with big:1 (SPECS) and a container of it; the layer blob's reads counted from here on. */
async function bigContainer(name?: string): Promise<{ dir: string; store: Store; c: Container; layer: string; reads: { n: number } }> {
  const dir = await tempDir();
  const store = await openStore(dir);
  const img = await makeImage(store, [SPECS], 'big:1');
  const c = await store.createContainer('big:1', name === undefined ? {} : { name });
  const layer = img.layers[0]!.digest;
  return { dir, store, c, layer, reads: countBlobReads(store, layer) };
}

/** Every file of `list` reads back from `c` byte for byte. */
async function expectFiles(c: Container, list: Array<[string, Uint8Array]>): Promise<void> {
  for (const [p, want] of list) expect(Buffer.compare(await c.readFile(`/${p}`), want), p).toBe(0);
}

async function areaDir(dir: string): Promise<string[]> {
  const root = path.join(dir, 'areas', LAYER_TARS);
  return fs.readdir(root).catch(() => []);
}

/**
 * A disk store whose container c1 read two files of big:1 (filling the
 * layer's area), opened again as a second process would; counting that
 * one's reads of the layer blob.
 */
async function fillThenReopen(): Promise<{ dir: string; again: Store; reads: { n: number }; firstReads: number }> {
  const { dir, c, layer, reads: firstReads } = await bigContainer('c1');
  await c.readFile('/data/f1');
  await c.readFile('/data/f2');
  expect(await areaDir(dir)).toHaveLength(1);
  const again = await openStore(dir);
  return { dir, again, reads: countBlobReads(again, layer), firstReads: firstReads.n };
}

describe('layer cache: big layers kept as chunked tars in the store', () => {
  it('after the second read, files come from the chunks, byte for byte, without reading the blob', async () => {
    // Nothing fits in memory: every layer is "big".
    setLayerCacheLimits({ maxBlob: 0, chunk: 1000 });
    const { dir, c, layer, reads } = await bigContainer();
    await expectFiles(c, nonEmpty.slice(0, 2));
    // The first read went to the blob, the second filled the area (one more pass).
    expect(reads.n).toBe(2);
    const ids = await areaDir(dir);
    expect(ids).toHaveLength(1);
    expect(decodeURIComponent(ids[0]!)).toBe(layer);
    const names = await fs.readdir(path.join(dir, 'areas', LAYER_TARS, ids[0]!));
    expect(names).toContain('complete');
    expect(names.filter((n) => /^c\d+$/.test(n)).length).toBeGreaterThan(10);
    await expectFiles(c, files);
    expect(reads.n).toBe(2);
  });

  it('a damaged or missing chunk is never handed out: the read falls back to the blob and the area is filled again', async () => {
    setLayerCacheLimits({ maxBlob: 0, chunk: 1000 });
    const { dir, c, reads } = await bigContainer();
    await c.readFile('/data/f1');
    await c.readFile('/data/f2');
    reads.n = 0;
    const [id] = await areaDir(dir);
    const area = path.join(dir, 'areas', LAYER_TARS, id!);
    // Flip every byte of every chunk: whichever chunks hold f7, they are wrong now.
    for (const n of (await fs.readdir(area)).filter((x) => /^c\d+$/.test(x))) {
      const b = await fs.readFile(path.join(area, n));
      await fs.writeFile(path.join(area, n), b.map((x) => x ^ 0xff));
    }
    expect(Buffer.compare(await c.readFile('/data/f7'), files[7]![1])).toBe(0);
    expect(reads.n).toBe(1);
    expect(await areaDir(dir)).toHaveLength(0);
    // The next read fills it again and is served from it; so are later ones.
    expect(Buffer.compare(await c.readFile('/data/f7'), files[7]![1])).toBe(0);
    expect(reads.n).toBe(2);
    await fs.rm(path.join(area, 'c3'));
    expect(Buffer.compare(await c.readFile('/data/f5'), files[5]![1])).toBe(0);
    expect(Buffer.compare(await c.readFile('/data/f4'), files[4]![1])).toBe(0);
    await expectFiles(c, files);
  });

  it('a new process reuses a complete area; gc removes it with its layer', async () => {
    setLayerCacheLimits({ maxBlob: 0, chunk: 1000 });
    const { dir, again, reads } = await fillThenReopen();
    const c2 = await again.container('c1');
    // From the first read on: no blob read at all.
    await expectFiles(c2, files);
    expect(reads.n).toBe(0);

    // du counts it (the whole tar, in chunks); gc keeps it while the image is there.
    const tarBytes = files.reduce((n, [, b]) => n + 512 + Math.ceil(b.length / 512) * 512, 0);
    const du = await again.du();
    expect(du.layerTars.count).toBe(1);
    expect(du.layerTars.bytes).toBeGreaterThan(tarBytes);
    await again.gc();
    expect(await areaDir(dir)).toHaveLength(1);
    await again.removeContainer('c1');
    await again.untag('big:1');
    const report = await again.gc();
    expect(report.removedLayerTars).toBe(1);
    expect(report.removedBytes).toBeGreaterThan(tarBytes);
    expect(await areaDir(dir)).toHaveLength(0);
    expect((await again.du()).layerTars).toEqual({ count: 0, bytes: 0 });
  });

  it('a new process goes to a kept area at once, without reading the blob or inflating the layer into memory', async () => {
    // Small enough a blob to try memory, too big a tar to keep there: the area is where it goes.
    setLayerCacheLimits({ budget: 2000, chunk: 1000 });
    const { again, reads, firstReads } = await fillThenReopen();
    // The first read, the memory attempt (given up at the budget), the fill.
    expect(firstReads).toBe(3);
    const c2 = await again.container('c1');
    await expectFiles(c2, nonEmpty);
    expect(reads.n).toBe(0);
  });

  it('a memory store keeps no area; its reads are right either way', async () => {
    setLayerCacheLimits({ maxBlob: 0, chunk: 1000 });
    const store = openMemoryStore();
    await makeImage(store, [SPECS], 'big:1');
    const c = await store.createContainer('big:1');
    for (let round = 0; round < 2; round++) {
      await expectFiles(c, files);
    }
    expect(await store.areas(LAYER_TARS).list()).toEqual([]);
  });

  it('a layer small enough is kept in memory as before (no area)', async () => {
    const dir = await tempDir();
    const store = await openStore(dir);
    const img = await makeImage(store, [SPECS], 'small:1');
    const c = await store.createContainer('small:1');
    const reads = countBlobReads(store, img.layers[0]!.digest);
    for (const list of [nonEmpty, files]) {
      await expectFiles(c, list);
    }
    // The first read, then the one that inflated the whole layer into memory.
    expect(reads.n).toBe(2);
    expect(await areaDir(dir)).toHaveLength(0);
  });
});
