/**
 * NodeDirTree against the real file system: what it walks matches lstat and
 * readlink; what it writes is what GNU tar extracts; a layer applied to it
 * gives the same tree as the same layer applied to a MemoryTree.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, mkdirSync, writeFileSync, symlinkSync, linkSync, lstatSync, readFileSync, rmSync, utimesSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { applyLayer } from '../../src/layer/apply.js';
import { diffTrees } from '../../src/layer/diff.js';
import { MemoryTree } from '../../src/tree/memory.js';
import { NodeDirTree } from '../../src/tree/node-dir.js';
import { requireTools } from '../helpers/tools.js';
import { makeLayer, readAll, snapshot } from '../layer/helpers.js';

const isRoot = process.getuid?.() === 0;
const dirs: string[] = [];
function tmp(): string {
  const d = mkdtempSync(join(process.env.LAYERFS_TEST_TMP ?? tmpdir(), 'layerfs-nodedir-'));
  dirs.push(d);
  return d;
}
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

describe('NodeDirTree', () => {
  test('walk: sorted with / first, types, modes, nanosecond mtimes, symlinks, hardlink groups, sockets skipped', async () => {
    const root = tmp();
    mkdirSync(join(root, 'a'));
    writeFileSync(join(root, 'a', 'f'), 'hello');
    writeFileSync(join(root, 'a.b'), 'x', { mode: 0o600 });
    mkdirSync(join(root, 'a-'));
    symlinkSync('../etc/passwd', join(root, 'a', 'link'));
    linkSync(join(root, 'a', 'f'), join(root, 'hard'));
    utimesSync(join(root, 'a.b'), 1000, 1234.5);
    const sock = join(root, 'sock');
    const srv = createServer();
    await new Promise<void>((r) => srv.listen(sock, r));
    execFileSync('mkfifo', [join(root, 'fifo')]);
    const t = new NodeDirTree(root);
    const entries = [];
    for await (const e of t.walk()) entries.push(e);
    srv.close();
    expect(entries.map((e) => e.path)).toEqual(['a', 'a/f', 'a/link', 'a-', 'a.b', 'fifo', 'hard']);
    const by = Object.fromEntries(entries.map((e) => [e.path, e]));
    expect(by['a']!.type).toBe('directory');
    expect(by['a/link']).toMatchObject({ type: 'symlink', linkname: '../etc/passwd' });
    expect(by['a.b']).toMatchObject({ type: 'file', mode: 0o600, size: 1, mtime: 1234.5 });
    expect(by['fifo']!.type).toBe('fifo');
    expect(by['a/f']!.linkKey).toBeDefined();
    expect(by['a/f']!.linkKey).toBe(by['hard']!.linkKey);
    const st = lstatSync(join(root, 'a', 'f'), { bigint: true });
    expect(by['a/f']!.mtime).toBeCloseTo(Number(st.mtimeNs) / 1e9, 6);
    expect(new TextDecoder().decode(await readAll(t.readFile('a/f')))).toBe('hello');
    expect(by['a/f']!.uid).toBe(Number(st.uid));
  });

  test('a layer applied to a directory gives the tree it gives in memory; GNU tar agrees on the content', async () => {
    requireTools('tar');
    const layer = makeLayer([
      { path: 'etc/', type: 'directory', mode: 0o750 },
      { path: 'etc/hosts', content: '127.0.0.1 localhost\n', mode: 0o640, uid: 12, gid: 34, mtime: 1600000000.25 },
      { path: 'bin/sh', content: '#!\n', mode: 0o4755 },
      { path: 'bin/ash', type: 'hardlink', linkname: 'bin/sh' },
      { path: 'lib', type: 'symlink', linkname: 'usr/lib' },
      { path: 'run/pipe', type: 'fifo', mode: 0o600 },
    ]);
    const dir = tmp();
    const tree = new NodeDirTree(dir);
    await applyLayer(layer, tree);
    const mem = new MemoryTree();
    await applyLayer(layer, mem);
    expect(await snapshot(tree, { owner: isRoot })).toEqual(await snapshot(mem, { owner: isRoot }));
    const st = lstatSync(join(dir, 'etc', 'hosts'), { bigint: true });
    expect(st.mtimeNs).toBe(1600000000250000000n);
    // GNU tar extracts the same bytes
    const gnu = tmp();
    const file = join(gnu, 'layer.tar');
    writeFileSync(file, layer);
    mkdirSync(join(gnu, 'x'));
    execFileSync('tar', ['-xf', file, '-C', join(gnu, 'x')]);
    expect(readFileSync(join(dir, 'etc', 'hosts'))).toEqual(readFileSync(join(gnu, 'x', 'etc', 'hosts')));
    expect(lstatSync(join(dir, 'bin', 'ash')).ino).toBe(lstatSync(join(dir, 'bin', 'sh')).ino);
  });

  test.runIf(isRoot)('device nodes are created with their numbers when root', async () => {
    const dir = tmp();
    const tree = new NodeDirTree(dir);
    await applyLayer(makeLayer([{ path: 'dev/null', type: 'char', devmajor: 1, devminor: 3, mode: 0o666 }]), tree);
    const e = await tree.lstat('dev/null');
    expect(e).toMatchObject({ type: 'char', devmajor: 1, devminor: 3, mode: 0o666 });
  });

  test('diff of two directories, applied to a copy of the lower, gives the upper', async () => {
    const lower = tmp();
    const upper = tmp();
    for (const d of [lower, upper]) {
      mkdirSync(join(d, 'keep/deep'), { recursive: true });
      writeFileSync(join(d, 'keep/deep/same'), 'same');
      writeFileSync(join(d, 'keep/touched'), 'aaaa');
      mkdirSync(join(d, 'gone/sub'), { recursive: true });
      writeFileSync(join(d, 'gone/sub/x'), 'x');
    }
    writeFileSync(join(upper, 'keep/touched'), 'bbbb'); // same size, new content
    // Distinct mtimes: on coarse-clock file systems both writes can share one timestamp,
    // which rule 20 rightly trusts as "unchanged" when it has a sub-second part.
    utimesSync(join(lower, 'keep/touched'), 1000.5, 1000.5);
    rmSync(join(upper, 'gone'), { recursive: true });
    writeFileSync(join(upper, 'new'), 'new');
    const layer = await diffTrees(new NodeDirTree(lower), new NodeDirTree(upper), { compression: 'gzip' });
    expect(layer.summary).toEqual({ added: 1, modified: 1, deleted: 1 });
    await applyLayer(layer.bytes!, new NodeDirTree(lower));
    expect(await snapshot(new NodeDirTree(lower))).toEqual(await snapshot(new NodeDirTree(upper)));
  });
});

describe('NodeDirTree errors are typed', () => {
  test('read-only directory / name too long: FILESYSTEM with the errno and the path; missing parent: NOT_FOUND; taken: ALREADY_EXISTS', async () => {
    const root = tmp();
    mkdirSync(join(root, 'ro'));
    const tree = new NodeDirTree(root);
    const { chmodSync } = await import('node:fs');
    chmodSync(join(root, 'ro'), 0o555);
    const err = await tree.writeFile('ro/x', new Uint8Array(1)).then(() => undefined, (e) => e);
    chmodSync(join(root, 'ro'), 0o755);
    if (isRoot) {
      // root ignores permission bits: the write succeeds
      expect(err).toBeUndefined();
    } else {
      expect(err?.code).toBe('FILESYSTEM');
      expect(err?.data).toMatchObject({ path: 'ro/x', errno: 'EACCES' });
    }
    const long = 'n'.repeat(300);
    const tooLong = await tree.writeFile(long, new Uint8Array(1)).then(() => undefined, (e) => e);
    expect(tooLong?.code).toBe('FILESYSTEM');
    expect(tooLong?.data).toMatchObject({ path: long, errno: 'ENAMETOOLONG' });
    const nf = await tree.writeFile('nope/x', new Uint8Array(1)).then(() => undefined, (e) => e);
    expect(nf?.code).toBe('NOT_FOUND');
    const ex = await tree.mkdir('ro').then(() => undefined, (e) => e);
    expect(ex?.code).toBe('ALREADY_EXISTS');
  });
});
