/**
 * Reading an image's files without unpacking it: each layer's entry index
 * (readLayer, one streaming pass) is cached in the store as a record of
 * kind 'layer-index' keyed by the layer digest, so opening a view reads no
 * layer twice; the UnionView (src/union) is built from those indexes and
 * reads single files out of the layer blobs by offset (readLayerFile).
 * Also unpacking: the layers applied in order onto any Tree (applyLayer).
 */
import { CorruptStoreError } from '../errors/CorruptStoreError.js';
import type { Image, ImageLayer } from '../image/image.js';
import { applyLayer, type ApplyStats } from '../layer/apply.js';
import { readLayer, readLayerFile, type LayerEntry } from '../layer/read.js';
import type { Tree } from '../tree/types.js';
import { loadCore } from '../core/load.js';
import { LayerfsError } from '../errors/LayerfsError.js';
import type { PackedNames } from '../layer/packed-names.js';
import { decodeLayerTable, encodeLayerTable, prepareLayerTable, type LayerTable } from '../union/table.js';
import type { UnionLayer, UnionLayerEntry } from '../union/types.js';
import { UnionView } from '../union/view.js';
import { fromBase64, toBase64 } from './base64.js';
import { decodeLayerEntries, encodeLayerEntries } from './entries-codec.js';
import type { Store } from './store.js';
import { LAYER_INDEX, type StoreBackend } from './types.js';

// Record versions. 1: the entries in the record as JSON objects (xattr
// values in base64), the table as the record's attachment (`tableBytes`) or
// in base64 (`table`); what src/build writes, and what a backend without
// attachments gets. 2: the record only names the layer; its attachment
// holds the entries' columns and the table (see encodeIndexBytes).
const JSON_ENTRIES = 1;
const PACKED = 2;

/** LayerEntry as JSON: xattr values in base64. */
type StoredEntry = Omit<LayerEntry, 'xattrs'> & { xattrs?: Record<string, string> };
interface StoredIndex {
  v: number;
  diffId: string;
  /** Version 1: the entries. */
  entries?: StoredEntry[];
  /** Version 2: how many entries the attachment holds. */
  count?: number;
  /**
   * Version 1: the layer's prepared union table (src/union/table.ts): a
   * view over layers read in a fresh process merges these instead of
   * preparing every layer again. Kept as the record's attachment
   * (`tableBytes`) where the backend has them, else here in base64. Absent
   * in records written before it existed (and in those src/build writes):
   * added on first use.
   */
  table?: string;
  tableBytes?: true;
}

function toStored(e: LayerEntry): StoredEntry {
  const { xattrs, ...rest } = e;
  const out: StoredEntry = { ...rest };
  const keys = Object.keys(xattrs ?? {});
  if (keys.length) out.xattrs = Object.fromEntries(keys.map((k) => [k, toBase64(xattrs[k]!)]));
  return out;
}

/**
 * An entry of a record just parsed: its objects are this call's own, so it
 * is completed in place (a copy of every entry cost about as much as
 * parsing the record).
 */
function fromStored(e: StoredEntry): LayerEntry {
  const x = e.xattrs;
  const out = e as unknown as LayerEntry;
  out.xattrs = x ? Object.fromEntries(Object.entries(x).map(([k, v]) => [k, fromBase64(v)])) : {};
  return out;
}

// Tables are megabytes: Node's Buffer codes base64 natively where it exists
// (looked up at run time, so this module stays browser-safe); atob/btoa elsewhere.
type B64 = { from(s: string, enc: 'base64'): Uint8Array; from(b: ArrayBufferLike, o: number, l: number): { toString(enc: 'base64'): string } };
const NodeBuffer = (globalThis as { Buffer?: B64 }).Buffer;

function tableToBase64(t: LayerTable): string {
  const b = encodeLayerTable(t);
  return NodeBuffer ? NodeBuffer.from(b.buffer, b.byteOffset, b.byteLength).toString('base64') : toBase64(b);
}

/** A table from its bytes, or undefined when they are damaged or not this layer's. */
function tableFrom(bytes: Uint8Array, entryCount: number): LayerTable | undefined {
  try {
    const t = decodeLayerTable(bytes);
    return t.entryCount === entryCount ? t : undefined;
  } catch (e) {
    if (e instanceof LayerfsError) return undefined;
    throw e;
  }
}

/** A version-1 record's table, or undefined when it is missing, damaged or not this layer's. */
async function storedTable(records: StoreBackend, digest: string, value: StoredIndex, entryCount: number): Promise<LayerTable | undefined> {
  try {
    let bytes: Uint8Array | undefined;
    if (typeof value.table === 'string') bytes = NodeBuffer ? NodeBuffer.from(value.table, 'base64') : fromBase64(value.table);
    else if (value.tableBytes === true && records.getRecordBytes) bytes = await records.getRecordBytes(LAYER_INDEX, digest);
    return bytes === undefined ? undefined : tableFrom(bytes, entryCount);
  } catch (e) {
    if (e instanceof LayerfsError || e instanceof DOMException) return undefined;
    throw e;
  }
}

const IX_MAGIC = 0x5849464c; // "LFIX"
const IX_HEAD = 16;

/**
 * A version-2 attachment: u32 magic "LFIX", u32 1, u32 entry bytes, u32
 * table bytes (0: none), the entries (encodeLayerEntries) padded to 8, the
 * table (encodeLayerTable). One file: a view reads each layer once.
 */
export function encodeIndexBytes(entries: readonly LayerEntry[], table: LayerTable | undefined): Uint8Array {
  const e = encodeLayerEntries(entries);
  const t = table ? encodeLayerTable(table) : new Uint8Array(0);
  const at = IX_HEAD + ((e.length + 7) & ~7);
  const out = new Uint8Array(at + t.length);
  new Uint32Array(out.buffer, 0, 4).set([IX_MAGIC, 1, e.length, t.length]);
  out.set(e, IX_HEAD);
  out.set(t, at);
  return out;
}

/** A version-2 attachment's entries (CORRUPT_STORE when they do not fit) and its table (undefined when it has none, or a damaged one). */
export function decodeIndexBytes(bytes: Uint8Array, count: number): StoredLayerIndex {
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (bytes.length < IX_HEAD || dv.getUint32(0, true) !== IX_MAGIC || dv.getUint32(4, true) !== 1) throw new CorruptStoreError('layer index: unknown attachment format');
  const el = dv.getUint32(8, true);
  const at = IX_HEAD + ((el + 7) & ~7);
  const tl = dv.getUint32(12, true);
  if (at + tl !== bytes.length) throw new CorruptStoreError('layer index: attachment size does not match its header');
  const entries = decodeLayerEntries(bytes.subarray(IX_HEAD, IX_HEAD + el), count);
  // The table in a buffer of its own: views of the attachment would keep its entry columns alive with the view.
  const table = tl > 0 ? tableFrom(bytes.slice(at), entries.length) : undefined;
  return table ? { entries, table } : { entries };
}

/** Does the backend keep record attachments (both ways)? Version 2 needs them. */
function hasAttachments(records: StoreBackend): records is StoreBackend & Required<Pick<StoreBackend, 'getRecordBytes' | 'putRecordBytes'>> {
  return records.getRecordBytes !== undefined && records.putRecordBytes !== undefined;
}

/**
 * Writes a layer's index record with its table (if any). With attachments:
 * version 2, the record first, then its attachment. A process stopped
 * between the two leaves a record whose attachment is missing or an older
 * one (the layer is read again on next use), never an attachment that no
 * record owns (nothing would remove it). Without: version 1, all in the
 * record.
 */
async function putIndex(records: StoreBackend, digest: string, diffId: string, entries: readonly LayerEntry[], table: LayerTable | undefined): Promise<void> {
  if (!hasAttachments(records)) {
    const value: StoredIndex = { v: JSON_ENTRIES, diffId, entries: entries.map(toStored), ...(table ? { table: tableToBase64(table) } : {}) };
    await records.putRecord<StoredIndex>(LAYER_INDEX, digest, { value });
    return;
  }
  await records.putRecord<StoredIndex>(LAYER_INDEX, digest, { value: { v: PACKED, diffId, count: entries.length } });
  await records.putRecordBytes(LAYER_INDEX, digest, encodeIndexBytes(entries, table));
}

/** The union table of a layer's entries, or undefined when a view would refuse them (it then says why). */
async function tableOf(entries: LayerEntry[], names?: PackedNames): Promise<LayerTable | undefined> {
  try {
    return prepareLayerTable(await loadCore(), { entries, names });
  } catch (e) {
    if (e instanceof LayerfsError) return undefined;
    throw e;
  }
}

/** What the store keeps of a layer for views: its entries and its prepared union table. */
export interface StoredLayerIndex {
  entries: LayerEntry[];
  /** Undefined only when the layer has names a view refuses. */
  table?: LayerTable;
}

/** What the layer's record holds, or undefined when it has none, or one that is damaged, outdated or not this layer's. */
async function recorded(records: StoreBackend, layer: ImageLayer, withTable: boolean): Promise<{ index: StoredLayerIndex; current: boolean } | undefined> {
  const value = (await records.getRecord<StoredIndex>(LAYER_INDEX, layer.digest))?.value;
  if (value?.diffId !== layer.diffId) return undefined;
  if (value.v === PACKED && Number.isSafeInteger(value.count) && records.getRecordBytes) {
    const bytes = await records.getRecordBytes(LAYER_INDEX, layer.digest).catch((e: unknown) => {
      if (e instanceof LayerfsError || e instanceof DOMException) return undefined;
      throw e;
    });
    if (bytes === undefined) return undefined;
    try {
      return { index: decodeIndexBytes(bytes, value.count!), current: true };
    } catch (e) {
      if (e instanceof LayerfsError) return undefined;
      throw e;
    }
  }
  if (value.v === JSON_ENTRIES && Array.isArray(value.entries)) {
    const entries = value.entries.map(fromStored);
    const table = withTable ? await storedTable(records, layer.digest, value, entries.length) : undefined;
    // Version 1 is current where the backend has no attachments (putIndex then writes it).
    return { index: table ? { entries, table } : { entries }, current: !hasAttachments(records) };
  }
  return undefined;
}

async function readIndex(store: Store, layer: ImageLayer, withTable: boolean): Promise<StoredLayerIndex> {
  const records = store.backend;
  const found = await recorded(records, layer, withTable);
  if (found) {
    const { index, current } = found;
    if (!withTable || (current && index.table)) return index;
    // A record without a table (a layer a view refuses, one src/build wrote, a
    // damaged or outdated table) gets one; a version-1 record where the backend
    // has attachments is written as version 2.
    const table = index.table ?? (await tableOf(index.entries));
    if (!current || table) await putIndex(records, layer.digest, layer.diffId, index.entries, table);
    return table ? { entries: index.entries, table } : { entries: index.entries };
  }
  const idx = await readLayer(await store.getBlob(layer.digest, layer.size), {
    mediaType: layer.mediaType,
    expectedDigest: layer.digest,
    expectedSize: layer.size,
  });
  if (idx.diffId !== layer.diffId) {
    throw new CorruptStoreError(`layer ${layer.digest} uncompresses to ${idx.diffId}, the config says ${layer.diffId}`, { digest: layer.digest });
  }
  // The table from the names the reader packed while parsing: no path is encoded again.
  const table = await tableOf(idx.entries, idx.names);
  await putIndex(records, layer.digest, idx.diffId, idx.entries, table);
  return table && withTable ? { entries: idx.entries, table } : { entries: idx.entries };
}

/** A layer's entry index: from the cache, else by reading the layer once (and caching it). */
export async function layerEntries(store: Store, layer: ImageLayer): Promise<LayerEntry[]> {
  return (await readIndex(store, layer, false)).entries;
}

/** A layer's entries and prepared union table, as the store keeps them (read and recorded on first use). */
export async function layerIndex(store: Store, layer: ImageLayer): Promise<StoredLayerIndex> {
  return readIndex(store, layer, true);
}

/** The merged read-only tree of `image`, merged from the layers' stored tables. */
export async function imageView(store: Store, image: Image): Promise<UnionView> {
  const layers: UnionLayer[] = [];
  for (const l of image.layers) {
    const { entries, table } = await layerIndex(store, l);
    layers.push({
      entries: Object.freeze(entries),
      ...(table ? { table } : {}),
      read: async (_i: number, entry: UnionLayerEntry) => readLayerFile(await store.getBlob(l.digest), entry as LayerEntry),
    });
  }
  return UnionView.fromLayers(layers);
}

/** Apply the image's layers in order onto `tree` (the root filesystem `umoci unpack` gives). */
export async function unpackImage(store: Store, image: Image, tree: Tree): Promise<ApplyStats[]> {
  const stats: ApplyStats[] = [];
  for (const l of image.layers) stats.push(await applyLayer(await store.getBlob(l.digest, l.size), tree));
  return stats;
}
