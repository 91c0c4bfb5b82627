/**
 * A UnionView seen as a TreeReader, so that diffTrees can compare an image
 * with a container (commit) without a second layer writer. Hardlink entries
 * of the layers become 'file' entries carrying the target file's attributes
 * and a linkKey naming the file they share (layer + path), which is how
 * trees describe hardlinks (src/tree/types.ts).
 */
import { cleanPath } from '../layer/path.js';
import type { TreeEntry, TreeReader } from '../tree/types.js';
import type { UnionLayerEntry, UnionNode } from '../union/types.js';
import type { UnionView } from '../union/view.js';

/** Hardlink chains longer than this are broken layers; stop following. */
const MAX_LINKS = 40;

/** The entry a node stands for, hardlinks resolved to their file; `path` is the node's. */
export function entryOfNode(view: UnionView, node: UnionNode): TreeEntry {
  let layer = node.layer;
  let e: UnionLayerEntry = node.entry;
  let key: string | undefined;
  const top = e as UnionLayerEntry & { linkKey?: string };
  if (top.linkKey !== undefined) key = `u:${top.linkKey}`;
  for (let depth = 0; e.type === 'hardlink' && depth < MAX_LINKS; depth++) {
    let target: string;
    try {
      target = cleanPath(e.linkname);
    } catch {
      break;
    }
    // The target comes earlier in the same layer or from a lower one (rule 17).
    const hit = view.lowerView(layer + 1).lookup(target);
    if (!hit) break;
    layer = hit.layer;
    e = hit.entry;
    key = `${layer}:${hit.path}`;
  }
  if (e.type !== 'hardlink' && key === undefined && e.type === 'file' && !node.implied) key = `${node.layer}:${node.path}`;
  const out: TreeEntry = {
    path: node.path,
    type: e.type === 'hardlink' ? 'file' : e.type,
    mode: e.mode,
    uid: e.uid,
    gid: e.gid,
    uname: e.uname,
    gname: e.gname,
    size: e.type === 'file' || e.type === 'hardlink' ? e.size : 0,
    mtime: e.mtime,
    linkname: e.type === 'symlink' ? e.linkname : '',
    devmajor: e.devmajor,
    devminor: e.devminor,
    xattrs: e.xattrs ?? {},
  };
  if (out.type === 'file' && key !== undefined) out.linkKey = key;
  return out;
}

/**
 * linkKey -> every path of the view that names that file, for the files
 * with several names (the hardlinks' keys, with the file's own path when
 * it is still visible as that file). Empty for a view without hardlinks.
 */
export function linkNames(view: UnionView): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const n of view.hardlinks()) {
    const key = entryOfNode(view, n).linkKey;
    if (key === undefined) continue; // a broken link names no file
    const names = out.get(key);
    if (names) names.push(n.path);
    else out.set(key, [n.path]);
  }
  for (const [key, names] of out) {
    // Keys of files are `${layer}:${path}` (entryOfNode).
    const path = key.slice(key.indexOf(':') + 1);
    const n = view.lookup(path);
    if (n && entryOfNode(view, n).linkKey === key) names.push(path);
  }
  return out;
}

/** The layer and entry holding the content of a file node (hardlinks followed), or undefined. */
export function fileSource(view: UnionView, node: UnionNode): { layer: number; entry: UnionLayerEntry } | undefined {
  let layer = node.layer;
  let e: UnionLayerEntry = node.entry;
  for (let depth = 0; e.type === 'hardlink' && depth < MAX_LINKS; depth++) {
    let target: string;
    try {
      target = cleanPath(e.linkname);
    } catch {
      return undefined;
    }
    const hit = view.lowerView(layer + 1).lookup(target);
    if (!hit) return undefined;
    layer = hit.layer;
    e = hit.entry;
  }
  return e.type === 'file' ? { layer, entry: e } : undefined;
}

function bytesStream(b: Uint8Array): ReadableStream<Uint8Array> {
  return new ReadableStream<Uint8Array>({
    start(c) {
      if (b.byteLength) c.enqueue(b);
      c.close();
    },
  });
}

export class ViewTree implements TreeReader {
  constructor(private readonly view: UnionView) {}

  async *walk(under = ''): AsyncIterable<TreeEntry> {
    if (under !== '') {
      const n = this.view.lookup(under);
      if (!n) return;
      yield entryOfNode(this.view, n);
      if (n.type !== 'directory') return;
    }
    for (const n of this.view.walk(under)) yield entryOfNode(this.view, n);
  }

  async lstat(path: string): Promise<TreeEntry | undefined> {
    const n = this.view.lookup(path);
    return n ? entryOfNode(this.view, n) : undefined;
  }

  readFile(path: string): ReadableStream<Uint8Array> {
    // Lazy: the bytes are read when the consumer pulls.
    let started = false;
    const view = this.view;
    return new ReadableStream<Uint8Array>({
      async pull(c) {
        if (started) return;
        started = true;
        const b = await view.readFile(path);
        const r = bytesStream(b).getReader();
        for (;;) {
          const { done, value } = await r.read();
          if (done) break;
          c.enqueue(value);
        }
        c.close();
      },
    });
  }
}

/**
 * The part of a view that a set of paths names (those it shows, in
 * comparePaths order). Commit diffs the image and the container over the
 * paths the writable layer touches only, so its cost follows the size of
 * the change, not of the image, and unchanged image files are never read.
 */
export class PathsTree extends ViewTree {
  constructor(
    private readonly v: UnionView,
    private readonly paths: readonly string[],
  ) {
    super(v);
  }

  override async *walk(under = ''): AsyncIterable<TreeEntry> {
    for (const p of this.paths) {
      if (under !== '' && p !== under && !p.startsWith(`${under}/`)) continue;
      const n = this.v.lookup(p);
      if (n) yield entryOfNode(this.v, n);
    }
  }
}
