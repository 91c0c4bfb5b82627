/**
 * The container file API on both store backends: reads fall through to the
 * image, writes and deletes stay in each container, whiteouts and opaque
 * directories, fs-like errors, in-root symlinks, renames across layers,
 * docker-style diff, ids, names, removal and persistence.
 */
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { applyLayer, LayerfsError, MemoryBackend, openMemoryStore, Store } from '../../src/index.js';
import { NodeDirTree, openStore } from '../../src/node.js';
import { backends, baseImage, cleanup, tempDir } from './helpers.js';

afterAll(cleanup);

const text = (b: Uint8Array) => new TextDecoder().decode(b);

describe.each(backends)('%s store: containers', (_kind, open) => {
  it('gives each container a random 64-hex id, a unique name, its creation time and image id', async () => {
    const store = await open();
    const img = await baseImage(store);
    const before = Date.now();
    const a = await store.createContainer('base:1');
    const b = await store.createContainer('base:1', { name: 'web' });
    expect(a.id).toMatch(/^[0-9a-f]{64}$/);
    expect(b.id).toMatch(/^[0-9a-f]{64}$/);
    expect(a.id).not.toBe(b.id);
    expect(a.name).toMatch(/^[a-z]+_[a-z]+\d*$/);
    expect(b.name).toBe('web');
    expect(a.image).toBe(img.id);
    expect(a.imageDigest).toBe(img.digest);
    expect(Date.parse(a.created)).toBeGreaterThanOrEqual(before - 1000);
    await expect(store.createContainer('base:1', { name: 'web' })).rejects.toMatchObject({ code: 'ALREADY_EXISTS' });
    await expect(store.createContainer('base:1', { name: 'bad name!' })).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
    await expect(store.createContainer('nothere:1')).rejects.toMatchObject({ code: 'NOT_FOUND' });
    const list = await store.containers();
    expect(list.map((c) => c.id).sort()).toEqual([a.id, b.id].sort());
    // Lookups: full id, name, unique prefix.
    expect((await store.container(a.id)).id).toBe(a.id);
    expect((await store.container('web')).id).toBe(b.id);
    expect((await store.container(a.id.slice(0, 6))).id).toBe(a.id);
    await expect(store.container('zzz-nope')).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });

  it('two containers of one image are independent: own files, own deletions; removing one leaves the image and the other', async () => {
    const store = await open();
    const img = await baseImage(store);
    const a = await store.createContainer('base:1', { name: 'one' });
    const b = await store.createContainer('base:1', { name: 'two' });
    await a.writeFile('/etc/only-a', 'A');
    await b.writeFile('/etc/only-b', 'B');
    expect(await a.readFile('/etc/only-a', 'utf8')).toBe('A');
    expect(await b.readFile('/etc/only-b', 'utf8')).toBe('B');
    expect(await a.exists('/etc/only-b')).toBe(false);
    expect(await b.exists('/etc/only-a')).toBe(false);
    await a.rm('/etc/passwd');
    expect(await a.exists('/etc/passwd')).toBe(false);
    expect(await b.readFile('/etc/passwd', 'utf8')).toBe('root:x:0:0::/root:/bin/sh\n');
    expect(await a.readdir('/etc')).toEqual(['motd', 'only-a']);
    expect(await b.readdir('/etc')).toEqual(['motd', 'only-b', 'passwd']);

    const pending = a.writeFile('/etc/late', 'queued before the removal');
    const removed = await store.removeContainer('one');
    await pending; // finished before the writable layer went away
    expect(removed.id).toBe(a.id);
    await expect(a.readFile('/etc/only-a')).rejects.toMatchObject({ code: 'NOT_FOUND' });
    // Names that cannot be id prefixes: 'a' matched the other container's id when it began with a (1 run in 16).
    await expect(store.container('one')).rejects.toMatchObject({ code: 'NOT_FOUND' });
    expect(await store.areas('container-layers').list()).toEqual([b.id]);
    // The image is intact: same manifest, and a new container sees the original files.
    expect((await store.image('base:1')).digest).toBe(img.digest);
    const c = await store.createContainer('base:1');
    expect(await c.readFile('/etc/passwd', 'utf8')).toBe('root:x:0:0::/root:/bin/sh\n');
    expect(await c.exists('/etc/only-a')).toBe(false);
    expect(await b.readFile('/etc/only-b', 'utf8')).toBe('B');
  });

  it('reads fall through to the image; reads after writes see the writes', async () => {
    const store = await open();
    await baseImage(store);
    const c = await store.createContainer('base:1');
    expect(await c.readFile('/etc/motd', 'utf8')).toBe('hello from layer 1\n');
    expect(await c.exists('/etc/hostname')).toBe(false); // deleted by the image's second layer
    const st = await c.stat('/etc/passwd');
    expect(st).toMatchObject({ path: '/etc/passwd', type: 'file', mode: 0o644, size: 26, origin: 'image' });
    await c.writeFile('/etc/passwd', 'changed\n');
    expect(await c.readFile('/etc/passwd', 'utf8')).toBe('changed\n');
    expect(await c.stat('/etc/passwd')).toMatchObject({ origin: 'container', mode: 0o644, size: 8 });
    await c.writeFile('etc/passwd', 'again\n'); // relative paths are from the root
    expect(await c.readFile('/etc/passwd', 'utf8')).toBe('again\n');
    expect(await c.readFile('/bin/tool-link', 'utf8')).toBe('#!/bin/sh\necho tool\n'); // a hardlink of the image
  });

  it('writes a whiteout for a deleted lower file and directory; the image layers are never touched', async () => {
    const store = await open();
    const img = await baseImage(store);
    const blobsBefore = (await store.backend.listBlobs()).map((b) => `${b.digest}:${b.size}`).sort();
    const c = await store.createContainer('base:1');
    await c.rm('/usr/share/doc', { recursive: true });
    await c.rm('/etc/motd');
    expect(await c.exists('/usr/share/doc')).toBe(false);
    expect(await c.readdir('/usr/share')).toEqual([]);
    const upper = await store.areas('container-layers').open(c.id);
    const names: string[] = [];
    for await (const e of upper.walk()) names.push(e.path);
    expect(names).toEqual(['etc', 'etc/.wh.motd', 'usr', 'usr/share', 'usr/share/.wh.doc']);
    expect(await c.diff()).toEqual([
      { kind: 'C', path: '/etc' },
      { kind: 'D', path: '/etc/motd' },
      { kind: 'C', path: '/usr' },
      { kind: 'C', path: '/usr/share' },
      { kind: 'D', path: '/usr/share/doc' },
    ]);
    expect((await store.backend.listBlobs()).map((b) => `${b.digest}:${b.size}`).sort()).toEqual(blobsBefore);
    expect((await store.image('base:1')).digest).toBe(img.digest);
  });

  it('a directory deleted and made again becomes opaque: its old children stay hidden', async () => {
    const store = await open();
    await baseImage(store);
    const c = await store.createContainer('base:1');
    await c.rm('/usr/share/doc', { recursive: true });
    await c.mkdir('/usr/share/doc');
    expect(await c.readdir('/usr/share/doc')).toEqual([]);
    await c.writeFile('/usr/share/doc/new.txt', 'new');
    expect(await c.readdir('/usr/share/doc')).toEqual(['new.txt']);
    const upper = await store.areas('container-layers').open(c.id);
    const names: string[] = [];
    for await (const e of upper.walk('usr/share')) names.push(e.path);
    expect(names).toEqual(['usr/share', 'usr/share/doc', 'usr/share/doc/.wh..wh..opq', 'usr/share/doc/new.txt']);
    expect(await c.diff()).toEqual([
      { kind: 'C', path: '/usr' },
      { kind: 'C', path: '/usr/share' },
      { kind: 'C', path: '/usr/share/doc' },
      { kind: 'D', path: '/usr/share/doc/a.txt' },
      { kind: 'D', path: '/usr/share/doc/b.txt' },
      { kind: 'A', path: '/usr/share/doc/new.txt' },
      { kind: 'D', path: '/usr/share/doc/sub' },
    ]);
    // A file deleted and written again is simply the new file: C, no whiteout left.
    await c.rm('/etc/passwd');
    await c.writeFile('/etc/passwd', 'x');
    expect(await store.areas('container-layers').open(c.id).then((t) => t.lstat('etc/.wh.passwd'))).toBeUndefined();
    expect((await c.diff()).filter((d) => d.path.startsWith('/etc'))).toEqual([
      { kind: 'C', path: '/etc' },
      { kind: 'C', path: '/etc/passwd' },
    ]);
  });

  it('metadata-only changes copy up: chmod, chown, utimes; truncate; symlink; link', async () => {
    const store = await open();
    await baseImage(store);
    const c = await store.createContainer('base:1');
    await c.chmod('/bin/tool', 0o700);
    expect(await c.stat('/bin/tool')).toMatchObject({ mode: 0o700, origin: 'container', size: 20 });
    expect(await c.readFile('/bin/tool', 'utf8')).toBe('#!/bin/sh\necho tool\n');
    await c.chown('/etc/passwd', 1000, 1001);
    expect(await c.stat('/etc/passwd')).toMatchObject({ uid: 1000, gid: 1001 });
    await c.utimes('/etc/motd', 0, new Date(5_000_000));
    expect((await c.stat('/etc/motd')).mtime).toBe(5000);
    await c.truncate('/etc/motd', 5);
    expect(await c.readFile('/etc/motd', 'utf8')).toBe('hello');
    await c.truncate('/etc/motd', 7);
    expect(Array.from(await c.readFile('/etc/motd'))).toEqual([104, 101, 108, 108, 111, 0, 0]);
    await c.symlink('../etc/motd', '/bin/motd-link');
    expect(await c.readlink('/bin/motd-link')).toBe('../etc/motd');
    expect(await c.readFile('/bin/motd-link', 'utf8')).toBe('hello\0\0');
    await c.link('/etc/passwd', '/etc/passwd2');
    await c.writeFile('/etc/passwd2', 'shared');
    expect(await c.readFile('/etc/passwd', 'utf8')).toBe('shared'); // one file, two names
    const diff = await c.diff();
    expect(diff).toContainEqual({ kind: 'C', path: '/bin/tool' });
    expect(diff).toContainEqual({ kind: 'A', path: '/bin/motd-link' });
    expect(diff).toContainEqual({ kind: 'A', path: '/etc/passwd2' });
    expect(diff).toContainEqual({ kind: 'C', path: '/etc/passwd' });
  });

  it('errors like fs, as typed LayerfsErrors', async () => {
    const store = await open();
    await baseImage(store);
    const c = await store.createContainer('base:1');
    await expect(c.readFile('/nope')).rejects.toMatchObject({ code: 'NOT_FOUND' });
    await expect(c.readFile('/etc')).rejects.toMatchObject({ code: 'IS_A_DIRECTORY' });
    await expect(c.writeFile('/etc', 'x')).rejects.toMatchObject({ code: 'IS_A_DIRECTORY' });
    await expect(c.readFile('/etc/passwd/x')).rejects.toMatchObject({ code: 'NOT_A_DIRECTORY' });
    await expect(c.writeFile('/nope/x', 'x')).rejects.toMatchObject({ code: 'NOT_FOUND' });
    await expect(c.mkdir('/etc')).rejects.toMatchObject({ code: 'ALREADY_EXISTS' });
    await expect(c.mkdir('/a/b/c')).rejects.toMatchObject({ code: 'NOT_FOUND' });
    await c.mkdir('/a/b/c', { recursive: true });
    await c.mkdir('/a/b/c', { recursive: true }); // no error when it exists
    expect((await c.stat('/a/b/c')).type).toBe('directory');
    await expect(c.rm('/usr')).rejects.toMatchObject({ code: 'IS_A_DIRECTORY' });
    await expect(c.rm('/nope')).rejects.toMatchObject({ code: 'NOT_FOUND' });
    await c.rm('/nope', { force: true });
    await expect(c.rmdir('/usr/share')).rejects.toMatchObject({ code: 'DIRECTORY_NOT_EMPTY' });
    await expect(c.readdir('/etc/passwd')).rejects.toMatchObject({ code: 'NOT_A_DIRECTORY' });
    await expect(c.symlink('x', '/etc/passwd')).rejects.toMatchObject({ code: 'ALREADY_EXISTS' });
    await expect(c.link('/usr', '/usr2')).rejects.toMatchObject({ code: 'IS_A_DIRECTORY' });
    await expect(c.rename('/usr', '/usr/share/x')).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
    await expect(c.rename('/usr', '/etc')).rejects.toMatchObject({ code: 'DIRECTORY_NOT_EMPTY' });
    await expect(c.rename('/usr', '/etc/passwd')).rejects.toMatchObject({ code: 'NOT_A_DIRECTORY' });
    await expect(c.rename('/etc/passwd', '/usr')).rejects.toMatchObject({ code: 'IS_A_DIRECTORY' });
    await expect(c.writeFile('/etc/.wh.x', 'x')).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
    await expect(c.rm('/')).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
    await c.symlink('loop2', '/loop1');
    await c.symlink('loop1', '/loop2');
    await expect(c.readFile('/loop1')).rejects.toMatchObject({ code: 'SYMLINK_LOOP' });
    expect(await c.exists('/loop1')).toBe(false);
    // Nothing failed half-way: the image's view is intact.
    expect(await c.readFile('/etc/passwd', 'utf8')).toBe('root:x:0:0::/root:/bin/sh\n');
  });

  it('resolves symlinks inside the root, never escaping it', async () => {
    const store = await open();
    await baseImage(store);
    const c = await store.createContainer('base:1');
    // escape -> ../../../../etc stays in the root: /etc
    expect(await c.readFile('/escape/motd', 'utf8')).toBe('hello from layer 1\n');
    expect(await c.readFile('/../../etc/motd', 'utf8')).toBe('hello from layer 1\n');
    // lib -> usr/share (relative): writes through it land in /usr/share.
    await c.writeFile('/lib/doc/through-link', 'x');
    expect(await c.readFile('/usr/share/doc/through-link', 'utf8')).toBe('x');
    await c.symlink('/', '/rootlink');
    await c.writeFile('/rootlink/rootlink/etc/via-abs', 'y');
    expect(await c.readFile('/etc/via-abs', 'utf8')).toBe('y');
    expect((await c.lstat('/escape')).type).toBe('symlink');
    expect((await c.stat('/escape')).type).toBe('directory');
    // A dangling symlink is created through, as fs.writeFile does.
    await c.symlink('/etc/made-by-link', '/dangling');
    await c.writeFile('/dangling', 'z');
    expect(await c.readFile('/etc/made-by-link', 'utf8')).toBe('z');
  });

  it('renames files and directories across layers (with hardlinks kept) and replaces files', async () => {
    const store = await open();
    await baseImage(store);
    const c = await store.createContainer('base:1');
    await c.rename('/usr/share/doc', '/docs');
    expect(await c.exists('/usr/share/doc')).toBe(false);
    expect(await c.readdir('/docs')).toEqual(['a.txt', 'b.txt', 'sub']);
    expect(await c.readFile('/docs/sub/c.txt', 'utf8')).toBe('doc c\n');
    expect((await c.stat('/docs')).mtime).toBe(1000); // a rename keeps the directory's times
    await c.rename('/bin', '/sbin');
    expect(await c.readFile('/sbin/tool-link', 'utf8')).toBe('#!/bin/sh\necho tool\n');
    await c.writeFile('/sbin/tool', 'edited');
    expect(await c.readFile('/sbin/tool-link', 'utf8')).toBe('edited'); // still one file
    await c.rename('/etc/motd', '/etc/passwd'); // replaces a file
    expect(await c.readFile('/etc/passwd', 'utf8')).toBe('hello from layer 1\n');
    expect(await c.exists('/etc/motd')).toBe(false);
    await c.mkdir('/empty');
    await c.rename('/docs', '/empty'); // replaces an empty directory
    expect(await c.readdir('/empty')).toEqual(['a.txt', 'b.txt', 'sub']);
    const diff = await c.diff();
    expect(diff).toContainEqual({ kind: 'D', path: '/bin' });
    expect(diff).toContainEqual({ kind: 'A', path: '/sbin/tool-link' });
    expect(diff).toContainEqual({ kind: 'D', path: '/etc/motd' });
    expect(diff).toContainEqual({ kind: 'D', path: '/usr/share/doc' });
    expect(diff).toContainEqual({ kind: 'A', path: '/empty/sub/c.txt' });
    expect(diff.map((d) => d.path)).not.toContain('/docs');
  });

  it('renaming one name of a file keeps it one file with its other names (rename moves a name, as rename(2))', async () => {
    const store = await open();
    await baseImage(store);
    const c = await store.createContainer('base:1');
    await c.writeFile('/p1', 'one', { mode: 0o644 });
    await c.link('/p1', '/p2');
    await c.rename('/p1', '/p3');
    await c.chmod('/p2', 0o640);
    await c.writeFile('/p2', 'two');
    expect([(await c.stat('/p3')).mode & 0o777, await c.readFile('/p3', 'utf8')]).toEqual([0o640, 'two']);
    // An image file given a second name is copied up once; moving either name keeps the pair.
    await c.link('/etc/motd', '/etc/hn');
    await c.rename('/etc/motd', '/motd');
    await c.writeFile('/etc/hn', 'renamed\n');
    expect(await c.readFile('/motd', 'utf8')).toBe('renamed\n');
    // A directory moved with one name of a file inside: the name outside still shares it.
    await c.mkdir('/d');
    await c.link('/p2', '/d/p4');
    await c.rename('/d', '/e');
    await c.truncate('/p2', 1);
    expect(await c.readFile('/e/p4', 'utf8')).toBe('t');
    // Two names of one file: rename does nothing, both stay.
    await c.rename('/p2', '/p3');
    expect([await c.exists('/p2'), await c.exists('/p3')]).toEqual([true, true]);
    // The commit records the names as one file (a hardlink in the layer).
    const img = await c.commit({ tag: 'links:1' });
    const out = await tempDir('layerfs-links-');
    const tree = new NodeDirTree(out);
    for (const l of img.layers) await applyLayer(await store.getBlobBytes(l.digest), tree);
    const ino = async (p: string) => (await fs.stat(path.join(out, p))).ino;
    expect(new Set([await ino('p2'), await ino('p3'), await ino('e/p4')]).size).toBe(1);
    expect(await ino('motd')).toBe(await ino('etc/hn'));
    expect(await fs.readFile(path.join(out, 'e/p4'), 'utf8')).toBe('t');
  });

  it('a name copied up apart from its image twin stays apart in the commit', async () => {
    const store = await open();
    await baseImage(store);
    const c = await store.createContainer('base:1');
    // stat shows a linkKey for a file with other names only (as trees do).
    const key = async (p: string) => (await c.lstat(p)).linkKey;
    expect(await key('/bin/tool')).toBeDefined();
    expect(await key('/bin/tool-link')).toBe(await key('/bin/tool'));
    expect(await key('/etc/motd')).toBeUndefined();
    // bin/tool and bin/tool-link are one file in the image; linking through
    // one name copies that name up alone (overlayfs). The other name, left
    // untouched, keeps the image's file: same bytes, no longer the same file.
    // (Only the link: a change to the copy's own entry would have it
    // written anew anyway.)
    await c.link('/bin/tool-link', '/etc/x');
    expect(await key('/bin/tool')).toBeUndefined();
    expect(await key('/etc/x')).toBe(await key('/bin/tool-link'));
    await c.writeFile('/new', 'n');
    expect(await key('/new')).toBeUndefined();
    await c.rm('/new');
    expect(await c.diff()).toEqual([
      { kind: 'C', path: '/bin' },
      { kind: 'C', path: '/bin/tool-link' },
      { kind: 'C', path: '/etc' },
      { kind: 'A', path: '/etc/x' },
    ]);
    const img = await c.commit({ tag: 'parted:1' });
    const out = await tempDir('layerfs-parted-');
    const tree = new NodeDirTree(out);
    for (const l of img.layers) await applyLayer(await store.getBlobBytes(l.digest), tree);
    const ino = async (p: string) => (await fs.stat(path.join(out, p))).ino;
    expect(await ino('etc/x')).toBe(await ino('bin/tool-link'));
    expect(await ino('bin/tool')).not.toBe(await ino('bin/tool-link'));
    expect(await fs.readFile(path.join(out, 'bin/tool'), 'utf8')).toBe('#!/bin/sh\necho tool\n');
  });

  it('diff lists every change once, sorted, with changed parents as C', async () => {
    const store = await open();
    await baseImage(store);
    const c = await store.createContainer('base:1');
    expect(await c.diff()).toEqual([]);
    await c.mkdir('/opt/app/new/deeper', { recursive: true });
    await c.writeFile('/opt/app/new/deeper/f', 'f');
    await c.writeFile('/opt/app/main.js', 'changed');
    await c.rm('/opt/app/data', { recursive: true });
    expect(await c.diff()).toEqual([
      { kind: 'C', path: '/opt' },
      { kind: 'C', path: '/opt/app' },
      { kind: 'D', path: '/opt/app/data' },
      { kind: 'C', path: '/opt/app/main.js' },
      { kind: 'A', path: '/opt/app/new' },
      { kind: 'A', path: '/opt/app/new/deeper' },
      { kind: 'A', path: '/opt/app/new/deeper/f' },
    ]);
  });

  it('runs concurrent calls one at a time', async () => {
    const store = await open();
    await baseImage(store);
    const c = await store.createContainer('base:1');
    await Promise.all(Array.from({ length: 20 }, (_, i) => c.writeFile(`/etc/f${i}`, String(i))));
    const names = await c.readdir('/etc');
    expect(names.filter((n) => /^f\d+$/.test(n)).length).toBe(20);
    expect(await c.readFile('/etc/f7', 'utf8')).toBe('7');
  });
});

describe('image blobs are verified on every read', () => {
  it('a corrupted layer fails copy-up and reads with a typed error, first and repeated reads alike', async () => {
    const store = openMemoryStore();
    const img = await baseImage(store);
    const c = await store.createContainer('base:1');
    expect(await c.readFile('/etc/passwd', 'utf8')).toBe('root:x:0:0::/root:/bin/sh\n');
    const layer = img.layers[0]!;
    const bytes = await store.getBlobBytes(layer.digest);
    const bad = bytes.slice();
    bad[bad.length - 20] ^= 0xff; // inside the gzip data or its trailer
    (store.backend as MemoryBackend).corruptBlobForTest(layer.digest, bad);
    for (let i = 0; i < 3; i++) {
      const err = await c.readFile('/bin/tool').then(() => undefined, (e: unknown) => e);
      expect(err).toBeInstanceOf(LayerfsError);
      expect(['DIGEST_MISMATCH', 'INVALID_TAR']).toContain((err as LayerfsError).code);
    }
    const err = await c.chmod('/usr/share/doc/a.txt', 0o600).then(() => undefined, (e: unknown) => e);
    expect(['DIGEST_MISMATCH', 'INVALID_TAR']).toContain((err as LayerfsError).code);
  });
});

describe('disk store: containers survive the process', () => {
  it('reopening lists them with their changes', async () => {
    const dir = await tempDir();
    {
      const store = await openStore(dir);
      await baseImage(store);
      const c = await store.createContainer('base:1', { name: 'keep' });
      await c.writeFile('/etc/new', 'persisted');
      await c.rm('/usr/share/doc', { recursive: true });
      await c.mkdir('/usr/share/doc');
      await c.chown('/etc/motd', 4321, 8765);
      await c.chmod('/bin/tool', 0o711);
    }
    const store: Store = await openStore(dir);
    const list = await store.containers();
    expect(list.map((c) => c.name)).toEqual(['keep']);
    const c = await store.container('keep');
    expect(await c.readFile('/etc/new', 'utf8')).toBe('persisted');
    expect(await c.readdir('/usr/share/doc')).toEqual([]);
    expect(await c.stat('/etc/motd')).toMatchObject({ uid: 4321, gid: 8765 });
    expect((await c.stat('/bin/tool')).mode).toBe(0o711);
    expect(text(await c.readFile('/etc/passwd'))).toBe('root:x:0:0::/root:/bin/sh\n');
    expect(await c.diff()).toEqual([
      { kind: 'C', path: '/bin' },
      { kind: 'C', path: '/bin/tool' },
      { kind: 'C', path: '/etc' },
      { kind: 'C', path: '/etc/motd' },
      { kind: 'A', path: '/etc/new' },
      { kind: 'C', path: '/usr' },
      { kind: 'C', path: '/usr/share' },
      { kind: 'C', path: '/usr/share/doc' },
      { kind: 'D', path: '/usr/share/doc/a.txt' },
      { kind: 'D', path: '/usr/share/doc/b.txt' },
      { kind: 'D', path: '/usr/share/doc/sub' },
    ]);
    // gc keeps the image a container uses, even untagged.
    await store.untag('base:1');
    await store.gc();
    const again = await openStore(dir).then((s) => s.container('keep'));
    expect(await again.readFile('/etc/passwd', 'utf8')).toBe('root:x:0:0::/root:/bin/sh\n');
  });
});
