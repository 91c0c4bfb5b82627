/**
 * gc against writers in other processes. Two Store objects over one
 * directory stand for two processes exactly (neither sees the other's
 * in-memory pins), so the race is reproduced deterministically; then real
 * processes (the built CLI) copy, pull and gc at once.
 *
 * Before the lease records, gc in one process deleted an unreferenced blob
 * that a copy in another process had just found present (hasBlob) and was
 * about to reference: the copy then failed (BlobUnknownError) or tagged an
 * image with a missing layer.
 */
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fsck, type Store } from '../../src/index.js';
import { openStore } from '../../src/node.js';
import { cleanup, tempDir } from '../container/helpers.js';
import { buildImage, randomLayer, sha, storeImage, writeLayout, type BuiltImage } from '../registry/fixtures.js';
import { startRegistry, type TestRegistry } from '../helpers/registry.js';
import { cli, filesUnder, script } from './helpers.js';

let img: BuiltImage;
let layout: string;
let reg: TestRegistry;
beforeAll(async () => {
  img = buildImage([randomLayer('a', 4, 300_000), randomLayer('b', 4, 300_000), randomLayer('c', 2, 100_000)]);
  layout = writeLayout(img, 'v1');
  reg = await startRegistry();
  const s = await openStore(await tempDir('layerfs-push-'));
  await storeImage(s, img, 'src:1');
  await s.copy('src:1', `docker://${reg.host}/race/img:1`, { insecure: true });
}, 60_000);
afterAll(async () => {
  await reg?.stop();
  await fs.rm(layout, { recursive: true, force: true });
  await cleanup();
});

async function expectSound(store: Store, name: string): Promise<void> {
  const r = await fsck(store);
  expect(r.problems).toEqual([]);
  const image = await store.image(name);
  expect(image.digest).toBe(img.digest);
  for (const l of image.layers) expect(await store.hasBlob(l.digest)).toBe(true);
  // Each blob once (content-addressed file names), and no temp file left behind.
  const blobs = (await store.backend.listBlobs()).map((b) => b.digest).sort();
  expect(blobs).toEqual([...new Set([img.digest, sha(img.config), ...img.layers.map((l) => l.digest)])].sort());
  expect((await filesUnder(path.join(store.location, 'tmp')))).toEqual([]);
}

describe('gc beside a writer in another process', () => {
  it('does not delete blobs a copy found present and has not tagged yet', async () => {
    const dir = await tempDir('layerfs-race-');
    const gcSide = await openStore(dir);
    const image = await storeImage(gcSide, img, 'old:1');
    await gcSide.untag('old:1'); // its blobs are now garbage...
    const writer = await openStore(dir);
    const dest = writer.destination(['new:1']);
    for (const d of [image.configDescriptor, ...image.manifest.layers]) expect(await dest.hasBlob(d)).toBe(true); // ...but a copy relies on them
    const r = await gcSide.gc();
    expect(r.removedBlobs).toEqual([image.digest]); // only the manifest nobody announced
    await dest.putManifest(image);
    await dest.commit();
    await expectSound(writer, 'new:1');
    expect(await writer.backend.listRecords('leases')).toEqual([]);
  });

  it('a writer waits while a collection runs; a crashed collector\'s lock and a crashed writer\'s lease go stale', async () => {
    const dir = await tempDir('layerfs-race-');
    const a = await openStore(dir);
    await a.backend.putRecord('gc-locks', 'other', { value: { updated: Date.now() } });
    const lease = await a.lease();
    let added = false;
    const adding = lease.add(['sha256:' + 'a'.repeat(64)]).then(() => (added = true));
    await new Promise((r) => setTimeout(r, 200));
    expect(added).toBe(false);
    await a.backend.deleteRecord('gc-locks', 'other');
    await adding;
    expect(added).toBe(true);
    await lease.release();

    // A lock last refreshed two minutes ago is a dead gc's: ignored.
    await a.backend.putRecord('gc-locks', 'dead', { value: { updated: Date.now() - 120_000 } });
    const l2 = await a.lease();
    await l2.add(['sha256:' + 'b'.repeat(64)]);
    await l2.release();

    // A lease two hours old is a dead writer's: gc drops it and what only it kept.
    const image = await storeImage(a, img, 'x:1');
    await a.untag('x:1');
    await a.backend.putRecord('leases', 'dead', { value: { updated: Date.now() - 2 * 3600_000 }, blobs: [image.digest] });
    await a.backend.putRecord('leases', 'alive', { value: { updated: Date.now() }, blobs: [image.manifest.layers[0]!.digest] });
    const r = await a.gc();
    expect(r.removedBlobs).not.toContain(image.manifest.layers[0]!.digest);
    expect(r.removedBlobs).toContain(image.digest);
    expect(await a.backend.listRecords('leases')).toEqual(['alive']);
  });

  it('copies from a layout keep working beside gc in another Store', async () => {
    const dir = await tempDir('layerfs-race-');
    const s1 = await openStore(dir);
    const s2 = await openStore(dir);
    await storeImage(s1, img, 'old:1');
    await s1.untag('old:1');
    // Alternate copy and gc many times: every copy ends with a sound image.
    for (let i = 0; i < 5; i++) {
      const [r] = await Promise.all([s2.copy(`oci:${layout}:v1`, `n${i}:1`), s1.gc()]);
      expect(r.digest).toBe(img.digest);
      await s1.gc();
      expect((await fsck(s1)).ok).toBe(true);
      await s2.untag(`n${i}:1`);
    }
  });
});

describe('real processes', () => {
  it('two copies of one image into one store at once both succeed; each blob is stored once', async () => {
    const dir = await tempDir('layerfs-two-');
    const [a, b] = await Promise.all([cli(dir, 'load', `oci:${layout}:v1`, 'one:1').done, cli(dir, 'load', `oci:${layout}:v1`, 'two:1').done]);
    expect([a.code, a.stderr]).toEqual([0, '']);
    expect([b.code, b.stderr]).toEqual([0, '']);
    const store = await openStore(dir);
    await expectSound(store, 'one:1');
    await expectSound(store, 'two:1');
  }, 60_000);

  it('two pulls and a gc loop at once: the pulls succeed, nothing they need is deleted', async () => {
    const dir = await tempDir('layerfs-pullgc-');
    const stop = path.join(dir, '..', `stop-${path.basename(dir)}`);
    const gc = await script(
      path.dirname(dir),
      `gc-${path.basename(dir)}`,
      `const store = await L.openStore(process.argv[2]);
       const fs = await import('node:fs');
       let runs = 0;
       while (!fs.existsSync(process.argv[3])) { await store.gc(); runs++; }
       console.log(runs);`,
      [dir, stop],
    );
    const ref = `docker://${reg.host}/race/img:1`;
    const [p1, p2] = await Promise.all([cli(dir, 'pull', '--insecure', '--quiet', ref, 'p1:1').done, cli(dir, 'pull', '--insecure', '--quiet', ref, 'p2:1').done]);
    await fs.writeFile(stop, '');
    const g = await gc.done;
    // Which pull fetches which blob is a race; each must account for all three blobs.
    for (const [name, p] of [['p1', p1], ['p2', p2]] as const) {
      expect(p.code).toBe(0);
      const m = new RegExp(`^pulled ${name}:1: (\\d+) blob\\(s\\) downloaded, (\\d+) already in the store\\n$`).exec(p.stderr);
      expect(m, p.stderr).not.toBeNull();
      expect(Number(m![1]) + Number(m![2])).toBe(3);
    }
    expect(g.code).toBe(0);
    expect(Number(g.stdout)).toBeGreaterThan(0);
    const store = await openStore(dir);
    await expectSound(store, 'p1:1');
    await expectSound(store, 'p2:1');
  }, 60_000);
});
