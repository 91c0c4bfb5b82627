/**
 * A gc running while a build writes its blobs (here from a second Store on
 * the same directory, as another process would) must not remove them: the
 * build holds a store lease from its first blob until the tag or a cache
 * record reaches them. The gc runs right after every blob the build commits,
 * and the base image is untagged under the build's feet.
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
  tmp = await fs.mkdtemp(path.join(os.tmpdir(), 'layerfs-build-gc-'));
});
afterAll(async () => {
  await fs.rm(tmp, { recursive: true, force: true });
});

describe('build and a concurrent gc', () => {
  it('keeps every blob it writes or builds on, while another Store collects after each of its commits', async () => {
    const dir = path.join(tmp, 'store');
    const builder = await openStore(dir);
    const collector = await openStore(dir);
    await build(builder, { context: { Dockerfile: 'FROM scratch\nCOPY base.txt /\n', 'base.txt': 'base' }, tag: 'base:1' });

    let untagged = false;
    const removed: string[] = [];
    const restore = afterEachCommit(builder, async () => {
      if (!untagged) {
        untagged = true;
        await collector.untag('base:1'); // only the running build still needs the base now
      }
      removed.push(...(await collector.gc()).removedBlobs);
    });
    let result;
    try {
      result = await build(builder, {
        context: { Dockerfile: 'FROM base:1\nCOPY a.txt /app/\nENV X=1\nCOPY b.txt /app/\n', 'a.txt': 'a', 'b.txt': 'b' },
        tag: 'app:1',
        noCache: true,
      });
    } finally {
      restore();
    }
    expect(untagged).toBe(true);
    expect(result.image.layers).toHaveLength(3);
    // Nothing the image needs went: not the base layer, not the new layers, config or manifest.
    for (const d of [result.digest, result.id, ...result.image.layers.map((l) => l.digest)]) {
      expect(removed).not.toContain(d);
      expect(await collector.hasBlob(d)).toBe(true);
    }
    const tree = new MemoryTree();
    await collector.unpack('app:1', tree);
    expect(new TextDecoder().decode(tree.readFileBytes('base.txt'))).toBe('base');
    expect(new TextDecoder().decode(tree.readFileBytes('app/b.txt'))).toBe('b');
    expect((await fsck(collector)).problems).toEqual([]);
    // The lease is gone with the build: a gc now finds nothing to keep beyond what records reach.
    expect(await collector.backend.listRecords('leases')).toEqual([]);
  });
});
