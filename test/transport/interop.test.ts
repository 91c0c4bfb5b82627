/**
 * Interop with the real tools: images built by umoci copied in from oci:
 * unpack to umoci's tree; layouts layerfs writes pass oci-image-tool and
 * unpack with umoci; skopeo carries them through docker-archive and
 * oci-archive and back with the config digest (image id) and diffIds kept.
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NodeDirTree, openStore, type Store } from '../../src/node.js';
import { requireTools } from '../helpers/tools.js';
import { buildUmociImage, hardlinkGroups, run, tmp, umociUnpack, walkTree } from './fixtures.js';

requireTools('umoci', 'skopeo', 'oci-image-tool');

const work = tmp('interop');
const layout = path.join(work, 'umoci-layout');
let store: Store;
let umociTree: ReturnType<typeof walkTree>;
let umociLinks: string[][];
let umociDigest: string;

function indexDigest(dir: string, tag: string): string {
  const idx = JSON.parse(fs.readFileSync(path.join(dir, 'index.json'), 'utf8'));
  return idx.manifests.find((m: { annotations?: Record<string, string> }) => m.annotations?.['org.opencontainers.image.ref.name'] === tag).digest;
}

/**
 * `oci-image-tool validate` of an image layout. Debian's oci-image-tool
 * names the type `image` (it autodetects "imageLayout" and says
 * `--type imageLayout` is unimplemented) and needs a ref to check.
 */
function validateLayout(dir: string, tag: string): void {
  const out = run('oci-image-tool', ['validate', '--type', 'image', '--ref', `name=${tag}`, dir]);
  expect(out).toContain('Validation succeeded');
}

let unpacks = 0;
async function unpackWithLayerfs(ref: string): Promise<string> {
  const dir = path.join(work, `unpack-${unpacks++}`);
  fs.mkdirSync(dir);
  await store.unpack(ref, new NodeDirTree(dir));
  return dir;
}

beforeAll(async () => {
  buildUmociImage(layout, 'base');
  const root = umociUnpack(layout, 'base', path.join(work, 'umoci-bundle'));
  umociTree = walkTree(root);
  umociLinks = hardlinkGroups(root);
  umociDigest = indexDigest(layout, 'base');
  store = await openStore(path.join(work, 'store'));
  await store.copy(`oci:${layout}:base`, 'umoci/img:1');
});

afterAll(() => fs.rmSync(work, { recursive: true, force: true }));

describe('oci: from umoci', () => {
  it('keeps the manifest digest and unpacks to the tree umoci unpacks', async () => {
    const img = await store.image('umoci/img:1');
    expect(img.digest).toBe(umociDigest);
    expect(img.layers.length).toBe(4);
    const dir = await unpackWithLayerfs('umoci/img:1');
    expect(walkTree(dir)).toEqual(umociTree);
    expect(hardlinkGroups(dir)).toEqual(umociLinks);
    expect(umociTree['opq/fresh']).toBeDefined();
    expect(umociTree['opq/old1']).toBeUndefined();
    expect(umociTree['gone']).toBeUndefined();
  });

  it('the union view lists the same paths and reads the same bytes', async () => {
    const view = await store.view('umoci/img:1');
    const paths = view.entries().map((n) => n.path).filter((p) => p !== '').sort();
    expect(paths).toEqual(Object.keys(umociTree).sort());
    expect(new TextDecoder().decode(await view.readFile('a.txt'))).toBe('alpha, changed\n');
    expect(new TextDecoder().decode(await view.readFile('link'))).toBe('alpha, changed\n');
    // the index of every layer is cached: a second view reads no layer
    expect((await store.backend.listRecords('layer-index')).length).toBe(4);
  });
});

describe('layouts layerfs writes', () => {
  it('pass oci-image-tool validate and unpack with umoci to the layerfs tree', async () => {
    const out = path.join(work, 'out-layout');
    await store.copy('umoci/img:1', `oci:${out}:v1`);
    validateLayout(out, 'v1');
    expect(indexDigest(out, 'v1')).toBe(umociDigest);
    const root = umociUnpack(out, 'v1', path.join(work, 'out-bundle'));
    expect(walkTree(root)).toEqual(walkTree(await unpackWithLayerfs('umoci/img:1')));
    // a second tag in the same layout keeps the first
    await store.copy('umoci/img:1', `oci:${out}:v2`);
    validateLayout(out, 'v1');
    validateLayout(out, 'v2');
    expect(indexDigest(out, 'v1')).toBe(umociDigest);
    expect(indexDigest(out, 'v2')).toBe(umociDigest);
  });

  it('survive skopeo copy to docker-archive and back (image id and diffIds kept)', async () => {
    const out = path.join(work, 'out-skopeo');
    await store.copy('umoci/img:1', `oci:${out}:t`);
    const archive = path.join(work, 'skopeo.tar');
    run('skopeo', ['copy', '--quiet', `oci:${out}:t`, `docker-archive:${archive}:example/app:t`]);
    const back = path.join(work, 'back-layout');
    run('skopeo', ['copy', '--quiet', `docker-archive:${archive}`, `oci:${back}:t`]);
    const orig = await store.image('umoci/img:1');
    // skopeo's docker-archive output copies into layerfs
    await store.copy(`docker-archive:${archive}`, 'from/skopeo-archive');
    const viaArchive = await store.image('from/skopeo-archive');
    expect(viaArchive.id).toBe(orig.id);
    expect(viaArchive.layers.map((l) => l.diffId)).toEqual(orig.layers.map((l) => l.diffId));
    // and what skopeo wrote back as a layout too (skopeo recompresses the
    // layers and rewrites the config on that path, so only diffIds survive it)
    await store.copy(`oci:${back}:t`, 'from/skopeo-layout');
    const viaLayout = await store.image('from/skopeo-layout');
    expect(viaLayout.layers.map((l) => l.diffId)).toEqual(orig.layers.map((l) => l.diffId));
    expect(walkTree(await unpackWithLayerfs('from/skopeo-archive'))).toEqual(umociTree);
  });

  it('docker-archive written by layerfs is read by skopeo with the config digest kept', async () => {
    const archive = path.join(work, 'layerfs.tar');
    await store.copy('umoci/img:1', `docker-archive:${archive}:example/mine:2`);
    const listing = run('tar', ['-tf', archive]).split('\n').filter(Boolean);
    expect(listing).toContain('manifest.json');
    expect(listing).toContain('repositories');
    const orig = await store.image('umoci/img:1');
    const rawConfig = execFileSync('skopeo', ['inspect', '--raw', '--config', `docker-archive:${archive}`]);
    expect(`sha256:${createHash('sha256').update(rawConfig).digest('hex')}`).toBe(orig.id);
    const out = path.join(work, 'from-layerfs-archive');
    run('skopeo', ['copy', '--quiet', `docker-archive:${archive}`, `oci:${out}:x`]);
    const root = umociUnpack(out, 'x', path.join(work, 'from-archive-bundle'));
    expect(walkTree(root)).toEqual(umociTree);
    // and layerfs reads its own archive back, by RepoTag
    await store.copy(`docker-archive:${archive}:example/mine:2`, 'again');
    expect((await store.image('again')).id).toBe(orig.id);
    // an image with uncompressed layers makes a valid layout too, which umoci unpacks
    const plain = path.join(work, 'plain-layout');
    await store.copy('again', `oci:${plain}:p`);
    validateLayout(plain, 'p');
    expect(walkTree(umociUnpack(plain, 'p', path.join(work, 'plain-bundle')))).toEqual(umociTree);
  });

  it('oci-archive round-trips through skopeo with the manifest digest kept', async () => {
    const a = path.join(work, 'layerfs-oci.tar');
    await store.copy('umoci/img:1', `oci-archive:${a}:t1`);
    const out = path.join(work, 'from-oci-archive');
    run('skopeo', ['copy', '--quiet', `oci-archive:${a}:t1`, `oci:${out}:t1`]);
    expect(indexDigest(out, 't1')).toBe(umociDigest);
    const extracted = path.join(work, 'oci-archive-extracted');
    fs.mkdirSync(extracted);
    run('tar', ['-xf', a, '-C', extracted]);
    validateLayout(extracted, 't1');
    const b = path.join(work, 'skopeo-oci.tar');
    run('skopeo', ['copy', '--quiet', `oci:${layout}:base`, `oci-archive:${b}:b`]);
    const r = await store.copy(`oci-archive:${b}:b`, 'from/oci-archive');
    expect(r.digest).toBe(umociDigest);
  });
});

describe('sharing and failure', () => {
  it('two images on one base store the base once (bytes on disk)', async () => {
    const l = path.join(work, 'two');
    fs.cpSync(layout, l, { recursive: true });
    run('umoci', ['tag', '--image', `${l}:base`, 'child']);
    const f = path.join(work, 'child-file');
    fs.writeFileSync(f, 'child only\n'.repeat(100));
    run('umoci', ['insert', '--image', `${l}:child`, f, '/child']);
    const s = await openStore(path.join(work, 'store-two'));
    await s.copy(`oci:${l}:base`, 'base');
    await s.copy(`oci:${l}:child`, 'child');
    const base = await s.image('base');
    const child = await s.image('child');
    const blobs = new Map<string, number>();
    for (const img of [base, child]) {
      blobs.set(img.digest, img.manifestBytes().byteLength);
      blobs.set(img.id, img.configDescriptor.size);
      for (const ly of img.layers) blobs.set(ly.digest, ly.size);
    }
    let onDisk = 0;
    for (const alg of fs.readdirSync(path.join(s.location, 'blobs'))) {
      for (const f2 of fs.readdirSync(path.join(s.location, 'blobs', alg))) onDisk += fs.statSync(path.join(s.location, 'blobs', alg, f2)).size;
    }
    expect(onDisk).toBe([...blobs.values()].reduce((a, b) => a + b, 0));
    expect(onDisk).toBeLessThan(base.size + child.size);
    const du = await s.du();
    const c = du.images.find((i) => i.names.includes('child:latest'))!;
    expect(c.shared).toBe(base.layers.reduce((a, ly) => a + ly.size, 0));
    expect(c.unique).toBe(child.layers[4]!.size + child.configDescriptor.size + child.manifestBytes().byteLength);
  });

  it('a corrupted blob in a layout fails the copy with DIGEST_MISMATCH and leaves the store as it was', async () => {
    const l = path.join(work, 'corrupt');
    fs.cpSync(layout, l, { recursive: true });
    const img = await store.image('umoci/img:1');
    const victim = path.join(l, 'blobs/sha256', img.layers[2]!.digest.slice(7));
    const bytes = fs.readFileSync(victim);
    bytes[bytes.length - 20] ^= 0xff;
    fs.writeFileSync(victim, bytes);
    const s = await openStore(path.join(work, 'store-corrupt'));
    await s.copy(`oci:${layout}:base`, 'good'); // something already there
    const list = (d: string): string[] =>
      fs.readdirSync(d, { recursive: true, withFileTypes: true }).map((e) => path.join(e.parentPath ?? (e as unknown as { path: string }).path, e.name)).sort();
    const before = list(s.location);
    await s.rmi('good');
    await s.gc();
    const empty = list(s.location);
    await expect(s.copy(`oci:${l}:base`, 'bad')).rejects.toMatchObject({ code: 'DIGEST_MISMATCH' });
    expect(list(s.location)).toEqual(empty);
    expect(await s.images()).toEqual([]);
    expect(before.length).toBeGreaterThan(empty.length);
  });
});
