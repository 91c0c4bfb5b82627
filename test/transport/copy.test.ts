/**
 * copyImage between in-memory ends: platform selection from an index,
 * verification, recompression only when asked, skipping what the
 * destination has, cancellation.
 */
import { createHash } from 'node:crypto';
import { gunzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { Image, MediaType, type Descriptor, type ImageSource } from '../../src/image/index.js';
import { openMemoryStore } from '../../src/store/index.js';
import { encodeTar, tarHeader } from '../../src/tar/index.js';
import { copyImage, copyReferences } from '../../src/transport/index.js';
import { readAll } from '../../src/image/hashing.js';
import { openLayerTar } from '../../src/layer/layer-io.js';

const enc = new TextEncoder();
const sha = (b: Uint8Array | string) => `sha256:${createHash('sha256').update(b).digest('hex')}`;

async function gzip(b: Uint8Array): Promise<Uint8Array> {
  return readAll(new Blob([b as Uint8Array<ArrayBuffer>]).stream().pipeThrough(new CompressionStream('gzip')) as ReadableStream<Uint8Array>);
}

/** A source holding an index with amd64 and arm64 images of two gzip layers each (Docker schema2 types when `docker`). */
async function fixture(docker = false) {
  const blobs = new Map<string, Uint8Array>();
  const put = (b: Uint8Array) => {
    const d = sha(b);
    blobs.set(d, b);
    return d;
  };
  const images: Image[] = [];
  for (const arch of ['amd64', 'arm64']) {
    let img = await Image.empty({ os: 'linux', architecture: arch });
    for (const name of ['base', arch]) {
      const tar = encodeTar([{ header: tarHeader({ path: `${name}.txt`, size: name.length + 1 }), data: enc.encode(`${name}\n`) }]);
      const gz = await gzip(tar);
      img = await img.withLayers([{ digest: put(gz), diffId: sha(tar), size: gz.length, mediaType: MediaType.ociLayerGzip }]);
    }
    if (docker) img = await img.withStoredLayers(img.manifest.layers.map((l) => ({ ...l, mediaType: MediaType.dockerLayerGzip })), MediaType.dockerManifest);
    put(img.configBytes());
    put(img.manifestBytes());
    images.push(img);
  }
  const index = enc.encode(
    JSON.stringify({
      schemaVersion: 2,
      mediaType: docker ? MediaType.dockerManifestList : MediaType.ociIndex,
      manifests: images.map((i) => ({ ...i.descriptor(), platform: { os: 'linux', architecture: i.platform.architecture } })),
    }),
  );
  const reads: string[] = [];
  /** The top document: the platform index, wrapped `wraps` times in single-entry indexes without a platform. */
  const top = (wraps: number): Uint8Array => {
    let t = index;
    for (let i = 0; i < wraps; i++) {
      put(t);
      t = enc.encode(JSON.stringify({ schemaVersion: 2, mediaType: MediaType.ociIndex, manifests: [{ mediaType: MediaType.ociIndex, digest: sha(t), size: t.length }] }));
    }
    return t;
  };
  const source = (wraps = 0): ImageSource => ({
    description: 'memory',
    async getManifest(desc?: Descriptor) {
      const t = top(wraps);
      return desc ? { bytes: blobs.get(desc.digest)!, mediaType: desc.mediaType } : { bytes: t, mediaType: MediaType.ociIndex, digest: sha(t) };
    },
    async getBlob(desc: Descriptor) {
      reads.push(desc.digest);
      return new Blob([blobs.get(desc.digest)! as Uint8Array<ArrayBuffer>]).stream() as ReadableStream<Uint8Array>;
    },
  });
  return { images, blobs, source, reads };
}

describe('copyImage', () => {
  it('resolves an index to the asked platform and keeps every digest', async () => {
    const { images, source } = await fixture();
    const store = openMemoryStore();
    const r = await copyImage(source(), store.destination(['x:arm']), { platform: 'linux/arm64' });
    expect(r.digest).toBe(images[1]!.digest);
    expect((await store.image('x:arm')).layers.map((l) => l.digest)).toEqual(images[1]!.layers.map((l) => l.digest));
    expect(r.copiedBlobs).toBe(3);
    // the shared base layer is skipped the second time
    const r2 = await copyImage(source(), store.destination(['x:amd']), { platform: 'linux/amd64' });
    expect(r2.digest).toBe(images[0]!.digest);
    expect(r2.skippedBlobs).toBe(1);
    expect(r2.copiedBlobs).toBe(2);
    await expect(copyImage(source(), store.destination(['x:s390x']), { platform: 'linux/s390x' })).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });

  it('recompresses only when asked: new layer digests, same diffIds and image id', async () => {
    const { images, source } = await fixture();
    const store = openMemoryStore();
    const r = await copyImage(source(), store.destination(['z']), { platform: 'linux/amd64', compress: 'zstd' });
    const img = await store.image('z');
    expect(img.id).toBe(images[0]!.id);
    expect(img.layers.map((l) => l.diffId)).toEqual(images[0]!.layers.map((l) => l.diffId));
    expect(img.layers.every((l) => l.mediaType === MediaType.ociLayerZstd)).toBe(true);
    expect(img.layers[0]!.digest).not.toBe(images[0]!.layers[0]!.digest);
    expect(r.digest).not.toBe(images[0]!.digest);
    const { tar, compression } = await openLayerTar(await store.getBlob(img.layers[1]!.digest));
    expect(compression).toBe('zstd');
    expect(sha(await readAll(tar))).toBe(img.layers[1]!.diffId);
    // asking for the compression the layers already have changes nothing
    const same = await copyImage(source(), openMemoryStore().destination(['g']), { platform: 'linux/amd64', compress: 'gzip' });
    expect(same.digest).toBe(images[0]!.digest);
  });

  it('a blob that does not match its digest fails the copy and nothing becomes visible', async () => {
    const { images, blobs, source } = await fixture();
    const victim = images[0]!.layers[1]!.digest;
    const bad = gunzipSync(blobs.get(victim)!); // right content, wrong bytes
    blobs.set(victim, await gzip(new Uint8Array([...bad].map((b, i) => (i === 0 ? b ^ 1 : b)))));
    const store = openMemoryStore();
    await expect(copyImage(source(), store.destination(['x']), { platform: 'linux/amd64' })).rejects.toMatchObject({ code: 'DIGEST_MISMATCH' });
    expect(await store.backend.listBlobs()).toEqual([]);
    expect(await store.images()).toEqual([]);
  });

  it('follows an index wrapped in an index (buildx OCI export), up to a depth', async () => {
    const { images, source } = await fixture();
    const r = await copyImage(source(2), openMemoryStore().destination(['w']), { platform: 'linux/arm64' });
    expect(r.digest).toBe(images[1]!.digest);
    await expect(copyImage(source(5), openMemoryStore().destination(['w']), { platform: 'linux/arm64' })).rejects.toMatchObject({ code: 'MANIFEST_INVALID' });
  });

  it('reads Docker schema2 manifest lists and manifests, digests kept', async () => {
    const { images, source } = await fixture(true);
    expect(images[0]!.mediaType).toBe(MediaType.dockerManifest);
    const store = openMemoryStore();
    const r = await copyImage(source(), store.destination(['d']), { platform: 'linux/arm64' });
    expect(r.digest).toBe(images[1]!.digest);
    const img = await store.image('d');
    expect(img.mediaType).toBe(MediaType.dockerManifest);
    expect(img.configDescriptor.mediaType).toBe(MediaType.dockerConfig);
    expect(img.layers.map((l) => l.mediaType)).toEqual([MediaType.dockerLayerGzip, MediaType.dockerLayerGzip]);
  });

  it('a cancelled copy is ABORTED and leaves nothing', async () => {
    const { source } = await fixture();
    const store = openMemoryStore();
    const ac = new AbortController();
    ac.abort();
    await expect(copyImage(source(), store.destination(['x']), { platform: 'linux/amd64', signal: ac.signal })).rejects.toMatchObject({ code: 'ABORTED' });
    expect(await store.backend.listBlobs()).toEqual([]);
  });

  it('store to store by name, and unknown transports are typed errors', async () => {
    const { source } = await fixture();
    const store = openMemoryStore();
    await copyImage(source(), store.destination(['a:1']), { platform: 'linux/amd64' });
    const r = await copyReferences(store, 'a:1', 'b:2');
    expect(r.copiedBlobs).toBe(0);
    expect((await store.images())[0]!.names).toEqual(['a:1', 'b:2']);
    await expect(copyReferences(undefined, 'a:1', 'b')).rejects.toMatchObject({ code: 'UNSUPPORTED' });
  });
});
