import { createHash } from 'node:crypto';
import * as fs from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { Image, MediaType } from '../../src/image/index.js';
import { openMemoryStore, MemoryBackend, Store } from '../../src/store/index.js';
import { openStore } from '../../src/store/open-disk.js';
import { openBrowserStore } from '../../src/store/index.js';
import { FakeDir } from './fake-opfs.js';
import { readAll } from '../../src/image/hashing.js';

const dirs: string[] = [];
afterAll(async () => {
  for (const d of dirs) await fs.rm(d, { recursive: true, force: true });
});
const backends: Array<[string, () => Promise<Store>]> = [
  ['memory', async () => openMemoryStore()],
  [
    'disk',
    async () => {
      const d = await fs.mkdtemp(path.join(os.tmpdir(), 'layerfs-store-'));
      dirs.push(d);
      return openStore(d);
    },
  ],
  ['opfs (move)', async () => openBrowserStore({ root: new FakeDir('root') as unknown as FileSystemDirectoryHandle })],
  ['opfs (copy)', async () => openBrowserStore({ root: new FakeDir('root', false) as unknown as FileSystemDirectoryHandle })],
];

const enc = new TextEncoder();
const sha = (b: Uint8Array | string) => `sha256:${createHash('sha256').update(b).digest('hex')}`;

/** A tiny image with the given layer blobs (content is opaque to the store). */
async function makeImage(store: Store, layers: string[], created = '2024-01-01T00:00:00Z'): Promise<Image> {
  let img = await Image.empty({ os: 'linux', architecture: 'amd64' }, created);
  for (const l of layers) {
    const bytes = enc.encode(l);
    const digest = await store.putBlob(bytes);
    img = await img.withLayers([{ digest, diffId: digest, size: bytes.byteLength, mediaType: MediaType.ociLayer, history: { created_by: l } }]);
  }
  await store.putImage(img);
  return img;
}

describe.each(backends)('%s store', (_kind, open) => {
  it('stores blobs by digest, deduplicated, and verifies them on read', async () => {
    const store = await open();
    const d = await store.putBlob(enc.encode('hello'));
    expect(d).toBe(sha('hello'));
    expect(await store.putBlob(enc.encode('hello'))).toBe(d);
    expect((await store.backend.listBlobs()).length).toBe(1);
    expect(new TextDecoder().decode(await store.getBlobBytes(d))).toBe('hello');
    if (store.backend instanceof MemoryBackend) store.backend.corruptBlobForTest(d, enc.encode('hellO'));
    else if (store.backend.kind === 'disk') await fs.writeFile(path.join(store.location, 'blobs/sha256', d.slice(7)), 'hellO');
    else {
      const p = await store.backend.putBlob(d, new Blob([enc.encode('hellO')]).stream() as ReadableStream<Uint8Array>);
      await p.commit(); // the backend does not hash: this plants bad bytes under the digest
    }
    await expect(store.getBlobBytes(d)).rejects.toMatchObject({ code: 'DIGEST_MISMATCH' });
    expect((await store.backend.listBlobs()).length).toBe(1);
  });

  it('refuses a stream whose bytes do not match its digest and keeps nothing', async () => {
    const store = await open();
    const wrong = sha('other');
    const s = new Blob([enc.encode('hello')]).stream() as ReadableStream<Uint8Array>;
    await expect(store.putBlob(s, { digest: wrong })).rejects.toMatchObject({ code: 'DIGEST_MISMATCH' });
    expect(await store.hasBlob(wrong)).toBe(false);
  });

  it('tags, resolves names, ids and prefixes; several tags name one image', async () => {
    const store = await open();
    const img = await makeImage(store, ['a', 'b']);
    await store.tag(img.digest, 'app');
    await store.tag('app', 'app:v1');
    expect((await store.resolve('app')).digest).toBe(img.digest);
    expect((await store.resolve(img.id)).digest).toBe(img.digest);
    expect((await store.resolve(img.id.slice(7, 19))).digest).toBe(img.digest);
    const list = await store.images();
    expect(list).toHaveLength(1);
    expect(list[0]!.names).toEqual(['app:latest', 'app:v1']);
    await expect(store.resolve('nope')).rejects.toMatchObject({ code: 'NOT_FOUND' });
    await expect(store.tag('app', 'Bad Name')).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
  });

  it('resolves name:tag by its own tag record, however many tags there are', async () => {
    const store = await open();
    const img = await makeImage(store, ['a']);
    for (let i = 0; i < 50; i++) await store.tag(img.digest, `app${i}:v1`);
    let refReads = 0;
    const get = store.backend.getRecord.bind(store.backend);
    store.backend.getRecord = ((kind: string, key: string) => {
      if (kind === 'refs') refReads++;
      return get(kind, key);
    }) as typeof store.backend.getRecord;
    expect(await store.resolve('app17:v1')).toEqual({ digest: img.digest, name: 'app17:v1' });
    await expect(store.resolve('app17:v2')).rejects.toMatchObject({ code: 'NOT_FOUND' });
    expect(refReads).toBe(2);
    // Ids, their prefixes and name@digest still look at every tag.
    expect((await store.resolve(img.id.slice(7, 19))).digest).toBe(img.digest);
    expect((await store.resolve(`app3@${img.digest}`)).digest).toBe(img.digest);
    expect(refReads).toBeGreaterThan(50);
  });

  it('rmi removes a tag, and the blobs only once no name reaches the image', async () => {
    const store = await open();
    const base = await makeImage(store, ['base']);
    const app = await makeImage(store, ['base', 'app']);
    await store.tag(base.digest, 'base');
    await store.tag(app.digest, 'app');
    await store.tag(app.digest, 'app:2');
    let r = await store.rmi('app');
    expect(r.deleted).toEqual([]);
    expect(await store.hasBlob(app.layers[1]!.digest)).toBe(true);
    await expect(store.rmi(app.id)).resolves.toBeTruthy(); // one name left: removes it
    expect(await store.hasBlob(app.layers[1]!.digest)).toBe(false);
    // the shared base layer stays: `base` still uses it
    expect(await store.hasBlob(base.layers[0]!.digest)).toBe(true);
    r = await store.rmi('base');
    expect(r.deleted).toContain(base.layers[0]!.digest);
    expect(await store.images()).toEqual([]);
  });

  it('rmi of an id with several names needs force', async () => {
    const store = await open();
    const img = await makeImage(store, ['x']);
    await store.tag(img.digest, 'one');
    await store.tag(img.digest, 'two');
    await expect(store.rmi(img.id)).rejects.toMatchObject({ code: 'IN_USE' });
    const r = await store.rmi(img.id, { force: true });
    expect(r.untagged.sort()).toEqual(['one:latest', 'two:latest']);
    expect(await store.hasBlob(img.id)).toBe(false);
  });

  it('du splits shared and unique bytes; gc sweeps what nothing reaches', async () => {
    const store = await open();
    const big = 'B'.repeat(1000);
    const one = await makeImage(store, [big, 'one']);
    const two = await makeImage(store, [big, 'two-two']);
    await store.tag(one.digest, 'one');
    await store.tag(two.digest, 'two');
    const orphan = await store.putBlob(enc.encode('orphan!'));
    const du = await store.du();
    const r1 = du.images.find((i) => i.names[0] === 'one:latest')!;
    expect(r1.shared).toBe(1000);
    expect(r1.unique).toBe(3 + one.configDescriptor.size + one.manifestBytes().byteLength);
    expect(du.reclaimable).toBe(7);
    const gc = await store.gc();
    expect(gc.removedBlobs).toEqual([orphan]);
    expect(await store.hasBlob(one.layers[0]!.digest)).toBe(true);
  });

  it('records keep blobs alive for gc; areas are writable trees', async () => {
    const store = await open();
    const img = await makeImage(store, ['layer']);
    const containers = store.records<{ image: string }>('containers');
    await containers.put('c1', { image: img.id }, { blobs: [img.digest] });
    expect(await containers.get('c1')).toEqual({ image: img.id });
    expect(await containers.list()).toEqual(['c1']);
    expect((await store.gc()).removedBlobs).toEqual([]);
    await containers.delete('c1');
    expect((await store.gc()).removedBlobs.sort()).toEqual([img.digest, img.id, img.layers[0]!.digest].sort());
    const area = await store.areas('containers').open('c1');
    await area.writeFile('hello.txt', enc.encode('hi'));
    expect(new TextDecoder().decode(await readAll((await store.areas('containers').open('c1')).readFile('hello.txt')))).toBe('hi');
    expect(await store.areas('containers').list()).toEqual(['c1']);
    expect(await store.areas('containers').delete('c1')).toBe(true);
    expect(await store.areas('containers').list()).toEqual([]);
    expect(await store.areas('containers').delete('c1')).toBe(false);
  });

  it('inspect and history describe the image', async () => {
    const store = await open();
    const img = await makeImage(store, ['l1', 'l2']);
    await store.tag(img.digest, 'x:1');
    const info = await store.inspect('x:1');
    expect(info.Id).toBe(img.id);
    expect(info.RepoTags).toEqual(['x:1']);
    expect((info.RootFS as { Layers: string[] }).Layers).toEqual([sha('l1'), sha('l2')]);
    const h = await store.history('x:1');
    expect(h.map((e) => e.created_by)).toEqual(['l1', 'l2']);
    expect(h[1]!.layer!.digest).toBe(sha('l2'));
  });
});

describe('gc while a copy is in flight', () => {
  it('keeps the blobs the copy has written or relies on until it commits', async () => {
    const store = openMemoryStore();
    const base = await makeImage(store, ['shared']);
    await store.tag(base.digest, 'base');
    const dst = store.destination(['next']);
    const layer = enc.encode('new layer');
    const desc = { mediaType: MediaType.ociLayer, digest: sha(layer), size: layer.length };
    expect(await dst.hasBlob(base.blobs()[1]!)).toBe(true);
    await dst.putBlob(desc, new Blob([layer]).stream() as ReadableStream<Uint8Array>);
    await store.rmi('base'); // the shared layer is now unreferenced, but the copy relies on it
    expect(await store.hasBlob(base.layers[0]!.digest)).toBe(true);
    await store.gc();
    expect(await store.hasBlob(base.layers[0]!.digest)).toBe(true);
    const img = await base.withLayers([{ digest: desc.digest, diffId: desc.digest, size: desc.size, mediaType: MediaType.ociLayer }]);
    await dst.putManifest(img);
    await dst.commit();
    expect((await store.image('next')).layers.map((l) => l.digest)).toEqual([base.layers[0]!.digest, desc.digest]);
    await store.rmi('next');
    expect(await store.backend.listBlobs()).toEqual([]);
  });
});

describe.each(backends.slice(0, 2))('resolving names that look like ids (%s)', (_k, open) => {
  it('a tag wins over an id prefix spelled the same', async () => {
    const store = await open();
    const a = await makeImage(store, ['a']);
    const b = await makeImage(store, ['b']);
    await store.tag(a.digest, 'first');
    expect((await store.resolve(a.id.slice(7, 15))).digest).toBe(a.digest);
    await store.tag(b.digest, a.id.slice(7, 15)); // a name spelled like a's id prefix
    expect((await store.resolve(a.id.slice(7, 15))).digest).toBe(b.digest);
    expect((await store.resolve(a.id.slice(7, 16))).digest).toBe(a.digest);
    expect((await store.resolve(a.digest)).digest).toBe(a.digest);
    await expect(store.resolve('ffffffffffff')).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });

  it('an id prefix two images share is ambiguous', async () => {
    // find two creation times whose image ids start with the same 4 hex digits (birthday search)
    const seen = new Map<string, string>();
    let pair: [string, string] | undefined;
    for (let i = 0; !pair; i++) {
      const created = new Date(i * 1000).toISOString();
      const id = (await Image.empty({ os: 'linux', architecture: 'amd64' }, created)).id.slice(7, 11);
      const other = seen.get(id);
      if (other) pair = [other, created];
      else seen.set(id, created);
    }
    const store = await open();
    const one = await Image.empty({ os: 'linux', architecture: 'amd64' }, pair[0]);
    const two = await Image.empty({ os: 'linux', architecture: 'amd64' }, pair[1]);
    await store.putImage(one, ['one']);
    await store.putImage(two, ['two']);
    await expect(store.resolve(one.id.slice(7, 11))).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
    expect((await store.resolve(one.id.slice(7, 30))).digest).toBe(one.digest);
  });
});

/** Tag times are ISO strings with milliseconds: wait past one so "most recently tagged" is well defined. */
const nextMs = () => new Promise((r) => setTimeout(r, 5));

/** The same config (one image id) under an OCI manifest and a Docker schema 2 manifest, as pulling both ways leaves it. */
async function twoManifests(store: Store): Promise<{ oci: Image; docker: Image }> {
  const oci = await makeImage(store, ['one layer']);
  const docker = await oci.withStoredLayers(oci.layers.map((l) => ({ mediaType: MediaType.dockerLayer, digest: l.digest, size: l.size })), MediaType.dockerManifest);
  await store.putImage(docker);
  expect(docker.id).toBe(oci.id);
  expect(docker.digest).not.toBe(oci.digest);
  return { oci, docker };
}

describe.each(backends.slice(0, 3))('an image id under two manifests (%s)', (_k, open) => {
  it('image(id) is the most recently tagged manifest; a manifest digest or tag picks one exactly', async () => {
    const store = await open();
    const { oci, docker } = await twoManifests(store);
    await store.tag(oci.digest, 'app:oci');
    await nextMs();
    await store.tag(docker.digest, 'app:docker');
    for (const ref of [oci.id, oci.id.slice(7), oci.id.slice(7, 19)]) {
      expect(await store.resolve(ref)).toEqual({ digest: docker.digest, id: oci.id });
      const img = await store.image(ref);
      expect([img.digest, img.mediaType, img.id]).toEqual([docker.digest, MediaType.dockerManifest, oci.id]);
    }
    expect((await store.image(oci.digest)).mediaType).toBe(MediaType.ociManifest);
    expect((await store.image(oci.digest.slice(7, 19))).digest).toBe(oci.digest);
    expect((await store.image('app:oci')).digest).toBe(oci.digest);
    expect((await store.inspect(oci.id)).RepoTags).toEqual(['app:docker']);
    await nextMs();
    await store.tag('app:oci', 'app:again'); // the OCI manifest is now the one tagged last
    expect((await store.image(oci.id)).digest).toBe(oci.digest);
    expect((await store.images()).map((i) => [i.digest, i.names, i.id])).toEqual([
      [oci.digest, ['app:again', 'app:oci'], oci.id],
      [docker.digest, ['app:docker'], oci.id],
    ]);
  });

  it('a tagged manifest wins over an untagged one a record keeps; untagged ones count when no tag is left', async () => {
    const store = await open();
    const { oci, docker } = await twoManifests(store);
    await store.records('containers').put('c1', { image: docker.digest }, { blobs: [docker.digest] });
    await store.tag(oci.digest, 'app:1');
    expect((await store.image(oci.id)).digest).toBe(oci.digest);
    await store.untag('app:1');
    expect(await store.resolve(oci.id)).toEqual({ digest: docker.digest, id: oci.id });
    // two untagged manifests of one config: the store has no time for them, so the caller must choose
    await store.records('build-cache').put('k', {}, { blobs: [oci.digest] });
    await expect(store.image(oci.id)).rejects.toMatchObject({ code: 'INVALID_ARGUMENT', message: expect.stringContaining('manifest digest') });
    expect((await store.image(oci.digest)).digest).toBe(oci.digest);
    expect((await store.image(docker.digest)).digest).toBe(docker.digest);
    await store.records('containers').delete('c1');
    await store.records('build-cache').delete('k');
    await expect(store.image(oci.id)).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });

  it('rmi of the id covers both manifests: several names need force, then every blob goes', async () => {
    const store = await open();
    const { oci, docker } = await twoManifests(store);
    await store.tag(oci.digest, 'app:oci');
    await store.tag(docker.digest, 'app:docker');
    await expect(store.rmi(oci.id)).rejects.toMatchObject({ code: 'IN_USE' });
    expect((await store.images()).length).toBe(2);
    const r = await store.rmi(oci.id, { force: true });
    expect(r.untagged).toEqual(['app:docker', 'app:oci']);
    expect(r.deleted.sort()).toEqual([docker.digest, oci.digest, oci.id, oci.layers[0]!.digest].sort());
    expect(await store.backend.listBlobs()).toEqual([]);
  });
});

describe.each(backends.slice(0, 2))('a damaged image (%s)', (_k, open) => {
  it('is listed as broken without hiding the others, and its name can be removed', async () => {
    const store = await open();
    const good = await makeImage(store, ['good']);
    const bad = await makeImage(store, ['bad']);
    await store.tag(good.digest, 'good');
    await store.tag(bad.digest, 'bad');
    await store.backend.deleteBlob(bad.id); // its config is gone
    const list = await store.images();
    expect(list.map((i) => [i.names[0], i.error?.split(':')[0]])).toEqual([
      ['bad:latest', 'BLOB_UNKNOWN'],
      ['good:latest', undefined],
    ]);
    expect((await store.du()).images).toHaveLength(2);
    await expect(store.image('bad')).rejects.toMatchObject({ code: 'BLOB_UNKNOWN' });
    await store.rmi('bad');
    expect((await store.images()).map((i) => i.names[0])).toEqual(['good:latest']);
  });
});
