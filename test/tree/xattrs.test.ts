/**
 * Extended attributes through the trees (issue 3: "xattrs where the platform
 * allows"). A layer's SCHILY.xattr.* PAX records survive apply and diff on
 * MemoryTree, checked against tar-stream's own PAX parser. NodeDirTree has no
 * xattr API to use in Node: applying such a layer to a directory succeeds, with
 * the same tree apart from the xattrs, which it reports as none.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import tarStream from 'tar-stream';
import { afterAll, describe, expect, test } from 'vitest';
import { applyLayer } from '../../src/layer/apply.js';
import { diffTrees } from '../../src/layer/diff.js';
import { MemoryTree } from '../../src/tree/memory.js';
import { NodeDirTree } from '../../src/tree/node-dir.js';
import { makeLayer, snapshot } from '../layer/helpers.js';

const isRoot = process.getuid?.() === 0;
const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

// A file capability blob (vfs_cap_data revision 2, cap_net_raw) as setcap writes it: binary, with NULs.
const CAP = new Uint8Array([0x01, 0x00, 0x00, 0x02, 0x00, 0x20, 0x00, 0x00, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
const enc = new TextEncoder();

const LAYER = makeLayer([
  { path: 'bin/', type: 'directory', mode: 0o755, xattrs: { 'user.dir': enc.encode('d') } },
  { path: 'bin/ping', content: 'ELF', mode: 0o755, xattrs: { 'security.capability': CAP, 'user.note': new Uint8Array([0xff, 0x00, 0x3d]) } },
  { path: 'etc/plain', content: 'no xattrs' },
]);

/** Path -> xattrs (hex values) of each entry of a tar, read by tar-stream (PAX `SCHILY.xattr.NAME` records). */
async function paxXattrs(tar: Uint8Array): Promise<Record<string, Record<string, string>>> {
  const out: Record<string, Record<string, string>> = {};
  const ex = tarStream.extract();
  ex.on('entry', (h, stream, next) => {
    const x: Record<string, string> = {};
    // tar-stream decodes PAX values as UTF-8 text: exact for values that are valid UTF-8 (CAP is: no byte over 0x7f).
    for (const [k, v] of Object.entries(h.pax ?? {})) if (k.startsWith('SCHILY.xattr.')) x[k.slice(13)] = Buffer.from(v, 'utf8').toString('hex');
    out[h.name.replace(/\/$/, '')] = x;
    stream.on('end', next);
    stream.resume();
  });
  await new Promise<void>((resolve, reject) => {
    ex.on('finish', resolve).on('error', reject);
    Readable.from([Buffer.from(tar)]).pipe(ex);
  });
  return out;
}

describe('xattrs in MemoryTree', () => {
  test('apply keeps every SCHILY.xattr record, binary values byte for byte', async () => {
    const t = new MemoryTree();
    await applyLayer(LAYER, t);
    expect((await t.lstat('bin/ping'))!.xattrs).toEqual({ 'security.capability': CAP, 'user.note': new Uint8Array([0xff, 0x00, 0x3d]) });
    expect((await t.lstat('bin'))!.xattrs).toEqual({ 'user.dir': enc.encode('d') });
    expect((await t.lstat('etc/plain'))!.xattrs).toEqual({});
  });

  test('diff: a change of xattrs alone puts the entry in the layer, with its records; applying it gives the upper', async () => {
    const lower = new MemoryTree();
    await applyLayer(LAYER, lower);
    const upper = new MemoryTree();
    await applyLayer(LAYER, upper);
    await upper.setMeta('bin/ping', { xattrs: { 'security.capability': CAP } }); // user.note dropped
    await upper.setMeta('etc/plain', { xattrs: { 'user.new': enc.encode('yes') } });
    const layer = await diffTrees(lower, upper, { compression: 'none' });
    expect(layer.summary).toEqual({ added: 0, modified: 2, deleted: 0 });
    const pax = await paxXattrs(layer.bytes!);
    expect(pax['bin/ping']).toEqual({ 'security.capability': Buffer.from(CAP).toString('hex') });
    expect(pax['etc/plain']).toEqual({ 'user.new': Buffer.from('yes').toString('hex') });
    await applyLayer(layer.bytes!, lower);
    expect(await snapshot(lower)).toEqual(await snapshot(upper));
    expect((await lower.lstat('bin/ping'))!.xattrs).toEqual({ 'security.capability': CAP });
  });

  test('a tree with xattrs diffed against an empty one writes them all', async () => {
    const t = new MemoryTree();
    await applyLayer(LAYER, t);
    const tar = (await diffTrees(new MemoryTree(), t, { compression: 'none' })).bytes!;
    const pax = await paxXattrs(tar);
    expect(pax['bin']).toEqual({ 'user.dir': Buffer.from('d').toString('hex') });
    expect(Object.keys(pax['bin/ping']!).sort()).toEqual(['security.capability', 'user.note']);
    expect(pax['etc/plain']).toEqual({});
    // A value that is not UTF-8 is written raw in its record ("LEN key=value\n", POSIX pax extended header).
    const record = Buffer.concat([Buffer.from(' SCHILY.xattr.user.note='), Buffer.from([0xff, 0x00, 0x3d]), Buffer.from('\n')]);
    const at = Buffer.from(tar).indexOf(record);
    expect(at).toBeGreaterThan(0);
    const len = Number(Buffer.from(tar).subarray(at - 2, at).toString('latin1'));
    expect(len).toBe(2 + record.length);
  });
});

describe('xattrs and NodeDirTree', () => {
  test('applying a layer with xattrs succeeds and gives the MemoryTree result without the xattrs', async () => {
    const dir = mkdtempSync(join(process.env.LAYERFS_TEST_TMP ?? tmpdir(), 'layerfs-xattrs-'));
    dirs.push(dir);
    const disk = new NodeDirTree(dir);
    const stats = await applyLayer(LAYER, disk);
    expect(stats.entries).toBe(3);
    expect(readFileSync(join(dir, 'bin/ping'), 'utf8')).toBe('ELF');
    for await (const e of disk.walk()) expect(e.xattrs).toEqual({});
    await disk.setMeta('bin/ping', { xattrs: { 'user.x': enc.encode('1') } }); // ignored, not an error
    expect((await disk.lstat('bin/ping'))!.xattrs).toEqual({});

    const mem = new MemoryTree();
    await applyLayer(LAYER, mem);
    for await (const e of mem.walk()) await mem.setMeta(e.path, { xattrs: {} });
    expect(await snapshot(disk, { owner: isRoot })).toEqual(await snapshot(mem, { owner: isRoot }));
  });
});
