/**
 * fsck and corruption: flipped bytes in layers, manifests, configs and
 * records, wrong sizes in descriptors, truncated gzip, a damaged OCI layout
 * (index.json, blobs) — each gives a typed error, `layerfs fsck` reports it
 * with its code and exits 1, `--repair` removes what cannot be trusted, and
 * the store never holds a blob whose bytes do not match its name.
 */
import { createHash } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.js';
import { fsck, Image, LayerfsError, MediaType, type Store } from '../../src/index.js';
import { openStore } from '../../src/node.js';
import { baseImage, cleanup, makeImage, tempDir, TOP } from '../container/helpers.js';

afterAll(cleanup);

async function cli(storeDir: string, ...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const dec = new TextDecoder();
  const w = (f: (s: string) => void) => ({ write: (s: string | Uint8Array) => f(typeof s === 'string' ? s : dec.decode(s)) });
  const code = await main([...argv, '--store', storeDir], { stdout: w((s) => (out += s)), stderr: w((s) => (err += s)), env: {} });
  return { code, out, err };
}

const blobPath = (store: Store, d: string) => path.join(store.location, 'blobs', 'sha256', d.slice(7));

async function flipByte(file: string, at?: number): Promise<void> {
  const b = await fs.readFile(file);
  const i = at ?? Math.floor(b.length / 2);
  b[i] = b[i]! ^ 0x20;
  await fs.writeFile(file, b);
}

/** Every blob the store holds hashes to its name. */
async function allBlobsVerified(store: Store): Promise<void> {
  for (const b of await store.backend.listBlobs()) {
    const bytes = await fs.readFile(blobPath(store, b.digest));
    expect(`sha256:${createHash('sha256').update(bytes).digest('hex')}`).toBe(b.digest);
  }
}

async function fresh(): Promise<{ store: Store; img: Image; dir: string }> {
  const dir = await tempDir('layerfs-fsck-');
  const store = await openStore(dir);
  const img = await baseImage(store, 'base:1');
  await makeImage(store, [TOP], 'other:1');
  return { store, img, dir };
}

describe('fsck', () => {
  it('a sound store with an image and a container is clean (exit 0, --json report)', async () => {
    const { store, dir } = await fresh();
    const c = await store.createContainer('base:1', { name: 'c1' });
    await c.writeFile('/etc/new', 'x\n');
    const r = await fsck(store);
    expect(r.problems).toEqual([]);
    expect(r.ok).toBe(true);
    expect(r.references).toBe(2);
    expect(r.containers).toBe(1);
    const out = await cli(dir, 'fsck', '--json');
    expect(out.code).toBe(0);
    expect(JSON.parse(out.out)).toMatchObject({ ok: true, references: 2, containers: 1 });
  });

  it('a flipped byte in a layer: DIGEST_MISMATCH on read and in fsck; --repair removes the blob and the tag, keeps the other image', async () => {
    const { store, img, dir } = await fresh();
    const layer = img.layers[1]!.digest;
    await flipByte(blobPath(store, layer));
    await expect(store.getBlobBytes(layer)).rejects.toMatchObject({ code: 'DIGEST_MISMATCH' });
    await expect(store.unpack('base:1', new (await import('../../src/index.js')).MemoryTree())).rejects.toBeInstanceOf(LayerfsError);
    const bad = await cli(dir, 'fsck');
    expect(bad.code).toBe(1);
    expect(bad.out).toContain(`DIGEST_MISMATCH\tblob\t${layer}`);
    expect(bad.out).toMatch(/BLOB_UNKNOWN\treference\tbase:1/);
    const fixed = await cli(dir, 'fsck', '--repair');
    expect(fixed.code).toBe(1); // it found problems; they are removed now
    expect(fixed.out).toContain('(removed)');
    expect(await store.hasBlob(layer)).toBe(false);
    expect((await store.images()).map((i) => i.names[0])).toEqual(['other:1']);
    expect((await cli(dir, 'fsck')).code).toBe(0);
    await allBlobsVerified(store);
  });

  it('a flipped byte in a manifest or a config: typed errors, fsck names the reference', async () => {
    for (const which of ['manifest', 'config'] as const) {
      const { store, img } = await fresh();
      await flipByte(blobPath(store, which === 'manifest' ? img.digest : img.id));
      await expect(store.image('base:1')).rejects.toMatchObject({ code: 'DIGEST_MISMATCH' });
      const r = await fsck(store);
      expect(r.ok).toBe(false);
      expect(r.problems.map((p) => [p.code, p.kind, p.subject])).toEqual([
        ['DIGEST_MISMATCH', 'blob', which === 'manifest' ? img.digest : img.id],
        // A damaged manifest is not read at all; a damaged config fails its verified read.
        [which === 'manifest' ? 'BLOB_UNKNOWN' : 'DIGEST_MISMATCH', 'reference', 'base:1'],
      ]);
    }
  });

  it('a damaged reference record (not JSON) and one naming a missing manifest', async () => {
    const { store, dir } = await fresh();
    await fs.writeFile(path.join(dir, 'records', 'refs', 'base%3A1.json'), '{"value": {"dig');
    await store.backend.putRecord('refs', 'ghost:1', { value: { digest: `sha256:${'0'.repeat(64)}`, mediaType: MediaType.ociManifest, tagged: '' }, blobs: [`sha256:${'0'.repeat(64)}`] });
    const r = await fsck(store, { repair: true });
    expect(r.problems.map((p) => [p.code, p.kind, p.subject, p.repaired])).toEqual([
      ['CORRUPT_STORE', 'record', 'refs/base:1', true],
      ['BLOB_UNKNOWN', 'reference', 'ghost:1', true],
    ]);
    expect((await fsck(store)).ok).toBe(true);
    expect((await store.images()).map((i) => i.names[0])).toEqual(['other:1']);
  });

  it('a wrong size in a layer descriptor: fsck reports it, reading with the size fails typed', async () => {
    const dir = await tempDir('layerfs-fsck-');
    const store = await openStore(dir);
    const good = await baseImage(store, 'base:1');
    const l = good.layers[0]!;
    let img = await Image.empty({ os: 'linux', architecture: 'amd64' }, '2024-01-01T00:00:00Z');
    img = await img.withLayers([{ digest: l.digest, diffId: l.diffId, size: l.size + 7, mediaType: l.mediaType }]);
    await store.putImage(img, ['lying:1']);
    await expect(store.getBlobBytes(l.digest, l.size + 7)).rejects.toMatchObject({ code: 'DIGEST_MISMATCH' });
    const r = await fsck(store);
    expect(r.problems.map((p) => [p.code, p.subject])).toEqual([['DIGEST_MISMATCH', 'lying:1']]);
  });

  it('containers: a missing writable layer and an orphaned one are reported and removed by --repair', async () => {
    const { store, dir } = await fresh();
    const a = await store.createContainer('base:1', { name: 'a' });
    await store.createContainer('base:1', { name: 'b' });
    await store.backend.deleteArea('container-layers', a.id);
    await store.backend.openArea('container-layers', 'f'.repeat(64));
    const out = await cli(dir, 'fsck', '--repair', '--json');
    expect(out.code).toBe(1);
    const r = JSON.parse(out.out) as { problems: Array<{ kind: string; subject: string; repaired: boolean }> };
    expect(r.problems.map((p) => [p.kind, p.subject, p.repaired])).toEqual([
      ['container', a.id, true],
      ['area', `container-layers/${'f'.repeat(64)}`, true],
    ]);
    expect((await store.containers()).map((c) => c.name)).toEqual(['b']);
    expect((await fsck(store)).ok).toBe(true);
  });

  it('a truncated gzip layer (valid digest of the truncated bytes) fails unpack with a typed error', async () => {
    const dir = await tempDir('layerfs-fsck-');
    const store = await openStore(dir);
    const good = await baseImage(store, 'base:1');
    const bytes = await store.getBlobBytes(good.layers[0]!.digest);
    const cut = bytes.subarray(0, Math.floor(bytes.length / 2));
    const d = await store.putBlob(cut);
    let img = await Image.empty({ os: 'linux', architecture: 'amd64' }, '2024-01-01T00:00:00Z');
    img = await img.withLayers([{ digest: d, diffId: good.layers[0]!.diffId, size: cut.length, mediaType: MediaType.ociLayerGzip }]);
    await store.putImage(img, ['cut:1']);
    const { MemoryTree } = await import('../../src/index.js');
    const err = await store.unpack('cut:1', new MemoryTree()).then(() => undefined, (e: unknown) => e);
    expect(err).toBeInstanceOf(LayerfsError);
    const view = await store.view('cut:1').then(() => undefined, (e: unknown) => e);
    expect(view).toBeInstanceOf(LayerfsError);
  });
});

describe('corruption in an OCI layout being copied in', () => {
  async function layout(): Promise<{ dir: string; store: Store }> {
    const { store } = await fresh();
    const dir = path.join(await tempDir('layerfs-layout-'), 'l');
    await store.copy('base:1', `oci:${dir}:v1`);
    const dst = await openStore(await tempDir('layerfs-dst-'));
    return { dir, store: dst };
  }

  it('a flipped byte in a layer blob: DIGEST_MISMATCH, nothing unverified stored, no tag', async () => {
    const { dir, store } = await layout();
    const idx = JSON.parse(await fs.readFile(path.join(dir, 'index.json'), 'utf8')) as { manifests: Array<{ digest: string }> };
    const manifest = JSON.parse(await fs.readFile(path.join(dir, 'blobs/sha256', idx.manifests[0]!.digest.slice(7)), 'utf8')) as { layers: Array<{ digest: string }> };
    await flipByte(path.join(dir, 'blobs/sha256', manifest.layers[1]!.digest.slice(7)));
    await expect(store.copy(`oci:${dir}:v1`, 'x:1')).rejects.toMatchObject({ code: 'DIGEST_MISMATCH' });
    expect(await store.images()).toEqual([]);
    expect(await store.hasBlob(manifest.layers[1]!.digest)).toBe(false);
    await allBlobsVerified(store);
    expect(execFileSync('find', [path.join(store.location, 'tmp'), '-type', 'f'], { encoding: 'utf8' })).toBe('');
  });

  it('a flipped byte in index.json, the manifest or the config: typed errors', async () => {
    for (const target of ['index', 'manifest', 'config'] as const) {
      const { dir, store } = await layout();
      const idx = JSON.parse(await fs.readFile(path.join(dir, 'index.json'), 'utf8')) as { manifests: Array<{ digest: string }> };
      const mPath = path.join(dir, 'blobs/sha256', idx.manifests[0]!.digest.slice(7));
      const manifest = JSON.parse(await fs.readFile(mPath, 'utf8')) as { config: { digest: string } };
      const file = target === 'index' ? path.join(dir, 'index.json') : target === 'manifest' ? mPath : path.join(dir, 'blobs/sha256', manifest.config.digest.slice(7));
      // Flip inside the JSON syntax (the first byte '{'), then a byte in the middle.
      for (const at of [0, undefined]) {
        const orig = await fs.readFile(file);
        await flipByte(file, at);
        const e = await store.copy(`oci:${dir}:v1`, 'x:1').then(() => undefined, (err: unknown) => err);
        expect(e, `${target} flipped at ${at ?? 'middle'}`).toBeInstanceOf(LayerfsError);
        await fs.writeFile(file, orig);
      }
      expect(await store.images()).toEqual([]);
      await allBlobsVerified(store);
    }
  });
});
