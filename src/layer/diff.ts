/**
 * diffTrees: the layer that turns `lower` into `upper` (OCI image-spec
 * layer.md, "Change Set Creation"), written the way umoci repack and
 * `docker commit` do, deterministically (CONFORMANCE.md rules 10, 11, 20-22).
 *
 * 1. Both trees are walked (sorted, metadata only) and the two tables are
 *    merge-joined in the Wasm core (src/core/diff.ts): one status per entry.
 * 2. Regular files whose metadata cannot prove them equal (rule 20: same
 *    size, but mtimes differ or lack a sub-second part) are hashed on both
 *    sides — small ones in batches with sha256Many, big ones streamed.
 * 3. Entries are written in comparePaths order: added and changed entries,
 *    one whiteout per deleted path (none below a deleted directory or below a
 *    path that became a non-directory), hardlink groups as one file plus
 *    hardlink entries.
 * 4. The tar is hashed (diffId), compressed, hashed again (digest) and sized
 *    in the same pass.
 */
import { joinEntryTables, DiffKind, DiffStatus, type DiffRow } from '../core/diff.js';
import { createHasher, sha256Many, DigestTransform, type Hasher } from '../digest/index.js';
import type { Digest } from '../digest/index.js';
import { InvalidArgumentError } from '../errors/InvalidArgumentError.js';
import { InvalidWhiteoutError } from '../errors/InvalidWhiteoutError.js';
import { concatBytes, createTarWriter } from '../tar/index.js';
import { createTarBlockWriter } from '../tar/writer.js';
import type { TarHeader } from '../tar/types.js';
import type { TreeEntry, TreeReader } from '../tree/types.js';
import { gzipBlocks, type GzipBlocks } from './compression.js';
import { compressTar, layerMediaType, type LayerCompression } from './layer-io.js';
import { comparePaths, isWithin } from './path.js';
import { isWhiteoutBase, whiteoutName } from './whiteout.js';

export interface DiffOptions {
  /** Compression of the layer written (default 'gzip'). */
  compression?: LayerCompression;
  /** Compression level (gzip 1-9, default 6; zstd default 3). */
  level?: number;
  /**
   * Clamp every mtime to at most this many seconds since the epoch
   * (reproducible builds' SOURCE_DATE_EPOCH; rule 21).
   */
  sourceDateEpoch?: number;
  /** Where the layer's bytes go. Without it they are collected into `bytes`. */
  output?: WritableStream<Uint8Array>;
  /** Force the SIMD or scalar Wasm core (tests). */
  simd?: boolean;
  signal?: AbortSignal;
}

export interface DiffSummary {
  added: number;
  modified: number;
  deleted: number;
}

export interface DiffResult {
  /** sha256 of the stored (compressed) bytes. */
  digest: Digest;
  /** sha256 of the uncompressed tar (rule 2). */
  diffId: Digest;
  /** Bytes of the stored layer. */
  size: number;
  /** Bytes of the uncompressed tar. */
  uncompressedSize: number;
  mediaType: string;
  compression: LayerCompression;
  /** The layer, when no `output` was given. */
  bytes?: Uint8Array;
  /**
   * The layer in pieces, when no `output` was given and it was written in
   * blocks: `bytes` then joins them on first use only (a copy and 170 MB of
   * fresh pages for a big layer that is just written on to a store).
   */
  chunks?: Uint8Array[];
  /** Entries written, whiteouts included. */
  entries: number;
  summary: DiffSummary;
}

/** Files up to this size are hashed in memory in multi-buffer batches. */
const SMALL_FILE = 1 << 20;
/** Bytes per sha256Many batch. */
const BATCH_BYTES = 32 << 20;
/** Bytes of changed files kept from the content comparison for the tar writer. */
const KEEP_BYTES = 64 << 20;
/** Files read at once while comparing contents. */
const READ_CONCURRENCY = 16;

function extraOf(e: TreeEntry): string {
  // Link target and xattrs, in one string the join compares byte for byte.
  const keys = Object.keys(e.xattrs);
  if (keys.length === 0) return e.linkname;
  keys.sort();
  let s = `${e.linkname}\0`;
  for (const k of keys) {
    s += `${k}=`;
    for (const b of e.xattrs[k]!) s += String.fromCharCode(b + 0x100); // one code unit per byte, never '='/'\0'
    s += '\0';
  }
  return s;
}

function rowOf(e: TreeEntry): DiffRow {
  return {
    path: e.path,
    kind: DiffKind[e.type],
    mode: e.mode & 0o7777,
    uid: e.uid,
    gid: e.gid,
    devmajor: e.devmajor,
    devminor: e.devminor,
    size: e.type === 'file' ? e.size : 0,
    mtime: e.mtime,
    extra: extraOf(e),
  };
}

/** Every entry of a tree's walk; INVALID_ARGUMENT when the walk is not in comparePaths order. */
export async function collectWalk(tree: TreeReader, signal?: AbortSignal): Promise<TreeEntry[]> {
  const out: TreeEntry[] = [];
  let prev: string | undefined;
  for await (const e of tree.walk()) {
    signal?.throwIfAborted();
    if (prev !== undefined && comparePaths(prev, e.path) >= 0) {
      throw new InvalidArgumentError(`tree walk is not in comparePaths order at ${JSON.stringify(e.path)}`, { path: e.path });
    }
    prev = e.path;
    out.push(e);
  }
  return out;
}

/** Everything a stream yields, in one array. */
export async function readBytes(s: ReadableStream<Uint8Array>): Promise<Uint8Array> {
  const parts: Uint8Array[] = [];
  let n = 0;
  const r = s.getReader();
  for (;;) {
    const { done, value } = await r.read();
    if (done) break;
    parts.push(value);
    n += value.byteLength;
  }
  return concatBytes(parts, n);
}

async function streamDigest(s: ReadableStream<Uint8Array>): Promise<string> {
  const h = await createHasher('sha256');
  const r = s.getReader();
  for (;;) {
    const { done, value } = await r.read();
    if (done) break;
    h.update(value);
  }
  return h.digest();
}

async function mapLimit<T, R>(items: T[], limit: number, fn: (x: T) => Promise<R>): Promise<R[]> {
  const out = new Array<R>(items.length);
  let next = 0;
  const workers = Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i]!);
    }
  });
  await Promise.all(workers);
  return out;
}

/**
 * Decides COMPARE pairs by content: returns the set of upper indexes whose
 * bytes differ from the lower file at the same path.
 */
async function compareContents(
  lower: TreeReader,
  upper: TreeReader,
  pairs: Array<[number, number]>,
  lEntries: TreeEntry[],
  uEntries: TreeEntry[],
  signal?: AbortSignal,
  keep?: Map<string, Uint8Array>,
): Promise<Set<number>> {
  const differ = new Set<number>();
  let kept = 0;
  const small = pairs.filter(([, j]) => uEntries[j]!.size <= SMALL_FILE);
  const big = pairs.filter(([, j]) => uEntries[j]!.size > SMALL_FILE);
  let k = 0;
  while (k < small.length) {
    signal?.throwIfAborted();
    const batch: Array<[number, number]> = [];
    let bytes = 0;
    while (k < small.length && (batch.length === 0 || bytes < BATCH_BYTES)) {
      const p = small[k++]!;
      batch.push(p);
      bytes += 2 * uEntries[p[1]]!.size;
    }
    const bufs = await mapLimit(batch, READ_CONCURRENCY, async ([i, j]) =>
      Promise.all([readBytes(lower.readFile(lEntries[i]!.path)), readBytes(upper.readFile(uEntries[j]!.path))]),
    );
    const digests = await sha256Many(bufs.flat());
    for (let b = 0; b < batch.length; b++) {
      if (digests[2 * b] === digests[2 * b + 1]) continue;
      const j = batch[b]![1];
      differ.add(j);
      // Keep the new bytes for the tar writer (bounded), instead of reading the file again.
      const bytes = bufs[b]![1];
      if (keep && kept + bytes.byteLength <= KEEP_BYTES) {
        keep.set(uEntries[j]!.path, bytes);
        kept += bytes.byteLength;
      }
    }
  }
  await mapLimit(big, 2, async ([i, j]) => {
    signal?.throwIfAborted();
    const [a, b] = await Promise.all([streamDigest(lower.readFile(lEntries[i]!.path)), streamDigest(upper.readFile(uEntries[j]!.path))]);
    if (a !== b) differ.add(j);
  });
  return differ;
}

/** Bytes of tar gathered into one chunk for the compressor. */
const GATHER_BYTES = 1 << 20;

/**
 * The tar writer's output hashed (the diffId) and gathered into chunks of
 * about GATHER_BYTES. The writer yields a chunk or two per entry; every
 * web-stream stage after it (compressor, digest of the blob, sink) costs
 * tens of microseconds per chunk, which for a tree of small files cost more
 * than hashing it. Reading the writer directly and handing on big chunks
 * pays that once per MiB instead.
 */
function hashAndGather(src: ReadableStream<Uint8Array>, hasher: Hasher): { stream: ReadableStream<Uint8Array>; size: () => number } {
  const reader = src.getReader();
  let size = 0;
  let done = false;
  const stream = new ReadableStream<Uint8Array>(
    {
      async pull(c) {
        if (done) return;
        const parts: Uint8Array[] = [];
        let n = 0;
        while (n < GATHER_BYTES) {
          const r = await reader.read();
          if (r.done) {
            done = true;
            break;
          }
          hasher.update(r.value);
          parts.push(r.value);
          n += r.value.byteLength;
        }
        size += n;
        if (parts.length) c.enqueue(concatBytes(parts, n));
        if (done) c.close();
      },
      cancel(reason) {
        return reader.cancel(reason);
      },
    },
    { highWaterMark: 0 },
  );
  return { stream, size: () => size };
}

function refuseWhiteoutNames(path: string): void {
  // Rule 11: a real file named `.wh.*` would read back as a whiteout.
  for (const seg of path.split('/')) {
    if (isWhiteoutBase(seg)) {
      throw new InvalidWhiteoutError(`cannot write ${JSON.stringify(path)} into a layer: names starting with .wh. are reserved for whiteouts`, { path });
    }
  }
}

/** The tar header of a tree entry as a layer records it, mtime clamped to `clamp` (SOURCE_DATE_EPOCH). */
export function headerOf(e: TreeEntry, clamp: number | undefined): TarHeader {
  return {
    path: e.path,
    type: e.type,
    mode: e.mode & 0o7777,
    uid: e.uid,
    gid: e.gid,
    uname: e.uname,
    gname: e.gname,
    size: e.type === 'file' ? e.size : 0,
    mtime: clamp !== undefined && e.mtime > clamp ? clamp : e.mtime,
    linkname: e.type === 'symlink' ? e.linkname : '',
    devmajor: e.type === 'char' || e.type === 'block' ? e.devmajor : 0,
    devminor: e.type === 'char' || e.type === 'block' ? e.devminor : 0,
    xattrs: e.xattrs,
  };
}

/** Whiteout entries carry no information but their name (rule 21: mtime 0, uid/gid 0). */
function whiteoutHeader(path: string): TarHeader {
  return { path: whiteoutName(path), type: 'file', mode: 0o644, uid: 0, gid: 0, uname: '', gname: '', size: 0, mtime: 0, linkname: '', devmajor: 0, devminor: 0, xattrs: {} };
}

/** linkKey -> the group's paths joined by NUL (a comparable identity of the group). */
function groupsOf(entries: TreeEntry[]): Map<string, string> {
  const m = new Map<string, string>();
  for (const e of entries) {
    if (e.linkKey === undefined) continue;
    const g = m.get(e.linkKey);
    m.set(e.linkKey, g === undefined ? e.path : `${g}\0${e.path}`);
  }
  return m;
}

type Planned = { header: TarHeader; source?: string };

/** Computes the entries of the layer, sorted, without reading any file body. */
async function plan(
  lower: TreeReader,
  upper: TreeReader,
  opts: DiffOptions,
  kept: Map<string, Uint8Array>,
): Promise<{ entries: Planned[]; summary: DiffSummary }> {
  const [lEntries, uEntries] = await Promise.all([collectWalk(lower, opts.signal), collectWalk(upper, opts.signal)]);
  const join = await joinEntryTables(lEntries.map(rowOf), uEntries.map(rowOf), { simd: opts.simd });
  const uStatus = join.upper;
  const lStatus = join.lower;

  // Upper index -> lower index for paths in both (statuses other than DELETED/ADDED).
  const lowerOf = new Int32Array(uEntries.length).fill(-1);
  const upperOf = new Int32Array(lEntries.length).fill(-1);
  {
    let j = 0;
    for (let i = 0; i < lEntries.length; i++) {
      if (lStatus[i] === DiffStatus.DELETED) continue;
      while (uStatus[j] === DiffStatus.ADDED) j++;
      upperOf[i] = j;
      lowerOf[j++] = i;
    }
  }

  const pairs: Array<[number, number]> = [];
  for (let j = 0; j < uEntries.length; j++) if (uStatus[j] === DiffStatus.COMPARE) pairs.push([lowerOf[j]!, j]);
  const differ = pairs.length ? await compareContents(lower, upper, pairs, lEntries, uEntries, opts.signal, kept) : new Set<number>();
  // Hardlink membership counts as a change (else apply would keep a lower
  // link the upper broke, or miss one it made): compare each path's group.
  const lGroups = groupsOf(lEntries);
  const uGroups = groupsOf(uEntries);
  const relinked = (j: number) => {
    const i = lowerOf[j]!;
    if (i < 0) return false;
    const uk = uEntries[j]!.linkKey;
    const lk = lEntries[i]!.linkKey;
    if (uk === undefined && lk === undefined) return false;
    // A group of one (its other names lie outside the tree) is no group.
    const ug = uk === undefined ? '' : uGroups.get(uk)!;
    const lg = lk === undefined ? '' : lGroups.get(lk)!;
    return (ug.includes('\0') ? ug : '') !== (lg.includes('\0') ? lg : '');
  };
  const changedOwn = (j: number) => {
    const s = uStatus[j];
    return s === DiffStatus.ADDED || s === DiffStatus.CHANGED || (s === DiffStatus.COMPARE && differ.has(j));
  };
  const changed = (j: number) => changedOwn(j) || relinked(j);

  // Hardlink groups. The leader carries the content: the first member whose
  // bytes the lower already has at that path (the others can link to it there,
  // as a lower-layer hardlink target — rule 17), else simply the first member.
  // A group with any change re-links every other member to its leader.
  //
  // A lower file kept as a leader keeps every lower name the layer does not
  // rewrite, so one lower file can lead one group only: a group whose
  // members' lower file another group kept first writes a leader anew (a
  // lower group parted in two, as a container's copy-up parts it). Its
  // other lower names are rewritten anyway: they are relinked.
  const leader = new Map<string, number>();
  const keptLeader = new Set<string>(); // groups whose leader is a lower file kept as it is
  const keptFile = new Map<string, string>(); // lower linkKey -> the group keeping that file
  const dirtyGroup = new Set<string>();
  // A group of one (its other names lie outside the tree) is no group.
  const keyOf = (j: number) => {
    const k = uEntries[j]!.linkKey;
    return k !== undefined && uGroups.get(k)!.includes('\0') ? k : undefined;
  };
  for (let j = 0; j < uEntries.length; j++) {
    const key = keyOf(j);
    if (!key) continue;
    if (changed(j)) dirtyGroup.add(key);
    if (keptLeader.has(key)) continue;
    const i = lowerOf[j]!;
    const lk = i < 0 ? undefined : lEntries[i]!.linkKey;
    if (i >= 0 && !changedOwn(j) && (lk === undefined || !keptFile.has(lk))) {
      leader.set(key, j);
      keptLeader.add(key);
      if (lk !== undefined) keptFile.set(lk, key);
    } else if (!leader.has(key)) leader.set(key, j);
  }
  // Every member is written when the leader is (its file is a new one).
  const relinkAll = (key: string) => dirtyGroup.has(key) || !keptLeader.has(key);

  const clamp = opts.sourceDateEpoch;
  const entries: Planned[] = [];
  const summary: DiffSummary = { added: 0, modified: 0, deleted: 0 };
  for (let j = 0; j < uEntries.length; j++) {
    const e = uEntries[j]!;
    const key = keyOf(j);
    const isLeader = key === undefined || leader.get(key) === j;
    // A leader whose bytes the lower has stays as it is; links to it are re-made below.
    if (key === undefined ? !changed(j) : isLeader ? keptLeader.has(key) : !relinkAll(key)) continue;
    refuseWhiteoutNames(e.path);
    if (uStatus[j] === DiffStatus.ADDED) summary.added++;
    else summary.modified++;
    if (!isLeader) {
      const lead = uEntries[leader.get(key!)!]!;
      entries.push({ header: { ...headerOf(e, clamp), type: 'hardlink', size: 0, linkname: lead.path } });
    } else if (e.type === 'file') {
      entries.push({ header: headerOf(e, clamp), source: e.path });
    } else {
      entries.push({ header: headerOf(e, clamp) });
    }
  }

  // Deletions: one whiteout per deleted subtree; nothing below a path whose
  // replacement is a non-directory (rule 13 removes that subtree already).
  let covered: string | undefined;
  for (let i = 0; i < lEntries.length; i++) {
    const e = lEntries[i]!;
    if (covered !== undefined && isWithin(e.path, covered)) continue;
    covered = undefined;
    if (lStatus[i] === DiffStatus.DELETED) {
      entries.push({ header: whiteoutHeader(e.path) });
      summary.deleted++;
      if (e.type === 'directory') covered = e.path;
    } else if (e.type === 'directory' && lStatus[i] === DiffStatus.CHANGED && uEntries[upperOf[i]!]!.type !== 'directory') {
      covered = e.path;
    }
  }
  entries.sort((a, b) => comparePaths(a.header.path, b.header.path));
  return { entries, summary };
}

/**
 * The tar of `entries` written straight into the gzip blocks (Node): one
 * copy of each body, one sha256 update (the diffId) and one deflate job per
 * 1 MiB, and no Web-stream stage per entry. A tree may hand over bodies
 * synchronously: `readFileBytes` (kept in memory) or `readFileTransient`
 * (read into a buffer it reuses, valid until the next read of any caller:
 * the writer copies it before it awaits anything).
 */
async function writeTarBlocks(entries: Planned[], upper: TreeReader, kept: Map<string, Uint8Array>, gz: GzipBlocks, signal?: AbortSignal): Promise<{ diffId: Digest; size: number }> {
  const tarHasher = await createHasher('sha256');
  const tar = createTarBlockWriter({
    block: () => gz.block(),
    full: (b) => {
      tarHasher.update(b);
      return gz.push(b, b.byteLength);
    },
  });
  const fast = upper as { readFileBytes?: (path: string) => Uint8Array | undefined; readFileTransient?: (path: string) => Uint8Array | undefined };
  const direct = fast.readFileBytes;
  const transient = fast.readFileTransient;
  for (const p of entries) {
    signal?.throwIfAborted();
    if (p.source === undefined) {
      const w = tar.add(p.header);
      if (w) await w;
      continue;
    }
    let bytes = kept.get(p.source);
    if (bytes !== undefined) kept.delete(p.source);
    bytes ??= direct?.call(upper, p.source);
    let reused = false;
    if (bytes === undefined && transient) {
      bytes = transient.call(upper, p.source);
      reused = bytes !== undefined;
    }
    if (bytes === undefined) await tar.addBody(p.header, upper.readFile(p.source));
    else {
      // A transient body lives in a buffer the next read reuses (another layer packing at
      // the same time, or the next step's input hashing, reads through the same one).
      const w = tar.add(p.header, bytes, reused);
      if (w) await w;
    }
  }
  const last = await tar.end();
  tarHasher.update(last.block.subarray(0, last.length));
  await gz.finish(last.block, last.length);
  return { diffId: tarHasher.digest(), size: tar.size };
}

/**
 * The layer that turns `lower` into `upper`. Errors: InvalidWhiteoutError for
 * an upper path named `.wh.*` (rule 11); whatever the trees throw.
 */
export async function diffTrees(lower: TreeReader, upper: TreeReader, opts: DiffOptions = {}): Promise<DiffResult> {
  const compression = opts.compression ?? 'gzip';
  if (compression !== 'none' && compression !== 'gzip' && compression !== 'zstd') {
    throw new InvalidArgumentError(`unknown compression ${String(compression)}`);
  }
  if (opts.sourceDateEpoch !== undefined && !(Number.isFinite(opts.sourceDateEpoch) && opts.sourceDateEpoch >= 0)) {
    throw new InvalidArgumentError(`sourceDateEpoch must be a non-negative number of seconds`);
  }
  const kept = new Map<string, Uint8Array>();
  const { entries, summary } = await plan(lower, upper, opts, kept);

  if (compression === 'gzip' && !opts.output) {
    const blobHasher = await createHasher('sha256');
    const parts: Uint8Array[] = [];
    let size = 0;
    const gz = gzipBlocks(opts.level, (c) => {
      blobHasher.update(c);
      parts.push(c);
      size += c.byteLength;
    });
    if (gz) {
      const tar = await writeTarBlocks(entries, upper, kept, gz, opts.signal);
      const result: DiffResult = { digest: blobHasher.digest(), diffId: tar.diffId, size, uncompressedSize: tar.size, mediaType: layerMediaType(compression), compression, chunks: parts, entries: entries.length, summary };
      let joined: Uint8Array | undefined;
      Object.defineProperty(result, 'bytes', { enumerable: true, get: () => (joined ??= concatBytes(parts, size)) });
      return result;
    }
  }

  const writer = createTarWriter();
  const tarHasher = await createHasher('sha256');
  const tarHash = hashAndGather(writer.readable, tarHasher);
  const blobHash = new DigestTransform('sha256');
  const compressed = await compressTar(tarHash.stream, compression, opts.level);
  // A tree holding file bodies in memory hands them over as they are (no stream per file).
  const direct = (upper as { readFileBytes?: (path: string) => Uint8Array | undefined }).readFileBytes;
  const hashed = compressed.pipeThrough(blobHash);
  const parts: Uint8Array[] = [];
  const sink = opts.output
    ? hashed.pipeTo(opts.output)
    : hashed.pipeTo(new WritableStream<Uint8Array>({ write: (c) => void parts.push(c) }));
  sink.catch(() => {}); // observed below; avoids an unhandled rejection while entries are added

  try {
    for (const p of entries) {
      opts.signal?.throwIfAborted();
      if (p.source !== undefined) {
        const bytes = kept.get(p.source);
        if (bytes !== undefined) kept.delete(p.source);
        await writer.add(p.header, bytes ?? direct?.call(upper, p.source) ?? upper.readFile(p.source));
      }
      else await writer.add(p.header);
    }
    await writer.finish();
  } catch (e) {
    await writer.abort(e);
    await sink.catch(() => {});
    throw e;
  }
  await sink;
  const [digest, size] = await Promise.all([blobHash.digest, blobHash.size]);
  const diffId = tarHasher.digest();
  const uncompressedSize = tarHash.size();
  let bytes: Uint8Array | undefined;
  if (!opts.output) {
    bytes = new Uint8Array(size);
    let o = 0;
    for (const c of parts) {
      bytes.set(c, o);
      o += c.byteLength;
    }
  }
  return { digest, diffId, size, uncompressedSize, mediaType: layerMediaType(compression), compression, bytes, entries: entries.length, summary };
}
