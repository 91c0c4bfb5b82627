/**
 * The read-only union view of an image, the lower part of every container
 * made from it. When the store offers `view(ref)` (its cached layer
 * indexes), that is used; otherwise each layer blob is indexed once with
 * readLayer and the view is kept per store and image for this process, so
 * many containers of one image share one index.
 */
import { readLayer, readLayerFile } from '../layer/read.js';
import type { Image } from '../image/image.js';
import type { Store } from '../store/store.js';
import { UnionView } from '../union/view.js';
import type { UnionLayer } from '../union/types.js';

const views = new WeakMap<Store, Map<string, Promise<UnionView>>>();

type StoreWithView = Store & { view?: (ref: string) => Promise<UnionView> };

async function build(store: Store, image: Image): Promise<UnionView> {
  const viaStore = (store as StoreWithView).view;
  if (typeof viaStore === 'function') return viaStore.call(store, image.digest);
  const layers: UnionLayer[] = [];
  for (const l of image.layers) {
    const index = await readLayer(await store.getBlob(l.digest, l.size), { mediaType: l.mediaType, expectedDigest: l.digest, expectedSize: l.size });
    const entries = Object.freeze(index.entries);
    layers.push({
      entries,
      read: async (_i, entry) => readLayerFile(await store.getBlob(l.digest, l.size), entry as Parameters<typeof readLayerFile>[1]),
    });
  }
  return UnionView.fromLayers(layers);
}

/** The union view of `image`'s layers (shared, never modified). */
export function imageView(store: Store, image: Image): Promise<UnionView> {
  let m = views.get(store);
  if (!m) views.set(store, (m = new Map()));
  let v = m.get(image.digest);
  if (!v) {
    v = build(store, image);
    m.set(image.digest, v);
    v.catch(() => m!.delete(image.digest));
  }
  return v;
}
