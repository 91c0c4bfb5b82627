/**
 * The file tree of the image a step builds on, for the few questions a
 * COPY asks of it (is the destination a directory? which directories exist?
 * which uid has user "app"?). It is the union view over the image's layers,
 * built only when a step actually runs (a fully cached build never reads a
 * layer), from the store's layer-index records (src/store/view.ts; this
 * build writes them for its own layers, see layer-index.ts) and, for layers
 * of this process, from their plan.
 */
import { readLayerFile } from '../layer/read.js';
import { layerEntries } from '../store/view.js';
import type { Image } from '../image/image.js';
import type { Store } from '../store/store.js';
import type { TreeEntry } from '../tree/types.js';
import { UnionView } from '../union/view.js';
import type { UnionLayer, UnionLayerEntry } from '../union/types.js';
import type { ImageFs } from './copy-layer.js';
import type { PlanTree } from './copy-layer.js';

/** Layers' entries known to this build, by diffId. */
export type KnownLayers = Map<string, UnionLayer>;

/** The UnionLayer of a layer this build planned (hardlink groups become hardlink entries, as the writer emits them). */
export function layerFromPlan(plan: PlanTree): UnionLayer {
  const leaders = new Map<string, string>();
  const entries: UnionLayerEntry[] = [];
  for (const e of plan.sorted()) {
    const { linkKey, ...h } = e as TreeEntry;
    if (linkKey !== undefined) {
      const lead = leaders.get(linkKey);
      if (lead !== undefined) {
        entries.push({ ...h, type: 'hardlink', size: 0, linkname: lead });
        continue;
      }
      leaders.set(linkKey, e.path);
    }
    entries.push(h);
  }
  return {
    entries: Object.freeze(entries),
    read: (_i, entry) => plan.readFile(entry.path),
  };
}

export async function imageView(store: Store, image: Image, known: KnownLayers): Promise<UnionView> {
  const layers: UnionLayer[] = [];
  for (const l of image.layers) {
    let u = known.get(l.diffId);
    if (!u) {
      // The store's cached index (written when this build or a view first met the layer), else one read of the layer.
      const entries = await layerEntries(store, l);
      const digest = l.digest;
      u = {
        entries: Object.freeze(entries),
        read: async (_i, entry) => readLayerFile(await store.getBlob(digest), entry as Parameters<typeof readLayerFile>[1]),
      };
      known.set(l.diffId, u);
    }
    layers.push(u);
  }
  return UnionView.fromLayers(layers);
}

export function viewFs(view: UnionView): ImageFs {
  return {
    lstat(path) {
      const n = view.lookup(path);
      if (!n) return undefined;
      return { type: n.type === 'hardlink' ? 'file' : n.type, linkname: n.entry.linkname };
    },
  };
}

export function viewReader(view: UnionView): (path: string) => Promise<Uint8Array | undefined> {
  return async (path) => (view.exists(path) ? view.readFile(path) : undefined);
}
