/**
 * The store keeps each layer's prepared union table next to its entry
 * index (record kind 'layer-index'): written when the layer is first read
 * (from the names readLayer packed), as the record's attachment (or in
 * base64 in the record, for a backend without attachments), used as it is
 * by later views — also by a new Store over the same backend, as a fresh
 * process opens it — added to records that lack one (src/build writes
 * those), and replaced when damaged.
 */
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { loadCore } from '../../src/core/load.js';
import { Image, MediaType } from '../../src/image/index.js';
import { MemoryBackend, Store } from '../../src/store/index.js';
import { layerIndex } from '../../src/store/view.js';
import { encodeTar, tarHeader } from '../../src/tar/index.js';
import { decodeLayerTable, encodeLayerTable, prepareLayerTable } from '../../src/union/table.js';

const enc = new TextEncoder();
const sha = (b: Uint8Array | string) => `sha256:${createHash('sha256').update(b).digest('hex')}`;
const file = (path: string, text: string) => ({ header: tarHeader({ path, size: enc.encode(text).length, mode: 0o644 }), data: enc.encode(text) });
const dir = (path: string) => ({ header: tarHeader({ path, type: 'directory', mode: 0o755 }) });

type Rec = { v: number; diffId: string; entries: Array<{ path: string }>; table?: string; tableBytes?: true };

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
      expect(rec.table).toBeUndefined();
      expect(rec.tableBytes).toBe(true);
      const { entries } = await layerIndex(store, l);
      expect(await store.backend.getRecordBytes!('layer-index', l.digest)).toEqual(encodeLayerTable(prepareLayerTable(core, { entries })));
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
    await backend.putRecordBytes('layer-index', key, encodeLayerTable(prepareLayerTable(core, { entries: renamed })));
    const fresh = await new Store(backend).view('t');
    expect(fresh.has('etc/hostz')).toBe(true);
    expect(fresh.has('etc/hosts')).toBe(false);
  });

  it('a record whose attachment is missing gets it again on first view; a damaged or outdated table is replaced', async () => {
    const backend = new MemoryBackend();
    const img = await image(new Store(backend));
    await new Store(backend).view('t');
    const [k0, k1] = img.layers.map((l) => l.digest) as [string, string];
    const r0 = (await backend.getRecord<Rec>('layer-index', k0))!.value;
    const r1 = (await backend.getRecord<Rec>('layer-index', k1))!.value;
    const t0 = (await backend.getRecordBytes('layer-index', k0))!;
    const t1 = (await backend.getRecordBytes('layer-index', k1))!;
    await backend.deleteRecord('layer-index', k0);
    expect(await backend.getRecordBytes('layer-index', k0)).toBeUndefined(); // gone with its record
    // The record back without its attachment (a process stopped between the two writes).
    expect(r0.tableBytes).toBe(true);
    await backend.putRecord('layer-index', k0, { value: r0 });
    const garbled = t1.slice();
    garbled[32] ^= 0xff; // record 0's offset
    await backend.putRecordBytes('layer-index', k1, garbled);
    expect(() => decodeLayerTable(garbled)).toThrow(expect.objectContaining({ code: 'INVALID_ARGUMENT' }));
    // A table in the record's old place, in the format before records were interleaved (version 1): replaced too.
    const v1 = t1.slice();
    v1[4] = 1;
    await backend.putRecord('layer-index', k1, { value: { ...r1, tableBytes: undefined, table: b64(v1) } });
    const view = await new Store(backend).view('t');
    expect(view.entries().map((n) => n.path)).toEqual(['etc', 'etc/hosts', 'etc/new', 'usr', 'usr/café', 'usr/lib']);
    for (const [k, t] of [[k0, t0], [k1, t1]] as const) {
      const rec = (await backend.getRecord<Rec>('layer-index', k))!.value;
      expect(rec.table).toBeUndefined();
      expect(rec.tableBytes).toBe(true);
      expect(await backend.getRecordBytes('layer-index', k)).toEqual(t);
    }
  });

  it('adding a table to an older record keeps its entries as they were (xattrs in base64)', async () => {
    const backend = new MemoryBackend();
    const store = new Store(backend);
    const xattr = Uint8Array.of(0, 1, 2, 255);
    const t = encodeTar([{ header: tarHeader({ path: 'f', size: 1, mode: 0o644, xattrs: { 'user.k': xattr } }), data: enc.encode('x') }]);
    await store.putBlob(t);
    const img = await (await Image.empty()).withLayers([{ digest: sha(t), diffId: sha(t), size: t.length, mediaType: MediaType.ociLayer }]);
    await store.putImage(img, ['x']);
    await store.view('x');
    const key = img.layers[0]!.digest;
    const { tableBytes: _drop, ...bare } = (await backend.getRecord<Rec>('layer-index', key))!.value;
    await backend.deleteRecord('layer-index', key);
    await backend.putRecord('layer-index', key, { value: bare });
    expect((await new Store(backend).view('x')).lookup('f')!.entry.xattrs['user.k']).toEqual(xattr);
    const rec = (await backend.getRecord<Rec & { entries: Array<{ xattrs?: Record<string, string> }> }>('layer-index', key))!.value;
    expect(rec.tableBytes).toBe(true);
    expect(await backend.getRecordBytes('layer-index', key)).toBeInstanceOf(Uint8Array);
    expect(rec.entries[0]!.xattrs).toEqual({ 'user.k': Buffer.from(xattr).toString('base64') });
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
    expect(rec.entries).toHaveLength(1);
    expect(rec.table).toBeUndefined();
    expect(rec.tableBytes).toBeUndefined();
    expect(await backend.getRecordBytes('layer-index', img.layers[0]!.digest)).toBeUndefined();
  });
});
