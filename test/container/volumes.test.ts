/**
 * Volumes: named trees mounted into containers, shared between them,
 * outliving them, kept out of the writable layer; removal refused while
 * mounted unless forced.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { openStore } from '../../src/node.js';
import { backends, baseImage, cleanup, tempDir } from './helpers.js';

afterAll(cleanup);

describe.each(backends)('%s store: volumes', (_kind, open) => {
  it('creates, lists and removes volumes; names are checked and unique', async () => {
    const store = await open();
    expect(await store.volumes()).toEqual([]);
    const v = await store.createVolume('data');
    expect(v.name).toBe('data');
    expect(Number.isNaN(Date.parse(v.created))).toBe(false);
    await expect(store.createVolume('data')).rejects.toMatchObject({ code: 'ALREADY_EXISTS' });
    await expect(store.createVolume('../evil')).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
    await store.createVolume('cache');
    expect((await store.volumes()).map((x) => x.name)).toEqual(['cache', 'data']);
    await store.removeVolume('cache');
    expect((await store.volumes()).map((x) => x.name)).toEqual(['data']);
    await expect(store.removeVolume('cache')).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });

  it('is shared by every container that mounts it and outlives them', async () => {
    const store = await open();
    await baseImage(store);
    const a = await store.createContainer('base:1', { volumes: { '/data': 'shared' } });
    const b = await store.createContainer('base:1', { volumes: { '/mnt/deep/data': 'shared' } });
    expect((await store.volumes()).map((v) => v.name)).toEqual(['shared']); // made on first use, as docker run -v does
    await a.writeFile('/data/hello.txt', 'from a');
    await a.mkdir('/data/dir');
    await a.symlink('/etc/motd', '/data/dir/motd'); // a symlink in a volume resolves in the container's root
    expect(await b.readFile('/mnt/deep/data/hello.txt', 'utf8')).toBe('from a');
    expect(await b.readFile('/mnt/deep/data/dir/motd', 'utf8')).toBe('hello from layer 1\n');
    await b.writeFile('/mnt/deep/data/back.txt', 'from b');
    expect(await a.readdir('/data')).toEqual(['back.txt', 'dir', 'hello.txt']);
    expect(await a.stat('/data/back.txt')).toMatchObject({ origin: 'volume', size: 6 });
    // Mount points appear in listings even where the image has no such directory.
    expect(await a.readdir('/')).toContain('data');
    expect(await b.readdir('/mnt')).toEqual(['deep']);
    expect((await b.stat('/mnt/deep')).type).toBe('directory');
    // Nothing of the volume is in the writable layers.
    expect(await a.diff()).toEqual([]);
    expect(await b.diff()).toEqual([]);

    await expect(store.removeVolume('shared')).rejects.toMatchObject({ code: 'IN_USE' });
    await store.removeContainer(a.id);
    await expect(store.removeVolume('shared')).rejects.toMatchObject({ code: 'IN_USE' });
    await store.removeContainer(b.id);
    const c = await store.createContainer('base:1', { volumes: { '/srv': 'shared' } });
    expect(await c.readFile('/srv/hello.txt', 'utf8')).toBe('from a');
    expect(await c.readFile('/srv/back.txt', 'utf8')).toBe('from b');
    await store.removeVolume('shared', { force: true });
    expect(await store.volumes()).toEqual([]);
  });

  it('moves files between a volume and the writable layer; refuses to remove or replace a mount point', async () => {
    const store = await open();
    await baseImage(store);
    const c = await store.createContainer('base:1', { volumes: { '/data': 'v1' } });
    await c.rename('/etc/motd', '/data/motd');
    expect(await c.readFile('/data/motd', 'utf8')).toBe('hello from layer 1\n');
    expect(await c.exists('/etc/motd')).toBe(false);
    await c.rename('/data/motd', '/etc/motd2');
    expect(await c.readFile('/etc/motd2', 'utf8')).toBe('hello from layer 1\n');
    expect(await c.diff()).toEqual([
      { kind: 'C', path: '/etc' },
      { kind: 'D', path: '/etc/motd' },
      { kind: 'A', path: '/etc/motd2' },
    ]);
    await expect(c.rm('/data', { recursive: true })).rejects.toMatchObject({ code: 'IN_USE' });
    await expect(c.rename('/data', '/data2')).rejects.toMatchObject({ code: 'IN_USE' });
    await expect(c.link('/etc/passwd', '/data/passwd')).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
    await expect(store.createContainer('base:1', { volumes: { '/a': 'x', '/a/b': 'y' } })).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
    await expect(store.createContainer('base:1', { volumes: { '/': 'x' } })).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
  });

  it('renaming one name of a file inside a volume keeps it one file; moving it out of the volume copies it', async () => {
    const store = await open();
    await baseImage(store);
    const c = await store.createContainer('base:1', { volumes: { '/data': 'v2' } });
    await c.writeFile('/data/a', 'one', { mode: 0o644 });
    await c.link('/data/a', '/data/b');
    await c.mkdir('/data/d');
    await c.rename('/data/a', '/data/d/a'); // rename(2) moves a name: d/a and b stay one file
    await c.chmod('/data/b', 0o600);
    await c.writeFile('/data/b', 'two');
    expect([(await c.stat('/data/d/a')).mode & 0o777, await c.readFile('/data/d/a', 'utf8')]).toEqual([0o600, 'two']);
    await c.rename('/data/d', '/data/e'); // the same for a directory holding one of the names
    await c.truncate('/data/b', 1);
    expect(await c.readFile('/data/e/a', 'utf8')).toBe('t');
    // Out of the volume (another file system): a copy, no longer linked.
    await c.rename('/data/e/a', '/moved');
    await c.writeFile('/data/b', 'three');
    expect(await c.readFile('/moved', 'utf8')).toBe('t');
  });
});

describe.each(backends)('%s store: a new volume over an image directory', (_kind, open) => {
  it("starts with a copy of the image's files there (as docker does), once", async () => {
    const store = await open();
    await baseImage(store);
    const a = await store.createContainer('base:1', { volumes: { '/opt/app/data': 'seeded' } });
    expect(await a.readdir('/opt/app/data')).toEqual(['x.json']);
    expect(await a.stat('/opt/app/data/x.json')).toMatchObject({ origin: 'volume', size: 3, mtime: 2000 });
    expect(await a.readFile('/opt/app/data/x.json', 'utf8')).toBe('{}\n');
    await a.rm('/opt/app/data/x.json'); // a volume file: gone, no whiteout
    await a.writeFile('/opt/app/data/mine', 'm');
    expect(await a.diff()).toEqual([]);
    // Not empty any more: the next container gets the volume as it is.
    const b = await store.createContainer('base:1', { volumes: { '/opt/app/data': 'seeded' } });
    expect(await b.readdir('/opt/app/data')).toEqual(['mine']);
    // The image's own directory is untouched.
    const plain = await store.createContainer('base:1');
    expect(await plain.readdir('/opt/app/data')).toEqual(['x.json']);
  });
});

describe('disk store: volumes survive the process', () => {
  it('keeps volume contents and mounts across a reopen', async () => {
    const dir = await tempDir();
    {
      const store = await openStore(dir);
      await baseImage(store);
      const c = await store.createContainer('base:1', { name: 'app', volumes: { '/var/data': 'db' } });
      await c.writeFile('/var/data/rows', '1\n2\n');
    }
    const store = await openStore(dir);
    expect((await store.volumes()).map((v) => v.name)).toEqual(['db']);
    const c = await store.container('app');
    expect(c.volumes).toEqual({ '/var/data': 'db' });
    expect(await c.readFile('/var/data/rows', 'utf8')).toBe('1\n2\n');
    await store.removeContainer('app');
    const d = await store.createContainer('base:1', { volumes: { '/x': 'db' } });
    expect(await d.readFile('/x/rows', 'utf8')).toBe('1\n2\n');
  });
});
