/**
 * Fixtures for the container suites: images made of real layers (written by
 * diffTrees between successive MemoryTree states), memory and disk stores.
 */
import { createHash } from 'node:crypto';
import * as fsSync from 'node:fs';
import * as fs from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import { diffTrees, Image, MediaType, MemoryTree, openMemoryStore, type Container, type MemoryEntrySpec, type Store } from '../../src/index.js';
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

export const sha = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');

export type Row = { type: string; mode: number; uid: number; gid: number; size: number; content?: string; target?: string };

/** The container's tree as rows, walked through its public API. */
export async function containerRows(c: Container): Promise<Record<string, Row>> {
  const out: Record<string, Row> = {};
  const visit = async (dir: string) => {
    for (const name of await c.readdir(dir)) {
      const p = dir === '/' ? `/${name}` : `${dir}/${name}`;
      const e = await c.lstat(p);
      const r: Row = { type: e.type, mode: e.type === 'symlink' ? 0o777 : e.mode, uid: e.uid, gid: e.gid, size: e.type === 'file' ? e.size : 0 };
      if (e.type === 'file') r.content = sha(await c.readFile(p));
      if (e.type === 'symlink') r.target = e.linkname;
      out[p] = r;
      if (e.type === 'directory') await visit(p);
    }
  };
  await visit('/');
  return out;
}

/**
 * The container's hardlink groups, as hostRows gives a directory's: the
 * names whose stat shows one linkKey (a key names a file within one tree:
 * the container's layers, or one volume).
 */
export async function containerLinks(c: Container): Promise<string[][]> {
  const groups = new Map<string, string[]>();
  const mounts = Object.keys(c.volumes).sort((a, b) => b.length - a.length);
  const visit = async (dir: string) => {
    for (const name of await c.readdir(dir)) {
      const p = dir === '/' ? `/${name}` : `${dir}/${name}`;
      const e = await c.lstat(p);
      if (e.type === 'directory') await visit(p);
      else if (e.type === 'file' && e.linkKey !== undefined) {
        const tree = mounts.find((m) => p === m || p.startsWith(`${m}/`)) ?? '';
        const k = `${tree}\0${e.linkKey}`;
        groups.set(k, [...(groups.get(k) ?? []), p]);
      }
    }
  };
  await visit('/');
  return [...groups.values()].filter((g) => g.length > 1).map((g) => g.sort()).sort();
}

/** The same rows for a directory on the host, and its hardlink groups. */
export function hostRows(root: string): { rows: Record<string, Row>; links: string[][] } {
  const rows: Record<string, Row> = {};
  const byInode = new Map<string, string[]>();
  const visit = (dir: string, rel: string) => {
    for (const name of fsSync.readdirSync(dir).sort()) {
      const full = path.join(dir, name);
      const p = `${rel}/${name}`;
      const st = fsSync.lstatSync(full);
      const type = st.isDirectory() ? 'directory' : st.isSymbolicLink() ? 'symlink' : st.isFile() ? 'file' : 'other';
      const r: Row = { type, mode: st.mode & 0o7777, uid: st.uid, gid: st.gid, size: type === 'file' ? st.size : 0 };
      if (type === 'file') {
        r.content = sha(fsSync.readFileSync(full));
        if (st.nlink > 1) byInode.set(`${st.ino}`, [...(byInode.get(`${st.ino}`) ?? []), p]);
      }
      if (type === 'symlink') r.target = fsSync.readlinkSync(full);
      rows[p] = r;
      if (type === 'directory') visit(full, p);
    }
  };
  visit(root, '');
  return { rows, links: [...byInode.values()].map((g) => g.sort()).sort() };
}

