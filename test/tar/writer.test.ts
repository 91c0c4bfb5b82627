/**
 * The writer: deterministic bytes, PAX only when a field does not fit
 * ustar, two zero blocks at the end, and GNU tar lists and extracts every
 * entry of what it writes.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { lstatSync, readFileSync, readlinkSync, writeFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { requireTools } from '../helpers/tools.js';
import { createTarWriter, encodeHeader, encodeTar, parseTarSync, tarHeader, type TarHeader } from '../../src/tar/index.js';
import { collect, errorCode, gnuTar, streamOf, tempDir } from './helpers.js';

const te = new TextEncoder();
const longPath = 'deep/' + 'x'.repeat(120) + '/' + 'y'.repeat(150) + '/file.txt';
const content = (s: string) => te.encode(s);

const entries: { header: TarHeader; data?: Uint8Array }[] = [
  { header: tarHeader({ path: 'deep', type: 'directory', mode: 0o750, mtime: 1600000000 }) },
  { header: tarHeader({ path: 'deep/plain.txt', size: 6, mtime: 1600000001, uid: 1000, gid: 100, uname: 'user', gname: 'users' }), data: content('plain\n') },
  { header: tarHeader({ path: longPath, size: 5, mtime: 1600000002.5 }), data: content('long\n') },
  { header: tarHeader({ path: 'ünïcødé/ファイル.txt', size: 4, mtime: 1600000003.123456 }), data: content('uni\n') },
  { header: tarHeader({ path: 'big-ids', size: 0, uid: 3000000, gid: 4000000, uname: 'a-user-name-that-is-longer-than-32-bytes', gname: 'g' }) },
  { header: tarHeader({ path: 'setuid', size: 2, mode: 0o4755, mtime: 1 }), data: content('#!') },
  { header: tarHeader({ path: 'symlink', type: 'symlink', linkname: 'deep/plain.txt' }) },
  { header: tarHeader({ path: 'longlink', type: 'symlink', linkname: 'z'.repeat(200) }) },
  { header: tarHeader({ path: 'hardlink', type: 'hardlink', linkname: 'deep/plain.txt' }) },
  { header: tarHeader({ path: 'null', type: 'char', mode: 0o666, devmajor: 1, devminor: 3 }) },
  { header: tarHeader({ path: 'loop0', type: 'block', mode: 0o660, devmajor: 7, devminor: 0 }) },
  { header: tarHeader({ path: 'pipe', type: 'fifo', mode: 0o600 }) },
  { header: tarHeader({ path: 'xattr.txt', size: 1, xattrs: { 'user.b': new Uint8Array([0, 1, 255]), 'user.a': content('first') } }), data: content('x') },
];

let root: string;
let cleanup: () => void;
beforeAll(() => {
  requireTools('tar');
  ({ dir: root, cleanup } = tempDir());
});
afterAll(() => cleanup?.());

describe('encodeTar / createTarWriter', () => {
  it('round-trips every field through our reader', () => {
    const tar = encodeTar(entries);
    const back = parseTarSync(tar);
    expect(back.length).toBe(entries.length);
    back.forEach((e, i) => {
      const want = { ...entries[i]!.header };
      if (want.type === 'directory') want.path += '/';
      expect(e.header).toEqual(want);
      expect(Buffer.from(e.data).equals(Buffer.from(entries[i]!.data ?? new Uint8Array(0)))).toBe(true);
    });
  });

  it('is deterministic, ends with two zero blocks, and streams the same bytes as encodeTar', async () => {
    const a = encodeTar(entries);
    const b = encodeTar(entries.map((e) => ({ header: { ...e.header, xattrs: Object.fromEntries(Object.entries(e.header.xattrs).reverse()) }, data: e.data })));
    expect(Buffer.from(a).equals(Buffer.from(b))).toBe(true);
    expect(a.length % 512).toBe(0);
    expect(a.subarray(a.length - 1024).every((x) => x === 0)).toBe(true);
    const w = createTarWriter();
    const out = collect(w.readable);
    for (const [i, e] of entries.entries()) {
      // alternate body kinds: bytes, a ReadableStream in small chunks, an iterable
      const body = e.data === undefined ? undefined : i % 3 === 0 ? e.data : i % 3 === 1 ? streamOf(e.data, 2) : [e.data.subarray(0, 1), e.data.subarray(1)];
      await w.add(e.header, body);
    }
    await w.finish();
    expect(Buffer.from(await out).equals(Buffer.from(a))).toBe(true);
  });

  it('uses plain ustar when every field fits, PAX only for the fields that do not', () => {
    expect(encodeHeader(tarHeader({ path: 'a/b.txt', size: 3, mtime: 5 })).length).toBe(512);
    // A 200-byte ASCII path splits into ustar prefix + name: still no PAX.
    expect(encodeHeader(tarHeader({ path: 'p'.repeat(150) + '/' + 'n'.repeat(49) })).length).toBe(512);
    const records = (h: TarHeader) => {
      const b = encodeHeader(h);
      if (b.length === 512) return [];
      return new TextDecoder()
        .decode(b.subarray(512, b.length - 512))
        .replace(/\0+$/, '')
        .split('\n')
        .filter(Boolean)
        .map((r) => r.slice(r.indexOf(' ') + 1, r.indexOf('=')));
    };
    expect(records(tarHeader({ path: 'x', mtime: 1.5 }))).toEqual(['mtime']);
    expect(records(tarHeader({ path: 'x', uid: 2097152 }))).toEqual(['uid']);
    expect(records(tarHeader({ path: 'x', uid: 2097151 }))).toEqual([]);
    expect(records(tarHeader({ path: 'é' }))).toEqual(['path']);
    expect(records(tarHeader({ path: 'x', size: 8 * 1024 ** 3 }))).toEqual(['size']);
    expect(records(tarHeader({ path: 'x', size: 8 * 1024 ** 3 - 1 }))).toEqual([]);
    expect(records(tarHeader({ path: 'l', type: 'symlink', linkname: 'q'.repeat(101) }))).toEqual(['linkpath']);
    expect(records(tarHeader({ path: 'x', gname: 'g'.repeat(33), xattrs: { 'user.z': new Uint8Array(1), 'user.a': new Uint8Array(1) } }))).toEqual([
      'SCHILY.xattr.user.a',
      'SCHILY.xattr.user.z',
      'gname',
    ]);
  });

  it('refuses a body whose length differs from the header size (INVALID_ARGUMENT)', async () => {
    expect(await errorCode(() => encodeTar([{ header: tarHeader({ path: 'a', size: 3 }), data: content('ab') }]))).toBe('INVALID_ARGUMENT');
    const w = createTarWriter();
    const out = collect(w.readable).catch((e) => e);
    expect(await errorCode(() => w.add(tarHeader({ path: 'a', size: 3 }), streamOf(content('abcd'), 1)))).toBe('INVALID_ARGUMENT');
    expect((await out as { code?: string }).code).toBe('INVALID_ARGUMENT');
    expect(await errorCode(() => encodeHeader(tarHeader({ path: 'a', uid: -1 })))).toBe('INVALID_ARGUMENT');
    // A bad header through the writer fails the reader too, instead of leaving it waiting.
    const w2 = createTarWriter();
    const out2 = collect(w2.readable).catch((e) => e);
    expect(await errorCode(() => w2.add(tarHeader({ path: 'x', mtime: NaN })))).toBe('INVALID_ARGUMENT');
    expect((await out2 as { code?: string }).code).toBe('INVALID_ARGUMENT');
    expect(await errorCode(() => w2.add(tarHeader({ path: 'y' })))).toBe('INVALID_ARGUMENT');
    expect(await errorCode(() => encodeHeader(tarHeader({ path: '' })))).toBe('INVALID_ARGUMENT');
  });
});

describe('createTarWriter when the reader goes away', () => {
  it('rejects add() once the reader has cancelled, instead of waiting', async () => {
    const w = createTarWriter({ highWaterMark: 1024 });
    await w.readable.cancel(new Error('gone'));
    await expect(w.add(tarHeader({ path: 'big', size: 1 << 20 }), new Uint8Array(1 << 20))).rejects.toThrow('gone');
  });
});

describe('GNU tar reads what the writer writes', () => {
  it('lists every entry with the right type, mode, ids, size, mtime and link target', () => {
    const tar = encodeTar(entries);
    const out = gnuTar(['--numeric-owner', '--full-time', '--quoting-style=literal', '-tvf', '-'], { input: tar }).toString('utf8');
    const lines = out.split('\n').filter(Boolean);
    expect(lines.length).toBe(entries.length);
    // GNU tar reports no warning and shows our fields
    expect(lines[0]).toMatch(/^drwxr-x--- 0\/0 +0 2020-09-13 12:26:40 deep\/$/);
    expect(lines[1]).toMatch(/^-rw-r--r-- 1000\/100 +6 2020-09-13 12:26:41 deep\/plain.txt$/);
    expect(lines[2]).toMatch(new RegExp(`^-rw-r--r-- 0/0 +5 2020-09-13 12:26:42.5 ${longPath}$`));
    expect(lines[3]).toContain('2020-09-13 12:26:43.123456 ünïcødé/ファイル.txt');
    expect(lines[4]).toMatch(/^-rw-r--r-- 3000000\/4000000 +0 /);
    expect(lines[5]).toMatch(/^-rwsr-xr-x /);
    expect(lines[7]).toMatch(new RegExp(`longlink -> ${'z'.repeat(200)}$`));
    expect(lines[8]).toMatch(/^hrw-r--r-- .* hardlink link to deep\/plain.txt$/);
    expect(lines[9]).toMatch(/^crw-rw-rw- 0\/0 +1,3 .* null$/);
    expect(lines[10]).toMatch(/^brw-rw---- 0\/0 +7,0 .* loop0$/);
    expect(lines[11]).toMatch(/^prw------- .* pipe$/);
  });

  it('extracts every entry: content, modes, mtimes, links, devices, xattrs', () => {
    const dir = join(root, 'x');
    execFileSync('mkdir', ['-p', dir]);
    const tarFile = join(root, 'w.tar');
    writeFileSync(tarFile, encodeTar(entries));
    gnuTar(['--xattrs', '--xattrs-include=user.*', '--same-owner', '-xpf', tarFile, '-C', dir]);
    expect(readFileSync(join(dir, longPath), 'utf8')).toBe('long\n');
    expect(readFileSync(join(dir, 'ünïcødé/ファイル.txt'), 'utf8')).toBe('uni\n');
    expect(lstatSync(join(dir, longPath)).mtimeMs).toBe(1600000002500);
    expect(lstatSync(join(dir, 'setuid')).mode & 0o7777).toBe(0o4755);
    expect(lstatSync(join(dir, 'deep')).mode & 0o7777).toBe(0o750);
    expect(lstatSync(join(dir, 'deep/plain.txt')).uid).toBe(1000);
    expect(readlinkSync(join(dir, 'symlink'))).toBe('deep/plain.txt');
    expect(lstatSync(join(dir, 'hardlink')).ino).toBe(lstatSync(join(dir, 'deep/plain.txt')).ino);
    const nul = lstatSync(join(dir, 'null'));
    expect(nul.isCharacterDevice()).toBe(true);
    expect(nul.rdev).toBe(0x103); // major 1, minor 3
    expect(lstatSync(join(dir, 'pipe')).isFIFO()).toBe(true);
    // xattrs as GNU tar restored them
    const attrs = gnuTar(['--xattrs', '-tvvf', tarFile]).toString();
    expect(attrs).toMatch(/x: 5 user.a/);
    expect(attrs).toMatch(/x: 3 user.b/);
  });
});
