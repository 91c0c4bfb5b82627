/**
 * Reading a layer blob in ONE streaming pass (DESIGN.md "Layer"): the same
 * bytes are hashed as stored (`digest`), inflated, hashed as a tar (`diffId`,
 * every byte including anything after the end-of-archive blocks:
 * CONFORMANCE 2) and indexed entry by entry, with each regular file's
 * content offset inside the uncompressed tar and its sha256. Memory stays
 * bounded: content is never kept beyond one batch of small files.
 *
 * Small files are hashed together with sha256Many (the Wasm core hashes
 * several messages per step); a file larger than SMALL_FILE streams through
 * its own hasher.
 */
import { InvalidArgumentError } from '../errors/InvalidArgumentError.js';
import { InvalidTarError } from '../errors/InvalidTarError.js';
import { createHasher, sha256Many, parseDigest, type Digest, type Hasher, type HashOptions } from '../digest/index.js';
import { digestMismatch, sizeMismatch } from '../digest/verify.js';
import { TarParser } from '../tar/parser.js';
import type { TarHeader } from '../tar/types.js';
import { compressionOfMediaType, decompress, detectCompression, peekBytes, type Compression } from './compression.js';
import { PackedNamesBuilder, type PackedNames } from './packed-names.js';

export interface LayerEntry extends TarHeader {
  /** Position of the content inside the uncompressed tar (regular files; else where the content would start). */
  offset: number;
  /** sha256 of the content, for regular files. */
  contentDigest?: Digest;
}

export interface LayerIndex {
  /** Hash of the stored (possibly compressed) bytes. */
  digest: Digest;
  /** sha256 of the uncompressed tar. */
  diffId: Digest;
  /** Stored bytes. */
  size: number;
  uncompressedSize: number;
  /** Compression found in the bytes. */
  compression: Compression;
  /** Entries in tar order, paths as stored (normalise with cleanPath). */
  entries: LayerEntry[];
  /**
   * The same names packed (UTF-8, NUL-separated, with kinds), filled while
   * parsing: what the union index reads without encoding strings (a
   * UnionLayer's `names`, or the store's prepared layer table).
   */
  names: PackedNames;
}

export interface ReadLayerOptions {
  /** The descriptor's media type: must name a layer (UNSUPPORTED otherwise). The bytes decide the compression. */
  mediaType?: string;
  /** The descriptor's digest: verified (DIGEST_MISMATCH); its algorithm (sha256/sha512) is used for `digest`. */
  expectedDigest?: string;
  /** The descriptor's size: verified while reading; an oversized blob is refused as soon as it is. */
  expectedSize?: number;
  /** Hash each regular file's content (default true). */
  contentDigests?: boolean;
  /** Hash backend for every digest of the pass (see createHasher; default 'auto'). */
  hash?: HashOptions;
}

/** A layer blob: a stream, bytes in memory, or a Blob (a browser File, Node's fs.openAsBlob). */
export type LayerSource = ReadableStream<Uint8Array> | Uint8Array | Blob;

/** Files up to this size are batched for sha256Many; larger ones stream through a hasher. */
export const SMALL_FILE = 1024 * 1024;
/** A batch of small files is hashed once it holds this many bytes. */
const BATCH_BYTES = 8 * 1024 * 1024;
const BATCH_FILES = 4096;

function toStream(src: LayerSource): ReadableStream<Uint8Array> {
  if (src instanceof ReadableStream) return src;
  if (typeof Blob !== 'undefined' && src instanceof Blob) return src.stream() as ReadableStream<Uint8Array>;
  if (!(src instanceof Uint8Array)) throw new InvalidArgumentError('a layer is a Uint8Array, a Blob or a ReadableStream<Uint8Array>');
  return new ReadableStream<Uint8Array>({
    start(c) {
      if (src.length > 0) c.enqueue(src);
      c.close();
    },
  });
}

function joinParts(parts: Uint8Array[], total: number): Uint8Array {
  if (parts.length === 1) return parts[0]!;
  const out = new Uint8Array(total);
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

/** Reads, verifies, hashes and indexes a layer blob in one pass. */
export async function readLayer(src: LayerSource, opts: ReadLayerOptions = {}): Promise<LayerIndex> {
  if (opts.mediaType !== undefined) compressionOfMediaType(opts.mediaType);
  const algorithm = opts.expectedDigest !== undefined ? parseDigest(opts.expectedDigest).algorithm : 'sha256';
  const expectedSize = opts.expectedSize;
  if (expectedSize !== undefined && !(Number.isSafeInteger(expectedSize) && expectedSize >= 0)) {
    throw new InvalidArgumentError(`expected size must be a non-negative integer, got ${String(expectedSize)}`, { size: expectedSize });
  }
  const hashContent = opts.contentDigests ?? true;
  const hashOpts = opts.hash;
  const stored = await createHasher(algorithm, hashOpts);
  const tarHash = await createHasher('sha256', hashOpts);
  const label = opts.expectedDigest ?? 'layer';

  let size = 0;
  const counted = toStream(src).pipeThrough(
    new TransformStream<Uint8Array, Uint8Array>({
      transform(chunk, controller) {
        size += chunk.length;
        if (expectedSize !== undefined && size > expectedSize) throw sizeMismatch(label, expectedSize, `more (${size} so far)`);
        stored.update(chunk);
        controller.enqueue(chunk);
      },
    }),
  );
  const { head, stream } = await peekBytes(counted, 4);
  const compression = detectCompression(head);
  const tar = decompress(stream, compression);
  // A plain sha256 tar: stored bytes and tar bytes are the same, hash them once.
  const sameBytes = compression === 'none' && algorithm === 'sha256';

  // Per-entry state, driven by the synchronous parser.
  const entries: LayerEntry[] = [];
  const names = new PackedNamesBuilder();
  type Current = { entry: LayerEntry; parts: Uint8Array[]; bytes: number; hasher: Hasher | null };
  let cur: Current | null = null;
  // Read through a function: TypeScript cannot see the parser's callbacks assign `cur`.
  const current = (): Current | null => cur;
  let batch: { entry: LayerEntry; data: Uint8Array }[] = [];
  let batchBytes = 0;
  let needHasher = false;

  const parser = new TarParser({
    onHeader(header, offset) {
      const entry: LayerEntry = { ...header, offset };
      entries.push(entry);
      names.add(header.path, header.type);
      if (hashContent && header.type === 'file') cur = { entry, parts: [], bytes: 0, hasher: null };
    },
    onData(chunk) {
      const c = cur!;
      if (c === null) return;
      if (c.hasher) c.hasher.update(chunk);
      else {
        c.parts.push(chunk);
        c.bytes += chunk.length;
        if (c.entry.size > SMALL_FILE) needHasher = true;
      }
    },
    onEntryEnd() {
      const c = cur;
      if (c === null) return;
      cur = null;
      if (c.hasher) {
        c.entry.contentDigest = c.hasher.digest();
        return;
      }
      // The whole content arrived between two await points: hash it with the batch.
      const data = c.bytes === 0 ? new Uint8Array(0) : joinParts(c.parts, c.bytes);
      batch.push({ entry: c.entry, data });
      batchBytes += data.length;
    },
  });

  const flush = async () => {
    if (batch.length === 0) return;
    const b = batch;
    batch = [];
    batchBytes = 0;
    const digests = await sha256Many(b.map((x) => x.data), hashOpts);
    for (let i = 0; i < b.length; i++) b[i]!.entry.contentDigest = digests[i]!;
  };

  let uncompressedSize = 0;
  const reader = tar.getReader();
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      uncompressedSize += value.length;
      if (!sameBytes) tarHash.update(value);
      parser.push(value);
      // Await points: give a large file in progress its own hasher, hash a full batch.
      if (needHasher) {
        needHasher = false;
        const c = current();
        if (c && !c.hasher) {
          const h = await createHasher('sha256', hashOpts);
          for (const p of c.parts) h.update(p);
          c.parts = [];
          c.hasher = h;
        }
      }
      if (batchBytes >= BATCH_BYTES || batch.length >= BATCH_FILES) await flush();
    }
    parser.end();
  } catch (e) {
    await reader.cancel(e).catch(() => {});
    throw e;
  } finally {
    reader.releaseLock();
  }
  await flush();

  const digest = stored.digest();
  if (expectedSize !== undefined && size !== expectedSize) throw sizeMismatch(label, expectedSize, size);
  if (opts.expectedDigest !== undefined && digest !== opts.expectedDigest) throw digestMismatch(opts.expectedDigest, digest);
  return { digest, diffId: sameBytes ? digest : tarHash.digest(), size, uncompressedSize, compression, entries, names: names.finish() };
}

/**
 * The content of one regular file of a layer blob, found by the offset and
 * size readLayer recorded (the union view reads single files this way). An
 * uncompressed layer given as bytes or a Blob is read at the offset
 * directly. When the entry has a contentDigest, the bytes are verified
 * against it (DIGEST_MISMATCH) and the rest of the blob is not inflated past
 * the file; without one, a stream is read to its end, so that the source's
 * own check (the store verifies a blob's digest at its end) covers them.
 */
export function readLayerFile(src: LayerSource, entry: Pick<LayerEntry, 'type' | 'offset' | 'size' | 'path'> & { contentDigest?: string }): ReadableStream<Uint8Array> {
  if (entry.type !== 'file') throw new InvalidArgumentError(`${entry.path} is a ${entry.type}, not a regular file`, { path: entry.path });
  if (!Number.isSafeInteger(entry.offset) || entry.offset < 0 || !Number.isSafeInteger(entry.size) || entry.size < 0) {
    throw new InvalidArgumentError(`bad offset/size for ${entry.path}`, { path: entry.path });
  }
  const expected = entry.contentDigest;
  if (expected !== undefined) parseDigest(expected);
  const start = entry.offset;
  const end = entry.offset + entry.size;
  let reader: ReadableStreamDefaultReader<Uint8Array> | undefined;
  let direct = false; // reading the file's bytes alone out of an uncompressed tar in memory (nothing else to check)
  let pos = 0;
  let hasher: Hasher | undefined;
  let sent = 0;
  const finish = async (controller: ReadableStreamDefaultController<Uint8Array>) => {
    if (hasher && expected !== undefined) {
      await reader!.cancel().catch(() => {});
      const got = hasher.digest();
      if (got !== expected) throw digestMismatch(expected, got);
    } else if (!direct && entry.size > 0) {
      // No content digest to check the bytes by (an index that did not
      // record one, such as a build's): read the blob to its end instead,
      // so that a verifying source (the store's getBlob) checks the whole
      // blob's digest, and a damaged one fails this read instead of
      // handing out its bytes.
      for (;;) if ((await reader!.read()).done) break;
    } else await reader!.cancel().catch(() => {});
    controller.close();
  };
  return new ReadableStream<Uint8Array>(
    {
      async start() {
        if (expected !== undefined) hasher = await createHasher(parseDigest(expected).algorithm);
        // Random access when the blob is an uncompressed tar in memory or a Blob: read just the file's bytes.
        if (src instanceof Uint8Array && detectCompression(src.subarray(0, 4)) === 'none') {
          const part = src.subarray(Math.min(start, src.length), Math.min(end, src.length));
          reader = toStream(part).getReader();
          pos = start;
          direct = true;
          return;
        }
        if (typeof Blob !== 'undefined' && src instanceof Blob) {
          const head = new Uint8Array(await src.slice(0, 4).arrayBuffer());
          if (detectCompression(head) === 'none') {
            reader = (src.slice(start, end).stream() as ReadableStream<Uint8Array>).getReader();
            pos = start;
            direct = true;
            return;
          }
        }
        reader = decompress(toStream(src), 'auto').getReader();
      },
      async pull(controller) {
        if (sent === entry.size) return finish(controller);
        for (;;) {
          const { done, value } = await reader!.read();
          if (done) throw new InvalidTarError(`layer ends before the content of ${entry.path} (bytes ${start}..${end} of the tar)`, { path: entry.path, offset: start });
          const cStart = pos;
          pos += value.length;
          if (pos <= start) continue;
          const slice = value.subarray(Math.max(0, start - cStart), Math.min(value.length, end - cStart));
          sent += slice.length;
          hasher?.update(slice);
          if (slice.length > 0) controller.enqueue(slice);
          if (sent === entry.size) await finish(controller);
          return;
        }
      },
      async cancel(reason) {
        await reader?.cancel(reason);
      },
    },
    { highWaterMark: 0 },
  );
}
