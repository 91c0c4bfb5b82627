/**
 * A deliberately plain model of the union view to test the Wasm index
 * against: layers are applied one after another to a Map of paths, the way
 * an unpacker would (OCI layer.md "Applying Changesets"), with the
 * CONFORMANCE.md decisions spelled out one by one:
 *  - whiteouts and opaque markers of a layer act on the layers BELOW only,
 *    so they are applied before the layer's own entries (rules 8, 9);
 *  - entries then go in in tar order: a non-directory replaces whatever is
 *    there with its subtree, a directory over a directory only replaces the
 *    attributes (rules 13, 15, 16);
 *  - missing parents are created as implied directories (rule 14), also over
 *    a lower non-directory; an entry below a path this same layer made a
 *    non-directory is dropped (rule 12);
 *  - an implied directory's origin is the topmost layer that implies it; a
 *    real directory below it keeps its attributes.
 * No sorting tricks, no hashing: O(n) scans of the Map are fine here.
 */
import { cleanPath, comparePaths } from '../../src/layer/path.js';
import { parseWhiteout } from '../../src/layer/whiteout.js';
import type { UnionLayerEntry } from '../../src/union/types.js';

export interface RefNode {
  path: string;
  layer: number;
  /** Entry index in its layer, -1 for implied directories. */
  index: number;
  dir: boolean;
  implied: boolean;
}

export class ReferenceUnion {
  readonly nodes = new Map<string, RefNode>();

  constructor(layers: readonly (readonly UnionLayerEntry[])[]) {
    this.nodes.set('', { path: '', layer: 0, index: -1, dir: true, implied: true });
    layers.forEach((entries, k) => this.apply(entries, k));
  }

  private removeTree(p: string): void {
    for (const q of [...this.nodes.keys()]) {
      if (q !== '' && (q === p || p === '' || q.startsWith(`${p}/`))) this.nodes.delete(q);
    }
  }

  private removeChildren(p: string): void {
    for (const q of [...this.nodes.keys()]) {
      if (q !== '' && q !== p && (p === '' || q.startsWith(`${p}/`))) this.nodes.delete(q);
    }
  }

  private apply(entries: readonly UnionLayerEntry[], k: number): void {
    const parsed = entries.map((e, index) => {
      const path = cleanPath(e.path);
      return { path, e, index, wh: path === '' ? undefined : parseWhiteout(path) };
    });
    // Deletions first: they only ever concern lower layers.
    for (const p of parsed) {
      if (p.wh?.kind === 'whiteout') this.removeTree(p.wh.target);
      else if (p.wh?.kind === 'opaque') this.removeChildren(p.wh.dir);
    }
    const madeNonDir = new Set<string>(); // paths this layer currently holds as non-directories
    for (const p of parsed) {
      if (p.wh) continue;
      const dir = p.e.type === 'directory';
      if (p.path === '') {
        if (dir) this.nodes.set('', { path: '', layer: k, index: p.index, dir: true, implied: false });
        continue;
      }
      const segs = p.path.split('/');
      const ancestors = segs.slice(0, -1).map((_, i) => segs.slice(0, i + 1).join('/'));
      if (ancestors.some((a) => madeNonDir.has(a))) continue;
      for (const a of ancestors) {
        const cur = this.nodes.get(a);
        if (cur && cur.dir) {
          if (cur.implied) cur.layer = k;
          continue;
        }
        this.nodes.set(a, { path: a, layer: k, index: -1, dir: true, implied: true });
      }
      const cur = this.nodes.get(p.path);
      if (cur && cur.dir && dir) {
        this.nodes.set(p.path, { path: p.path, layer: k, index: p.index, dir: true, implied: false });
      } else {
        if (cur) this.removeTree(p.path);
        for (const q of [...madeNonDir]) if (q === p.path || q.startsWith(`${p.path}/`)) madeNonDir.delete(q);
        this.nodes.set(p.path, { path: p.path, layer: k, index: p.index, dir, implied: false });
      }
      if (!dir) madeNonDir.add(p.path);
    }
    // The root's implied origin follows the same rule as other implied directories.
    const root = this.nodes.get('')!;
    if (root.implied && entries.length > 0) root.layer = 0;
  }

  lookup(path: string): RefNode | undefined {
    return this.nodes.get(path);
  }

  readdir(path: string): string[] {
    const prefix = path === '' ? '' : `${path}/`;
    return [...this.nodes.keys()]
      .filter((q) => q !== '' && q.startsWith(prefix) && !q.slice(prefix.length).includes('/'))
      .map((q) => q.slice(prefix.length))
      .sort(comparePaths);
  }

  /** All paths but the root, in layer order (rule 21). */
  paths(): string[] {
    return [...this.nodes.keys()].filter((q) => q !== '').sort(comparePaths);
  }
}
