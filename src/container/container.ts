/**
 * A container: an image plus its own writable layer (DESIGN.md "Container").
 *
 * - Reads go through the Wasm union index of the image's layers with the
 *   writable layer on top (UnionView.withLayer), so reads after writes see
 *   the writes. The index is rebuilt per batch of changes, not per write:
 *   paths changed since the last build are answered by the same union rule
 *   on the writable layer's table (see #lookupNode).
 * - The first change to a lower path copies it up (its parents too, with
 *   their attributes, as overlayfs does); metadata-only changes copy up too.
 *   Deleting a lower path writes a whiteout; a directory deleted and then
 *   made again becomes opaque. The image's layers are never written.
 * - Paths are resolved inside the root like a chroot (CONFORMANCE 19):
 *   symlinks are followed, `..` stops at the root, absolute targets start
 *   at the root. Errors mirror Node's fs (ENOENT, EEXIST, ENOTDIR, EISDIR,
 *   ENOTEMPTY) as typed LayerfsErrors.
 * - Paths under a volume mount go to the volume's tree instead: they are
 *   not in the writable layer, so `diff` and `commit` never see them.
 * - Renames copy the source (whole subtree) to the target and delete the
 *   source, which is what `mv` falls back to on overlayfs without
 *   redirect_dir (EXDEV).
 */
import { AlreadyExistsError } from '../errors/AlreadyExistsError.js';
import { DirectoryNotEmptyError } from '../errors/DirectoryNotEmptyError.js';
import { InvalidArgumentError } from '../errors/InvalidArgumentError.js';
import { IsADirectoryError } from '../errors/IsADirectoryError.js';
import { NotADirectoryError } from '../errors/NotADirectoryError.js';
import { NotFoundError } from '../errors/NotFoundError.js';
import { SymlinkLoopError } from '../errors/SymlinkLoopError.js';
import { InUseError } from '../errors/InUseError.js';
import { readAll } from '../image/hashing.js';
import type { Image } from '../image/image.js';
import { mediaTypeOfCompression } from '../layer/compression.js';
import { diffTrees } from '../layer/diff.js';
import { baseName, comparePaths, isWithin, joinPath, parentPath } from '../layer/path.js';
import { OPAQUE_MARKER, opaqueName, parseWhiteout, whiteoutName } from '../layer/whiteout.js';
import { MediaType } from '../image/media-types.js';
import type { Store } from '../store/store.js';
import type { CreateMeta, FileBody, Tree, TreeEntry, TreeMeta } from '../tree/types.js';
import type { UnionView } from '../union/view.js';
import type {
  Change,
  CommitOptions,
  ContainerInfo,
  ContainerStat,
  MkdirOptions,
  RmOptions,
  WriteData,
  WriteFileOptions,
} from './types.js';
import { UpperLayer } from './upper.js';
import { readRanges } from './bulk-read.js';
import { layerCache } from './layer-cache.js';
import { entryOfNode, fileSource, linkNames, PathsTree } from './view-tree.js';

/** Linux's MAXSYMLINKS. */
const MAX_SYMLINKS = 40;
const EMPTY = new Uint8Array(0);
/** Most bytes of image files a rename reads ahead in one pass per layer. */
const PREFETCH_BYTES = 256 * 1024 * 1024;
/** Changes answered on top of the index before it is rebuilt (at least; or 1/8 of the layer's entries). */
const REBUILD_AFTER = 256;

type Resolved = { path: string; entry?: ContainerStat };

function now(): number {
  return Date.now() / 1000;
}

function metaOf(e: TreeEntry): CreateMeta {
  return { mode: e.mode, uid: e.uid, gid: e.gid, uname: e.uname, gname: e.gname, mtime: e.mtime, xattrs: e.xattrs };
}

function abs(p: string): string {
  return `/${p}`;
}

function toSeconds(t: Date | number): number {
  if (t instanceof Date) return t.getTime() / 1000;
  if (typeof t === 'number' && Number.isFinite(t)) return t;
  throw new InvalidArgumentError(`invalid time ${String(t)}: give a Date or seconds since the epoch`);
}

function toBody(data: WriteData): FileBody {
  if (typeof data === 'string') return new TextEncoder().encode(data);
  if (data instanceof Uint8Array || (typeof data === 'object' && data !== null && 'getReader' in data)) return data;
  throw new InvalidArgumentError('file data must be a string, a Uint8Array or a ReadableStream');
}

function refuseMarkerName(p: string): void {
  // CONFORMANCE 11: such a file would read back as a whiteout in a layer.
  if (baseName(p).startsWith('.wh.')) {
    throw new InvalidArgumentError(`cannot create ${JSON.stringify(abs(p))}: names starting with .wh. are reserved for whiteouts`, { path: abs(p) });
  }
}

export interface ContainerParts {
  store: Store;
  info: ContainerInfo;
  image: Image;
  lower: UnionView;
  upper: UpperLayer;
  volumes: Map<string, Tree>;
}

export class Container {
  /** 64 lowercase hex digits. */
  readonly id: string;
  readonly name: string;
  /** ISO 8601. */
  readonly created: string;
  /** Image id (config digest). */
  readonly image: string;
  /** The reference the container was made from, as given. */
  readonly imageRef: string;
  /** Manifest digest of the image. */
  readonly imageDigest: string;
  /** Mount point ('/data') -> volume name. */
  readonly volumes: Readonly<Record<string, string>>;

  readonly #store: Store;
  readonly #image: Image;
  readonly #lower: UnionView;
  readonly #upper: UpperLayer;
  /** Clean mount point -> the volume's tree; longest mount points first. */
  readonly #mounts: Array<[string, Tree]>;
  /** Strict ancestors of mount points (shown as directories even when the image lacks them). */
  readonly #mountParents = new Set<string>();
  #view: { version: number; view: UnionView } | undefined;
  /** The image's files with several names (see #imageLinks()). */
  #imageLinksCache: Map<string, string[]> | undefined;
  /** Paths changed since #view was built (see #lookupNode). */
  readonly #dirty = new Set<string>();
  #queue: Promise<unknown> = Promise.resolve();
  #removed = false;

  /** Use `store.createContainer` / `store.container`. */
  constructor(parts: ContainerParts) {
    const { info } = parts;
    this.id = info.id;
    this.name = info.name;
    this.created = info.created;
    this.image = info.image;
    this.imageRef = info.imageRef;
    this.imageDigest = info.imageDigest;
    this.volumes = Object.freeze(Object.fromEntries(Object.entries(info.volumes).map(([m, v]) => [abs(m), v])));
    this.#store = parts.store;
    this.#image = parts.image;
    this.#lower = parts.lower;
    this.#upper = parts.upper;
    this.#mounts = [...parts.volumes].sort((a, b) => b[0].length - a[0].length);
    for (const [m] of this.#mounts) {
      for (let p = parentPath(m); p !== ''; p = parentPath(p)) this.#mountParents.add(p);
    }
  }

  /** The record describing this container. */
  info(): ContainerInfo {
    return {
      id: this.id,
      name: this.name,
      created: this.created,
      imageRef: this.imageRef,
      image: this.image,
      imageDigest: this.imageDigest,
      volumes: Object.fromEntries(Object.entries(this.volumes).map(([m, v]) => [m.slice(1), v])),
    };
  }

  /**
   * @internal Called by store.removeContainer before it deletes the writable
   * layer: calls already queued finish first, every later call fails with NOT_FOUND.
   */
  retire(): Promise<void> {
    const done = this.#queue.then(() => {
      this.#removed = true;
    });
    this.#queue = done;
    return done;
  }

  /** Runs one operation at a time, so a change never interleaves with another. */
  #run<T>(fn: () => Promise<T>): Promise<T> {
    const next = this.#queue.then(async () => {
      if (this.#removed) throw new NotFoundError(`container ${this.name} (${this.id.slice(0, 12)}) was removed`, { container: this.id });
      try {
        return await fn();
      } finally {
        await this.#upper.flush();
      }
    });
    this.#queue = next.catch(() => {});
    return next;
  }

  // ------------------------------------------------------------ the namespace

  /**
   * Moves the writable layer's change log into #dirty: the paths whose
   * visibility the last built index may no longer tell (a whiteout or an
   * opaque marker stands for the path it hides).
   */
  #drain(): void {
    const log = this.#upper.changed;
    for (const p of log.splice(0, log.length)) {
      const w = baseName(p).startsWith('.wh.') ? parseWhiteout(p) : undefined;
      this.#dirty.add(!w ? p : w.kind === 'whiteout' ? w.target : w.dir);
    }
  }

  /** The merged view (Wasm index of the image + the writable layer), rebuilt when the layer changed. */
  #merged(): UnionView {
    this.#drain();
    const v = this.#view;
    if (v && v.version === this.#upper.version) return v.view;
    const tree = this.#upper.tree;
    const view = this.#lower.withLayer({ entries: [...this.#upper.entries.values()], read: (_i, e) => tree.readFile(e.path) });
    this.#view = { version: this.#upper.version, view };
    this.#dirty.clear();
    return view;
  }

  /** True when a change since the last index build is at `p` or above it. */
  #affected(p: string): boolean {
    if (this.#dirty.size === 0) return false;
    for (let a = p; ; a = parentPath(a)) {
      if (this.#dirty.has(a)) return true;
      if (a === '') return false;
    }
  }

  /**
   * The visible entry at clean path `p` (lexically), and the layer it comes from.
   *
   * The Wasm index answers, except for paths at or below a change made since
   * it was built: those follow the union rule directly on the writable
   * layer's table over the image's index (the same rule the index applies:
   * the top layer's own entry; else hidden by a whiteout of the path or of
   * an ancestor, an opaque ancestor, or a non-directory ancestor; else the
   * image). The index is rebuilt once enough changes piled up, so a burst of
   * writes (a `cp` of many files) costs one merge per batch instead of one
   * per write, and listings, walks, diff and commit always use a fresh one.
   */
  #lookupNode(p: string): { entry: TreeEntry; fromImage: boolean } | undefined {
    this.#drain();
    const built = this.#view;
    if (!built || this.#dirty.size > Math.max(REBUILD_AFTER, this.#upper.entries.size >> 3)) {
      const view = this.#merged();
      const n = view.lookup(p);
      return n ? { entry: entryOfNode(view, n), fromImage: n.layer < this.#lower.layerCount } : undefined;
    }
    if (!this.#affected(p)) {
      const n = built.view.lookup(p);
      return n ? { entry: entryOfNode(built.view, n), fromImage: n.layer < this.#lower.layerCount } : undefined;
    }
    const upper = this.#upper;
    const u = upper.get(p);
    if (u && !UpperLayer.isMarker(p)) {
      const e: TreeEntry = { ...u };
      if (u.linkKey !== undefined) e.linkKey = `u:${u.linkKey}`;
      return { entry: e, fromImage: false };
    }
    if (p !== '') {
      if (upper.get(OPAQUE_MARKER)) return undefined;
      for (let a = p; a !== ''; a = parentPath(a)) {
        if (upper.get(whiteoutName(a))) return undefined;
        if (a === p) continue;
        const ua = upper.get(a);
        if ((ua && ua.type !== 'directory') || upper.get(opaqueName(a))) return undefined;
      }
    }
    const n = this.#lower.lookup(p);
    return n ? { entry: entryOfNode(this.#lower, n), fromImage: true } : undefined;
  }

  /** Bytes of the visible regular file at clean path `p` (not in a volume). */
  async #layerBytes(p: string): Promise<Uint8Array> {
    const u = this.#upper.get(p);
    if (u && !UpperLayer.isMarker(p)) return readAll(this.#upper.tree.readFile(p));
    return this.#imageBytes(p);
  }

  /** Bytes of the image's regular file at `p`, through the per-store layer cache when it keeps that layer (in memory or in a store area). */
  async #imageBytes(p: string): Promise<Uint8Array> {
    const n = this.#lower.lookup(p);
    const f = n && fileSource(this.#lower, n);
    const layer = f && this.#image.layers[f.layer];
    if (f && layer && f.entry.offset !== undefined) {
      const got = await layerCache(this.#store).read(layer, { offset: f.entry.offset, size: f.entry.size, contentDigest: f.entry.contentDigest });
      if (got) return got;
    }
    return this.#lower.readFile(p);
  }

  #mountOf(p: string): [string, Tree] | undefined {
    for (const m of this.#mounts) if (isWithin(p, m[0])) return m;
    return undefined;
  }

  /** Do `a` and `b` lie in one tree (the container's layers, or one volume)? A link key names a file within one. */
  #sameTree(a: string, b: string): boolean {
    return this.#mountOf(a)?.[0] === this.#mountOf(b)?.[0];
  }

  /** The image's files with several names (linkNames), found on first need (commit, stat). */
  #imageLinks(): Map<string, string[]> {
    return (this.#imageLinksCache ??= linkNames(this.#lower));
  }

  #relIn(p: string, mount: string): string {
    return p === mount ? '' : p.slice(mount.length + 1);
  }

  /** The entry at clean path `p`, no symlink followed. */
  async #lstatAt(p: string): Promise<ContainerStat | undefined> {
    const m = this.#mountOf(p);
    if (m) {
      const rel = this.#relIn(p, m[0]);
      const e = await m[1].lstat(rel);
      if (!e) return undefined;
      return { ...e, path: abs(p), origin: 'volume' };
    }
    const n = this.#lookupNode(p);
    if (n) return { ...n.entry, path: abs(p), origin: n.fromImage ? 'image' : 'container' };
    if (p === '' || this.#mountParents.has(p)) {
      return { path: abs(p), type: 'directory', mode: 0o755, uid: 0, gid: 0, uname: '', gname: '', size: 0, mtime: 0, linkname: '', devmajor: 0, devminor: 0, xattrs: {}, origin: 'image' };
    }
    return undefined;
  }

  /**
   * Resolves `name` inside the root. Intermediate symlinks are followed (the
   * last one only with `followLast`); a missing last component gives a
   * result without `entry` (the caller may create it).
   */
  async #resolve(name: string, followLast: boolean): Promise<Resolved> {
    if (typeof name !== 'string') throw new InvalidArgumentError('path must be a string', { path: String(name) });
    if (name.includes('\0')) throw new InvalidArgumentError('path contains a NUL byte', { path: name });
    const pending = name.split('/').reverse();
    let cur = '';
    let links = 0;
    while (pending.length > 0) {
      const seg = pending.pop()!;
      if (seg === '' || seg === '.') continue;
      if (seg === '..') {
        cur = parentPath(cur);
        continue;
      }
      const next = joinPath(cur, seg);
      const last = !pending.some((s) => s !== '' && s !== '.');
      const e = await this.#lstatAt(next);
      if (!e) {
        if (last) return { path: next };
        throw new NotFoundError(`no such file or directory: ${JSON.stringify(name)}`, { path: name });
      }
      if (e.type === 'symlink' && (!last || followLast)) {
        if (++links > MAX_SYMLINKS) throw new SymlinkLoopError(`too many levels of symbolic links resolving ${JSON.stringify(name)}`, { path: name });
        if (e.linkname === '') throw new NotFoundError(`no such file or directory: ${JSON.stringify(name)} (empty symlink)`, { path: name });
        if (e.linkname.startsWith('/')) cur = '';
        const parts = e.linkname.split('/');
        for (let k = parts.length - 1; k >= 0; k--) pending.push(parts[k]!);
        continue;
      }
      if (!last && e.type !== 'directory') throw new NotADirectoryError(`not a directory: ${JSON.stringify(abs(next))} in ${JSON.stringify(name)}`, { path: name });
      cur = next;
      if (last) return { path: cur, entry: e };
    }
    return { path: cur, entry: await this.#lstatAt(cur) };
  }

  async #must(name: string, followLast: boolean): Promise<Required<Resolved>> {
    const r = await this.#resolve(name, followLast);
    if (!r.entry) throw new NotFoundError(`no such file or directory: ${JSON.stringify(name)}`, { path: name });
    return r as Required<Resolved>;
  }

  /** Names in the directory at clean path `p`, sorted (layer order, '/' first). */
  async #readdirAt(p: string): Promise<string[]> {
    const m = this.#mountOf(p);
    if (m) {
      const rel = this.#relIn(p, m[0]);
      const names: string[] = [];
      for await (const e of m[1].walk(rel)) if (e.path !== rel && parentPath(e.path) === rel) names.push(baseName(e.path));
      return names.sort(comparePaths);
    }
    const view = this.#merged();
    const names = new Set(view.lookup(p) ? view.readdir(p) : []);
    for (const [mp] of this.#mounts) if (parentPath(mp) === p) names.add(baseName(mp));
    for (const a of this.#mountParents) if (parentPath(a) === p) names.add(baseName(a));
    return [...names].sort(comparePaths);
  }

  async #readAt(p: string, e: ContainerStat): Promise<Uint8Array> {
    if (e.type === 'directory') throw new IsADirectoryError(`is a directory: ${JSON.stringify(abs(p))}`, { path: abs(p) });
    if (e.type !== 'file') throw new InvalidArgumentError(`not a regular file: ${JSON.stringify(abs(p))} (${e.type})`, { path: abs(p) });
    const m = this.#mountOf(p);
    if (m) return readAll(m[1].readFile(this.#relIn(p, m[0])));
    return this.#layerBytes(p);
  }

  #refuseMountChange(p: string, what: string): void {
    for (const [mp] of this.#mounts) {
      if (isWithin(mp, p)) throw new InUseError(`cannot ${what} ${JSON.stringify(abs(p))}: volume ${JSON.stringify(this.volumes[abs(mp)])} is mounted at ${abs(mp)}`, { path: abs(p) });
    }
  }

  // ------------------------------------------------------------ writable layer

  /** Copies up every ancestor directory of `p` that the writable layer lacks. */
  async #copyUpParents(p: string): Promise<void> {
    const parts = p.split('/');
    for (let i = 1; i < parts.length; i++) {
      const a = parts.slice(0, i).join('/');
      if (this.#upper.get(a)?.type === 'directory') continue;
      const e = await this.#lstatAt(a);
      await this.#keepingParentTime(a, () => this.#upper.mkdir(a, e ? metaOf(e) : { mode: 0o755, mtime: now() }));
    }
  }

  /**
   * Runs a change below `p`'s parent and puts the parent's mtime back:
   * copy-up must not look like a change of the directory (overlayfs restores
   * it the same way), though a disk tree updates it when a child is made.
   */
  async #keepingParentTime(p: string, fn: () => Promise<void>): Promise<void> {
    const parent = parentPath(p);
    const before = parent === '' ? undefined : this.#upper.get(parent);
    await fn();
    if (before && this.#upper.get(parent)?.mtime !== before.mtime) await this.#upper.setMeta(parent, { mtime: before.mtime });
  }

  /** Makes clean path `p` (visible, not in a volume) part of the writable layer. */
  async #copyUp(p: string): Promise<void> {
    const u = this.#upper.get(p);
    if (u) return;
    const n = this.#lookupNode(p);
    if (!n) throw new NotFoundError(`no such file or directory: ${JSON.stringify(abs(p))}`, { path: abs(p) });
    const e = n.entry;
    await this.#copyUpParents(p);
    const meta = metaOf(e);
    await this.#keepingParentTime(p, async () => {
      switch (e.type) {
        case 'directory':
          return this.#upper.mkdir(p, meta);
        case 'file':
          return this.#upper.writeFile(p, await this.#imageBytes(p), meta);
        case 'symlink':
          return this.#upper.symlink(p, e.linkname, meta);
        default:
          return this.#upper.mknod(p, e.type as 'char' | 'block' | 'fifo', e.devmajor, e.devminor, meta);
      }
    });
  }

  /** A change inside directory `dir` (an entry made or removed) updates its mtime. */
  async #touch(dir: string): Promise<void> {
    const m = this.#mountOf(dir);
    const t = now();
    if (m) {
      await m[1].setMeta(this.#relIn(dir, m[0]), { mtime: t });
      return;
    }
    if (dir === '') return; // the root is not part of a layer
    if (!this.#upper.get(dir)) await this.#copyUp(dir);
    await this.#upper.setMeta(dir, { mtime: t });
  }

  /** Removes clean path `p` (not in a volume): from the writable layer, then with a whiteout if the image still shows it. */
  async #removeFromLayer(p: string): Promise<void> {
    if (this.#upper.get(p)) await this.#upper.remove(p);
    if (this.#lookupNode(p)) {
      await this.#copyUpParents(p);
      await this.#upper.writeFile(whiteoutName(p), EMPTY, { mode: 0o644, mtime: 0 });
    }
  }

  async #removeAt(p: string): Promise<void> {
    const m = this.#mountOf(p);
    if (m) await m[1].remove(this.#relIn(p, m[0]));
    else await this.#removeFromLayer(p);
    await this.#touch(parentPath(p));
  }

  /**
   * Creates a new entry at clean path `p` (absent from the view). In the
   * writable layer a whiteout of the same name is dropped, and a directory
   * made where the image had one becomes opaque (its old children stay hidden).
   */
  async #create(
    p: string,
    what:
      | { type: 'directory'; meta: CreateMeta }
      | { type: 'file'; meta: CreateMeta; body: FileBody }
      | { type: 'symlink'; meta: CreateMeta; target: string }
      | { type: 'char' | 'block' | 'fifo'; meta: CreateMeta; major: number; minor: number }
      | { type: 'link'; existing: string },
  ): Promise<void> {
    if (p === '') throw new AlreadyExistsError('the root already exists', { path: '/' });
    const m = this.#mountOf(p);
    if (m) {
      if (p === m[0]) throw new AlreadyExistsError(`${abs(p)} is a volume mount point`, { path: abs(p) });
      const t = m[1];
      const rel = this.#relIn(p, m[0]);
      switch (what.type) {
        case 'directory':
          await t.mkdir(rel, what.meta);
          break;
        case 'file':
          await t.writeFile(rel, what.body, what.meta);
          break;
        case 'symlink':
          await t.symlink(rel, what.target, what.meta);
          break;
        case 'link': {
          const em = this.#mountOf(what.existing);
          if (!em || em[0] !== m[0]) throw new InvalidArgumentError(`cannot hardlink across volumes: ${abs(what.existing)} -> ${abs(p)}`, { path: abs(p) });
          await t.link(rel, this.#relIn(what.existing, m[0]));
          break;
        }
        default:
          await t.mknod(rel, what.type, what.major, what.minor, what.meta);
      }
      await this.#touch(parentPath(p));
      return;
    }
    refuseMarkerName(p);
    if (what.type === 'link') {
      if (this.#mountOf(what.existing)) throw new InvalidArgumentError(`cannot hardlink across volumes: ${abs(what.existing)} -> ${abs(p)}`, { path: abs(p) });
      await this.#copyUp(what.existing);
    }
    await this.#copyUpParents(p);
    const wh = whiteoutName(p);
    const hadWhiteout = this.#upper.get(wh) !== undefined;
    if (hadWhiteout) await this.#upper.remove(wh);
    switch (what.type) {
      case 'directory':
        await this.#upper.mkdir(p, what.meta);
        if (hadWhiteout && this.#lower.lookup(p)?.type === 'directory') {
          await this.#upper.writeFile(opaqueName(p), EMPTY, { mode: 0o644, mtime: 0 });
          if (what.meta.mtime !== undefined) await this.#upper.setMeta(p, { mtime: what.meta.mtime });
        }
        break;
      case 'file':
        await this.#upper.writeFile(p, what.body, what.meta);
        break;
      case 'symlink':
        await this.#upper.symlink(p, what.target, what.meta);
        break;
      case 'link':
        await this.#upper.link(p, what.existing);
        break;
      default:
        await this.#upper.mknod(p, what.type, what.major, what.minor, what.meta);
    }
    await this.#touch(parentPath(p));
  }

  /** Replaces the content of the existing regular file at clean path `p`. */
  async #rewrite(p: string, body: FileBody): Promise<void> {
    const m = this.#mountOf(p);
    if (m) {
      await m[1].writeFile(this.#relIn(p, m[0]), body, { mtime: now() });
      return;
    }
    if (!this.#upper.get(p)) {
      // Copy-up of a file about to be overwritten needs its attributes, not its bytes.
      const e = this.#lookupNode(p)!.entry;
      await this.#copyUpParents(p);
      await this.#keepingParentTime(p, () => this.#upper.writeFile(p, body, { ...metaOf(e), mtime: now() }));
      return;
    }
    await this.#upper.writeFile(p, body, { mtime: now() });
  }

  async #setMetaAt(p: string, meta: TreeMeta): Promise<void> {
    const m = this.#mountOf(p);
    if (m) {
      await m[1].setMeta(this.#relIn(p, m[0]), meta);
      return;
    }
    if (p === '') throw new InvalidArgumentError('the attributes of the root are not part of a layer', { path: '/' });
    await this.#copyUp(p);
    await this.#upper.setMeta(p, meta);
  }

  /**
   * The contents of the image files below `src`, read with one pass per
   * layer (see bulk-read.ts), up to PREFETCH_BYTES; clean path -> bytes.
   */
  async #prefetchImageFiles(src: string, view: UnionView = this.#merged()): Promise<Map<string, Uint8Array>> {
    const out = new Map<string, Uint8Array>();
    if (view !== this.#lower && this.#mountOf(src)) return out;
    const top = view.lookup(src);
    if (!top) return out;
    const nodes = top.type === 'directory' ? [...view.walk(src)] : [top];
    const byLayer = new Map<number, Array<{ path: string; offset: number; size: number }>>();
    let budget = PREFETCH_BYTES;
    for (const n of nodes) {
      if (n.layer >= this.#lower.layerCount || (n.type !== 'file' && n.type !== 'hardlink')) continue;
      const f = fileSource(view, n);
      if (!f || f.entry.offset === undefined || f.entry.size === 0 || f.entry.size > budget) continue;
      budget -= f.entry.size;
      const list = byLayer.get(f.layer) ?? [];
      list.push({ path: n.path, offset: f.entry.offset, size: f.entry.size });
      byLayer.set(f.layer, list);
    }
    for (const [layer, files] of byLayer) {
      if (files.length < 2) continue; // one file: reading it alone costs the same
      const l = this.#image.layers[layer]!;
      const bytes = await readRanges(await this.#store.getBlob(l.digest, l.size), files);
      for (const f of files) out.set(f.path, bytes.get(f.offset)!);
    }
    return out;
  }

  /** Copies the subtree at `src` to the absent path `dst` (hardlinks inside it kept). */
  async #copyTree(src: string, dst: string): Promise<void> {
    const prefetched = await this.#prefetchImageFiles(src);
    const links = new Map<string, string>();
    const dirTimes: Array<[string, number]> = [];
    // A file of the writable layer, or of a volume, that also has a name
    // outside the moved tree keeps it: the moved name becomes a second name
    // of that file again, as rename(2) moves a name, not the file. (Image
    // files with several names are copied up apart, as overlayfs does; a
    // move between the layers and a volume, or between two volumes, copies,
    // as mv does across file systems.) Found on first need.
    const mount = this.#mountOf(src);
    const sameTree = this.#sameTree(src, dst);
    let outside: Map<string, string> | undefined;
    const outsideName = async (key: string): Promise<string | undefined> => {
      if (!sameTree || (!mount && !key.startsWith('u:'))) return undefined;
      if (!outside) {
        outside = new Map();
        if (mount) {
          for await (const x of mount[1].walk()) {
            const p = joinPath(mount[0], x.path);
            if (x.type === 'file' && x.linkKey !== undefined && !isWithin(p, src)) outside.set(x.linkKey, p);
          }
        } else {
          for (const [p, x] of this.#upper.entries) {
            if (x.type === 'file' && x.linkKey !== undefined && !isWithin(p, src) && !UpperLayer.isMarker(p)) outside.set(`u:${x.linkKey}`, p);
          }
        }
      }
      return outside.get(key);
    };
    const visit = async (s: string, d: string): Promise<void> => {
      const e = (await this.#lstatAt(s))!;
      const meta = metaOf(e);
      switch (e.type) {
        case 'directory':
          await this.#create(d, { type: 'directory', meta });
          for (const name of await this.#readdirAt(s)) await visit(joinPath(s, name), joinPath(d, name));
          dirTimes.push([d, e.mtime]);
          return;
        case 'file': {
          const first = e.linkKey === undefined ? undefined : (links.get(e.linkKey) ?? (await outsideName(e.linkKey)));
          if (first !== undefined && this.#sameTree(first, d)) {
            await this.#create(d, { type: 'link', existing: first });
            return;
          }
          await this.#create(d, { type: 'file', meta, body: prefetched.get(s) ?? (await this.#readAt(s, e)) });
          if (e.linkKey !== undefined) links.set(e.linkKey, d);
          return;
        }
        case 'symlink':
          await this.#create(d, { type: 'symlink', meta, target: e.linkname });
          return;
        default:
          await this.#create(d, { type: e.type as 'char' | 'block' | 'fifo', meta, major: e.devmajor, minor: e.devminor });
      }
    };
    await visit(src, dst);
    // Directory times last: making their children changed them (rule 17's order).
    for (let i = dirTimes.length - 1; i >= 0; i--) await this.#setMetaAt(dirTimes[i]![0], { mtime: dirTimes[i]![1] });
  }

  /**
   * @internal Called once by store.createContainer. Docker's rule for named
   * volumes: an empty volume mounted where the image has a directory gets a
   * copy of the image's files there (with their attributes and hardlinks),
   * so the container starts with what the image put at that path.
   */
  populateVolumes(): Promise<void> {
    return this.#run(async () => {
      const lower = this.#lower;
      for (const [mount, tree] of this.#mounts) {
        const top = lower.lookup(mount);
        if (top?.type !== 'directory') continue;
        let empty = true;
        for await (const _ of tree.walk()) {
          empty = false;
          break;
        }
        if (!empty) continue;
        const prefetched = await this.#prefetchImageFiles(mount, lower);
        const links = new Map<string, string>();
        const dirTimes: Array<[string, number]> = [];
        for (const n of lower.walk(mount)) {
          const e = entryOfNode(lower, n);
          const rel = this.#relIn(n.path, mount);
          const meta = metaOf(e);
          if (e.type === 'directory') {
            await tree.mkdir(rel, meta);
            dirTimes.push([rel, e.mtime]);
          } else if (e.type === 'file') {
            const first = e.linkKey === undefined ? undefined : links.get(e.linkKey);
            if (first !== undefined) await tree.link(rel, first);
            else {
              await tree.writeFile(rel, prefetched.get(n.path) ?? (await lower.readFile(n.path)), meta);
              if (e.linkKey !== undefined) links.set(e.linkKey, rel);
            }
          } else if (e.type === 'symlink') {
            await tree.symlink(rel, e.linkname, meta);
          } else {
            await tree.mknod(rel, e.type as 'char' | 'block' | 'fifo', e.devmajor, e.devminor, meta);
          }
        }
        for (let i = dirTimes.length - 1; i >= 0; i--) await tree.setMeta(dirTimes[i]![0], { mtime: dirTimes[i]![1] });
        await tree.setMeta('', metaOf(entryOfNode(lower, top)));
      }
    });
  }

  // ------------------------------------------------------------ reading

  /** Bytes of a file (symlinks followed); with 'utf8' a string. */
  readFile(path: string): Promise<Uint8Array>;
  readFile(path: string, encoding: 'utf8'): Promise<string>;
  readFile(path: string, encoding?: 'utf8'): Promise<Uint8Array | string> {
    return this.#run(async () => {
      const r = await this.#must(path, true);
      const b = await this.#readAt(r.path, r.entry);
      return encoding === 'utf8' ? new TextDecoder().decode(b) : b;
    });
  }

  /** The entry at `path`, symlinks followed. */
  stat(path: string): Promise<ContainerStat> {
    return this.#run(async () => this.#publicStat((await this.#must(path, true)).entry));
  }

  /** The entry at `path`; a final symlink is not followed. */
  lstat(path: string): Promise<ContainerStat> {
    return this.#run(async () => this.#publicStat((await this.#must(path, false)).entry));
  }

  /** True when `path` exists (symlinks followed). */
  exists(path: string): Promise<boolean> {
    return this.#run(async () => {
      try {
        return (await this.#resolve(path, true)).entry !== undefined;
      } catch (e) {
        if (e instanceof NotFoundError || e instanceof NotADirectoryError || e instanceof SymlinkLoopError) return false;
        throw e;
      }
    });
  }

  /** Names in a directory, sorted. */
  readdir(path: string): Promise<string[]> {
    return this.#run(async () => {
      const r = await this.#must(path, true);
      if (r.entry.type !== 'directory') throw new NotADirectoryError(`not a directory: ${JSON.stringify(path)}`, { path });
      return this.#readdirAt(r.path);
    });
  }

  /** Target of a symlink. */
  readlink(path: string): Promise<string> {
    return this.#run(async () => {
      const r = await this.#must(path, false);
      if (r.entry.type !== 'symlink') throw new InvalidArgumentError(`not a symbolic link: ${JSON.stringify(path)}`, { path });
      return r.entry.linkname;
    });
  }

  // ------------------------------------------------------------ writing

  /** Writes a file (created with `mode`, default 0644; an existing file keeps its attributes). */
  writeFile(path: string, data: WriteData, opts: WriteFileOptions = {}): Promise<void> {
    return this.#run(async () => {
      const body = toBody(data);
      const r = await this.#resolve(path, true);
      if (r.entry) {
        if (r.entry.type === 'directory') throw new IsADirectoryError(`is a directory: ${JSON.stringify(path)}`, { path });
        if (r.entry.type !== 'file') throw new InvalidArgumentError(`not a regular file: ${JSON.stringify(path)} (${r.entry.type})`, { path });
        await this.#rewrite(r.path, body);
        return;
      }
      await this.#create(r.path, { type: 'file', body, meta: { mode: opts.mode ?? 0o644, uid: 0, gid: 0, mtime: now() } });
    });
  }

  /** Makes a directory; with `recursive`, its missing parents too and no error when it exists. */
  mkdir(path: string, opts: MkdirOptions = {}): Promise<void> {
    return this.#run(() => this.#mkdir(path, opts));
  }

  async #mkdir(path: string, opts: MkdirOptions): Promise<void> {
    const meta = (): CreateMeta => ({ mode: opts.mode ?? 0o755, uid: 0, gid: 0, mtime: now() });
    if (!opts.recursive) {
      const r = await this.#resolve(path, false);
      if (r.entry) throw new AlreadyExistsError(`file exists: ${JSON.stringify(path)}`, { path });
      await this.#create(r.path, { type: 'directory', meta: meta() });
      return;
    }
    let r: Resolved;
    try {
      r = await this.#resolve(path, true);
    } catch (e) {
      const trimmed = path.replace(/\/+$/, '');
      const cut = trimmed.lastIndexOf('/');
      if (!(e instanceof NotFoundError) || cut <= 0) throw e;
      await this.#mkdir(trimmed.slice(0, cut), opts);
      r = await this.#resolve(path, true);
    }
    if (r.entry) {
      if (r.entry.type !== 'directory') throw new AlreadyExistsError(`file exists: ${JSON.stringify(path)}`, { path });
      return;
    }
    await this.#create(r.path, { type: 'directory', meta: meta() });
  }

  /** Removes a path (`recursive` for directories; `force`: no error when missing). */
  rm(path: string, opts: RmOptions = {}): Promise<void> {
    return this.#run(async () => {
      let r: Resolved;
      try {
        r = await this.#resolve(path, false);
      } catch (e) {
        if (opts.force && (e instanceof NotFoundError || e instanceof NotADirectoryError)) return;
        throw e;
      }
      if (!r.entry) {
        if (opts.force) return;
        throw new NotFoundError(`no such file or directory: ${JSON.stringify(path)}`, { path });
      }
      if (r.path === '') throw new InvalidArgumentError('cannot remove the root', { path });
      this.#refuseMountChange(r.path, 'remove');
      if (r.entry.type === 'directory' && !opts.recursive) throw new IsADirectoryError(`is a directory (use recursive): ${JSON.stringify(path)}`, { path });
      await this.#removeAt(r.path);
    });
  }

  /** Removes an empty directory. */
  rmdir(path: string): Promise<void> {
    return this.#run(async () => {
      const r = await this.#must(path, false);
      if (r.entry.type !== 'directory') throw new NotADirectoryError(`not a directory: ${JSON.stringify(path)}`, { path });
      if (r.path === '') throw new InvalidArgumentError('cannot remove the root', { path });
      this.#refuseMountChange(r.path, 'remove');
      if ((await this.#readdirAt(r.path)).length) throw new DirectoryNotEmptyError(`directory not empty: ${JSON.stringify(path)}`, { path });
      await this.#removeAt(r.path);
    });
  }

  /** Renames a file or directory (across layers and volumes), replacing a file or an empty directory at the target. */
  rename(oldPath: string, newPath: string): Promise<void> {
    return this.#run(async () => {
      const s = await this.#must(oldPath, false);
      const d = await this.#resolve(newPath, false);
      if (s.path === d.path) return;
      if (s.path === '' || d.path === '') throw new InvalidArgumentError('cannot rename the root', { path: oldPath });
      if (isWithin(d.path, s.path)) throw new InvalidArgumentError(`cannot move ${JSON.stringify(oldPath)} into itself (${JSON.stringify(newPath)})`, { path: oldPath });
      this.#refuseMountChange(s.path, 'rename');
      this.#refuseMountChange(d.path, 'replace');
      if (d.entry) {
        // Two names of one file: rename(2) does nothing.
        if (s.entry.type === 'file' && s.entry.linkKey !== undefined && d.entry.linkKey === s.entry.linkKey && this.#sameTree(s.path, d.path)) return;
        if (s.entry.type === 'directory') {
          if (d.entry.type !== 'directory') throw new NotADirectoryError(`not a directory: ${JSON.stringify(newPath)}`, { path: newPath });
          if ((await this.#readdirAt(d.path)).length) throw new DirectoryNotEmptyError(`directory not empty: ${JSON.stringify(newPath)}`, { path: newPath });
        } else if (d.entry.type === 'directory') {
          throw new IsADirectoryError(`is a directory: ${JSON.stringify(newPath)}`, { path: newPath });
        }
        await this.#removeAt(d.path);
      }
      await this.#copyTree(s.path, d.path);
      await this.#removeAt(s.path);
    });
  }

  /** Makes a symlink at `path` holding `target` (fs.symlink's argument order). */
  symlink(target: string, path: string): Promise<void> {
    return this.#run(async () => {
      if (typeof target !== 'string') throw new InvalidArgumentError('symlink target must be a string', { path });
      const r = await this.#resolve(path, false);
      if (r.entry) throw new AlreadyExistsError(`file exists: ${JSON.stringify(path)}`, { path });
      await this.#create(r.path, { type: 'symlink', target, meta: { mode: 0o777, uid: 0, gid: 0, mtime: now() } });
    });
  }

  /** Makes `newPath` a second name of the file at `existingPath` (fs.link's order). */
  link(existingPath: string, newPath: string): Promise<void> {
    return this.#run(async () => {
      const s = await this.#must(existingPath, false);
      if (s.entry.type === 'directory') throw new IsADirectoryError(`cannot hardlink a directory: ${JSON.stringify(existingPath)}`, { path: existingPath });
      const d = await this.#resolve(newPath, false);
      if (d.entry) throw new AlreadyExistsError(`file exists: ${JSON.stringify(newPath)}`, { path: newPath });
      await this.#create(d.path, { type: 'link', existing: s.path });
    });
  }

  /** Sets permission bits (symlinks followed). */
  chmod(path: string, mode: number): Promise<void> {
    return this.#run(async () => {
      if (!Number.isInteger(mode) || mode < 0) throw new InvalidArgumentError(`invalid mode ${String(mode)}`, { path });
      const r = await this.#must(path, true);
      await this.#setMetaAt(r.path, { mode: mode & 0o7777 });
    });
  }

  /** Sets owner and group (symlinks followed). */
  chown(path: string, uid: number, gid: number): Promise<void> {
    return this.#run(async () => {
      for (const id of [uid, gid]) if (!Number.isInteger(id) || id < 0) throw new InvalidArgumentError(`invalid owner id ${String(id)}`, { path });
      const r = await this.#must(path, true);
      await this.#setMetaAt(r.path, { uid, gid });
    });
  }

  /** Sets the modification time (layers keep no atime; it is accepted for fs compatibility). */
  utimes(path: string, _atime: Date | number, mtime: Date | number): Promise<void> {
    return this.#run(async () => {
      const t = toSeconds(mtime);
      const r = await this.#must(path, true);
      await this.#setMetaAt(r.path, { mtime: t });
    });
  }

  /** Cuts a file to `length` bytes or pads it with zeros. */
  truncate(path: string, length = 0): Promise<void> {
    return this.#run(async () => {
      if (!Number.isSafeInteger(length) || length < 0) throw new InvalidArgumentError(`invalid length ${String(length)}`, { path });
      const r = await this.#must(path, true);
      const old = await this.#readAt(r.path, r.entry);
      const b = new Uint8Array(length);
      b.set(old.subarray(0, Math.min(length, old.length)));
      await this.#rewrite(r.path, b);
    });
  }

  /**
   * The entry as stat shows it: with a linkKey only when the file has
   * another name here, as trees show it. The view keys every image file
   * (layer + path) and every file the container wrote, so that names can be
   * followed to their file; an image file's other names count while they
   * still show that file (a name copied up is a file of its own, as in
   * overlayfs).
   */
  async #publicStat(e: ContainerStat): Promise<ContainerStat> {
    const key = e.linkKey;
    if (key === undefined || e.origin === 'volume' || (e.origin === 'container' && key.startsWith('u:'))) return e;
    if (e.origin === 'image') {
      const self = e.path.slice(1);
      for (const p of this.#imageLinks().get(key) ?? []) {
        if (p === self) continue;
        const other = await this.#lstatAt(p);
        if (other?.origin === 'image' && other.linkKey === key) return e;
      }
    }
    const { linkKey: _k, ...rest } = e;
    return rest;
  }

  // ------------------------------------------------------------ changes

  /**
   * The changes against the image, as `docker diff` lists them: every path
   * of the writable layer is A (new) or C (the image has it — parents of a
   * change included), every deletion D; sorted by path. Volumes are left out.
   */
  diff(): Promise<Change[]> {
    return this.#run(async () => {
      const out = new Map<string, Change['kind']>();
      const lower = this.#lower;
      for (const e of this.#upper.entries.values()) {
        const w = parseWhiteout(e.path);
        if (!w) {
          out.set(e.path, lower.has(e.path) ? 'C' : 'A');
        } else if (w.kind === 'whiteout') {
          out.set(w.target, 'D');
        } else if (lower.lookup(w.dir)?.type === 'directory') {
          for (const name of lower.readdir(w.dir)) {
            const p = joinPath(w.dir, name);
            if (!this.#upper.get(p)) out.set(p, 'D');
          }
        }
      }
      return [...out]
        .sort((a, b) => comparePaths(a[0], b[0]))
        .map(([p, kind]) => ({ kind, path: abs(p) }));
    });
  }

  /**
   * The paths a commit has to compare, sorted: everything in the writable
   * layer, what its whiteouts delete, the image's children of its opaque
   * directories, and the image's other names of every file copied up. Any
   * other path shows the same entry in the image and in the container, so
   * leaving it out of both sides changes nothing in the layer.
   *
   * The other names matter because a copy-up parts a name from the image
   * file's other names (overlayfs does the same): an untouched name leaves
   * that group, and diffTrees sees it only when it sees the name.
   */
  #touchedPaths(): string[] {
    const set = new Set<string>();
    const links = this.#imageLinks();
    for (const e of this.#upper.entries.values()) {
      const w = parseWhiteout(e.path);
      if (!w) {
        set.add(e.path);
        const n = links.size > 0 ? this.#lower.lookup(e.path) : undefined;
        const key = n?.type === 'file' || n?.type === 'hardlink' ? entryOfNode(this.#lower, n).linkKey : undefined;
        for (const p of (key !== undefined && links.get(key)) || []) set.add(p);
      } else if (w.kind === 'whiteout') set.add(w.target);
      else if (this.#lower.lookup(w.dir)?.type === 'directory') {
        for (const name of this.#lower.readdir(w.dir)) set.add(joinPath(w.dir, name));
      }
    }
    return [...set].sort(comparePaths);
  }

  /**
   * A new image: the image's layers plus one made from the writable layer
   * (by diffTrees between the image and the container over the touched
   * paths: spec whiteouts, deterministic order), with a history entry. Stored, and tagged when asked.
   */
  commit(opts: CommitOptions = {}): Promise<Image> {
    return this.#run(async () => {
      const store = this.#store;
      const paths = this.#touchedPaths();
      const r = await diffTrees(new PathsTree(this.#lower, paths), new PathsTree(this.#merged(), paths), {
        compression: opts.compression ?? 'gzip',
        ...(opts.sourceDateEpoch !== undefined ? { sourceDateEpoch: opts.sourceDateEpoch } : {}),
      });
      // The layer is unreferenced until putImage writes the manifest: a lease keeps a gc in another process off it (as build does).
      const lease = await store.lease();
      try {
        await lease.add([r.digest]);
        await store.putBlob(r.bytes!, { digest: r.digest, size: r.size });
        return await this.#commitImage(r, opts);
      } finally {
        await lease.release();
      }
    });
  }

  /** The committed layer's Image: the image's layers plus it, a history entry; stored and tagged when asked. */
  async #commitImage(r: Awaited<ReturnType<typeof diffTrees>>, opts: CommitOptions): Promise<Image> {
    const store = this.#store;
    const created = opts.created === undefined ? new Date().toISOString() : new Date(opts.created).toISOString();
    const family = this.#image.mediaType === MediaType.dockerManifest ? 'docker' : 'oci';
    const mediaType = mediaTypeOfCompression(r.compression, family);
    const img = await this.#image.derive(({ config, layers }) => {
      layers.push({ mediaType, digest: r.digest, size: r.size });
      config.rootfs.diff_ids.push(r.diffId);
      const h: { created: string; created_by: string; author?: string } = {
        created,
        created_by: opts.message ?? `layerfs container commit ${this.name}`,
      };
      if (opts.author !== undefined) h.author = opts.author;
      config.history = [...(config.history ?? []), h];
      config.created = created;
      if (opts.author !== undefined) config.author = opts.author;
    });
    await store.putImage(img, opts.tag ? [opts.tag] : []);
    return img;
  }
}
