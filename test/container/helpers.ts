/**
 * Fixtures for the container suites: images made of real layers (written by
 * diffTrees between successive MemoryTree states), memory and disk stores.
 */
import * as fs from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import { diffTrees, Image, MediaType, MemoryTree, openMemoryStore, type MemoryEntrySpec, type Store } from '../../src/index.js';
import { openStore } from '../../src/node.js';

export const dirs: string[] = [];

export async function tempDir(prefix = 'layerfs-container-'): Promise<string> {
  const d = await fs.mkdtemp(path.join(os.tmpdir(), prefix));
  dirs.push(d);
  return d;
}

export async function cleanup(): Promise<void> {
  for (const d of dirs.splice(0)) await fs.rm(d, { recursive: true, force: true });
}

export const backends: Array<[string, () => Promise<Store>]> = [
  ['memory', async () => openMemoryStore()],
  ['disk', async () => openStore(await tempDir('layerfs-cstore-'))],
];

/**
 * Stores an image whose layers turn each state into the next (states are
 * whole trees; the first layer is state 0 against an empty tree) and tags it.
 */
export async function makeImage(store: Store, states: MemoryEntrySpec[][], tag: string, compression: 'gzip' | 'none' = 'gzip'): Promise<Image> {
  let img = await Image.empty({ os: 'linux', architecture: 'amd64' }, '2024-01-01T00:00:00Z');
  let prev = new MemoryTree();
  for (const [i, s] of states.entries()) {
    const next = await MemoryTree.from(s);
    const r = await diffTrees(prev, next, { compression });
    await store.putBlob(r.bytes!, { digest: r.digest });
    img = await img.withLayers([{ digest: r.digest, diffId: r.diffId, size: r.size, mediaType: compression === 'gzip' ? MediaType.ociLayerGzip : MediaType.ociLayer, history: { created_by: `layer ${i}` } }]);
    prev = next;
  }
  await store.putImage(img, [tag]);
  return img;
}

/** A small base: directories, files, a symlink, a hardlink, a second layer that changes things. */
export const BASE: MemoryEntrySpec[] = [
  { path: 'etc', mode: 0o755, mtime: 1000 },
  { path: 'etc/hostname', content: 'base\n', mode: 0o644, mtime: 1000 },
  { path: 'etc/passwd', content: 'root:x:0:0::/root:/bin/sh\n', mode: 0o644, mtime: 1000 },
  { path: 'bin', mode: 0o755, mtime: 1000 },
  { path: 'bin/tool', content: '#!/bin/sh\necho tool\n', mode: 0o755, mtime: 1000 },
  { path: 'bin/tool-link', type: 'hardlink', linkname: 'bin/tool' },
  { path: 'usr', mode: 0o755, mtime: 1000 },
  { path: 'usr/share', mode: 0o755, mtime: 1000 },
  { path: 'usr/share/doc', mode: 0o755, mtime: 1000 },
  { path: 'usr/share/doc/a.txt', content: 'doc a\n', mtime: 1000 },
  { path: 'usr/share/doc/b.txt', content: 'doc b\n', mtime: 1000 },
  { path: 'usr/share/doc/sub', mode: 0o755, mtime: 1000 },
  { path: 'usr/share/doc/sub/c.txt', content: 'doc c\n', mtime: 1000 },
  { path: 'lib', type: 'symlink', linkname: 'usr/share', mtime: 1000 },
  { path: 'escape', type: 'symlink', linkname: '../../../../etc', mtime: 1000 },
];

export const TOP: MemoryEntrySpec[] = [
  ...BASE.filter((e) => e.path !== 'etc/hostname'),
  { path: 'etc/motd', content: 'hello from layer 1\n', mtime: 2000 },
  { path: 'opt', mode: 0o755, mtime: 2000 },
  { path: 'opt/app', mode: 0o755, mtime: 2000 },
  { path: 'opt/app/main.js', content: 'console.log(1)\n', mtime: 2000 },
  { path: 'opt/app/data', mode: 0o755, mtime: 2000 },
  { path: 'opt/app/data/x.json', content: '{}\n', mtime: 2000 },
];

export async function baseImage(store: Store, tag = 'base:1'): Promise<Image> {
  return makeImage(store, [BASE, TOP], tag);
}
