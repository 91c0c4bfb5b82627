/**
 * oci: layouts on disk: tag selection, replacing a tag, what an aborted
 * write leaves (nothing), and broken layouts as typed errors.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { Image, MediaType, openMemoryStore, type Store } from '../../src/node.js';
import { tmp } from './fixtures.js';

const work = tmp('layout');
afterAll(() => fs.rmSync(work, { recursive: true, force: true }));
const enc = new TextEncoder();

async function storeWithImages(): Promise<Store> {
  const store = openMemoryStore();
  for (const [name, created] of [['one', '2020-01-01T00:00:00Z'], ['two', '2021-01-01T00:00:00Z']]) {
    let img = await Image.empty(undefined, created);
    const layer = enc.encode(`layer of ${name}`);
    const digest = await store.putBlob(layer);
    img = await img.withLayers([{ digest, diffId: digest, size: layer.length, mediaType: MediaType.ociLayer }]);
    await store.putImage(img, [name]);
  }
  return store;
}

const index = (dir: string) => JSON.parse(fs.readFileSync(path.join(dir, 'index.json'), 'utf8'));
const refNames = (dir: string) => index(dir).manifests.map((m: { annotations?: Record<string, string> }) => m.annotations?.['org.opencontainers.image.ref.name']);

describe('oci: layouts', () => {
  it('tags select images; writing a tag again replaces its entry', async () => {
    const store = await storeWithImages();
    const dir = path.join(work, 'tags');
    await store.copy('one', `oci:${dir}:a`);
    await store.copy('two', `oci:${dir}:b`);
    expect(refNames(dir)).toEqual(['a', 'b']);
    expect(JSON.parse(fs.readFileSync(path.join(dir, 'oci-layout'), 'utf8'))).toEqual({ imageLayoutVersion: '1.0.0' });
    await store.copy('two', `oci:${dir}:a`);
    expect(refNames(dir)).toEqual(['b', 'a']);
    expect(index(dir).manifests[1].digest).toBe((await store.image('two')).digest);
    await expect(store.copy(`oci:${dir}`, 'x')).rejects.toMatchObject({ code: 'INVALID_ARGUMENT', message: expect.stringContaining('name one with :TAG') });
    await expect(store.copy(`oci:${dir}:zzz`, 'x')).rejects.toMatchObject({ code: 'NOT_FOUND' });
    const single = path.join(work, 'single');
    await store.copy('one', `oci:${single}`);
    expect(refNames(single)).toEqual([undefined]);
    expect((await store.copy(`oci:${single}`, 'again')).digest).toBe((await store.image('one')).digest);
  });

  it('a failed write leaves the layout as it was, with no temporary files', async () => {
    const store = await storeWithImages();
    const dir = path.join(work, 'abort');
    await store.copy('one', `oci:${dir}:a`);
    const before = fs.readdirSync(dir, { recursive: true }).sort();
    const img = await store.image('two');
    // corrupt the layer in the store: the copy reads it, fails verification, aborts
    const mem = store.backend as unknown as { corruptBlobForTest(d: string, b: Uint8Array): void };
    mem.corruptBlobForTest(img.layers[0]!.digest, enc.encode('layer of twX'));
    await expect(store.copy('two', `oci:${dir}:b`)).rejects.toMatchObject({ code: 'DIGEST_MISMATCH' });
    expect(fs.readdirSync(dir, { recursive: true }).sort()).toEqual(before);
    expect(refNames(dir)).toEqual(['a']);
  });

  it('broken layouts are typed errors naming what is wrong', async () => {
    const store = openMemoryStore();
    const dir = path.join(work, 'broken');
    fs.mkdirSync(path.join(dir, 'blobs/sha256'), { recursive: true });
    await expect(store.copy(`oci:${dir}`, 'x')).rejects.toMatchObject({ code: 'NOT_FOUND' }); // no oci-layout file
    fs.writeFileSync(path.join(dir, 'oci-layout'), '{"imageLayoutVersion":"1.0.0"}');
    await expect(store.copy(`oci:${dir}`, 'x')).rejects.toMatchObject({ code: 'MANIFEST_INVALID' }); // no index.json
    fs.writeFileSync(path.join(dir, 'index.json'), '{"schemaVersion":2,"manifests":[{"mediaType":"application/vnd.oci.image.manifest.v1+json","digest":"sha256:nothex","size":1}]}');
    await expect(store.copy(`oci:${dir}`, 'x')).rejects.toMatchObject({ code: 'MANIFEST_INVALID', data: { path: '$.manifests[0].digest' } });
    const missing = `sha256:${'0'.repeat(64)}`;
    fs.writeFileSync(path.join(dir, 'index.json'), JSON.stringify({ schemaVersion: 2, manifests: [{ mediaType: MediaType.ociManifest, digest: missing, size: 2 }] }));
    await expect(store.copy(`oci:${dir}`, 'x')).rejects.toMatchObject({ code: 'BLOB_UNKNOWN' });
    fs.writeFileSync(path.join(dir, 'blobs/sha256', '0'.repeat(64)), '{}');
    await expect(store.copy(`oci:${dir}`, 'x')).rejects.toMatchObject({ code: 'DIGEST_MISMATCH' });
    expect(await store.backend.listBlobs()).toEqual([]);
  });
});
