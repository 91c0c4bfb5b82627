/**
 * Applying a layer (a changeset tar) to a tree, as `umoci unpack`, containerd
 * and moby do, following OCI image-spec layer.md ("Applying Changesets",
 * "Whiteouts") and CONFORMANCE.md rules 7-19.
 *
 * ONE pass over the tar, bodies streamed straight into the tree (a 1 GiB
 * layer is never held in memory). What makes whiteouts order-independent
 * (rules 8 and 9) is a record of the paths this layer has written so far:
 *  - a whiteout or opaque marker met BEFORE the layer's own entries deletes
 *    the lower content at once; the layer's entries are written later anyway;
 *  - one met AFTER them deletes only what the layer did not write (and what
 *    is not a parent of something it wrote), found by walking that subtree.
 * So a whiteout hides only lower layers in either order, at the cost of a
 * walk of the whited-out subtree in the (rare) "after" order. Only paths are
 * remembered, never file contents.
 *
 * Path safety (rules 18-19): names are cleaned (`..` above the root is
 * UNSAFE_PATH) and every parent is resolved inside the tree with
 * TreeResolver, so symlinks — lower ones or the layer's own — never lead
 * outside the root; the entry itself is never followed (it is replaced).
 */
import { InvalidArgumentError } from '../errors/InvalidArgumentError.js';
import { InvalidTarError } from '../errors/InvalidTarError.js';
import { InvalidWhiteoutError } from '../errors/InvalidWhiteoutError.js';
import { UnsupportedError } from '../errors/UnsupportedError.js';
import { parseTar } from '../tar/index.js';
import type { TarHeader } from '../tar/types.js';
import { TreeResolver } from '../tree/resolve.js';
import { IMPLIED_DIR_MODE, type Tree, type TreeMeta } from '../tree/types.js';
import { openLayerTar, type LayerInput } from './layer-io.js';
import { baseName, cleanPath, comparePaths, isWithin, joinPath, parentPath } from './path.js';
import { isWhiteoutBase, parseWhiteout } from './whiteout.js';

export interface ApplyOptions {
  /**
   * Told about entries skipped on purpose (a device node the tree cannot
   * create, e.g. NodeDirTree without root). Without it such entries throw
   * UnsupportedError.
   */
  onWarning?: (message: string, path: string) => void;
  signal?: AbortSignal;
}

export interface ApplyStats {
  /** Entries read from the tar. */
  entries: number;
  /** Regular-file bytes written. */
  bytes: number;
  whiteouts: number;
  opaques: number;
  /** Whiteouts ignored because the same layer made their parent a non-directory (rule 12). */
  ignoredWhiteouts: number;
}

function metaOf(h: TarHeader): TreeMeta {
  return { mode: h.mode & 0o7777, uid: h.uid, gid: h.gid, uname: h.uname, gname: h.gname, mtime: h.mtime, xattrs: h.xattrs };
}

async function drain(body: AsyncIterable<Uint8Array>): Promise<void> {
  for await (const _ of body) {
    /* skip */
  }
}

class Applier {
  readonly stats: ApplyStats = { entries: 0, bytes: 0, whiteouts: 0, opaques: 0, ignoredWhiteouts: 0 };
  private readonly resolver: TreeResolver;
  /** Resolved paths this layer wrote (any type). */
  private readonly added = new Set<string>();
  /** Proper ancestors of `added` paths. */
  private readonly addedParents = new Set<string>();
  /** Resolved paths this layer made non-directories (rule 12). */
  private readonly addedNonDirs = new Set<string>();
  /**
   * Directories this apply created (empty at birth): a name below one that
   * the layer has not written yet cannot exist, so no lstat is needed — the
   * common case when unpacking a base layer (one syscall saved per file).
   */
  private readonly fresh = new Set<string>();
  /** Directories whose attributes are set at the end, after their children (rule 17). */
  private readonly dirMeta = new Map<string, TreeMeta>();

  constructor(
    private readonly tree: Tree,
    private readonly opts: ApplyOptions,
  ) {
    this.resolver = new TreeResolver(tree);
  }

  private markAdded(path: string, dir: boolean): void {
    this.added.add(path);
    if (dir) this.addedNonDirs.delete(path);
    else this.addedNonDirs.add(path);
    let p = path;
    while (p !== '') {
      p = parentPath(p);
      if (this.addedParents.has(p)) break;
      this.addedParents.add(p);
    }
  }

  /** True when the layer itself turned `path` or one of its parents into a non-directory. */
  private underAddedNonDir(path: string): boolean {
    if (this.addedNonDirs.size === 0) return false;
    for (let p = path; p !== ''; p = parentPath(p)) if (this.addedNonDirs.has(p)) return true;
    return false;
  }

  private async removePath(path: string): Promise<void> {
    const st = await this.tree.lstat(path);
    if (!st) return;
    await this.tree.remove(path);
    if (st.type === 'directory') {
      this.resolver.forget(path);
      for (const f of this.fresh) if (isWithin(f, path)) this.fresh.delete(f);
    }
  }

  /**
   * Makes every component of the resolved directory path `dir` a real
   * directory: missing ones become implied parents (rule 14, mode 0755);
   * a lower non-directory in the way is replaced (rule 13).
   */
  private async ensureDir(dir: string): Promise<void> {
    if (dir === '' || this.resolver.knowsDirectory(dir)) return;
    let p = '';
    // Below a directory this loop just made nothing exists: no lstat there (a deep new path costs one mkdir per level).
    let created = false;
    for (const seg of dir.split('/')) {
      p = joinPath(p, seg);
      if (!created) {
        if (await this.isDir(p)) continue;
        const st = await this.tree.lstat(p);
        if (st) await this.removePath(p);
      }
      created = true;
      await this.tree.mkdir(p, { mode: IMPLIED_DIR_MODE, uid: 0, gid: 0 });
      this.resolver.noteDirectory(p);
      this.fresh.add(p);
    }
  }

  private async isDir(p: string): Promise<boolean> {
    if (p === '') return true;
    const st = await this.tree.lstat(p);
    if (st?.type === 'directory') {
      this.resolver.noteDirectory(p);
      return true;
    }
    return false;
  }

  /** The resolved location of clean name `name`: parents resolved inside the root, last component literal. */
  private async locate(name: string): Promise<{ parent: string; path: string }> {
    const parent = await this.resolver.resolve(parentPath(name), true);
    return { parent, path: joinPath(parent, baseName(name)) };
  }

  async entry(header: TarHeader, body: AsyncIterable<Uint8Array>): Promise<void> {
    this.stats.entries++;
    // NUL cannot be in a file name or link target (POSIX), and no system resolves a path over 4096 bytes (Linux PATH_MAX): refuse both before resolving parents component by component.
    if (header.path.includes('\0') || (header.linkname ?? '').includes('\0')) throw new InvalidTarError(`NUL byte in the name or link target of ${JSON.stringify(header.path)}`, { path: header.path });
    if (header.path.length > 4096 || (header.linkname ?? '').length > 4096) throw new InvalidTarError(`name or link target longer than 4096 bytes: ${JSON.stringify(header.path.slice(0, 64))}...`, { path: header.path.slice(0, 256) });
    const name = cleanPath(header.path);
    if (name === '') {
      // `./` re-emitted: attributes only; the root's type never changes (rule 18).
      if (header.type === 'directory') this.dirMeta.set('', metaOf(header));
      return drain(body);
    }
    // Below a `.wh.` name nothing can exist, whiteouts and opaque markers included
    // (they would otherwise create the `.wh.` directory they sit in).
    const segs = name.split('/');
    for (let i = 0; i < segs.length - 1; i++) {
      if (isWhiteoutBase(segs[i]!)) {
        throw new InvalidWhiteoutError(`entry below a whiteout name: ${JSON.stringify(header.path)}`, { path: header.path });
      }
    }
    const wo = parseWhiteout(name);
    if (wo) {
      await drain(body);
      if (wo.kind === 'opaque') return this.opaque(wo.dir);
      return this.whiteout(wo.target);
    }
    const { parent, path } = await this.locate(name);
    // The same through a symlink (`h -> .wh.x`, then `h/a`): no `.wh.` directory is ever made.
    if (parent.includes('.wh.') && parent.split('/').some(isWhiteoutBase)) {
      throw new InvalidWhiteoutError(`entry below a whiteout name (through a symlink): ${JSON.stringify(header.path)}`, { path: header.path });
    }
    // Below a file this same layer wrote (file `b`, then `b/a`; symlinks are followed by locate): dropped,
    // as the union view does (rule 12 for whiteouts; GNU tar and containerd fail with ENOTDIR there),
    // never turning `b` into a directory.
    if (this.underAddedNonDir(parent)) return drain(body);
    await this.ensureDir(parent);
    const existing = this.fresh.has(parent) && !this.added.has(path) ? undefined : await this.tree.lstat(path);
    const meta = metaOf(header);
    switch (header.type) {
      case 'directory': {
        if (existing?.type !== 'directory') {
          if (existing) await this.removePath(path);
          // Owner-writable while children are written; final mode set at the end.
          await this.tree.mkdir(path, { ...meta, mode: (meta.mode! | 0o700) & 0o7777 });
          this.fresh.add(path);
        }
        this.resolver.noteDirectory(path);
        this.dirMeta.set(path, meta);
        this.markAdded(path, true);
        return drain(body);
      }
      case 'file': {
        // Unlink first: writing through an existing hardlink would change its other names.
        if (existing) await this.removePath(path);
        this.dirMeta.delete(path);
        // The tar reader delivers exactly header.size bytes or fails (INVALID_TAR).
        await this.tree.writeFile(path, body, meta);
        this.stats.bytes += header.size;
        this.markAdded(path, false);
        return;
      }
      case 'symlink': {
        if (existing) await this.removePath(path);
        this.dirMeta.delete(path);
        await this.tree.symlink(path, header.linkname, meta);
        this.markAdded(path, false);
        return drain(body);
      }
      case 'hardlink': {
        await drain(body);
        return this.hardlink(header, path, existing !== undefined);
      }
      case 'char':
      case 'block':
      case 'fifo': {
        if (existing) await this.removePath(path);
        this.dirMeta.delete(path);
        try {
          await this.tree.mknod(path, header.type, header.devmajor, header.devminor, meta);
        } catch (e) {
          // A tree that cannot make device nodes (Node without root): skip with a warning if asked to.
          if (!(e instanceof UnsupportedError) || !this.opts.onWarning) throw e;
          this.opts.onWarning(`skipped ${header.type} device: ${e.message}`, path);
          return drain(body);
        }
        this.markAdded(path, false);
        return drain(body);
      }
      default:
        throw new InvalidTarError(`unsupported entry type ${String((header as TarHeader).type)}`, { path: header.path });
    }
  }

  private async hardlink(header: TarHeader, path: string, exists: boolean): Promise<void> {
    // cleanPath throws UNSAFE_PATH for a target that climbs above the root (rule 19).
    const targetName = cleanPath(header.linkname);
    if (targetName === '') throw new InvalidTarError(`hardlink ${JSON.stringify(header.path)} has no target`, { path: header.path });
    const target = (await this.locate(targetName)).path;
    const st = await this.tree.lstat(target);
    if (!st) {
      // Rule 17: the target must come earlier in this layer or exist below.
      throw new InvalidTarError(`hardlink target ${JSON.stringify(header.linkname)} does not exist`, { path: header.path, linkname: header.linkname });
    }
    if (st.type === 'directory') {
      throw new InvalidTarError(`hardlink to a directory: ${JSON.stringify(header.linkname)}`, { path: header.path, linkname: header.linkname });
    }
    if (target === path) {
      // A link to itself: the file stays as it is, but it is now this
      // layer's entry, which this layer's whiteouts and opaque markers do
      // not remove (rules 8, 9; the union view sees the entry the same way).
      this.markAdded(path, false);
      return;
    }
    if (exists) await this.removePath(path);
    this.dirMeta.delete(path);
    await this.tree.link(path, target);
    this.markAdded(path, false);
  }

  /** `.wh.NAME`: delete NAME from the lower layers (rules 7, 8, 12). */
  private async whiteout(targetName: string): Promise<void> {
    this.stats.whiteouts++;
    const dirName = parentPath(targetName);
    const dir = await this.resolver.resolve(dirName, true);
    if (this.underAddedNonDir(dirName) || this.underAddedNonDir(dir)) {
      this.stats.ignoredWhiteouts++;
      return;
    }
    if (!(await this.isDir(dir))) return; // nothing below to delete
    await this.removeLower(joinPath(dir, baseName(targetName)));
  }

  /** `.wh..wh..opq`: hide every lower child of the directory (rule 9). */
  private async opaque(dirName: string): Promise<void> {
    this.stats.opaques++;
    const dir = await this.resolver.resolve(dirName, true);
    if (this.underAddedNonDir(dirName) || this.underAddedNonDir(dir)) {
      this.stats.ignoredWhiteouts++;
      return;
    }
    // No directory there: nothing below to hide. Like a whiteout (rule 7), the marker
    // creates nothing (the union view agrees; it made a lower file `b` a directory here).
    if (!(await this.isDir(dir))) return;
    await this.clearLowerBelow(dir);
  }

  private async removeLower(path: string): Promise<void> {
    if (!this.added.has(path) && !this.addedParents.has(path)) {
      await this.removePath(path);
      return;
    }
    // The layer already wrote this path or below it: keep that, drop the rest (rule 8).
    await this.clearLowerBelow(path);
    if (!this.added.has(path)) {
      // Only implied by the layer's own children: it is a fresh implied parent now.
      await this.tree.setMeta(path, { mode: IMPLIED_DIR_MODE, uid: 0, gid: 0, xattrs: {} });
    }
  }

  /** Removes everything strictly below `dir` that this layer did not write. */
  private async clearLowerBelow(dir: string): Promise<void> {
    const doomed: string[] = [];
    let skip: string | undefined;
    for await (const e of this.tree.walk(dir)) {
      if (e.path === dir) continue;
      if (skip !== undefined && isWithin(e.path, skip)) continue;
      skip = undefined;
      if (this.added.has(e.path) || this.addedParents.has(e.path)) continue;
      doomed.push(e.path);
      skip = e.path;
    }
    for (const p of doomed) await this.removePath(p);
  }

  /** Directory attributes, deepest first, so writing children cannot disturb a parent's mtime (rule 17). */
  async finish(): Promise<void> {
    const dirs = [...this.dirMeta.keys()].sort(comparePaths).reverse();
    for (const d of dirs) {
      const st = await this.tree.lstat(d);
      if (st?.type === 'directory') await this.tree.setMeta(d, this.dirMeta.get(d)!);
    }
  }
}

/**
 * Applies a layer (tar, gzip or zstd — detected from its bytes) to `tree`.
 * Errors: InvalidTarError (malformed tar, hardlink to nothing), UnsafePathError
 * (names or hardlinks climbing out of the root), InvalidWhiteoutError.
 */
export async function applyLayer(layer: LayerInput, tree: Tree, opts: ApplyOptions = {}): Promise<ApplyStats> {
  if (!tree || typeof tree.walk !== 'function') throw new InvalidArgumentError('applyLayer needs a tree');
  const { tar } = await openLayerTar(layer);
  const applier = new Applier(tree, opts);
  for await (const e of parseTar(tar)) {
    opts.signal?.throwIfAborted();
    await applier.entry(e.header, e.body);
  }
  await applier.finish();
  return applier.stats;
}
