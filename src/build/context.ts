/**
 * The build context: the files COPY and ADD read (browser-safe part).
 * A context is any src/tree TreeReader (a Node directory through
 * layerfs/node, a MemoryTree), an in-memory file map, or browser File
 * objects (from <input type=file webkitdirectory> or a drop).
 */
import { InvalidArgumentError } from '../errors/InvalidArgumentError.js';
import { NotFoundError } from '../errors/NotFoundError.js';
import { collectWalk, readBytes } from '../layer/diff.js';
import { cleanPath, comparePaths, parentPath } from '../layer/path.js';
import type { TreeEntry, TreeReader } from '../tree/types.js';

export interface ContextEntry {
  /** Clean path relative to the context root. */
  path: string;
  type: TreeEntry['type'];
  /** Permission bits. */
  mode: number;
  size: number;
  /** Seconds since the epoch. */
  mtime: number;
  /** Symlink target. */
  linkname: string;
}

export interface BuildContext {
  /** Where the context is, for messages. */
  readonly description: string;
  /** Every entry (root excluded), sorted with comparePaths. */
  list(): Promise<ContextEntry[]>;
  /** A regular file's bytes (NotFoundError when absent). */
  readBytes(path: string): Promise<Uint8Array>;
  /** A regular file's bytes as a stream. */
  readStream(path: string): ReadableStream<Uint8Array>;
  /**
   * Optional: several small files at once, given the sizes list() reported
   * (a backend may read them into one buffer). Same errors as readBytes.
   */
  readMany?(paths: string[], sizes: number[]): Promise<Uint8Array[]>;
  /**
   * Optional, for backends that read synchronously (Node directories): a
   * regular file's bytes in a buffer the context reuses, so valid only until
   * the next call (the layer writer copies them at once). Undefined when the
   * file is not read this way (then readStream). With `onDigest`, it is
   * also told the `sha256:<hex>` of the bytes read (inputs hashed in the
   * same pass as the layer is written). Same errors as readBytes.
   */
  readTransient?(path: string, size: number, onDigest?: (digest: string) => void): Uint8Array | undefined;
  /**
   * Optional: `sha256:<hex>` of the content of several files, read without
   * keeping their bytes (one reused buffer instead of a buffer per file).
   * Same errors as readBytes.
   */
  digestMany?(paths: string[], sizes: number[]): Promise<string[]>;
  /**
   * Optional (Node directories): content digests remembered between builds
   * (see ContextDigestMemo), so that a rebuild does not read files that are
   * provably unchanged.
   */
  readonly digestMemo?: ContextDigestMemo;
}

/** A remembered file: the stamp it had when it was hashed (inode, size, mtime and ctime in ms), and its `sha256:<hex>`. */
export type RememberedDigest = [ino: number, size: number, mtimeMs: number, ctimeMs: number, digest: string];

/**
 * Content digests a context remembers between builds, as BuildKit's content
 * hash cache and git's index do: a file is hashed again unless its stamp
 * (inode, size, modification and change times, to the sub-second) is the
 * one it had when it was hashed. Cache keys still hold the content digest
 * and never a time; the stamp only says when the digest is still the
 * file's. A stamp is remembered only when its times have a sub-second part
 * (CONFORMANCE 20: whole-second times cannot tell two writes apart) and lie
 * a while before the listing (a file written in the same clock tick as it
 * was read could change unseen: git's "racy" entries).
 */
export interface ContextDigestMemo {
  /** What identifies the context across builds (its absolute path). */
  readonly key: string;
  /** Digests remembered by an earlier build, by path. */
  restore(files: Record<string, RememberedDigest>): void;
  /** What this build learnt and can vouch for, by path; undefined when nothing changed since restore(). */
  dump(): Record<string, RememberedDigest> | undefined;
}

/** One file of an in-memory context: its content, or content with attributes. */
export type ContextFileValue = string | Uint8Array | Blob | { content: string | Uint8Array | Blob; mode?: number; mtime?: number };
export type ContextFiles = Record<string, ContextFileValue>;

/** What `build({ context })` accepts in every environment (Node adds a directory path). */
export type ContextInput = BuildContext | TreeReader | ContextFiles | ArrayLike<File>;

function toEntry(e: TreeEntry): ContextEntry {
  return { path: e.path, type: e.type, mode: e.mode & 0o7777, size: e.type === 'file' ? e.size : 0, mtime: e.mtime, linkname: e.type === 'symlink' ? e.linkname : '' };
}

/** A context over any tree (MemoryTree, NodeDirTree, an OPFS tree...). */
export function treeContext(tree: TreeReader, description = 'tree'): BuildContext {
  const fast = (tree as { readFileBytes?: (p: string) => Uint8Array | Promise<Uint8Array> }).readFileBytes;
  return {
    description,
    async list() {
      return (await collectWalk(tree)).map(toEntry);
    },
    async readBytes(path) {
      if (typeof fast === 'function') return fast.call(tree, path);
      return readBytes(tree.readFile(path));
    },
    readStream(path) {
      return tree.readFile(path);
    },
  };
}

function isBlob(x: unknown): x is Blob {
  return typeof Blob !== 'undefined' && x instanceof Blob;
}

interface MemFile {
  entry: ContextEntry;
  content: string | Uint8Array | Blob;
}

/** A context held in memory: `{ 'Dockerfile': 'FROM scratch\n...', 'src/a.txt': bytes }` or File objects. */
export function memoryContext(files: ContextFiles | ArrayLike<File>): BuildContext {
  const map = new Map<string, MemFile>();
  const add = (rawPath: string, content: string | Uint8Array | Blob, mode = 0o644, mtime = 0) => {
    const path = cleanPath(rawPath);
    if (path === '') throw new InvalidArgumentError(`context file with an empty name`, { path: rawPath });
    const size = typeof content === 'string' ? new TextEncoder().encode(content).byteLength : isBlob(content) ? content.size : content.byteLength;
    map.set(path, { entry: { path, type: 'file', mode: mode & 0o7777, size, mtime, linkname: '' }, content });
  };
  const isFileList = Array.isArray(files) || (typeof FileList !== 'undefined' && files instanceof FileList);
  if (isFileList) {
    const list = Array.from(files as ArrayLike<File>);
    // <input webkitdirectory> names files "chosen-folder/sub/file": drop the folder.
    const rel = list.map((f) => (f as File & { webkitRelativePath?: string }).webkitRelativePath || f.name);
    const strip = rel.length > 0 && rel.every((r) => r.includes('/') && r.split('/')[0] === rel[0]!.split('/')[0]);
    list.forEach((f, i) => add(strip ? rel[i]!.slice(rel[i]!.indexOf('/') + 1) : rel[i]!, f, 0o644, Math.floor((f.lastModified ?? 0) / 1000)));
  } else {
    for (const [p, v] of Object.entries(files as ContextFiles)) {
      if (typeof v === 'string' || v instanceof Uint8Array || isBlob(v)) add(p, v);
      else if (v && typeof v === 'object' && 'content' in v) add(p, v.content, v.mode, v.mtime);
      else throw new InvalidArgumentError(`context file ${JSON.stringify(p)}: expected a string, bytes, a Blob or { content }`, { path: p });
    }
  }
  // Implied directories (0755, mtime 0), as a tar without directory entries implies them.
  const entries = new Map<string, ContextEntry>();
  for (const [p, f] of map) {
    entries.set(p, f.entry);
    for (let d = parentPath(p); d !== '' && !entries.has(d); d = parentPath(d)) {
      entries.set(d, { path: d, type: 'directory', mode: 0o755, size: 0, mtime: 0, linkname: '' });
    }
  }
  for (const p of map.keys()) {
    for (let d = parentPath(p); d !== ''; d = parentPath(d)) {
      if (map.has(d)) throw new InvalidArgumentError(`context file ${JSON.stringify(d)} is also a directory of ${JSON.stringify(p)}`, { path: d });
    }
  }
  const sorted = [...entries.values()].sort((a, b) => comparePaths(a.path, b.path));
  const bytesOf = async (path: string): Promise<Uint8Array> => {
    const f = map.get(path);
    if (!f) throw new NotFoundError(`${JSON.stringify(path)} is not a file of the build context`, { path });
    if (typeof f.content === 'string') return new TextEncoder().encode(f.content);
    if (isBlob(f.content)) return new Uint8Array(await f.content.arrayBuffer());
    return f.content;
  };
  return {
    description: 'in-memory context',
    async list() {
      return sorted.map((e) => ({ ...e }));
    },
    readBytes: bytesOf,
    readStream(path) {
      let done = false;
      return new ReadableStream<Uint8Array>({
        async pull(c) {
          if (done) return;
          done = true;
          const b = await bytesOf(path);
          if (b.byteLength) c.enqueue(b);
          c.close();
        },
      });
    },
  };
}

function isBuildContext(x: unknown): x is BuildContext {
  return typeof x === 'object' && x !== null && typeof (x as BuildContext).list === 'function' && typeof (x as BuildContext).readBytes === 'function';
}

function isTree(x: unknown): x is TreeReader {
  return typeof x === 'object' && x !== null && typeof (x as TreeReader).walk === 'function' && typeof (x as TreeReader).readFile === 'function';
}

/** Opens a directory path as a context; installed by layerfs/node. */
export type DirectoryContextOpener = (dir: string) => Promise<BuildContext>;
let openDirectory: DirectoryContextOpener | undefined;
export function setDirectoryContextOpener(fn: DirectoryContextOpener): void {
  openDirectory = fn;
}

/** Any accepted context input as a BuildContext. */
export async function toBuildContext(input: ContextInput | string): Promise<BuildContext> {
  if (typeof input === 'string') {
    if (!openDirectory) throw new InvalidArgumentError('a context directory path needs layerfs/node; in a browser pass files or a tree', { context: input });
    return openDirectory(input);
  }
  if (isBuildContext(input)) return input;
  if (isTree(input)) return treeContext(input);
  if (typeof input === 'object' && input !== null) return memoryContext(input as ContextFiles | ArrayLike<File>);
  throw new InvalidArgumentError('build context must be a directory, a tree, a file map or File objects');
}
