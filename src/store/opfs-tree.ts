/**
 * A writable file tree in an OPFS directory: what the OPFS backend hands
 * out as a store area (a container's writable layer, a volume). The Origin
 * Private File System keeps only names and bytes, so the tree keeps its
 * structure and attributes (types, modes, owners, mtimes, xattrs, symlink
 * targets, device numbers, hardlinks) in `tree.json`, an inode table it
 * rewrites atomically (createWritable's swap file) after every change, and
 * each regular file's bytes in `data/<inode>`. Semantics follow MemoryTree
 * (src/tree/memory.ts): hardlinks are two names of one inode; intermediate
 * symlinks are not followed. Every change rewrites tree.json, so it suits the
 * small trees of writable layers better than unpacking large images.
 */
import { AlreadyExistsError } from '../errors/AlreadyExistsError.js';
import { CorruptStoreError } from '../errors/CorruptStoreError.js';
import { InvalidArgumentError } from '../errors/InvalidArgumentError.js';
import { NotFoundError } from '../errors/NotFoundError.js';
import { baseName, parentPath } from '../layer/path.js';
import { applyNodeMeta, lookupNode, newNodeAttrs, nodeEntry, parentNode, walkNodes, type NodeAttrs } from '../tree/nodes.js';
import type { CreateMeta, FileBody, Tree, TreeEntry, TreeEntryType, TreeMeta } from '../tree/types.js';
import { fromBase64, toBase64 } from './base64.js';

/** One inode of tree.json; xattr values are base64 (JSON has no bytes). */
interface Inode extends NodeAttrs<Record<string, string>> {
  size: number;
  /** Directory entries: name -> inode number. */
  children?: Record<string, number>;
}

interface State {
  v: 1;
  next: number;
  inodes: Record<string, Inode>;
}

const ROOT = 1;
const META = 'tree.json';

function encodeXattrs(x: Record<string, Uint8Array> | undefined): Record<string, string> {
  return Object.fromEntries(Object.entries(x ?? {}).map(([k, v]) => [k, toBase64(v)]));
}

async function* chunksOf(body: FileBody): AsyncGenerator<Uint8Array> {
  if (body instanceof Uint8Array) {
    yield body;
    return;
  }
  if (typeof (body as ReadableStream<Uint8Array>).getReader === 'function') {
    const r = (body as ReadableStream<Uint8Array>).getReader();
    for (;;) {
      const { done, value } = await r.read();
      if (done) return;
      yield value;
    }
  }
  for await (const c of body as AsyncIterable<Uint8Array>) yield c;
}

export class OpfsTree implements Tree {
  readonly #dir: FileSystemDirectoryHandle;
  #state: State;
  #queue: Promise<unknown> = Promise.resolve();

  private constructor(dir: FileSystemDirectoryHandle, state: State) {
    this.#dir = dir;
    this.#state = state;
  }

  /** Open (or create empty) the tree kept in `dir`. */
  static async open(dir: FileSystemDirectoryHandle): Promise<OpfsTree> {
    let state: State | undefined;
    try {
      const text = await (await (await dir.getFileHandle(META)).getFile()).text();
      state = JSON.parse(text) as State;
      if (state?.v !== 1 || !state.inodes?.[ROOT]) throw new Error('bad');
    } catch (e) {
      if ((e as { name?: string })?.name !== 'NotFoundError') {
        throw new CorruptStoreError(`${META} of an OPFS area cannot be read`, { name: dir.name }, { cause: e });
      }
      state = { v: 1, next: ROOT + 1, inodes: { [ROOT]: { type: 'directory', mode: 0o755, uid: 0, gid: 0, uname: '', gname: '', mtime: 0, xattrs: {}, nlink: 1, size: 0, devmajor: 0, devminor: 0, children: {} } } };
    }
    return new OpfsTree(dir, state);
  }

  /** Run mutations one at a time (each ends by persisting the table). */
  #serial<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.#queue.then(fn, fn);
    this.#queue = run.catch(() => {});
    return run;
  }

  async #persist(): Promise<void> {
    const w = await (await this.#dir.getFileHandle(META, { create: true })).createWritable();
    await w.write(JSON.stringify(this.#state));
    await w.close();
  }

  async #dataDir(): Promise<FileSystemDirectoryHandle> {
    return this.#dir.getDirectoryHandle('data', { create: true });
  }

  #find(path: string): number | undefined {
    return lookupNode(ROOT, path, (ino, name) => this.#state.inodes[ino]!.children?.[name]);
  }

  #parentFor(path: string): Inode {
    return parentNode(path, (p) => {
      const ino = this.#find(p);
      return ino === undefined ? undefined : this.#state.inodes[ino];
    });
  }

  #newInode(type: TreeEntryType, meta: CreateMeta = {}): [number, Inode] {
    const ino = this.#state.next++;
    const n: Inode = { ...newNodeAttrs(type, meta, encodeXattrs), size: 0 };
    if (type === 'directory') n.children = {};
    return [ino, n];
  }

  #insert(path: string, ino: number, n: Inode): void {
    const parent = this.#parentFor(path);
    const name = baseName(path);
    if (parent.children![name] !== undefined) throw new AlreadyExistsError(`${JSON.stringify(path)} already exists`, { path });
    this.#state.inodes[ino] = n;
    parent.children![name] = ino;
    n.nlink++;
  }

  #entry(path: string, ino: number, n: Inode = this.#state.inodes[ino]!): TreeEntry {
    return nodeEntry(path, n, n.size, Object.fromEntries(Object.entries(n.xattrs).map(([k, v]) => [k, fromBase64(v)])), `opfs:${ino}`);
  }

  async *walk(under = ''): AsyncIterable<TreeEntry> {
    // Inodes travel with their numbers: an entry removed while the walk runs is
    // still reported from the inode the listing saw, as MemoryTree does.
    const start = this.#find(under);
    yield* walkNodes(
      under,
      start === undefined ? undefined : { ino: start, n: this.#state.inodes[start]! },
      (x) => x.n.type === 'directory',
      (x) => x.n.children && Object.entries(x.n.children).map(([name, ino]) => [name, { ino, n: this.#state.inodes[ino]! }]),
      (p, x) => this.#entry(p, x.ino, x.n),
    );
  }

  async lstat(path: string): Promise<TreeEntry | undefined> {
    const ino = this.#find(path);
    return ino === undefined ? undefined : this.#entry(path, ino);
  }

  readFile(path: string): ReadableStream<Uint8Array> {
    const ino = this.#find(path);
    const n = ino === undefined ? undefined : this.#state.inodes[ino];
    if (!n || n.type !== 'file') throw new NotFoundError(`${JSON.stringify(path)} is not a regular file`, { path });
    let reader: ReadableStreamDefaultReader<Uint8Array> | undefined;
    const empty = n.size === 0;
    return new ReadableStream<Uint8Array>({
      pull: async (c) => {
        if (empty) return c.close();
        reader ??= ((await (await (await this.#dataDir()).getFileHandle(String(ino))).getFile()).stream() as ReadableStream<Uint8Array>).getReader();
        const { done, value } = await reader.read();
        if (done) c.close();
        else c.enqueue(value);
      },
      cancel: () => reader?.cancel(),
    });
  }

  async #writeData(ino: number, body: FileBody): Promise<number> {
    const w = await (await (await this.#dataDir()).getFileHandle(String(ino), { create: true })).createWritable();
    let size = 0;
    try {
      for await (const c of chunksOf(body)) {
        size += c.byteLength;
        await w.write(c as Uint8Array<ArrayBuffer>);
      }
      await w.close();
    } catch (e) {
      await w.abort().catch(() => {});
      throw e;
    }
    return size;
  }

  mkdir(path: string, meta?: CreateMeta): Promise<void> {
    return this.#serial(async () => {
      const [ino, n] = this.#newInode('directory', meta);
      this.#insert(path, ino, n);
      await this.#persist();
    });
  }

  writeFile(path: string, body: FileBody, meta?: CreateMeta): Promise<void> {
    return this.#serial(async () => {
      const existing = this.#find(path);
      if (existing !== undefined) {
        const n = this.#state.inodes[existing]!;
        if (n.type !== 'file') throw new AlreadyExistsError(`${JSON.stringify(path)} exists and is not a file`, { path });
        n.size = await this.#writeData(existing, body);
        if (meta) applyNodeMeta(n, meta, encodeXattrs);
      } else {
        this.#parentFor(path);
        const [ino, n] = this.#newInode('file', meta);
        try {
          n.size = await this.#writeData(ino, body);
        } catch (e) {
          await (await this.#dataDir()).removeEntry(String(ino)).catch(() => {});
          throw e;
        }
        this.#insert(path, ino, n);
      }
      await this.#persist();
    });
  }

  symlink(path: string, target: string, meta?: CreateMeta): Promise<void> {
    return this.#serial(async () => {
      const [ino, n] = this.#newInode('symlink', { mode: 0o777, ...meta });
      n.target = target;
      this.#insert(path, ino, n);
      await this.#persist();
    });
  }

  link(path: string, existing: string): Promise<void> {
    return this.#serial(async () => {
      const ino = this.#find(existing);
      if (ino === undefined) throw new NotFoundError(`hardlink target ${JSON.stringify(existing)} does not exist`, { path: existing });
      const n = this.#state.inodes[ino]!;
      if (n.type === 'directory') throw new InvalidArgumentError(`cannot hardlink the directory ${JSON.stringify(existing)}`, { path });
      this.#insert(path, ino, n);
      await this.#persist();
    });
  }

  mknod(path: string, type: 'char' | 'block' | 'fifo', devmajor: number, devminor: number, meta?: CreateMeta): Promise<void> {
    return this.#serial(async () => {
      const [ino, n] = this.#newInode(type, meta);
      if (type !== 'fifo') {
        n.devmajor = devmajor;
        n.devminor = devminor;
      }
      this.#insert(path, ino, n);
      await this.#persist();
    });
  }

  remove(path: string): Promise<void> {
    return this.#serial(async () => {
      const dead: number[] = [];
      const drop = (ino: number) => {
        const stack = [ino];
        while (stack.length) {
          const x = stack.pop()!;
          const n = this.#state.inodes[x]!;
          if (n.children) for (const c of Object.values(n.children)) stack.push(c);
          if (--n.nlink === 0) {
            delete this.#state.inodes[x];
            if (n.type === 'file') dead.push(x);
          }
        }
      };
      if (path === '') {
        const root = this.#state.inodes[ROOT]!;
        for (const [name, c] of Object.entries(root.children!)) {
          delete root.children![name];
          drop(c);
        }
      } else {
        const p = this.#find(parentPath(path));
        const parent = p === undefined ? undefined : this.#state.inodes[p];
        const ino = parent?.children?.[baseName(path)];
        if (ino === undefined) return;
        delete parent!.children![baseName(path)];
        drop(ino);
      }
      await this.#persist();
      const data = await this.#dataDir();
      for (const x of dead) await data.removeEntry(String(x)).catch(() => {});
    });
  }

  setMeta(path: string, meta: TreeMeta): Promise<void> {
    return this.#serial(async () => {
      const ino = this.#find(path);
      if (ino === undefined) throw new NotFoundError(`${JSON.stringify(path)} does not exist`, { path });
      applyNodeMeta(this.#state.inodes[ino]!, meta, encodeXattrs);
      await this.#persist();
    });
  }
}
