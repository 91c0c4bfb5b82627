/**
 * Node handling shared by the trees that keep their own inode table
 * (MemoryTree here, OpfsTree in the store): default attributes of a new
 * node, applying a TreeMeta, the TreeEntry a node reports, path lookup
 * without following symlinks, and the pre-order walk. The trees differ only
 * in how they hold children and xattrs (a Map of objects and bytes in
 * memory; inode numbers and base64 in OPFS's JSON table), so those are
 * passed in.
 */
import { InvalidArgumentError } from '../errors/InvalidArgumentError.js';
import { NotFoundError } from '../errors/NotFoundError.js';
import { comparePaths, joinPath, parentPath } from '../layer/path.js';
import type { CreateMeta, TreeEntry, TreeEntryType, TreeMeta } from './types.js';

/** What a node records besides its content and children; X is how the tree stores xattrs. */
export interface NodeAttrs<X> {
  type: TreeEntryType;
  mode: number;
  uid: number;
  gid: number;
  uname: string;
  gname: string;
  mtime: number;
  xattrs: X;
  /** Number of names (paths) this node has. */
  nlink: number;
  target?: string;
  devmajor: number;
  devminor: number;
}

type Xattrs = Record<string, Uint8Array>;

/** A new node's attributes; the mode defaults to 0755 (directories), 0777 (symlinks), else 0644. */
export function newNodeAttrs<X>(type: TreeEntryType, meta: CreateMeta, storeXattrs: (x: Xattrs | undefined) => X): NodeAttrs<X> {
  return {
    type,
    mode: (meta.mode ?? (type === 'directory' ? 0o755 : type === 'symlink' ? 0o777 : 0o644)) & 0o7777,
    uid: meta.uid ?? 0,
    gid: meta.gid ?? 0,
    uname: meta.uname ?? '',
    gname: meta.gname ?? '',
    mtime: meta.mtime ?? 0,
    xattrs: storeXattrs(meta.xattrs),
    nlink: 0,
    devmajor: 0,
    devminor: 0,
  };
}

/** Sets the attributes `meta` names and leaves the others (the Tree.setMeta contract). */
export function applyNodeMeta<X>(n: NodeAttrs<X>, meta: TreeMeta, storeXattrs: (x: Xattrs | undefined) => X): void {
  if (meta.mode !== undefined) n.mode = meta.mode & 0o7777;
  if (meta.uid !== undefined) n.uid = meta.uid;
  if (meta.gid !== undefined) n.gid = meta.gid;
  if (meta.uname !== undefined) n.uname = meta.uname;
  if (meta.gname !== undefined) n.gname = meta.gname;
  if (meta.mtime !== undefined) n.mtime = meta.mtime;
  if (meta.xattrs !== undefined) n.xattrs = storeXattrs(meta.xattrs);
}

/**
 * The entry a node reports at `path`. `linkKey` names the node; it is set
 * only on a non-directory with more than one name, so diff and the tar
 * writer see hardlinks (directories cannot be hardlinked).
 */
export function nodeEntry<X>(path: string, n: NodeAttrs<X>, fileSize: number, xattrs: Xattrs, linkKey: string): TreeEntry {
  const e: TreeEntry = {
    path,
    type: n.type,
    mode: n.mode,
    uid: n.uid,
    gid: n.gid,
    uname: n.uname,
    gname: n.gname,
    size: n.type === 'file' ? fileSize : 0,
    mtime: n.mtime,
    linkname: n.type === 'symlink' ? n.target! : '',
    devmajor: n.devmajor,
    devminor: n.devminor,
    xattrs,
  };
  if (n.nlink > 1 && n.type !== 'directory') e.linkKey = linkKey;
  return e;
}

/** The node at `path`, each component looked up literally (a symlink in the middle is not followed). */
export function lookupNode<N>(root: N, path: string, child: (n: N, name: string) => N | undefined): N | undefined {
  if (path === '') return root;
  let n: N | undefined = root;
  for (const seg of path.split('/')) {
    n = child(n, seg);
    if (n === undefined) return undefined;
  }
  return n;
}

/** The directory node that will hold `path`, or the typed error for the root or a missing parent. */
export function parentNode<N extends { type: TreeEntryType }>(path: string, find: (path: string) => N | undefined): N {
  if (path === '') throw new InvalidArgumentError('the root cannot be created or replaced', { path });
  const p = find(parentPath(path));
  if (!p || p.type !== 'directory') throw new NotFoundError(`parent directory of ${JSON.stringify(path)} does not exist`, { path });
  return p;
}

/**
 * The entries at and below `under`, pre-order with siblings sorted by
 * comparePaths, which is the global comparePaths order because '/' ranks
 * first. The subtree is listed before the first entry below `under` is made,
 * so a caller may change the tree while it walks.
 */
export function* walkNodes<N>(
  under: string,
  start: N | undefined,
  isDirectory: (n: N) => boolean,
  children: (n: N) => Array<[string, N]> | undefined,
  entry: (path: string, n: N) => TreeEntry,
): Generator<TreeEntry> {
  if (start === undefined) return;
  if (under !== '') {
    yield entry(under, start);
    if (!isDirectory(start)) return;
  }
  const stack: Array<[string, N]> = [[under, start]];
  const out: Array<[string, N]> = [];
  while (stack.length) {
    const [p, n] = stack.pop()!;
    if (p !== under) out.push([p, n]);
    const kids = children(n);
    if (kids) {
      kids.sort((a, b) => comparePaths(a[0], b[0]));
      for (let i = kids.length - 1; i >= 0; i--) stack.push([joinPath(p, kids[i]![0]), kids[i]![1]]);
    }
  }
  for (const [p, n] of out) yield entry(p, n);
}
