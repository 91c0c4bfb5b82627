/**
 * What the explorer shows, computed with the public API only: each layer's
 * changes against the layers below it (whiteouts as deletions), the merged
 * tree with the layer each path comes from, and wasted space with dive's
 * efficiency score.
 *
 * dive (wagoodman/dive, filetree/efficiency.go and image analysis): every
 * leaf path of every layer's own tree is one "discovery"; a whiteout of a
 * directory counts the bytes of the lower subtree it deletes, a whiteout of
 * a file counts 0. Per path, cumulative = sum of its discoveries and
 * minimum = the smallest one. efficiency = sum(minimum) / sum(cumulative)
 * (1 when nothing was found), and wasted bytes = the cumulative size of
 * every path discovered in two or more layers. An opaque marker (which dive
 * does not model) counts as a whiteout of each lower child of its directory.
 */
import {
  cleanPath,
  parentPath,
  parseWhiteout,
  readLayer,
  type EntryType,
  type Image,
  type Store,
  type UnionView,
} from 'layerfs';

export type ChangeKind = 'A' | 'M' | 'D';

export interface LayerChange {
  kind: ChangeKind;
  path: string;
  type: EntryType;
  /** Bytes added (A/M) or, for D, bytes of the lower files deleted. */
  size: number;
}

export interface LayerReport {
  index: number;
  digest: string;
  /** First 12 hex digits, as docker and dive show them. */
  shortDigest: string;
  /** Stored (compressed) size. */
  size: number;
  /** Sum of the regular files' sizes in the layer. */
  contentSize: number;
  /** The history step that made the layer (`created_by`), or '' when the image has none. */
  createdBy: string;
  changes: LayerChange[];
  added: number;
  modified: number;
  deleted: number;
}

export interface TreeRow {
  path: string;
  name: string;
  depth: number;
  type: EntryType;
  size: number;
  /** Index of the layer the path comes from. */
  layer: number;
  linkname: string;
}

export interface Inefficiency {
  path: string;
  /** Layers that have the path. */
  count: number;
  cumulative: number;
}

export interface Analysis {
  image: Image;
  layers: LayerReport[];
  tree: TreeRow[];
  /** Sum of every layer's content (dive's discovered sizes). */
  totalContent: number;
  /** dive: the cumulative size of paths found in two or more layers. */
  wastedBytes: number;
  /** dive's efficiency score in [0, 1]. */
  efficiency: number;
  inefficiencies: Inefficiency[];
  /** Bytes of lower-layer files that later layers overwrite or delete. */
  hiddenBytes: number;
}

function short(digest: string): string {
  return digest.slice(digest.indexOf(':') + 1, digest.indexOf(':') + 13);
}

function subtreeBytes(view: UnionView, path: string): number {
  const n = view.lookup(path);
  if (!n) return 0;
  if (n.type !== 'directory') return n.type === 'file' ? n.entry.size : 0;
  let total = 0;
  for (const c of view.walk(path)) if (c.type === 'file') total += c.entry.size;
  return total;
}

/**
 * Analyses an image of `store` (an Image, or a reference store.image
 * accepts); `view` is its merged tree. Pass the Image when one config is
 * stored under two manifests (a docker-archive and an OCI copy of one image).
 */
export async function analyzeImage(store: Store, ref: string | Image): Promise<{ analysis: Analysis; view: UnionView }> {
  const image = typeof ref === 'string' ? await store.image(ref) : ref;
  const view = await store.view(image.digest);
  // historyItems() pairs the non-empty history entries with the layers, in order.
  const layerHistory = image.historyItems().filter((h) => h.layer);
  const layers: LayerReport[] = [];
  const discovered = new Map<string, { count: number; cumulative: number; min: number }>();
  const discover = (path: string, size: number) => {
    const d = discovered.get(path);
    if (!d) discovered.set(path, { count: 1, cumulative: size, min: size });
    else {
      d.count++;
      d.cumulative += size;
      d.min = Math.min(d.min, size);
    }
  };
  let hiddenBytes = 0;

  for (let i = 0; i < image.layers.length; i++) {
    const l = image.layers[i]!;
    const idx = await readLayer(await store.getBlob(l.digest, l.size), { mediaType: l.mediaType, expectedDigest: l.digest, expectedSize: l.size, contentDigests: false });
    const lower = i === 0 ? undefined : view.lowerView(i);
    const changes = new Map<string, LayerChange>();
    /** dive's nodes of this layer's own tree: path -> size (whiteouts named by their target). */
    const nodes = new Map<string, number>();
    let contentSize = 0;
    for (const e of idx.entries) {
      const p = cleanPath(e.path);
      if (p === '') continue;
      const wo = parseWhiteout(p);
      if (wo?.kind === 'whiteout') {
        const below = lower?.lookup(wo.target);
        const bytes = lower ? subtreeBytes(lower, wo.target) : 0;
        if (below) changes.set(wo.target, { kind: 'D', path: wo.target, type: below.type, size: bytes });
        nodes.set(wo.target, below?.type === 'directory' ? bytes : 0);
        continue;
      }
      if (wo?.kind === 'opaque') {
        if (lower?.lookup(wo.dir)?.type === 'directory') {
          for (const name of lower.readdir(wo.dir)) {
            const c = wo.dir ? `${wo.dir}/${name}` : name;
            const n = lower.lookup(c)!;
            const bytes = subtreeBytes(lower, c);
            if (!changes.has(c)) changes.set(c, { kind: 'D', path: c, type: n.type, size: bytes });
            nodes.set(c, n.type === 'directory' ? bytes : 0);
          }
        }
        continue;
      }
      const size = e.type === 'file' ? e.size : 0;
      contentSize += size;
      nodes.set(p, size);
      const below = lower?.lookup(p);
      // A directory re-emitted with the same attributes (diff writers do, CONFORMANCE 15) is not a change.
      if (below && e.type === 'directory' && below.type === 'directory' && below.entry.mode === e.mode && below.entry.uid === e.uid && below.entry.gid === e.gid) continue;
      changes.set(p, { kind: below ? 'M' : 'A', path: p, type: e.type, size });
    }
    // Leaves only (dive visits the leaves of each layer's tree).
    const parents = new Set<string>();
    for (const p of nodes.keys()) for (let q = parentPath(p); q !== ''; q = parentPath(q)) parents.add(q);
    for (const [p, size] of nodes) if (!parents.has(p)) discover(p, size);

    const list = [...changes.values()].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
    const h = layerHistory[i];
    layers.push({
      index: i,
      digest: l.digest,
      shortDigest: short(l.digest),
      size: l.size,
      contentSize,
      createdBy: (h?.created_by ?? '').trim(),
      changes: list,
      added: list.filter((c) => c.kind === 'A').length,
      modified: list.filter((c) => c.kind === 'M').length,
      deleted: list.filter((c) => c.kind === 'D').length,
    });
  }

  // Lower-layer files the final tree does not serve from that layer: overwritten or deleted later.
  for (let i = 0; i < image.layers.length - 1; i++) {
    const own = view.lowerView(i + 1);
    for (const n of own.walk()) {
      if (n.layer !== i || n.type !== 'file') continue;
      const top = view.lookup(n.path);
      if (!top || top.layer !== i) hiddenBytes += n.entry.size;
    }
  }

  const tree: TreeRow[] = [];
  for (const n of view.walk()) {
    const parts = n.path.split('/');
    tree.push({ path: n.path, name: parts[parts.length - 1]!, depth: parts.length - 1, type: n.type, size: n.type === 'file' ? n.entry.size : 0, layer: n.layer, linkname: n.entry.linkname ?? '' });
  }

  let min = 0;
  let cum = 0;
  const inefficiencies: Inefficiency[] = [];
  for (const [path, d] of discovered) {
    min += d.min;
    cum += d.cumulative;
    if (d.count >= 2) inefficiencies.push({ path, count: d.count, cumulative: d.cumulative });
  }
  inefficiencies.sort((a, b) => b.cumulative - a.cumulative || (a.path < b.path ? -1 : 1));
  const analysis: Analysis = {
    image,
    layers,
    tree,
    totalContent: cum,
    wastedBytes: inefficiencies.reduce((n, x) => n + x.cumulative, 0),
    efficiency: cum === 0 ? 1 : min / cum,
    inefficiencies,
    hiddenBytes,
  };
  return { analysis, view };
}
