/**
 * The file-tree contract that diffTrees and applyLayer work on, and that
 * containers and builds reuse. Implementations: MemoryTree (src/tree/memory.ts,
 * browser-safe) and NodeDirTree (src/tree/node-dir.ts, Node only).
 *
 * Every path handed to or returned by a tree is CLEAN (src/layer/path.ts
 * cleanPath): relative to the tree's root, `/`-separated, no `.`/`..`, and
 * '' for the root. A tree never follows a symlink in the LAST component of a
 * path (lstat semantics). Whether it follows symlinks in intermediate
 * components is implementation-defined: callers that apply untrusted names
 * (applyLayer) resolve them first with resolveInTree (src/tree/resolve.ts),
 * so that only real directories appear as parents.
 */
import type { TarHeader } from '../tar/types.js';

/** Kinds a tree holds. A hardlink is not a kind: it is a second path to a 'file'. */
export type TreeEntryType = 'file' | 'directory' | 'symlink' | 'char' | 'block' | 'fifo';

/**
 * One entry of a tree, in the TarHeader shape (so it can be written to a
 * layer as is) with a clean `path`. `type` is never 'hardlink': paths that
 * share one file carry the same `linkKey` instead.
 */
export interface TreeEntry extends TarHeader {
  type: TreeEntryType;
  /**
   * Identity of the underlying file when more than one path names it
   * (hardlinks: same device and inode). Undefined for a file with one name.
   */
  linkKey?: string;
}

/** File content as bytes, a Web Stream, or async chunks (e.g. a tar entry's body). */
export type FileBody = Uint8Array | ReadableStream<Uint8Array> | AsyncIterable<Uint8Array>;

/** Attributes applied by setMeta; absent fields are left as they are. */
export interface TreeMeta {
  mode?: number;
  uid?: number;
  gid?: number;
  uname?: string;
  gname?: string;
  /** Seconds since the epoch, fractional for sub-second precision. */
  mtime?: number;
  /** Replaces all extended attributes (trees that cannot store them ignore this). */
  xattrs?: Record<string, Uint8Array>;
}

/** What a new node gets when it is created (mode, owner, mtime, xattrs). */
export type CreateMeta = TreeMeta;

export interface TreeReader {
  /**
   * Every entry below `under` (default: the whole tree; the root itself is
   * not listed), in comparePaths order (CONFORMANCE.md rule 21) — parents
   * before children, '/' ranked before every other byte. Sockets and other
   * kinds a layer cannot carry are skipped (rule 22).
   */
  walk(under?: string): AsyncIterable<TreeEntry>;
  /** The entry at `path` without following a final symlink; undefined when absent. */
  lstat(path: string): Promise<TreeEntry | undefined>;
  /** A regular file's bytes. NotFoundError when absent or not a file. */
  readFile(path: string): ReadableStream<Uint8Array>;
}

export interface TreeWriter {
  /** Creates a directory (its parent must exist); AlreadyExistsError if the path is taken. */
  mkdir(path: string, meta?: CreateMeta): Promise<void>;
  /**
   * Creates a regular file from bytes or a stream (parent must exist). An
   * existing file is truncated in place, which changes every hardlink to it:
   * remove the path first to get a new file.
   */
  writeFile(path: string, body: FileBody, meta?: CreateMeta): Promise<void>;
  /** Creates a symlink holding `target` verbatim (it is never resolved by the tree). */
  symlink(path: string, target: string, meta?: CreateMeta): Promise<void>;
  /** Makes `path` a second name of the existing non-directory `existing`. */
  link(path: string, existing: string): Promise<void>;
  /** Creates a device node or FIFO. Trees that cannot may throw UnsupportedError. */
  mknod(path: string, type: 'char' | 'block' | 'fifo', devmajor: number, devminor: number, meta?: CreateMeta): Promise<void>;
  /** Removes `path` and, for a directory, everything below it. Absent paths are fine. */
  remove(path: string): Promise<void>;
  /** Sets attributes of an existing entry without following a final symlink. */
  setMeta(path: string, meta: TreeMeta): Promise<void>;
}

/** A tree that can be read and written: what applyLayer needs. */
export interface Tree extends TreeReader, TreeWriter {}

/** Default attributes of parent directories a layer implies but does not list (rule 14). */
export const IMPLIED_DIR_MODE = 0o755;
