/**
 * A commit writes its layer blob before the manifest that references it: a
 * gc from a second Store on the same directory (as another process would
 * run it) right after that blob lands must not remove it. The commit holds a
 * store lease until putImage, as build does.
 */
import * as fs from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openStore } from '../../src/node.js';
import { build } from '../../src/build/index.js';
import { fsck } from '../../src/store/index.js';
import { MemoryTree } from '../../src/tree/memory.js';
import { afterEachCommit } from '../helpers/store-hooks.js';

let tmp: string;
beforeAll(async () => {
  tmp = await fs.mkdtemp(path.join(os.tmpdir(), 'layerfs-commit-gc-'));
});
afterAll(async () => {
  await fs.rm(tmp, { recursive: true, force: true });
});

describe('container commit and a concurrent gc', () => {
  it('keeps the new layer blob while another Store collects between the blob and the manifest', async () => {
    const dir = path.join(tmp, 'store');
    const store = await openStore(dir);
    const collector = await openStore(dir);
    await build(store, { context: { Dockerfile: 'FROM scratch\nCOPY a.txt /\n', 'a.txt': 'a' }, tag: 'base:1' });
    const c = await store.createContainer('base:1');
    await c.writeFile('/b.txt', new TextEncoder().encode('b'));

    const removed: string[] = [];
    let collected = 0;
    const restore = afterEachCommit(store, async () => {
      collected++;
      removed.push(...(await collector.gc()).removedBlobs);
    });
    let img;
    try {
      img = await c.commit({ tag: 'next:1' });
    } finally {
      restore();
    }
    expect(collected).toBeGreaterThan(0);
    const top = img.layers[img.layers.length - 1]!.digest;
    expect(removed).not.toContain(top);
    expect(await collector.hasBlob(top)).toBe(true);
    const tree = new MemoryTree();
    await collector.unpack('next:1', tree);
    expect(new TextDecoder().decode(tree.readFileBytes('b.txt'))).toBe('b');
    expect((await fsck(collector)).ok).toBe(true);
  });
});
