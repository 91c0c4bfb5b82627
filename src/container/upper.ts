/**
 * A container's writable layer: a tree in the store (a MemoryTree, or a
 * directory on disk) shaped like an OCI layer — changed and added entries as
 * they are, deletions as empty `.wh.NAME` files and opaque directories with
 * a `.wh..wh..opq` file (image-spec layer.md "Whiteouts"), so the union
 * index reads it like any other layer and it survives a reopen as it is.
 *
 * An in-memory table of its entries is kept up to date on every change (the
 * union view is rebuilt from it without walking the tree again), with the
 * attributes the tree cannot hold (xattrs, owner names; owners when not
 * root) overlaid from a small JSON record written atomically by the store.
 */
import { baseName, isWithin } from '../layer/path.js';
import type { CreateMeta, FileBody, Tree, TreeEntry, TreeMeta } from '../tree/types.js';
import type { RecordStore } from '../store/types.js';

/** What the meta record keeps per path (xattr values base64). */
interface MetaOverride {
  uid?: number;
  gid?: number;
  uname?: string;
  gname?: string;
  xattrs?: Record<string, string>;
}

function b64(b: Uint8Array): string {
  let s = '';
  for (const x of b) s += String.fromCharCode(x);
  return btoa(s);
}

function unb64(s: string): Uint8Array {
  return Uint8Array.from(atob(s), (c) => c.charCodeAt(0));
}

function sameXattrs(a: Record<string, Uint8Array>, b: Record<string, Uint8Array>): boolean {
  const ka = Object.keys(a).sort();
  const kb = Object.keys(b).sort();
  if (ka.length !== kb.length) return false;
  for (let i = 0; i < ka.length; i++) {
    if (ka[i] !== kb[i]) return false;
    const x = a[ka[i]!]!;
    const y = b[kb[i]!]!;
    if (x.length !== y.length || x.some((v, j) => v !== y[j])) return false;
  }
  return true;
}

export class UpperLayer {
  /** Clean path -> entry (whiteout and opaque files included). */
  readonly entries = new Map<string, TreeEntry>();
  private readonly meta = new Map<string, MetaOverride>();
  private metaDirty = false;
  /** Bumped on every change, so views built from `entries` know they are stale. */
  version = 0;
  /** Paths changed since the owner last drained this list (removals cover their subtree). */
  readonly changed: string[] = [];

  private constructor(
    readonly tree: Tree,
    private readonly metaRecords: RecordStore<Record<string, MetaOverride>>,
    private readonly key: string,
  ) {}

  static async open(tree: Tree, metaRecords: RecordStore<Record<string, MetaOverride>>, key: string): Promise<UpperLayer> {
    const u = new UpperLayer(tree, metaRecords, key);
    for (const [p, o] of Object.entries((await metaRecords.get(key)) ?? {})) u.meta.set(p, o);
    for await (const e of tree.walk()) u.entries.set(e.path, u.overlay(e));
    return u;
  }

  private overlay(e: TreeEntry): TreeEntry {
    const o = this.meta.get(e.path);
    if (!o) return e;
    const out = { ...e };
    if (o.uid !== undefined) out.uid = o.uid;
    if (o.gid !== undefined) out.gid = o.gid;
    if (o.uname !== undefined) out.uname = o.uname;
    if (o.gname !== undefined) out.gname = o.gname;
    if (o.xattrs) out.xattrs = Object.fromEntries(Object.entries(o.xattrs).map(([k, v]) => [k, unb64(v)]));
    return out;
  }

  get(path: string): TreeEntry | undefined {
    return this.entries.get(path);
  }

  /** Re-reads `path` from the tree, keeping the wanted attributes the tree could not store. */
  private async refresh(path: string, want?: TreeMeta): Promise<void> {
    this.version++;
    this.changed.push(path);
    const e = await this.tree.lstat(path);
    if (!e) {
      this.entries.delete(path);
      return;
    }
    if (want) {
      const prev = this.meta.get(path) ?? {};
      const o: MetaOverride = { ...prev };
      if (want.uid !== undefined) (want.uid !== e.uid ? (o.uid = want.uid) : delete o.uid);
      if (want.gid !== undefined) (want.gid !== e.gid ? (o.gid = want.gid) : delete o.gid);
      if (want.uname !== undefined) (want.uname !== e.uname ? (o.uname = want.uname) : delete o.uname);
      if (want.gname !== undefined) (want.gname !== e.gname ? (o.gname = want.gname) : delete o.gname);
      if (want.xattrs !== undefined) {
        if (!sameXattrs(want.xattrs, e.xattrs)) o.xattrs = Object.fromEntries(Object.entries(want.xattrs).map(([k, v]) => [k, b64(v)]));
        else delete o.xattrs;
      }
      if (JSON.stringify(o) !== JSON.stringify(prev)) {
        if (Object.keys(o).length) this.meta.set(path, o);
        else this.meta.delete(path);
        this.metaDirty = true;
      }
    }
    this.entries.set(path, this.overlay(e));
    // Other names of the same file share its attributes.
    if (e.linkKey !== undefined) {
      for (const [p, x] of this.entries) {
        if (p !== path && x.linkKey === e.linkKey) {
          this.changed.push(p);
          const y = await this.tree.lstat(p);
          if (y) this.entries.set(p, this.overlay(y));
        }
      }
    }
  }

  /** Persists the attribute overlay if it changed (one atomic record write). */
  async flush(): Promise<void> {
    if (!this.metaDirty) return;
    this.metaDirty = false;
    await this.metaRecords.put(this.key, Object.fromEntries(this.meta));
  }

  async mkdir(path: string, meta: CreateMeta): Promise<void> {
    await this.tree.mkdir(path, meta);
    await this.refresh(path, meta);
  }

  async writeFile(path: string, body: FileBody, meta: CreateMeta): Promise<void> {
    await this.tree.writeFile(path, body, meta);
    await this.refresh(path, meta);
  }

  async symlink(path: string, target: string, meta: CreateMeta): Promise<void> {
    await this.tree.symlink(path, target, meta);
    await this.refresh(path, meta);
  }

  async mknod(path: string, type: 'char' | 'block' | 'fifo', major: number, minor: number, meta: CreateMeta): Promise<void> {
    await this.tree.mknod(path, type, major, minor, meta);
    await this.refresh(path, meta);
  }

  async link(path: string, existing: string): Promise<void> {
    await this.tree.link(path, existing);
    const o = this.meta.get(existing);
    if (o) {
      this.meta.set(path, { ...o });
      this.metaDirty = true;
    }
    await this.refresh(existing);
    await this.refresh(path);
  }

  async setMeta(path: string, meta: TreeMeta): Promise<void> {
    await this.tree.setMeta(path, meta);
    await this.refresh(path, meta);
  }

  /** Removes `path` and everything below it. */
  async remove(path: string): Promise<void> {
    const gone = [...this.entries.keys()].filter((p) => isWithin(p, path));
    const keys = new Set(gone.map((p) => this.entries.get(p)!.linkKey).filter((k) => k !== undefined));
    await this.tree.remove(path);
    this.version++;
    this.changed.push(path);
    for (const p of gone) {
      this.entries.delete(p);
      if (this.meta.delete(p)) this.metaDirty = true;
    }
    // Surviving names of a file that lost one name may no longer be links.
    for (const [p, x] of [...this.entries]) {
      if (x.linkKey !== undefined && keys.has(x.linkKey)) await this.refresh(p);
    }
  }

  /** True for a whiteout or opaque marker file. */
  static isMarker(path: string): boolean {
    return baseName(path).startsWith('.wh.');
  }
}
