/**
 * A file tree held in memory (browser-safe): what tests, the union view's
 * copy-up and embedders use when there is no disk. Hardlinks are two names
 * for one node object, so they share content and attributes as on a real
 * file system. Intermediate components are looked up literally: a symlink in
 * the middle of a path is not followed (callers resolve with TreeResolver).
 */
import { AlreadyExistsError } from '../errors/AlreadyExistsError.js';
import { InvalidArgumentError } from '../errors/InvalidArgumentError.js';
import { NotFoundError } from '../errors/NotFoundError.js';
import { baseName, parentPath } from '../layer/path.js';
import { applyNodeMeta, lookupNode, newNodeAttrs, nodeEntry, parentNode, walkNodes, type NodeAttrs } from './nodes.js';
import type { CreateMeta, FileBody, Tree, TreeEntry, TreeEntryType, TreeMeta } from './types.js';
import { copyBytes } from '../tar/bytes.js';

interface MemNode extends NodeAttrs<Record<string, Uint8Array>> {
  id: number;
  data?: Uint8Array;
  children?: Map<string, MemNode>;
}

const EMPTY = new Uint8Array(0);

function copyXattrs(x: Record<string, Uint8Array> | undefined): Record<string, Uint8Array> {
  const out: Record<string, Uint8Array> = {};
  if (x) for (const k of Object.keys(x)) out[k] = copyBytes(x[k]!);
  return out;
}

async function collect(body: FileBody): Promise<Uint8Array> {
  if (body instanceof Uint8Array) return copyBytes(body);
  const parts: Uint8Array[] = [];
  let n = 0;
  if ('getReader' in body && typeof body.getReader === 'function') {
    const reader = body.getReader();
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      parts.push(value);
      n += value.byteLength;
    }
  } else {
    // Chunks may be views into buffers the producer reuses: copy each.
    for await (const c of body as AsyncIterable<Uint8Array>) {
      parts.push(copyBytes(c));
      n += c.byteLength;
    }
  }
  const out = new Uint8Array(n);
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.byteLength;
  }
  return out;
}

/** A description of one entry for MemoryTree.from (tests and examples). */
export interface MemoryEntrySpec {
  path: string;
  type?: TreeEntryType | 'hardlink';
  /** File content (string is UTF-8 encoded). */
  content?: string | Uint8Array;
  /** Symlink or hardlink target. */
  linkname?: string;
  mode?: number;
  uid?: number;
  gid?: number;
  mtime?: number;
  devmajor?: number;
  devminor?: number;
  xattrs?: Record<string, Uint8Array>;
}

export class MemoryTree implements Tree {
  private nextId = 1;
  private readonly root: MemNode;

  constructor() {
    this.root = this.node('directory', { mode: 0o755 });
  }

  /**
   * Builds a tree from entry descriptions, in order; parents are created as
   * needed (mode 0755, mtime 0) and a later spec replaces an earlier one.
   */
  static async from(specs: MemoryEntrySpec[]): Promise<MemoryTree> {
    const t = new MemoryTree();
    const enc = new TextEncoder();
    for (const s of specs) {
      const meta: CreateMeta = { mode: s.mode, uid: s.uid, gid: s.gid, mtime: s.mtime ?? 0, xattrs: s.xattrs };
      const parts = s.path.split('/').filter((x) => x !== '');
      for (let i = 1; i < parts.length; i++) {
        const p = parts.slice(0, i).join('/');
        const st = await t.lstat(p);
        if (st?.type === 'directory') continue;
        if (st) await t.remove(p); // a later spec below a non-directory replaces it
        await t.mkdir(p, { mode: 0o755, mtime: 0 });
      }
      const path = parts.join('/');
      const type = s.type ?? (s.content !== undefined ? 'file' : 'directory');
      if (type !== 'directory' && (await t.lstat(path))) await t.remove(path);
      switch (type) {
        case 'file':
          await t.writeFile(path, typeof s.content === 'string' ? enc.encode(s.content) : (s.content ?? EMPTY), meta);
          break;
        case 'directory': {
          const st = await t.lstat(path);
          if (st?.type === 'directory') await t.setMeta(path, meta);
          else {
            if (st) await t.remove(path);
            await t.mkdir(path, meta);
          }
          break;
        }
        case 'symlink':
          await t.symlink(path, s.linkname ?? '', meta);
          break;
        case 'hardlink':
          await t.link(path, s.linkname ?? '');
          break;
        default:
          await t.mknod(path, type, s.devmajor ?? 0, s.devminor ?? 0, meta);
      }
    }
    return t;
  }

  private node(type: TreeEntryType, meta: CreateMeta = {}): MemNode {
    return { id: this.nextId++, ...newNodeAttrs(type, meta, copyXattrs), children: type === 'directory' ? new Map() : undefined };
  }

  private find(path: string): MemNode | undefined {
    return lookupNode(this.root, path, (n, name) => n.children?.get(name));
  }

  private parentFor(path: string): MemNode {
    return parentNode(path, (p) => this.find(p));
  }

  private insert(path: string, node: MemNode): void {
    const parent = this.parentFor(path);
    const name = baseName(path);
    if (parent.children!.has(name)) throw new AlreadyExistsError(`${JSON.stringify(path)} already exists`, { path });
    parent.children!.set(name, node);
    node.nlink++;
  }

  private entry(path: string, n: MemNode): TreeEntry {
    return nodeEntry(path, n, n.data?.byteLength ?? 0, copyXattrs(n.xattrs), `mem:${n.id}`);
  }

  async *walk(under = ''): AsyncIterable<TreeEntry> {
    yield* walkNodes(
      under,
      this.find(under),
      (n) => n.type === 'directory',
      (n) => n.children && [...n.children],
      (p, n) => this.entry(p, n),
    );
  }

  async lstat(path: string): Promise<TreeEntry | undefined> {
    const n = this.find(path);
    return n ? this.entry(path, n) : undefined;
  }

  readFile(path: string): ReadableStream<Uint8Array> {
    const n = this.find(path);
    if (!n || n.type !== 'file') throw new NotFoundError(`${JSON.stringify(path)} is not a regular file`, { path });
    const data = n.data!;
    return new ReadableStream<Uint8Array>({
      start(c) {
        if (data.byteLength) c.enqueue(copyBytes(data));
        c.close();
      },
    });
  }

  /** A regular file's bytes at once (no copy; do not modify). */
  readFileBytes(path: string): Uint8Array {
    const n = this.find(path);
    if (!n || n.type !== 'file') throw new NotFoundError(`${JSON.stringify(path)} is not a regular file`, { path });
    return n.data!;
  }

  async mkdir(path: string, meta?: CreateMeta): Promise<void> {
    this.insert(path, this.node('directory', meta));
  }

  async writeFile(path: string, body: FileBody, meta?: CreateMeta): Promise<void> {
    const data = await collect(body);
    const existing = this.find(path);
    if (existing) {
      if (existing.type !== 'file') throw new AlreadyExistsError(`${JSON.stringify(path)} exists and is not a file`, { path });
      existing.data = data;
      if (meta) await this.setMeta(path, meta);
      return;
    }
    const n = this.node('file', meta);
    n.data = data;
    this.insert(path, n);
  }

  async symlink(path: string, target: string, meta?: CreateMeta): Promise<void> {
    const n = this.node('symlink', { mode: 0o777, ...meta });
    n.target = target;
    this.insert(path, n);
  }

  async link(path: string, existing: string): Promise<void> {
    const n = this.find(existing);
    if (!n) throw new NotFoundError(`hardlink target ${JSON.stringify(existing)} does not exist`, { path: existing });
    if (n.type === 'directory') throw new InvalidArgumentError(`cannot hardlink the directory ${JSON.stringify(existing)}`, { path });
    this.insert(path, n);
  }

  async mknod(path: string, type: 'char' | 'block' | 'fifo', devmajor: number, devminor: number, meta?: CreateMeta): Promise<void> {
    const n = this.node(type, meta);
    if (type !== 'fifo') {
      n.devmajor = devmajor;
      n.devminor = devminor;
    }
    this.insert(path, n);
  }

  async remove(path: string): Promise<void> {
    if (path === '') {
      for (const name of [...this.root.children!.keys()]) await this.remove(name);
      return;
    }
    const parent = this.find(parentPath(path));
    const name = baseName(path);
    const n = parent?.children?.get(name);
    if (!n) return;
    parent!.children!.delete(name);
    // Every node of the removed subtree loses the name it had there.
    const stack = [n];
    while (stack.length) {
      const x = stack.pop()!;
      x.nlink--;
      if (x.children) for (const c of x.children.values()) stack.push(c);
    }
  }

  async setMeta(path: string, meta: TreeMeta): Promise<void> {
    const n = this.find(path);
    if (!n) throw new NotFoundError(`${JSON.stringify(path)} does not exist`, { path });
    applyNodeMeta(n, meta, copyXattrs);
  }
}
