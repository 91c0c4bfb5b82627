/**
 * The read-only union view of an image, the lower part of every container
 * made from it: the store's view (built from its cached layer indexes),
 * kept per store and image for this process, so many containers of one
 * image share one Wasm index.
 */
import type { Image } from '../image/image.js';
import type { Store } from '../store/store.js';
import type { UnionView } from '../union/view.js';

const views = new WeakMap<Store, Map<string, Promise<UnionView>>>();

/** The union view of `image`'s layers (shared, never modified). */
export function imageView(store: Store, image: Image): Promise<UnionView> {
  let m = views.get(store);
  if (!m) views.set(store, (m = new Map()));
  let v = m.get(image.digest);
  if (!v) {
    v = store.view(image.digest);
    m.set(image.digest, v);
    v.catch(() => m!.delete(image.digest));
  }
  return v;
}
