/**
 * The layer of one COPY/ADD step, planned against the image below it and
 * handed to the layer engine (diffTrees against an empty tree writes it in
 * layer order, deterministically, with SOURCE_DATE_EPOCH clamping).
 *
 * Docker's rules (Dockerfile reference, "COPY" and "ADD"):
 * - a directory source copies its contents, not the directory itself;
 * - a destination ending in '/' is a directory; so is one that already is a
 *   directory in the image (symlinks in the image are followed);
 * - several sources need a directory destination;
 * - missing directories on the way are created (0755, owned by --chown);
 * - files are owned by 0:0 unless --chown, keep their mode unless --chmod;
 * - ADD of a local tar (plain, gzip or zstd) extracts it into the
 *   destination with the owners and modes it records.
 * Directories that already exist in the image are not re-emitted, so their
 * attributes stay as the image has them.
 */
import { BuildError } from '../errors/BuildError.js';
import { InvalidTarError } from '../errors/InvalidTarError.js';
import { NotFoundError } from '../errors/NotFoundError.js';
import { UnsupportedError } from '../errors/UnsupportedError.js';
import { decompress } from '../layer/compression.js';
import { readBytes } from '../layer/diff.js';
import { toStream } from '../layer/layer-io.js';
import { baseName, cleanPath, comparePaths, isWithin, joinPath, parentPath } from '../layer/path.js';
import { parseTarSync } from '../tar/reader.js';
import type { TreeEntry, TreeReader } from '../tree/types.js';
import type { BuildContext, ContextEntry } from './context.js';
import type { CopyStep } from './plan.js';
import { realPathOf, relativeTo, type SourceRoot } from './sources.js';

/** What the planner needs to know about the image below the step. */
export interface ImageFs {
  /** Type and link target at a path, without following a final symlink (intermediate ones are the caller's). */
  lstat(path: string): { type: string; linkname: string } | undefined;
}

export interface PlannedEntry {
  entry: TreeEntry;
  read?: () => ReadableStream<Uint8Array>;
  /** The body, when it is already in memory (read while hashing, or from an ADDed tar). */
  bytes?: () => Uint8Array | undefined;
  /** The body read synchronously into a reused buffer, valid until the next such read (BuildContext.readTransient). */
  transient?: () => Uint8Array | undefined;
  /**
   * Once the layer is written: the `sha256:<hex>` of the body as the writer
   * read it through `transient` (the very bytes in the layer), else undefined.
   */
  digest?: () => string | undefined;
}

/** A TreeReader over planned entries: the "upper" tree diffTrees writes as a layer. */
export class PlanTree implements TreeReader {
  readonly entries: Map<string, PlannedEntry>;
  /** Called with the size of every chunk read (progress while packing). */
  onRead?: (n: number) => void;

  constructor(entries: Map<string, PlannedEntry>) {
    this.entries = entries;
  }

  sorted(): TreeEntry[] {
    return [...this.entries.values()].map((p) => p.entry).sort((a, b) => comparePaths(a.path, b.path));
  }

  async *walk(under = ''): AsyncIterable<TreeEntry> {
    for (const e of this.sorted()) if (under === '' || isWithin(e.path, under)) yield { ...e };
  }

  async lstat(path: string): Promise<TreeEntry | undefined> {
    const p = this.entries.get(path);
    return p ? { ...p.entry } : undefined;
  }

  /** A body already in memory, else undefined (diffTrees then calls readFile). */
  readFileBytes(path: string): Uint8Array | undefined {
    const p = this.entries.get(path);
    const b = p?.entry.type === 'file' ? p.bytes?.() : undefined;
    if (b !== undefined) this.onRead?.(b.byteLength);
    return b;
  }

  /** The body read into a buffer the context reuses (valid until the next call), else undefined; for writers that copy it at once. */
  readFileTransient(path: string): Uint8Array | undefined {
    const p = this.entries.get(path);
    const b = p?.entry.type === 'file' ? p.transient?.() : undefined;
    if (b !== undefined) this.onRead?.(b.byteLength);
    return b;
  }

  readFile(path: string): ReadableStream<Uint8Array> {
    const p = this.entries.get(path);
    if (!p || p.entry.type !== 'file' || !p.read) throw new NotFoundError(`${JSON.stringify(path)} is not a planned file`, { path });
    const onRead = this.onRead;
    if (!onRead) return p.read();
    // Small files count when the writer asks for them (wrapping every body costs more than it tells); big ones as they stream.
    if (p.entry.size <= 1 << 20) {
      onRead(p.entry.size);
      return p.read();
    }
    return p.read().pipeThrough(
      new TransformStream<Uint8Array, Uint8Array>({
        transform(c, ctl) {
          onRead(c.byteLength);
          ctl.enqueue(c);
        },
      }),
    );
  }
}

/** Resolve symlinks of `path` in the image, inside its root (what Docker does with a COPY destination). */
export function realPathIn(fs: ImageFs, path: string): string {
  const pending = path.split('/').filter((s) => s !== '' && s !== '.').reverse();
  const cur: string[] = [];
  let hops = 0;
  while (pending.length) {
    const seg = pending.pop()!;
    if (seg === '..') {
      cur.pop();
      continue;
    }
    const next = [...cur, seg].join('/');
    const st = fs.lstat(next);
    if (st?.type === 'symlink') {
      if (++hops > 40) throw new BuildError(`too many levels of symbolic links in the image at ${JSON.stringify(path)}`, { path });
      if (st.linkname.startsWith('/')) cur.length = 0;
      const parts = st.linkname.split('/').filter((s) => s !== '' && s !== '.');
      for (let k = parts.length - 1; k >= 0; k--) pending.push(parts[k]!);
      continue;
    }
    cur.push(seg);
  }
  return cur.join('/');
}

export interface Owner {
  uid: number;
  gid: number;
}

export interface CopyPlanInput {
  fs: ImageFs;
  ctx: BuildContext;
  roots: SourceRoot[];
  step: CopyStep;
  owner?: Owner;
  /** mtime of directories the step creates. */
  now: number;
  line: number;
  /** Bytes already read while hashing the inputs, by real context path (saves reading them twice). */
  bytes?: Map<string, Uint8Array>;
  /** Where transient reads record each file's content digest, by real context path (inputs hashed while packing). */
  record?: Map<string, string>;
}

const ARCHIVE_MAGIC: Array<[string, number[]]> = [
  ['bzip2', [0x42, 0x5a, 0x68]],
  ['xz', [0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00]],
];

function tarChecksumOk(h: Uint8Array): boolean {
  if (h.length < 512) return false;
  let sum = 0;
  for (let i = 0; i < 512; i++) sum += i >= 148 && i < 156 ? 32 : h[i]!;
  const field = new TextDecoder().decode(h.subarray(148, 156)).replace(/[\0 ]+$/, '').trim();
  return field !== '' && parseInt(field, 8) === sum;
}

/**
 * The entries of a local archive for ADD, or undefined when the file is not
 * a tar (then ADD copies it as it is, like Docker). bzip2 and xz archives
 * are refused (UNSUPPORTED): layerfs has no decoder for them.
 */
export async function readArchive(bytes: Uint8Array, path: string, line: number): Promise<ReturnType<typeof parseTarSync> | undefined> {
  for (const [name, magic] of ARCHIVE_MAGIC) {
    if (magic.every((b, i) => bytes[i] === b)) {
      throw new UnsupportedError(`Dockerfile line ${line}: ADD ${path}: ${name} archives are not supported (plain, gzip and zstd tars are)`, { line, path });
    }
  }
  let tar = bytes;
  const gz = bytes[0] === 0x1f && bytes[1] === 0x8b;
  const zst = bytes[0] === 0x28 && bytes[1] === 0xb5 && bytes[2] === 0x2f && bytes[3] === 0xfd;
  if (gz || zst) {
    try {
      tar = await readBytes(decompress(toStream(bytes), gz ? 'gzip' : 'zstd'));
    } catch (e) {
      if (e instanceof InvalidTarError) return undefined; // not a valid stream: copy the file as it is
      throw e;
    }
  }
  if (!tarChecksumOk(tar.subarray(0, 512))) return undefined;
  return parseTarSync(tar);
}

/** Plan the layer of a COPY/ADD. BuildError for impossible copies, naming the line. */
export async function planCopy(inp: CopyPlanInput): Promise<PlanTree> {
  const { fs, ctx, roots, step, line, now } = inp;
  const uid = inp.owner?.uid ?? 0;
  const gid = inp.owner?.gid ?? 0;
  const planned = new Map<string, PlannedEntry>();
  const kw = step.add ? 'ADD' : 'COPY';
  const fail = (msg: string): never => {
    throw new BuildError(`Dockerfile line ${line}: ${kw}: ${msg}`, { line });
  };
  const typeAt = (p: string): string | undefined => planned.get(p)?.entry.type ?? (p === '' ? 'directory' : fs.lstat(p)?.type);
  const dirEntry = (path: string, mode: number, mtime: number): TreeEntry => ({
    path,
    type: 'directory',
    mode,
    uid,
    gid,
    uname: '',
    gname: '',
    size: 0,
    mtime,
    linkname: '',
    devmajor: 0,
    devminor: 0,
    xattrs: {},
  });
  const ensureDir = (dir: string) => {
    // A directory this step already planned had its parents ensured then (sources come sorted, parents first).
    if (dir === '' || planned.get(dir)?.entry.type === 'directory') return;
    const parts = dir.split('/');
    for (let i = 1; i <= parts.length; i++) {
      const p = parts.slice(0, i).join('/');
      const t = typeAt(p);
      if (t === 'directory') continue;
      if (t !== undefined) fail(`cannot create ${JSON.stringify(`/${p}`)}: a ${t} is in the way`);
      planned.set(p, { entry: dirEntry(p, 0o755, now) });
    }
  };
  const fromContext = (path: string, e: ContextEntry): PlannedEntry => {
    const isDir = e.type === 'directory';
    const mode = e.type === 'symlink' ? 0o777 : step.chmod ?? e.mode;
    const entry: TreeEntry = {
      path,
      type: e.type,
      mode,
      uid,
      gid,
      uname: '',
      gname: '',
      size: e.type === 'file' ? e.size : 0,
      mtime: e.mtime,
      linkname: e.type === 'symlink' ? e.linkname : '',
      devmajor: 0,
      devminor: 0,
      xattrs: {},
    };
    if (isDir || e.type !== 'file') return { entry };
    const real = realPathOf(e);
    const held = inp.bytes;
    const record = inp.record;
    // Looked up when read, so the caller can drop the held bytes once the layer is written.
    const bytes = () => {
      const b = held?.get(real);
      return b && b.byteLength === e.size ? b : undefined;
    };
    const readTransient = ctx.readTransient;
    // This entry's own transient read: its digest is of the bytes the writer put in the layer.
    let read: string | undefined;
    const onDigest =
      record &&
      ((d: string) => {
        record.set(real, d);
        read = d;
      });
    return {
      entry,
      bytes,
      ...(readTransient ? { transient: () => readTransient.call(ctx, real, e.size, onDigest), digest: () => read } : {}),
      read: () => {
        const b = bytes();
        return b ? toStream(b) : ctx.readStream(real);
      },
    };
  };
  const put = (path: string, p: PlannedEntry) => {
    if (path === '') return; // the root keeps its attributes
    ensureDir(parentPath(path));
    const old = typeAt(path);
    if (p.entry.type === 'directory' && old === 'directory' && !planned.has(path)) return; // keep the image's directory as it is
    planned.set(path, p);
  };

  const destWasDir = step.dest.endsWith('/');
  const dest = realPathIn(fs, step.dest);
  const destType = typeAt(dest);
  const intoDir = destWasDir || destType === 'directory';
  if (roots.length > 1 && !intoDir) fail(`several sources need a directory destination ending in '/' (got ${JSON.stringify(step.dest)})`);

  for (const root of roots) {
    if (root.entry.type === 'directory') {
      const t = typeAt(dest);
      if (t !== undefined && t !== 'directory') fail(`cannot copy the directory ${JSON.stringify(root.path || '.')} onto the ${t} ${JSON.stringify(`/${dest}`)}`);
      if (t === undefined) put(dest, { entry: dirEntry(dest, step.chmod ?? root.entry.mode, root.entry.mtime) });
      for (const c of root.children) put(joinPath(dest, relativeTo(root, c)), fromContext(joinPath(dest, relativeTo(root, c)), c));
      continue;
    }
    if (step.add && root.entry.type === 'file') {
      const bytes = inp.bytes?.get(realPathOf(root.entry)) ?? (await ctx.readBytes(realPathOf(root.entry)));
      const files = await readArchive(bytes, root.path, line);
      if (files) {
        const t = typeAt(dest);
        if (t !== undefined && t !== 'directory') fail(`cannot extract ${JSON.stringify(root.path)} onto the ${t} ${JSON.stringify(`/${dest}`)}`);
        ensureDir(dest);
        for (const f of files) {
          const h = f.header;
          const rel = cleanPath(h.path);
          if (rel === '') continue;
          const path = joinPath(dest, rel);
          const owner = inp.owner ? { uid, gid } : { uid: h.uid, gid: h.gid };
          if (h.type === 'hardlink') {
            const target = joinPath(dest, cleanPath(h.linkname));
            const lead = planned.get(target);
            if (!lead || lead.entry.type !== 'file') fail(`${root.path}: hardlink ${JSON.stringify(h.path)} to ${JSON.stringify(h.linkname)}, which the archive does not hold before it`);
            lead!.entry.linkKey = `tar:${target}`;
            put(path, { entry: { ...lead!.entry, path, linkKey: `tar:${target}` }, read: lead!.read, bytes: lead!.bytes });
            continue;
          }
          const entry: TreeEntry = {
            path,
            type: h.type,
            mode: step.chmod ?? h.mode & 0o7777,
            uid: owner.uid,
            gid: owner.gid,
            uname: inp.owner ? '' : h.uname,
            gname: inp.owner ? '' : h.gname,
            size: h.type === 'file' ? f.data.byteLength : 0,
            mtime: h.mtime,
            linkname: h.type === 'symlink' ? h.linkname : '',
            devmajor: h.devmajor,
            devminor: h.devminor,
            xattrs: h.xattrs,
          };
          const data = f.data;
          put(path, h.type === 'file' ? { entry, read: () => toStream(data), bytes: () => data } : { entry });
        }
        continue;
      }
    }
    const target = intoDir ? joinPath(dest, baseName(root.path)) : dest;
    if (target === '') fail('cannot replace the root directory with a file');
    const t = typeAt(target);
    if (t === 'directory' && !intoDir) fail(`cannot copy over the directory ${JSON.stringify(`/${target}`)}`);
    put(target, fromContext(target, root.entry));
  }
  return new PlanTree(planned);
}
