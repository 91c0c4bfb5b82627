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
import { UnionView } from '../union/view.js';
import { fromBase64, toBase64 } from './base64.js';
import type { Store } from './store.js';
import { LAYER_INDEX } from './types.js';

const INDEX_VERSION = 1;

/** LayerEntry as JSON: xattr values in base64. */
type StoredEntry = Omit<LayerEntry, 'xattrs'> & { xattrs?: Record<string, string> };
interface StoredIndex {
  v: number;
  diffId: string;
  entries: StoredEntry[];
}

function toStored(e: LayerEntry): StoredEntry {
  const { xattrs, ...rest } = e;
  const out: StoredEntry = { ...rest };
  const keys = Object.keys(xattrs ?? {});
  if (keys.length) out.xattrs = Object.fromEntries(keys.map((k) => [k, toBase64(xattrs[k]!)]));
  return out;
}

function fromStored(e: StoredEntry): LayerEntry {
  const { xattrs, ...rest } = e;
  return { ...rest, xattrs: xattrs ? Object.fromEntries(Object.entries(xattrs).map(([k, v]) => [k, fromBase64(v)])) : {} } as LayerEntry;
}

/** A layer's entry index: from the cache, else by reading the layer once (and caching it). */
export async function layerEntries(store: Store, layer: ImageLayer): Promise<LayerEntry[]> {
  const records = store.backend;
  const cached = await records.getRecord<StoredIndex>(LAYER_INDEX, layer.digest);
  if (cached?.value?.v === INDEX_VERSION && cached.value.diffId === layer.diffId) return cached.value.entries.map(fromStored);
  const idx = await readLayer(await store.getBlob(layer.digest, layer.size), {
    mediaType: layer.mediaType,
    expectedDigest: layer.digest,
    expectedSize: layer.size,
  });
  if (idx.diffId !== layer.diffId) {
    throw new CorruptStoreError(`layer ${layer.digest} uncompresses to ${idx.diffId}, the config says ${layer.diffId}`, { digest: layer.digest });
  }
  await records.putRecord<StoredIndex>(LAYER_INDEX, layer.digest, { value: { v: INDEX_VERSION, diffId: idx.diffId, entries: idx.entries.map(toStored) } });
  return idx.entries;
}

/** The merged read-only tree of `image`. */
export async function imageView(store: Store, image: Image): Promise<UnionView> {
  const layers = [];
  for (const l of image.layers) {
    const entries = Object.freeze(await layerEntries(store, l));
    layers.push({
      entries,
      read: async (_i: number, entry: LayerEntry) => readLayerFile(await store.getBlob(l.digest), entry),
    });
  }
  return UnionView.fromLayers(layers as Parameters<typeof UnionView.fromLayers>[0]);
}

/** Apply the image's layers in order onto `tree` (the root filesystem `umoci unpack` gives). */
export async function unpackImage(store: Store, image: Image, tree: Tree): Promise<ApplyStats[]> {
  const stats: ApplyStats[] = [];
  for (const l of image.layers) stats.push(await applyLayer(await store.getBlob(l.digest, l.size), tree));
  return stats;
}
