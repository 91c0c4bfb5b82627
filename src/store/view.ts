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
import type { Store } from './store.js';
import { LAYER_INDEX, type StoreBackend } from './types.js';

const INDEX_VERSION = 1;

/** LayerEntry as JSON: xattr values in base64. */
type StoredEntry = Omit<LayerEntry, 'xattrs'> & { xattrs?: Record<string, string> };
interface StoredIndex {
  v: number;
  diffId: string;
  entries: StoredEntry[];
  /**
   * The layer's prepared union table (src/union/table.ts): a view over
   * layers read in a fresh process merges these instead of preparing every
   * layer again. Kept as the record's attachment (`tableBytes`) where the
   * backend has them, else here in base64. Absent in records written before
   * it existed (and in those src/build writes): added on first use.
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

/** A stored table, or undefined when it is missing, damaged or not this layer's. */
async function storedTable(records: StoreBackend, digest: string, value: StoredIndex, entryCount: number): Promise<LayerTable | undefined> {
  try {
    let bytes: Uint8Array | undefined;
    if (typeof value.table === 'string') bytes = NodeBuffer ? NodeBuffer.from(value.table, 'base64') : fromBase64(value.table);
    else if (value.tableBytes === true && records.getRecordBytes) bytes = await records.getRecordBytes(LAYER_INDEX, digest);
    if (bytes === undefined) return undefined;
    const t = decodeLayerTable(bytes);
    return t.entryCount === entryCount ? t : undefined;
  } catch (e) {
    if (e instanceof LayerfsError || e instanceof DOMException) return undefined;
    throw e;
  }
}

/**
 * Writes a layer's index record with its table (if any): as the record's
 * attachment where the backend has them, else in base64 in the record. The
 * record goes first: a process stopped between the two writes leaves a
 * record whose attachment is missing (prepared again on next use), never an
 * attachment that no record owns (nothing would remove it).
 */
async function putIndex(records: StoreBackend, digest: string, value: StoredIndex, table: LayerTable | undefined): Promise<void> {
  const { table: _old, tableBytes: _had, ...rest } = value;
  if (table && !records.putRecordBytes) {
    await records.putRecord<StoredIndex>(LAYER_INDEX, digest, { value: { ...rest, table: tableToBase64(table) } });
    return;
  }
  await records.putRecord<StoredIndex>(LAYER_INDEX, digest, { value: table ? { ...rest, tableBytes: true } : rest });
  if (table) await records.putRecordBytes!(LAYER_INDEX, digest, encodeLayerTable(table));
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

async function readIndex(store: Store, layer: ImageLayer, withTable: boolean): Promise<StoredLayerIndex> {
  const records = store.backend;
  const cached = await records.getRecord<StoredIndex>(LAYER_INDEX, layer.digest);
  const value = cached?.value;
  if (value?.v === INDEX_VERSION && value.diffId === layer.diffId) {
    const entries = value.entries.map(fromStored);
    if (!withTable) return { entries };
    const stored = await storedTable(records, layer.digest, value, entries.length);
    if (stored) return { entries, table: stored };
    // First view of a layer recorded without a table (or with a damaged one, or one in an older format): add it.
    const table = await tableOf(entries);
    // (value.entries were completed in place by fromStored: stored again from the entries.)
    if (table) await putIndex(records, layer.digest, { ...value, entries: entries.map(toStored) }, table);
    return table ? { entries, table } : { entries };
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
  const value2: StoredIndex = { v: INDEX_VERSION, diffId: idx.diffId, entries: idx.entries.map(toStored) };
  await putIndex(records, layer.digest, value2, table);
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
