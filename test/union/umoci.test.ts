/**
 * The union view against a real reference: three layers made by GNU tar
 * (with whiteouts, an opaque directory, type changes, a hardlink, symlinks,
 * "./"-prefixed names) are stacked into an OCI image by umoci 0.4.7 and
 * unpacked with `umoci unpack`; the view of the same tars (readLayer +
 * UnionView) must show exactly the unpacked tree: same paths, same types,
 * same symlink targets, same file contents.
 */
import { execFileSync } from 'node:child_process';
import { linkSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, readlinkSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readLayer, readLayerFile } from '../../src/layer/read.js';
import { comparePaths } from '../../src/layer/path.js';
import { UnionView } from '../../src/union/view.js';
import { requireTools } from '../helpers/tools.js';

const td = new TextDecoder();
let dir: string;

function put(root: string, rel: string, content: string): void {
  const p = join(root, rel);
  mkdirSync(join(p, '..'), { recursive: true });
  writeFileSync(p, content);
}

/** path -> "dir" | "file:<content>" | "symlink:<target>" of a directory on disk. */
function snapshotDisk(root: string): Map<string, string> {
  const out = new Map<string, string>();
  const walk = (rel: string) => {
    for (const name of readdirSync(join(root, rel)).sort()) {
      const p = rel ? `${rel}/${name}` : name;
      const st = lstatSync(join(root, p));
      if (st.isDirectory()) {
        out.set(p, 'dir');
        walk(p);
      } else if (st.isSymbolicLink()) out.set(p, `symlink:${readlinkSync(join(root, p))}`);
      else out.set(p, `file:${readFileSync(join(root, p), 'utf8')}`);
    }
  };
  walk('');
  return out;
}

beforeAll(() => {
  requireTools('umoci', 'tar');
  dir = mkdtempSync(join(tmpdir(), 'layerfs-union-umoci-'));
  const l0 = join(dir, 'l0');
  put(l0, 'etc/passwd', 'root:x:0:0');
  put(l0, 'etc/group', 'root:x:0:');
  put(l0, 'usr/bin/sh', 'shell');
  put(l0, 'usr/lib/a.so', 'A');
  put(l0, 'usr/lib/sub/b.so', 'B');
  put(l0, 'var/cache/x/y', 'cached');
  put(l0, 'home/u/.profile', 'PATH=/bin');
  symlinkSync('usr/lib', join(l0, 'lnk'));
  linkSync(join(l0, 'etc/passwd'), join(l0, 'etc/hard'));
  const l1 = join(dir, 'l1');
  put(l1, 'etc/.wh.group', '');
  put(l1, 'etc/hosts', '127.0.0.1 localhost');
  put(l1, 'var/.wh.cache', '');
  put(l1, 'usr/lib/.wh..wh..opq', '');
  put(l1, 'usr/lib/c.so', 'C');
  put(l1, 'usr/bin/busybox', 'busybox');
  symlinkSync('busybox', join(l1, 'usr/bin/sh'));
  put(l1, 'opt/app/deep/file', 'deep');
  const l2 = join(dir, 'l2');
  put(l2, 'home', 'now a file');
  put(l2, 'var/cache/new', 'fresh');
  put(l2, 'usr/lib/c.so', 'C2');
  put(l2, 'opt/.wh.app', '');
  put(l2, 'opt/app2/x', 'x');
  for (const l of ['l0', 'l1', 'l2']) execFileSync('tar', ['--sort=name', '--format=pax', '-C', join(dir, l), '-cf', join(dir, `${l}.tar`), '.']);
  const img = join(dir, 'img');
  execFileSync('umoci', ['init', '--layout', img]);
  execFileSync('umoci', ['new', '--image', `${img}:t`]);
  for (const l of ['l0', 'l1', 'l2']) execFileSync('umoci', ['raw', 'add-layer', '--image', `${img}:t`, join(dir, `${l}.tar`)]);
  execFileSync('umoci', ['unpack', '--rootless', '--image', `${img}:t`, join(dir, 'bundle')]);
});

afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('UnionView vs umoci unpack', () => {
  for (const simd of [true, false]) {
    it(`shows the tree umoci unpacks (${simd ? 'simd' : 'scalar'} build)`, async () => {
      const tars = ['l0', 'l1', 'l2'].map((l) => new Uint8Array(readFileSync(join(dir, `${l}.tar`))));
      const layers = [];
      for (const tar of tars) {
        const idx = await readLayer(tar);
        layers.push({ entries: idx.entries, read: (_i: number, e: (typeof idx.entries)[number]) => readLayerFile(tar, e) });
      }
      const view = await UnionView.fromLayers(layers, { simd });
      const want = snapshotDisk(join(dir, 'bundle', 'rootfs'));
      const got = new Map<string, string>();
      for (const n of view.walk()) {
        if (n.type === 'directory') got.set(n.path, 'dir');
        else if (n.type === 'symlink') got.set(n.path, `symlink:${n.entry.linkname}`);
        else got.set(n.path, `file:${td.decode(await view.readFile(n.path))}`);
      }
      expect([...got.keys()]).toEqual([...want.keys()].sort(comparePaths));
      expect(Object.fromEntries(got)).toEqual(Object.fromEntries(want));
      // A few facts spelled out, so that a shared mistake cannot hide.
      expect(got.get('etc/group')).toBeUndefined();
      expect(got.get('usr/lib/a.so')).toBeUndefined();
      expect(got.get('usr/lib/c.so')).toBe('file:C2');
      expect(got.get('home')).toBe('file:now a file');
      expect(got.get('var/cache/new')).toBe('file:fresh');
      expect(got.get('etc/hard')).toBe('file:root:x:0:0');
      expect(view.lookup('usr/lib/c.so')!.layer).toBe(2);
      expect(view.stat('lnk/c.so').path).toBe('usr/lib/c.so');
    });
  }
});
