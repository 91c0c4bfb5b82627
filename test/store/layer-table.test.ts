/**
 * The store keeps each layer's prepared union table next to its entry
 * index (record kind 'layer-index'): written when the layer is first read
 * (from the names readLayer packed), with the entries in the record's
 * attachment (version 2; or both in the record, entries as JSON and the
 * table in base64, for a backend without attachments: version 1), used as
 * it is by later views — also by a new Store over the same backend, as a
 * fresh process opens it — added to records that lack one (src/build
 * writes those, in version 1), and replaced when damaged.
 */
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { loadCore } from '../../src/core/load.js';
import { Image, MediaType } from '../../src/image/index.js';
import { MemoryBackend, Store } from '../../src/store/index.js';
import { decodeIndexBytes, encodeIndexBytes, layerIndex } from '../../src/store/view.js';
import { readLayer } from '../../src/layer/read.js';
import { encodeTar, tarHeader } from '../../src/tar/index.js';
import { decodeLayerTable, encodeLayerTable, prepareLayerTable } from '../../src/union/table.js';

const enc = new TextEncoder();
const sha = (b: Uint8Array | string) => `sha256:${createHash('sha256').update(b).digest('hex')}`;
const file = (path: string, text: string) => ({ header: tarHeader({ path, size: enc.encode(text).length, mode: 0o644 }), data: enc.encode(text) });
const dir = (path: string) => ({ header: tarHeader({ path, type: 'directory', mode: 0o755 }) });

type Rec = { v: number; diffId: string; count?: number; entries?: Array<{ path: string }>; table?: string; tableBytes?: true };

/** A backend without record attachments (as a third-party one may be): tables go into the record, in base64. */
class NoAttachments extends MemoryBackend {
  constructor() {
    super();
    Object.assign(this, { getRecordBytes: undefined, putRecordBytes: undefined });
  }
}

async function image(store: Store): Promise<Image> {
  const tars = [
    encodeTar([dir('etc/'), file('etc/hosts', 'h\n'), file('etc/old', 'old\n'), dir('usr/'), file('usr/caf\u00e9', 'c\n')]),
    encodeTar([file('etc/.wh.old', ''), file('etc/new', 'new\n'), file('./usr//lib', 'x\n')]),
  ];
  let img = await Image.empty();
  for (const t of tars) {
    await store.putBlob(t);
    img = await img.withLayers([{ digest: sha(t), diffId: sha(t), size: t.length, mediaType: MediaType.ociLayer }]);
  }
  await store.putImage(img, ['t']);
  return img;
}

const b64 = (b: Uint8Array) => Buffer.from(b).toString('base64');
const unb64 = (s: string) => new Uint8Array(Buffer.from(s, 'base64'));

describe('the store\'s layer tables', () => {
  it('are recorded with the entry index when a layer is first read, equal to a table prepared from the entries', async () => {
    const store = new Store(new MemoryBackend());
    const img = await image(store);
    const view = await store.view('t');
    expect(view.readdir('etc')).toEqual(['hosts', 'new']);
    const core = await loadCore();
    for (const l of img.layers) {
      const rec = (await store.backend.getRecord<Rec>('layer-index', l.digest))!.value;
      const { entries } = await readLayer(await store.getBlob(l.digest));
      expect(rec).toEqual({ v: 2, diffId: l.diffId, count: entries.length });
      const stored = decodeIndexBytes((await store.backend.getRecordBytes!('layer-index', l.digest))!, entries.length);
      expect(stored.entries).toEqual(entries);
      expect(encodeLayerTable(stored.table!)).toEqual(encodeLayerTable(prepareLayerTable(core, { entries })));
    }
  });

  it('go into the record in base64 where the backend has no attachments, and are used from there', async () => {
    const backend = new NoAttachments();
    const img = await image(new Store(backend));
    const view = await new Store(backend).view('t');
    expect(view.readdir('etc')).toEqual(['hosts', 'new']);
    const core = await loadCore();
    const key = img.layers[0]!.digest;
    const rec = (await backend.getRecord<Rec>('layer-index', key))!.value;
    expect(rec.tableBytes).toBeUndefined();
    const { entries } = await layerIndex(new Store(backend), img.layers[0]!);
    expect(unb64(rec.table!)).toEqual(encodeLayerTable(prepareLayerTable(core, { entries })));
    const renamed = entries.map((e) => (e.path === 'etc/hosts' ? { ...e, path: 'etc/hostz' } : e));
    await backend.putRecord('layer-index', key, { value: { ...rec, table: b64(encodeLayerTable(prepareLayerTable(core, { entries: renamed }))) } });
    expect((await new Store(backend).view('t')).has('etc/hostz')).toBe(true);
  });

  it('a new Store over the same backend (a fresh process) builds its view from the recorded tables', async () => {
    const backend = new MemoryBackend();
    const img = await image(new Store(backend));
    await new Store(backend).view('t');
    // Replace layer 0's recorded table by one prepared from a renamed entry:
    // a view that uses the record shows the new name, one that prepares the layer does not.
    const key = img.layers[0]!.digest;
    const { entries } = await layerIndex(new Store(backend), img.layers[0]!);
    const renamed = entries.map((e) => (e.path === 'etc/hosts' ? { ...e, path: 'etc/hostz' } : e));
    const core = await loadCore();
    await backend.putRecordBytes('layer-index', key, encodeIndexBytes(entries, prepareLayerTable(core, { entries: renamed })));
    const fresh = await new Store(backend).view('t');
    expect(fresh.has('etc/hostz')).toBe(true);
    expect(fresh.has('etc/hosts')).toBe(false);
  });

  it('a record whose attachment is missing or damaged is read again; a damaged or outdated table is replaced', async () => {
    const backend = new MemoryBackend();
    const img = await image(new Store(backend));
    await new Store(backend).view('t');
    const [k0, k1] = img.layers.map((l) => l.digest) as [string, string];
    const r0 = (await backend.getRecord<Rec>('layer-index', k0))!.value;
    const r1 = (await backend.getRecord<Rec>('layer-index', k1))!.value;
    const a0 = (await backend.getRecordBytes('layer-index', k0))!;
    const a1 = (await backend.getRecordBytes('layer-index', k1))!;
    const { entries: e1 } = decodeIndexBytes(a1, r1.count!);
    await backend.deleteRecord('layer-index', k0);
    expect(await backend.getRecordBytes('layer-index', k0)).toBeUndefined(); // gone with its record
    // The record back without its attachment (a process stopped between the two writes).
    await backend.putRecord('layer-index', k0, { value: r0 });
    // Layer 1: a table whose record 0 points outside its keys.
    const core = await loadCore();
    const garbledTable = encodeLayerTable(prepareLayerTable(core, { entries: e1 }));
    garbledTable[32] ^= 0xff; // record 0's offset
    expect(() => decodeLayerTable(garbledTable)).toThrow(expect.objectContaining({ code: 'INVALID_ARGUMENT' }));
    const withGarbled = encodeIndexBytes(e1, undefined);
    const joined = new Uint8Array(withGarbled.length + garbledTable.length);
    joined.set(withGarbled);
    joined.set(garbledTable, withGarbled.length);
    new DataView(joined.buffer).setUint32(12, garbledTable.length, true);
    expect(decodeIndexBytes(joined, e1.length).table).toBeUndefined();
    await backend.putRecordBytes('layer-index', k1, joined);
    const view = await new Store(backend).view('t');
    expect(view.entries().map((n) => n.path)).toEqual(['etc', 'etc/hosts', 'etc/new', 'usr', 'usr/café', 'usr/lib']);
    for (const [k, r, a] of [[k0, r0, a0], [k1, r1, a1]] as const) {
      expect((await backend.getRecord<Rec>('layer-index', k))!.value).toEqual(r);
      expect(await backend.getRecordBytes('layer-index', k)).toEqual(a);
    }
    // Layer 1's entries damaged (the path column placed past the end): read again from the layer.
    const damaged = a1.slice();
    const hl = new DataView(damaged.buffer).getUint32(16 + 8, true); // the entries' header (see entries-codec.ts)
    const header = JSON.parse(new TextDecoder().decode(damaged.subarray(32, 32 + hl)));
    header.c.path.o += 1 << 20;
    const edited = JSON.stringify(header);
    expect(edited.length).toBeLessThanOrEqual(hl); // within the header's padding
    damaged.set(new TextEncoder().encode(edited.padEnd(hl, ' ')), 32);
    expect(() => decodeIndexBytes(damaged, e1.length)).toThrow(expect.objectContaining({ code: 'CORRUPT_STORE', message: expect.stringContaining('column path does not fit') }));
    await backend.putRecordBytes('layer-index', k1, damaged);
    expect((await new Store(backend).view('t')).readdir('usr')).toEqual(['café', 'lib']);
    expect(await backend.getRecordBytes('layer-index', k1)).toEqual(a1);
    // A version-1 record (entries as JSON) whose table attachment is in an older format: written as version 2.
    const v1 = encodeLayerTable(prepareLayerTable(core, { entries: e1 }));
    v1[4] = 1;
    await backend.putRecord('layer-index', k1, { value: { v: 1, diffId: r1.diffId, entries: e1.map(({ xattrs: _x, ...e }) => e), tableBytes: true } });
    await backend.putRecordBytes('layer-index', k1, v1);
    expect((await new Store(backend).view('t')).has('etc/new')).toBe(true);
    expect((await backend.getRecord<Rec>('layer-index', k1))!.value).toEqual(r1);
    expect(await backend.getRecordBytes('layer-index', k1)).toEqual(a1);
  });

  it('an older record (entries as JSON, no table) is written as version 2 on first view, its entries as they were (xattrs)', async () => {
    const backend = new MemoryBackend();
    const store = new Store(backend);
    const xattr = Uint8Array.of(0, 1, 2, 255);
    const t = encodeTar([{ header: tarHeader({ path: 'f', size: 1, mode: 0o644, xattrs: { 'user.k': xattr } }), data: enc.encode('x') }]);
    await store.putBlob(t);
    const img = await (await Image.empty()).withLayers([{ digest: sha(t), diffId: sha(t), size: t.length, mediaType: MediaType.ociLayer }]);
    await store.putImage(img, ['x']);
    const key = img.layers[0]!.digest;
    const { entries } = await readLayer(t);
    // As src/build writes it, and as stores before version 2 kept every layer.
    const stored = entries.map(({ xattrs, ...e }) => ({ ...e, xattrs: { 'user.k': Buffer.from(xattrs['user.k']!).toString('base64') } }));
    await backend.putRecord('layer-index', key, { value: { v: 1, diffId: img.layers[0]!.diffId, entries: stored } });
    expect((await new Store(backend).view('x')).lookup('f')!.entry.xattrs['user.k']).toEqual(xattr);
    const rec = (await backend.getRecord<Rec>('layer-index', key))!.value;
    expect(rec).toEqual({ v: 2, diffId: img.layers[0]!.diffId, count: 1 });
    const back = decodeIndexBytes((await backend.getRecordBytes('layer-index', key))!, 1);
    expect(back.entries).toEqual(entries);
    expect(back.table).toBeDefined();
    expect((await new Store(backend).view('x')).lookup('f')!.entry.xattrs['user.k']).toEqual(xattr);
  });

  it('a layer a view refuses is recorded without a table, and the view says why', async () => {
    const backend = new MemoryBackend();
    const store = new Store(backend);
    const t = encodeTar([file('a/../../x', 'x')]);
    await store.putBlob(t);
    const img = await (await Image.empty()).withLayers([{ digest: sha(t), diffId: sha(t), size: t.length, mediaType: MediaType.ociLayer }]);
    await store.putImage(img, ['bad']);
    await expect(store.view('bad')).rejects.toMatchObject({ code: 'UNSAFE_PATH' });
    const rec = (await backend.getRecord<Rec>('layer-index', img.layers[0]!.digest))!.value;
    expect(rec.count).toBe(1);
    const stored = decodeIndexBytes((await backend.getRecordBytes('layer-index', img.layers[0]!.digest))!, 1);
    expect(stored.entries.map((e) => e.path)).toEqual(['a/../../x']);
    expect(stored.table).toBeUndefined();
    await expect(new Store(backend).view('bad')).rejects.toMatchObject({ code: 'UNSAFE_PATH' });
  });
});
