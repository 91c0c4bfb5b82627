/**
 * The writable layer's attribute overlay: what a directory tree cannot keep
 * (owners without root, xattrs, owner names) is kept in a record and put
 * back on reopen; removing a path drops its attributes.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { openMemoryStore } from '../../src/index.js';
import { NodeDirTree } from '../../src/node.js';
import { UpperLayer } from '../../src/container/upper.js';
import { cleanup, tempDir } from './helpers.js';

afterAll(cleanup);

describe('UpperLayer', () => {
  it('keeps owners and xattrs a tree cannot store, across a reopen, and forgets removed paths', async () => {
    const dir = await tempDir();
    const store = openMemoryStore();
    const records = store.records<Record<string, never>>('container-meta');
    const tree = new NodeDirTree(dir, { chown: false }); // as a rootless disk store
    const up = await UpperLayer.open(tree, records, 'c1');
    const x = new Uint8Array([7, 8, 9]);
    await up.mkdir('d', { mode: 0o750, uid: 1000, gid: 1000, mtime: 10 });
    await up.writeFile('d/f', new TextEncoder().encode('hi'), { mode: 0o640, uid: 1234, gid: 5678, uname: 'app', xattrs: { 'user.k': x }, mtime: 20 });
    await up.flush();
    expect(up.get('d/f')).toMatchObject({ uid: 1234, gid: 5678, uname: 'app', mode: 0o640, size: 2, mtime: 20 });
    expect((await tree.lstat('d/f'))?.uid).toBe(0); // the tree itself could not keep it

    const again = await UpperLayer.open(new NodeDirTree(dir, { chown: false }), records, 'c1');
    expect(again.get('d')).toMatchObject({ uid: 1000, gid: 1000, mode: 0o750 });
    expect(again.get('d/f')).toMatchObject({ uid: 1234, gid: 5678, uname: 'app' });
    expect(again.get('d/f')!.xattrs['user.k']).toEqual(x);
    const v = again.version;
    await again.setMeta('d/f', { uid: 0 });
    expect(again.version).toBeGreaterThan(v);
    expect(again.get('d/f')).toMatchObject({ uid: 0, gid: 5678 });
    await again.remove('d');
    await again.flush();
    expect(again.entries.size).toBe(0);
    expect(await records.get('c1')).toEqual({});
  });

  it('tracks hardlink groups: a second name shares the file, removing one name leaves a plain file', async () => {
    const dir = await tempDir();
    const up = await UpperLayer.open(new NodeDirTree(dir), openMemoryStore().records('container-meta'), 'c2');
    await up.writeFile('a', new TextEncoder().encode('x'), { mtime: 1 });
    expect(up.get('a')!.linkKey).toBeUndefined();
    await up.link('b', 'a');
    expect(up.get('a')!.linkKey).toBeDefined();
    expect(up.get('b')!.linkKey).toBe(up.get('a')!.linkKey);
    await up.remove('a');
    expect(up.get('b')!.linkKey).toBeUndefined();
  });
});
