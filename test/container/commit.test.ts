/**
 * commit: the writable layer becomes a spec layer (whiteouts, deterministic)
 * and a new image; saved to an oci: layout and unpacked by the real umoci,
 * the root filesystem is exactly what the container showed. Copy-up of a
 * 20 MiB file leaves the image's blob untouched.
 */
import { randomBytes } from 'node:crypto';
import * as path from 'node:path';
import { execFileSync } from 'node:child_process';
import { afterAll, describe, expect, it } from 'vitest';
import { MediaType, readLayer, type Container, type Store } from '../../src/index.js';
import { requireTools } from '../helpers/tools.js';
import { backends, baseImage, BASE, cleanup, containerRows, hostRows, makeImage, sha, tempDir } from './helpers.js';

requireTools('umoci');
afterAll(cleanup);

const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;

function umociUnpack(layout: string, tag: string, bundle: string): string {
  execFileSync('umoci', ['unpack', ...(isRoot ? [] : ['--rootless']), '--image', `${layout}:${tag}`, bundle], { stdio: 'pipe' });
  return path.join(bundle, 'rootfs');
}

/** Every kind of change the issue names, on top of the base image. */
async function changeEverything(c: Container): Promise<void> {
  await c.chmod('/etc/passwd', 0o600); // chmod-only change
  await c.rm('/usr/share/doc/a.txt'); // whiteout of a file
  await c.rm('/opt/app/data', { recursive: true }); // deleted and recreated: opaque
  await c.mkdir('/opt/app/data');
  await c.writeFile('/opt/app/data/fresh.json', '[1]');
  await c.rename('/usr/share/doc/sub', '/srv'); // rename of a lower directory
  await c.link('/etc/motd', '/etc/motd.hard'); // a new hardlink to a copied-up lower file
  await c.symlink('/etc/motd', '/motd'); // a new symlink
  await c.rm('/bin/tool'); // the lower hardlink bin/tool-link must survive
  await c.writeFile('/new-file', 'brand new\n', { mode: 0o640 });
  await c.chown('/new-file', 1234, 5678);
  await c.mkdir('/var/lib/thing', { recursive: true, mode: 0o700 });
}

describe.each(backends)('%s store: commit', (_kind, open) => {
  it('makes an image whose layers unpack (umoci) to exactly the container view', async () => {
    const store: Store = await open();
    const base = await baseImage(store);
    const c = await store.createContainer('base:1');
    await changeEverything(c);
    const view = await containerRows(c);
    expect(view['/bin/tool']).toBeUndefined();
    expect(view['/bin/tool-link']?.content).toBe(sha(new TextEncoder().encode('#!/bin/sh\necho tool\n')));

    const img = await c.commit({ tag: 'committed:1', message: 'change everything', author: 'Tester <t@example.com>', created: '2025-01-02T03:04:05Z' });
    expect(img.layers.length).toBe(base.layers.length + 1);
    expect(img.layers.slice(0, -1).map((l) => l.digest)).toEqual(base.layers.map((l) => l.digest));
    expect(img.config.author).toBe('Tester <t@example.com>');
    expect(img.history.at(-1)).toMatchObject({ created: '2025-01-02T03:04:05.000Z', created_by: 'change everything', author: 'Tester <t@example.com>' });
    expect((await store.image('committed:1')).id).toBe(img.id);

    // The new layer: spec whiteouts, sorted entries.
    const top = img.layers.at(-1)!;
    const index = await readLayer(await store.getBlob(top.digest), { expectedDigest: top.digest });
    expect(index.diffId).toBe(top.diffId);
    const names = index.entries.map((e) => e.path);
    expect(names).toContain('usr/share/doc/.wh.a.txt');
    expect(names).toContain('usr/share/doc/.wh.sub');
    expect(names).toContain('bin/.wh.tool');
    expect(names).toContain('opt/app/data/.wh.x.json');
    expect(names).not.toContain('usr/share/doc/b.txt'); // unchanged: not in the layer
    expect(index.entries.find((e) => e.path === 'etc/passwd')).toMatchObject({ type: 'file', mode: 0o600 });

    const layout = path.join(await tempDir(), 'layout');
    await store.copy('committed:1', `oci:${layout}:committed`);
    const rootfs = umociUnpack(layout, 'committed', path.join(await tempDir(), 'bundle'));
    const host = hostRows(rootfs);
    expect(host.rows).toEqual(view);
    expect(host.links).toEqual([['/etc/motd', '/etc/motd.hard']]);
  });

  it('is deterministic: the same changes give the same layer digest', async () => {
    const store = await open();
    await baseImage(store);
    const a = await store.createContainer('base:1');
    const b = await store.createContainer('base:1');
    for (const c of [a, b]) {
      await c.rm('/usr/share/doc', { recursive: true });
      await c.writeFile('/etc/x', 'same');
      await c.utimes('/etc/x', 100, 100);
      await c.utimes('/etc', 200, 200);
      await c.utimes('/usr/share', 300, 300);
      await c.utimes('/usr', 400, 400);
    }
    const opts = { created: '2025-01-01T00:00:00Z', message: 'm' };
    const ia = await a.commit(opts);
    const ib = await b.commit(opts);
    expect(ia.layers.at(-1)!.digest).toBe(ib.layers.at(-1)!.digest);
    expect(ia.id).toBe(ib.id);
  });

  it('keeps a Docker schema2 image in its family: docker manifest and layer media types', async () => {
    const store = await open();
    const oci = await baseImage(store);
    const docker = await oci.withStoredLayers(oci.manifest.layers.map((l) => ({ ...l, mediaType: MediaType.dockerLayerGzip })), MediaType.dockerManifest);
    await store.putImage(docker, ['dock:1']);
    const c = await store.createContainer('dock:1');
    await c.writeFile('/etc/d', 'd');
    const img = await c.commit({ tag: 'dock:2' });
    expect(img.mediaType).toBe(MediaType.dockerManifest);
    expect(img.configDescriptor.mediaType).toBe(MediaType.dockerConfig);
    expect(img.layers.at(-1)!.mediaType).toBe(MediaType.dockerLayerGzip);
    expect(await (await store.createContainer('dock:2')).readFile('/etc/d', 'utf8')).toBe('d');
  });

  it('leaves volumes out of diff and commit', async () => {
    const store = await open();
    await baseImage(store);
    const c = await store.createContainer('base:1', { volumes: { '/data': 'vol', '/etc/conf.d': 'conf' } });
    await c.writeFile('/data/in-volume', 'v');
    await c.writeFile('/etc/conf.d/x.conf', 'c');
    await c.writeFile('/outside', 'o');
    expect(await c.diff()).toEqual([{ kind: 'A', path: '/outside' }]);
    const img = await c.commit();
    const index = await readLayer(await store.getBlob(img.layers.at(-1)!.digest));
    expect(index.entries.map((e) => e.path)).toEqual(['outside']);
  });
});

describe.each(backends)('%s store: attributes and hardlinks through copy-up', (_kind, open) => {
  it('keeps xattrs of a copied-up file (also on disk, in the meta record) and breaks a lower hardlink only for the changed name', async () => {
    const store = await open();
    const cap = new Uint8Array([1, 0, 0, 2, 0x20, 0, 0, 0]);
    await makeImage(store, [[...BASE, { path: 'bin/ping', content: 'ping', mode: 0o755, mtime: 1000, xattrs: { 'security.capability': cap } }]], 'x:1');
    const c = await store.createContainer('x:1', { name: 'xa' });
    await c.chmod('/bin/ping', 0o750);
    expect(await c.stat('/bin/ping')).toMatchObject({ mode: 0o750, origin: 'container', xattrs: { 'security.capability': cap } });
    await c.writeFile('/bin/tool', 'changed one name'); // bin/tool-link is the same file in the image
    expect(await c.readFile('/bin/tool-link', 'utf8')).toBe('#!/bin/sh\necho tool\n');
    const img = await c.commit({ tag: 'x:2' });
    const top = img.layers.at(-1)!;
    const index = await readLayer(await store.getBlob(top.digest));
    const ping = index.entries.find((e) => e.path === 'bin/ping')!;
    expect(ping).toMatchObject({ mode: 0o750 });
    expect(Array.from(ping.xattrs['security.capability'] ?? [])).toEqual(Array.from(cap));
    const d = await store.createContainer('x:2');
    expect(await d.readFile('/bin/tool', 'utf8')).toBe('changed one name');
    expect(await d.readFile('/bin/tool-link', 'utf8')).toBe('#!/bin/sh\necho tool\n');
    if (store.backend.kind === 'disk') {
      const again = await (await import('../../src/node.js')).openStore(store.location).then((s) => s.container('xa'));
      expect((await again.stat('/bin/ping')).xattrs['security.capability']).toEqual(cap);
    }
  });

  it('refuses an ambiguous id prefix', async () => {
    const store = await open();
    await baseImage(store);
    const ids = new Set<string>();
    // 17 containers: two of them share a first hex digit (pigeonhole).
    for (let i = 0; i < 17; i++) ids.add((await store.createContainer('base:1')).id);
    const first = [...ids].map((id) => id[0]!);
    const dup = first.find((x, i) => first.indexOf(x) !== i)!;
    await expect(store.container(dup)).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
  });
});

describe('copy-up of a big lower file', () => {
  it.each(backends)('%s store: changing a 20 MiB file leaves the image blob unchanged', async (_kind, open) => {
    const store = await open();
    const big = new Uint8Array(randomBytes(20 * 1024 * 1024));
    const img = await makeImage(store, [[...BASE, { path: 'big.bin', content: big, mode: 0o644, mtime: 1000 }]], 'big:1', 'none');
    const layer = img.layers[0]!;
    const blobBefore = await store.getBlobBytes(layer.digest);
    expect(`sha256:${sha(blobBefore)}`).toBe(layer.digest);

    const c = await store.createContainer('big:1');
    const other = await store.createContainer('big:1');
    const changed = big.slice();
    changed[12_345_678] ^= 0xff;
    await c.writeFile('/big.bin', changed);
    await c.chmod('/big.bin', 0o600);

    expect(sha(await c.readFile('/big.bin'))).toBe(sha(changed));
    expect(await c.stat('/big.bin')).toMatchObject({ size: big.length, mode: 0o600, origin: 'container' });
    expect(sha(await other.readFile('/big.bin'))).toBe(sha(big));
    expect(await c.diff()).toEqual([{ kind: 'C', path: '/big.bin' }]);
    // The image's blob: same bytes, same digest, still verifies.
    const blobAfter = await store.getBlobBytes(layer.digest);
    expect(`sha256:${sha(blobAfter)}`).toBe(layer.digest);
    expect((await store.image('big:1')).digest).toBe(img.digest);
  });
});
