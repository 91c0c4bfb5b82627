/**
 * store.view / store.unpack over real layer tars: the view is the merged
 * tree (whiteouts applied), layer indexes are cached in the store so a
 * second view reads no layer blob, and a Docker schema2 image reads the same.
 */
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { Image, MediaType } from '../../src/image/index.js';
import { MemoryBackend, Store } from '../../src/store/index.js';
import { encodeTar, tarHeader } from '../../src/tar/index.js';
import { MemoryTree } from '../../src/tree/memory.js';
import { readAll } from '../../src/image/hashing.js';

const enc = new TextEncoder();
const sha = (b: Uint8Array | string) => `sha256:${createHash('sha256').update(b).digest('hex')}`;

class CountingBackend extends MemoryBackend {
  reads: string[] = [];
  override async getBlob(digest: string) {
    this.reads.push(digest);
    return super.getBlob(digest);
  }
}

async function gzip(b: Uint8Array): Promise<Uint8Array> {
  return readAll(new Blob([b as Uint8Array<ArrayBuffer>]).stream().pipeThrough(new CompressionStream('gzip')) as ReadableStream<Uint8Array>);
}

const file = (path: string, text: string) => ({ header: tarHeader({ path, size: enc.encode(text).length, mode: 0o644 }), data: enc.encode(text) });
const dir = (path: string) => ({ header: tarHeader({ path, type: 'directory', mode: 0o755 }) });

async function build(store: Store, docker = false): Promise<Image> {
  const tars = [
    encodeTar([dir('etc/'), file('etc/os-release', 'ID=test\n'), file('etc/old', 'old\n'), dir('var/'), file('var/log', 'x\n')]),
    encodeTar([file('etc/.wh.old', ''), file('etc/new', 'new\n'), file('var/.wh..wh..opq', ''), file('var/fresh', 'fresh\n')]),
  ];
  let img = await Image.empty();
  for (const t of tars) {
    const gz = await gzip(t);
    await store.putBlob(gz);
    img = await img.withLayers([{ digest: sha(gz), diffId: sha(t), size: gz.length, mediaType: docker ? MediaType.dockerLayerGzip : MediaType.ociLayerGzip }]);
  }
  if (docker) img = await img.withStoredLayers(img.manifest.layers.map((l) => ({ ...l })), MediaType.dockerManifest);
  await store.putImage(img, ['t']);
  return img;
}

describe('store.view and store.unpack', () => {
  it.each([
    ['OCI', false],
    ['Docker schema2', true],
  ])('%s: the merged tree, with layer indexes cached in the store', async (_name, docker) => {
    const backend = new CountingBackend();
    const store = new Store(backend);
    const img = await build(store, docker);
    expect(img.mediaType).toBe(docker ? MediaType.dockerManifest : MediaType.ociManifest);
    backend.reads = [];
    const view = await store.view('t');
    expect(view.readdir('etc')).toEqual(['new', 'os-release']);
    expect(view.readdir('var')).toEqual(['fresh']);
    expect(view.lookup('etc/new')!.layer).toBe(1);
    expect(new TextDecoder().decode(await view.readFile('etc/os-release'))).toBe('ID=test\n');
    const layerReads = () => backend.reads.filter((d) => img.layers.some((l) => l.digest === d)).length;
    const afterFirst = layerReads();
    expect(await store.backend.listRecords('layer-index')).toEqual(img.layers.map((l) => l.digest).sort());
    backend.reads = [];
    const again = await store.view('t');
    expect(again.readdir('')).toEqual(['etc', 'var']);
    expect(layerReads()).toBe(0); // indexes came from the records
    expect(afterFirst).toBeGreaterThanOrEqual(2);
    const tree = new MemoryTree();
    await store.unpack('t', tree);
    const paths: string[] = [];
    for await (const e of tree.walk()) paths.push(e.path);
    expect(paths).toEqual(['etc', 'etc/new', 'etc/os-release', 'var', 'var/fresh']);
  });

  it('gc drops the index of a removed layer', async () => {
    const store = new Store(new MemoryBackend());
    await build(store);
    await store.view('t');
    await store.untag('t');
    const r = await store.gc();
    expect(r.removedRecords).toBe(2);
    expect(await store.backend.listRecords('layer-index')).toEqual([]);
  });
});
