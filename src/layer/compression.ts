/**
 * Layer compression: media types (OCI image-spec media-types.md and layer.md,
 * Docker image manifest v2 schema 2), detection from the first bytes, and
 * streaming compress / decompress for gzip and zstd over Web Streams.
 *
 * Backends (measured with `npm run bench -- tar`; figures in README, Benchmarks):
 *  - gzip inflate: node:zlib when running in Node (about 4x faster than
 *    Node 20's DecompressionStream, which wraps the same zlib behind extra
 *    stream layers), reached through process.getBuiltinModule so that no
 *    node:* import is static; DecompressionStream elsewhere. Both inflate
 *    every member of a multi-member gzip (RFC 1952 2.2; pigz and
 *    concatenated `gzip` output).
 *  - gzip deflate: in Node, 1 MiB blocks deflated at once on node:zlib's
 *    thread pool, pigz's way (zlib.deflateRaw primed with the previous block's
 *    last 32 KiB and ended with a sync flush, then one gzip header and CRC-32
 *    trailer): a single gzip member any inflater reads, the same bytes
 *    whatever the chunking of the input, and as many cores as the pool has
 *    (one CompressionStream keeps one core busy, and deflate is the cost of
 *    writing a layer). CompressionStream elsewhere. The header's OS byte is
 *    3 (Unix, as GNU gzip and Linux zlib write it) in both, so the bytes do not
 *    depend on the platform (CONFORMANCE 21).
 *  - zstd decode: fzstd (pure JavaScript, streaming, several frames).
 *  - zstd encode: @hpcc-js/wasm-zstd's one-shot compressor over 4 MiB blocks,
 *    one frame per block (RFC 8878 section 3: a zstd stream is a sequence of
 *    frames, decoders concatenate them), so memory stays bounded and
 *    concurrent streams share no encoder state.
 */
import { Decompress as ZstdDecompress } from 'fzstd';
import { InvalidTarError } from '../errors/InvalidTarError.js';
import { UnsupportedError } from '../errors/UnsupportedError.js';
import { InvalidArgumentError } from '../errors/InvalidArgumentError.js';
import { copyBytes } from '../tar/bytes.js';
import { concatBytes } from '../tar/reader.js';
import { incompressibleRuns, storedBlocks } from './incompressible.js';

export type Compression = 'none' | 'gzip' | 'zstd';

/** Layer media types layerfs reads (OCI, OCI non-distributable, Docker, Docker foreign). */
export const LayerMediaType = Object.freeze({
  oci: 'application/vnd.oci.image.layer.v1.tar',
  ociGzip: 'application/vnd.oci.image.layer.v1.tar+gzip',
  ociZstd: 'application/vnd.oci.image.layer.v1.tar+zstd',
  ociNondist: 'application/vnd.oci.image.layer.nondistributable.v1.tar',
  ociNondistGzip: 'application/vnd.oci.image.layer.nondistributable.v1.tar+gzip',
  ociNondistZstd: 'application/vnd.oci.image.layer.nondistributable.v1.tar+zstd',
  docker: 'application/vnd.docker.image.rootfs.diff.tar',
  dockerGzip: 'application/vnd.docker.image.rootfs.diff.tar.gzip',
  dockerZstd: 'application/vnd.docker.image.rootfs.diff.tar.zstd',
  dockerForeignGzip: 'application/vnd.docker.image.rootfs.foreign.diff.tar.gzip',
});

const MEDIA: Record<string, Compression> = {
  [LayerMediaType.oci]: 'none',
  [LayerMediaType.ociGzip]: 'gzip',
  [LayerMediaType.ociZstd]: 'zstd',
  [LayerMediaType.ociNondist]: 'none',
  [LayerMediaType.ociNondistGzip]: 'gzip',
  [LayerMediaType.ociNondistZstd]: 'zstd',
  [LayerMediaType.docker]: 'none',
  [LayerMediaType.dockerGzip]: 'gzip',
  [LayerMediaType.dockerZstd]: 'zstd',
  [LayerMediaType.dockerForeignGzip]: 'gzip',
};

/** The compression a layer media type declares. UNSUPPORTED for anything that is not a known layer type. */
export function compressionOfMediaType(mediaType: string): Compression {
  const c = MEDIA[mediaType];
  if (c === undefined) throw new UnsupportedError(`not a supported layer media type: ${mediaType}`, { mediaType });
  return c;
}

/** The OCI (default) or Docker layer media type for a compression. */
export function mediaTypeOfCompression(compression: Compression, family: 'oci' | 'docker' = 'oci'): string {
  checkCompression(compression);
  if (family === 'docker') return compression === 'gzip' ? LayerMediaType.dockerGzip : compression === 'zstd' ? LayerMediaType.dockerZstd : LayerMediaType.docker;
  return compression === 'gzip' ? LayerMediaType.ociGzip : compression === 'zstd' ? LayerMediaType.ociZstd : LayerMediaType.oci;
}

function checkCompression(c: string): asserts c is Compression {
  if (c !== 'none' && c !== 'gzip' && c !== 'zstd') throw new InvalidArgumentError(`unknown compression ${JSON.stringify(c)}: use 'none', 'gzip' or 'zstd'`, { compression: c });
}

/**
 * Compression named by the first bytes: gzip 1f 8b (RFC 1952), zstd frame
 * 28 b5 2f fd or a skippable frame 5? 2a 4d 18 (RFC 8878); anything else is
 * taken as a plain tar.
 */
export function detectCompression(head: Uint8Array): Compression {
  if (head.length >= 2 && head[0] === 0x1f && head[1] === 0x8b) return 'gzip';
  if (head.length >= 4 && head[1] === 0xb5 && head[2] === 0x2f && head[3] === 0xfd && head[0] === 0x28) return 'zstd';
  if (head.length >= 4 && (head[0]! & 0xf0) === 0x50 && head[1] === 0x2a && head[2] === 0x4d && head[3] === 0x18) return 'zstd';
  return 'none';
}

// ---------------------------------------------------------------- Node zlib

type Zlib = typeof import('node:zlib');
type ZlibStream = import('node:zlib').Gunzip;

function nodeZlib(): Zlib | null {
  const proc = (globalThis as { process?: { versions?: { node?: string }; getBuiltinModule?: (id: string) => unknown } }).process;
  if (typeof proc?.versions?.node !== 'string' || typeof proc.getBuiltinModule !== 'function') return null;
  return (proc.getBuiltinModule('node:zlib') as Zlib | undefined) ?? null;
}

/** Which gzip inflater decompress() uses: 'zlib' (Node) or 'web' (DecompressionStream). For benches and tests. */
export type GzipBackend = 'auto' | 'zlib' | 'web';

function corrupt(compression: Compression, cause: unknown): InvalidTarError {
  const why = cause instanceof Error ? cause.message : String(cause);
  return new InvalidTarError(`layer ${compression} data is corrupt or truncated: ${why}`, { compression }, { cause });
}

/**
 * Pull-driven inflate through a node:zlib stream in paused mode: output is
 * read only when the consumer asks, input is written ahead until zlib's
 * writable buffer is full (so inflating on the thread pool overlaps with
 * the consumer's work), and memory stays bounded whatever the ratio.
 * 1 MiB output chunks: each thread-pool job needs the main thread to start
 * the next, so while apply runs a long stretch of synchronous file writes
 * a 128 KiB job sat finished and zlib idled (unpack bench: 2.7 s -> 2.3 s).
 */
function zlibInflate(src: ReadableStream<Uint8Array>, zlib: Zlib): ReadableStream<Uint8Array> {
  const z: ZlibStream = zlib.createGunzip({ chunkSize: 1024 * 1024 });
  const reader = src.getReader();
  let signalled = false;
  let waiter: (() => void) | null = null;
  const kick = () => {
    signalled = true;
    if (waiter) {
      const w = waiter;
      waiter = null;
      w();
    }
  };
  let error: unknown;
  let ended = false;
  let srcDone = false;
  z.on('readable', kick);
  z.on('drain', kick);
  z.on('end', () => {
    ended = true;
    kick();
  });
  z.on('error', (e) => {
    error ??= e;
    kick();
  });
  return new ReadableStream<Uint8Array>(
    {
      async pull(controller) {
        for (;;) {
          if (error !== undefined) throw corrupt('gzip', error);
          const out = z.read() as Uint8Array | null;
          if (out !== null) {
            controller.enqueue(new Uint8Array(out.buffer, out.byteOffset, out.byteLength));
            return;
          }
          if (ended) {
            controller.close();
            return;
          }
          if (!srcDone && !z.writableNeedDrain) {
            const r = await reader.read();
            if (r.done) {
              srcDone = true;
              z.end();
            } else if (r.value.byteLength > 0) {
              z.write(r.value);
            }
            continue;
          }
          if (!signalled) await new Promise<void>((res) => (waiter = res));
          signalled = false;
        }
      },
      async cancel(reason) {
        z.destroy();
        await reader.cancel(reason);
      },
    },
    { highWaterMark: 0 },
  );
}

// --------------------------------------------------------------- transforms

/** Applies a synchronous chunk transform with a final flush; errors map through `onError`. */
function syncTransform(
  src: ReadableStream<Uint8Array>,
  step: (chunk: Uint8Array, emit: (c: Uint8Array) => void) => void,
  finish: (emit: (c: Uint8Array) => void) => void,
  onError: (e: unknown) => unknown,
): ReadableStream<Uint8Array> {
  return src.pipeThrough(
    new TransformStream<Uint8Array, Uint8Array>({
      transform(chunk, controller) {
        try {
          step(chunk, (c) => c.length > 0 && controller.enqueue(c));
        } catch (e) {
          throw onError(e);
        }
      },
      flush(controller) {
        try {
          finish((c) => c.length > 0 && controller.enqueue(c));
        } catch (e) {
          throw onError(e);
        }
      },
    }),
  );
}

function zstdInflate(src: ReadableStream<Uint8Array>): ReadableStream<Uint8Array> {
  let emit: (c: Uint8Array) => void = () => {};
  const d = new ZstdDecompress((data) => emit(data));
  let sawInput = false;
  return syncTransform(
    src,
    (chunk, e) => {
      emit = e;
      if (chunk.length > 0) sawInput = true;
      d.push(chunk);
    },
    (e) => {
      emit = e;
      if (!sawInput) throw new Error('no zstd frame');
      d.push(new Uint8Array(0), true);
    },
    (e) => (e instanceof InvalidTarError ? e : corrupt('zstd', e)),
  );
}

/** Errors of a web DecompressionStream (TypeError in Node and browsers) become INVALID_TAR. */
function mapErrors(src: ReadableStream<Uint8Array>, compression: Compression): ReadableStream<Uint8Array> {
  const reader = src.getReader();
  return new ReadableStream<Uint8Array>(
    {
      async pull(controller) {
        let r: ReadableStreamReadResult<Uint8Array>;
        try {
          r = await reader.read();
        } catch (e) {
          throw e instanceof InvalidTarError ? e : corrupt(compression, e);
        }
        if (r.done) controller.close();
        else controller.enqueue(r.value);
      },
      cancel(reason) {
        return reader.cancel(reason);
      },
    },
    { highWaterMark: 0 },
  );
}

/** Splits `src` into its first `n` bytes (or fewer at the end) and a stream replaying everything. */
export async function peekBytes(src: ReadableStream<Uint8Array>, n: number): Promise<{ head: Uint8Array; stream: ReadableStream<Uint8Array> }> {
  const reader = src.getReader();
  const seen: Uint8Array[] = [];
  let have = 0;
  let ended = false;
  while (have < n) {
    const r = await reader.read();
    if (r.done) {
      ended = true;
      break;
    }
    seen.push(r.value);
    have += r.value.length;
  }
  const head = new Uint8Array(Math.min(n, have));
  let o = 0;
  for (const c of seen) {
    if (o >= head.length) break;
    const take = c.subarray(0, head.length - o);
    head.set(take, o);
    o += take.length;
  }
  let i = 0;
  const stream = new ReadableStream<Uint8Array>(
    {
      async pull(controller) {
        if (i < seen.length) {
          controller.enqueue(seen[i]!);
          seen[i++] = undefined as unknown as Uint8Array;
          return;
        }
        if (ended) {
          controller.close();
          return;
        }
        const r = await reader.read();
        if (r.done) controller.close();
        else controller.enqueue(r.value);
      },
      cancel(reason) {
        return reader.cancel(reason);
      },
    },
    { highWaterMark: 0 },
  );
  return { head, stream };
}

/**
 * The decompressed bytes of `src`. With 'auto' (the default) the compression
 * is detected from the first bytes. Corrupt or truncated data fails the
 * stream with INVALID_TAR.
 */
export function decompress(
  src: ReadableStream<Uint8Array>,
  compression: Compression | 'auto' = 'auto',
  opts: { gzipBackend?: GzipBackend } = {},
): ReadableStream<Uint8Array> {
  if (compression === 'auto') {
    // Resolve the compression lazily on the first pull, without buffering more than the first chunk(s).
    let inner: ReadableStreamDefaultReader<Uint8Array> | undefined;
    return new ReadableStream<Uint8Array>(
      {
        async pull(controller) {
          if (!inner) {
            const { head, stream } = await peekBytes(src, 4);
            inner = decompress(stream, detectCompression(head), opts).getReader();
          }
          const r = await inner.read();
          if (r.done) controller.close();
          else controller.enqueue(r.value);
        },
        async cancel(reason) {
          if (inner) await inner.cancel(reason);
          else await src.cancel(reason);
        },
      },
      { highWaterMark: 0 },
    );
  }
  checkCompression(compression);
  if (compression === 'none') return src;
  if (compression === 'zstd') return zstdInflate(src);
  const backend = opts.gzipBackend ?? 'auto';
  const zlib = backend === 'web' ? null : nodeZlib();
  if (backend === 'zlib' && !zlib) throw new UnsupportedError("gzip backend 'zlib' needs Node's node:zlib", { backend });
  if (zlib) return zlibInflate(src, zlib);
  return mapErrors(src.pipeThrough(new DecompressionStream('gzip') as unknown as TransformStream<Uint8Array, Uint8Array>), 'gzip');
}

// ------------------------------------------------------------------ compress

/** Input block of one zstd frame. */
export const ZSTD_BLOCK = 4 * 1024 * 1024;

interface ZstdEncoder {
  compress(data: Uint8Array, level?: number): Uint8Array;
}
let zstdEncoder: Promise<ZstdEncoder> | undefined;
function loadZstdEncoder(): Promise<ZstdEncoder> {
  zstdEncoder ??= import('@hpcc-js/wasm-zstd').then((m) => m.Zstd.load());
  return zstdEncoder;
}

/** Copies what fits of chunk[from..] into block[fill..] (encoders work on fixed-size blocks); returns the bytes taken. */
function fillBlock(block: Uint8Array, fill: number, chunk: Uint8Array, from: number): number {
  const take = Math.min(block.byteLength - fill, chunk.byteLength - from);
  block.set(chunk.subarray(from, from + take), fill);
  return take;
}

function zstdDeflate(src: ReadableStream<Uint8Array>, level: number): ReadableStream<Uint8Array> {
  let enc: ZstdEncoder;
  const buf = new Uint8Array(ZSTD_BLOCK);
  let fill = 0;
  let frames = 0;
  return src.pipeThrough(
    new TransformStream<Uint8Array, Uint8Array>({
      async start() {
        enc = await loadZstdEncoder();
      },
      transform(chunk, controller) {
        for (let p = 0; p < chunk.length; ) {
          const take = fillBlock(buf, fill, chunk, p);
          fill += take;
          p += take;
          if (fill === ZSTD_BLOCK) {
            controller.enqueue(enc.compress(buf, level));
            frames++;
            fill = 0;
          }
        }
      },
      flush(controller) {
        // An empty input still gets one (empty) frame: a valid zstd stream.
        if (fill > 0 || frames === 0) controller.enqueue(enc.compress(buf.subarray(0, fill), level));
      },
    }),
  );
}

/** gzip level when none is given: zlib's default, as Docker and Go's compress/gzip use. */
export const DEFAULT_GZIP_LEVEL = 6;
/** Input bytes of one independently deflated gzip block (pigz uses 128 KiB; bigger blocks, fewer flush markers). */
export const GZIP_BLOCK = 1 << 20;
/** Bytes of the previous block a block is primed with: deflate's whole window (RFC 1951 section 2.2). */
const DEFLATE_WINDOW = 32 * 1024;
/** Blocks of one stream deflated or waiting for a thread at once. */
const GZIP_IN_FLIGHT = 4;

/**
 * Deflate jobs on node:zlib's thread pool at once, across all streams: one
 * more than the cores, so that a core whose job ends has another deflate
 * thread to run while the main thread gets round to the completion and
 * starts the next job (with one job per core, a 2-core cold build kept 1.47
 * cores busy; with one more, 1.61), and always one pool thread left over, because file
 * system calls share that pool (4 threads unless UV_THREADPOOL_SIZE says
 * otherwise). With the pool full of 50 ms deflate jobs (two layers packing),
 * every store write and record read of the build queued behind them: a cold
 * build's wall time was twice its CPU time at level 6.
 */
let deflateSlots: number | undefined;
/** Input bytes of the deflate jobs running, and the jobs waiting for room, in order. */
let deflateBytes = 0;
const deflateWaiting: Array<{ cost: number; go: () => void }> = [];
function deflateLimit(): number {
  if (deflateSlots === undefined) {
    const proc = (globalThis as { process?: { env?: Record<string, string | undefined>; getBuiltinModule?: (id: string) => unknown } }).process;
    const os = proc?.getBuiltinModule?.('node:os') as { availableParallelism?: () => number } | undefined;
    const cores = os?.availableParallelism?.() ?? 2;
    const pool = Number(proc?.env?.UV_THREADPOOL_SIZE) || 4;
    deflateSlots = Math.max(1, Math.min(cores + 1, pool - 1));
  }
  return deflateSlots;
}
/**
 * Runs a deflate job of `bytes` input once there is room: the slots are
 * counted in input bytes, GZIP_BLOCK a slot, so a block split into pieces
 * around stored runs (incompressible.ts) has them all on the pool at once
 * instead of each waiting for the main thread to hand out the slot the one
 * before it freed; a thread then goes from one small piece to the next
 * without a round trip through the main thread.
 */
async function withDeflateSlot<T>(bytes: number, job: () => Promise<T>): Promise<T> {
  const room = deflateLimit() * GZIP_BLOCK;
  const cost = Math.min(Math.max(bytes, 1), room);
  if (deflateWaiting.length > 0 || deflateBytes + cost > room) await new Promise<void>((go) => deflateWaiting.push({ cost, go }));
  else deflateBytes += cost;
  try {
    return await job();
  } finally {
    deflateBytes -= cost;
    // Waiters start in order, as many as fit.
    while (deflateWaiting.length > 0 && deflateBytes + deflateWaiting[0]!.cost <= room) {
      const w = deflateWaiting.shift()!;
      deflateBytes += w.cost;
      w.go();
    }
  }
}
/** RFC 1952 section 2.3: magic, CM=8 (deflate), no flags, MTIME 0, XFL as zlib sets it (2 at level 9, 4 at 1, else 0), OS 3 (Unix). */
function gzipHeader(level: number): Uint8Array {
  return Uint8Array.of(0x1f, 0x8b, 8, 0, 0, 0, 0, 0, level === 9 ? 2 : level === 1 ? 4 : 0, 3);
}

type DeflateRaw = (buf: Uint8Array, opts: { level: number; dictionary?: Uint8Array; finishFlush: number; chunkSize: number }, cb: (err: Error | null, out: Uint8Array) => void) => void;
type NodeBuffer = { allocUnsafeSlow(n: number): Uint8Array };

/**
 * gzip through node:zlib, block-parallel as pigz does it: each GZIP_BLOCK of
 * input is raw-deflated on its own (primed with the 32 KiB before it, so the
 * ratio stays that of one stream), ends with a sync flush (an empty stored
 * block, so the pieces join on a byte boundary) except the last, which
 * finishes the stream. Block boundaries depend only on the input offset, so
 * the output is deterministic.
 *
 * The caller fills the input blocks itself (`block()`), so a producer that
 * can write straight into them (the layer writer) copies nothing and pays no
 * stream stage per chunk; `emit` gets the gzip bytes in order.
 */
export interface GzipBlocks {
  /** An input block of GZIP_BLOCK bytes to fill (recycled: its old content is garbage). */
  block(): Uint8Array;
  /**
   * Deflates block[0, n) (every block but the last must be full). Resolves
   * once fewer than GZIP_IN_FLIGHT blocks are pending (backpressure).
   */
  push(block: Uint8Array, n: number): Promise<void>;
  /** Deflates the last block (may be partial or empty) and emits the rest, trailer included. */
  finish(block: Uint8Array, n: number): Promise<void>;
}

type ZlibWithCrc = Zlib & { crc32: (d: Uint8Array, v?: number) => number };

function zlibGzipBlocks(zlib: ZlibWithCrc, level: number, emit: (c: Uint8Array) => void): GzipBlocks {
  const deflateRaw = zlib.deflateRaw as unknown as DeflateRaw;
  const { Z_SYNC_FLUSH, Z_FINISH } = zlib.constants;
  // Blocks are recycled (a fresh zeroed MiB per block showed up as GC time),
  // once deflated AND no longer needed as the next block's dictionary.
  const B = (globalThis as { Buffer?: NodeBuffer }).Buffer;
  const free: Uint8Array[] = [];
  const refs = new Map<Uint8Array, number>();
  const release = (b: Uint8Array) => {
    const n = (refs.get(b) ?? 1) - 1;
    if (n > 0) refs.set(b, n);
    else {
      refs.delete(b);
      free.push(b);
    }
  };
  let prev: Uint8Array | undefined;
  let prevOwner: Uint8Array | undefined;
  let crc = 0;
  let total = 0;
  let failed: unknown;
  const inFlight: Promise<Uint8Array[]>[] = [];
  /** Raw deflate of `input` on the pool, primed with `window`; a sync flush, or the stream's end when `last`. */
  const deflate = (input: Uint8Array, window: Uint8Array | undefined, last: boolean) =>
    withDeflateSlot(
      input.byteLength,
      () =>
        new Promise<Uint8Array>((res, rej) =>
          deflateRaw(
            input,
            // One output chunk per block: the default 16 KiB would cost a thread-pool round trip per 16 KiB.
            { level, ...(window?.byteLength ? { dictionary: window } : {}), finishFlush: last ? Z_FINISH : Z_SYNC_FLUSH, chunkSize: input.byteLength + (input.byteLength >> 3) + 64 },
            (err, out) => (err ? rej(err) : res(out)),
          ),
        ),
    );
  const start = (owner: Uint8Array, n: number, last: boolean) => {
    if (failed !== undefined) throw failed;
    const input = owner.subarray(0, n);
    // `prev` is recycled once this block is on its way, maybe before this block's jobs get a
    // slot: hold a copy of the window (copyBytes: on a Buffer, slice() is a view, not a copy).
    const window = prev && copyBytes(prev, Math.max(0, prev.byteLength - DEFLATE_WINDOW));
    if (prevOwner) release(prevOwner);
    crc = zlib.crc32(input, crc);
    total += n;
    // Stretches deflate cannot shrink are stored as they are (incompressible.ts); the rest
    // is deflated in pieces between them, each primed with the 32 KiB of input before it
    // (what one deflate stream would see) and joined by sync flushes as blocks are.
    const parts: Array<Promise<Uint8Array> | Uint8Array> = [];
    let at = 0;
    const deflateUpTo = (end: number, final: boolean) => {
      if (end === at && !final) return; // (the final piece may be empty: it ends the stream)
      let dict: Uint8Array | undefined;
      if (at >= DEFLATE_WINDOW) dict = input.subarray(at - DEFLATE_WINDOW, at);
      else if (at > 0) dict = window ? concatBytes([window.subarray(Math.max(0, window.byteLength - (DEFLATE_WINDOW - at))), input.subarray(0, at)]) : input.subarray(0, at);
      else dict = window;
      parts.push(deflate(input.subarray(at, end), dict, final));
      at = end;
    };
    for (const [s, e] of incompressibleRuns(input, n)) {
      deflateUpTo(s, false);
      parts.push(storedBlocks(input.subarray(s, e), last && e === n));
      at = e;
    }
    if (at < n || (last && parts.length === 0)) deflateUpTo(n, last);
    refs.set(owner, 2); // the deflate jobs, and the dictionary role for the next block
    const job = Promise.all(parts);
    const tracked = job.then((out) => (release(owner), out));
    tracked.catch((e) => (failed ??= e)); // awaited in order by drain; after a failure the rest are dropped
    inFlight.push(tracked);
    prev = input;
    prevOwner = owner;
  };
  const drain = async (keep: number) => {
    while (inFlight.length > keep) {
      for (const out of await inFlight.shift()!) if (out.byteLength) emit(new Uint8Array(out.buffer, out.byteOffset, out.byteLength));
    }
  };
  emit(gzipHeader(level));
  return {
    block: () => free.pop() ?? (B ? B.allocUnsafeSlow(GZIP_BLOCK) : new Uint8Array(GZIP_BLOCK)),
    async push(block, n) {
      start(block, n, false);
      await drain(GZIP_IN_FLIGHT - 1);
    },
    async finish(block, n) {
      start(block, n, true);
      await drain(0);
      const trailer = new Uint8Array(8);
      const v = new DataView(trailer.buffer);
      v.setUint32(0, crc >>> 0, true);
      v.setUint32(4, total >>> 0, true); // ISIZE: length modulo 2^32
      emit(trailer);
    },
  };
}

/** node:zlib with crc32 (Node 20.15 / 22.2 and later), else null. */
function zlibWithCrc(): ZlibWithCrc | null {
  const zlib = nodeZlib();
  return zlib && typeof (zlib as { crc32?: unknown }).crc32 === 'function' ? (zlib as ZlibWithCrc) : null;
}

function checkGzipLevel(level: number | undefined): void {
  if (level !== undefined && !(Number.isInteger(level) && level >= 1 && level <= 9)) {
    throw new InvalidArgumentError(`gzip level must be a whole number from 1 to 9, got ${String(level)}`, { level });
  }
}

/**
 * Block-parallel gzip whose input blocks the caller fills (see GzipBlocks),
 * or null where node:zlib with crc32 is missing (browsers): use compress()
 * there. Same bytes as compress(src, 'gzip', { level }) for the same input.
 */
export function gzipBlocks(level: number | undefined, emit: (c: Uint8Array) => void): GzipBlocks | null {
  checkGzipLevel(level);
  const zlib = zlibWithCrc();
  return zlib ? zlibGzipBlocks(zlib, level ?? DEFAULT_GZIP_LEVEL, emit) : null;
}

/** compress() over zlibGzipBlocks: stream chunks are copied into the blocks. */
function zlibGzip(src: ReadableStream<Uint8Array>, zlib: ZlibWithCrc, level: number): ReadableStream<Uint8Array> {
  let out!: TransformStreamDefaultController<Uint8Array>;
  let gz!: GzipBlocks;
  let block: Uint8Array | undefined;
  let fill = 0;
  return src.pipeThrough(
    new TransformStream<Uint8Array, Uint8Array>({
      start(c) {
        out = c;
        gz = zlibGzipBlocks(zlib, level, (x) => out.enqueue(x));
      },
      async transform(chunk, c) {
        out = c;
        for (let p = 0; p < chunk.byteLength; ) {
          block ??= gz.block();
          const take = fillBlock(block, fill, chunk, p);
          fill += take;
          p += take;
          if (fill === GZIP_BLOCK) {
            const full = block;
            block = undefined;
            fill = 0;
            await gz.push(full, GZIP_BLOCK);
          }
        }
      },
      async flush(c) {
        out = c;
        await gz.finish(block ?? gz.block(), fill);
      },
    }),
  );
}

/**
 * Whether gzip levels other than 6 can be written here: node:zlib (with
 * crc32) has them; CompressionStream, the browsers' deflater, has none.
 */
export function gzipLevelsSupported(): boolean {
  return zlibWithCrc() !== null;
}

/** Which gzip deflater compress() uses: 'zlib' (Node, block-parallel) or 'web' (CompressionStream). */
export type GzipEncoder = 'auto' | 'zlib' | 'web';

/**
 * Compresses `src`. gzip at zlib's default level (6, as Docker and Go's
 * compress/gzip use), zstd at level 3 (zstd's default) unless `level` says otherwise.
 */
export function compress(src: ReadableStream<Uint8Array>, compression: Compression, opts: { level?: number; gzipEncoder?: GzipEncoder } = {}): ReadableStream<Uint8Array> {
  checkCompression(compression);
  if (compression === 'none') return src;
  if (compression === 'zstd') return zstdDeflate(src, opts.level ?? 3);
  const encoder = opts.gzipEncoder ?? 'auto';
  // zlib.crc32 arrived in Node 20.15 / 22.2; without it, CompressionStream.
  const withCrc = encoder === 'web' ? null : zlibWithCrc();
  if (encoder === 'zlib' && !withCrc) throw new UnsupportedError("gzip encoder 'zlib' needs Node's node:zlib with crc32 (Node 20.15 or later)", { encoder });
  checkGzipLevel(opts.level);
  if (withCrc) return zlibGzip(src, withCrc, opts.level ?? DEFAULT_GZIP_LEVEL);
  if (opts.level !== undefined && opts.level !== 6) throw new UnsupportedError('gzip levels other than 6 need node:zlib (CompressionStream has no levels)', { level: opts.level });
  let pos = 0;
  return src.pipeThrough(new CompressionStream('gzip') as unknown as TransformStream<Uint8Array, Uint8Array>).pipeThrough(
    new TransformStream<Uint8Array, Uint8Array>({
      transform(chunk, controller) {
        // RFC 1952 2.3: byte 9 is the OS; pin it so output is the same on every platform.
        if (pos <= 9 && pos + chunk.length > 9 && chunk[9 - pos] !== 3) {
          chunk = copyBytes(chunk);
          chunk[9 - pos] = 3;
        }
        pos += chunk.length;
        controller.enqueue(chunk);
      },
    }),
  );
}
