/**
 * Writing a tar as a Web Stream. Entries go out in the order they are added;
 * the output always ends with the two zero blocks (pax: "two consecutive
 * 512-byte blocks of binary zeros"), so GNU tar reads it without warnings.
 */
import { InvalidArgumentError } from '../errors/InvalidArgumentError.js';
import { encodeHeader, END_OF_ARCHIVE, paddingFor } from './encode.js';
import type { TarHeader } from './types.js';
import { copyBytes } from './bytes.js';

export type TarBody = Uint8Array | ReadableStream<Uint8Array> | AsyncIterable<Uint8Array> | Iterable<Uint8Array>;

export interface TarWriter {
  /** The tar bytes. */
  readonly readable: ReadableStream<Uint8Array>;
  /**
   * Adds one entry. For regular files `body` must hold exactly header.size
   * bytes (INVALID_ARGUMENT otherwise); other types take no body. Calls may
   * overlap: entries are written in call order. Any failure ends the
   * archive: `readable` errors with the same reason. Small pieces are
   * gathered into 128 KiB chunks, so the reader sees them in batches.
   */
  add(header: TarHeader, body?: TarBody): Promise<void>;
  /** Writes the end-of-archive blocks and closes `readable`. */
  finish(): Promise<void>;
  /** Fails `readable` with `reason`. */
  abort(reason?: unknown): Promise<void>;
}

const PAD = new Uint8Array(512);
/** Gathered small pieces go out once this many bytes have accumulated. */
const GATHER = 128 * 1024;
/** Gathering happens in slabs of this size; emitted chunks are views of a slab, never rewritten. */
const SLAB = 1024 * 1024;
/** Pieces at least this large are written as they are, not copied. */
const DIRECT = 2048;

async function* chunksOf(body: TarBody): AsyncGenerator<Uint8Array> {
  if (body instanceof Uint8Array) {
    yield body;
    return;
  }
  if (typeof (body as ReadableStream<Uint8Array>).getReader === 'function') {
    const reader = (body as ReadableStream<Uint8Array>).getReader();
    try {
      for (;;) {
        const { done, value } = await reader.read();
        if (done) return;
        yield value;
      }
    } finally {
      reader.releaseLock();
    }
  }
  yield* body as AsyncIterable<Uint8Array> | Iterable<Uint8Array>;
}

export function createTarWriter(opts: { highWaterMark?: number } = {}): TarWriter {
  let tail: Promise<void> = Promise.resolve();
  let finished = false;
  let failed: unknown;
  let closed = false;
  // A ReadableStream fed directly (no TransformStream: one queue, fewer
  // promise hops per chunk); `pull` wakes a writer waiting for the consumer.
  let controller!: ReadableStreamDefaultController<Uint8Array>;
  let wake: (() => void) | null = null;
  const release = () => {
    const w = wake;
    wake = null;
    w?.();
  };
  const readable = new ReadableStream<Uint8Array>(
    {
      start(c) {
        controller = c;
      },
      pull() {
        release();
      },
      cancel(reason) {
        failed ??= reason ?? new InvalidArgumentError('tar writer: the reader cancelled the stream');
        closed = true;
        release();
      },
    },
    { highWaterMark: opts.highWaterMark ?? 1 << 20, size: (c) => c.byteLength },
  );

  // Small pieces (headers, padding, small files) are gathered into chunks of
  // about GATHER bytes: per-chunk stream overhead dominates small entries.
  // They are copied into a slab and handed out as views of it, so one
  // allocation serves many chunks.
  let slab = new Uint8Array(SLAB);
  let start = 0;
  let fill = 0;
  const write = async (chunk: Uint8Array) => {
    if (failed !== undefined) throw failed;
    controller.enqueue(chunk);
    // Backpressure: wait until the consumer has drained the queue below the high-water mark.
    while ((controller.desiredSize ?? 1) <= 0 && failed === undefined) await new Promise<void>((res) => (wake = res));
    if (failed !== undefined) throw failed;
  };
  const fail = (reason: unknown) => {
    failed ??= reason;
    if (!closed) {
      closed = true;
      controller.error(reason);
    }
    release();
  };
  const flushGathered = async () => {
    if (fill === start) return;
    const chunk = slab.subarray(start, fill);
    start = fill;
    await write(chunk);
  };
  const put = async (chunk: Uint8Array) => {
    if (chunk.length >= DIRECT) {
      await flushGathered();
      await write(chunk);
      return;
    }
    if (fill + chunk.length > SLAB) {
      await flushGathered();
      slab = new Uint8Array(SLAB);
      start = fill = 0;
    }
    slab.set(chunk, fill);
    fill += chunk.length;
    if (fill - start >= GATHER) await flushGathered();
  };

  const writeEntry = async (header: TarHeader, body?: TarBody) => {
    const blocks = encodeHeader(header);
    const size = header.type === 'file' ? header.size : 0;
    if (size > 0 && body === undefined) {
      throw new InvalidArgumentError(`tar entry ${JSON.stringify(header.path)} has size ${size} but no body`, { path: header.path });
    }
    if (size === 0 && body !== undefined && body instanceof Uint8Array && body.length > 0) {
      throw new InvalidArgumentError(`tar entry ${JSON.stringify(header.path)} of type ${header.type} takes no content`, { path: header.path });
    }
    await put(blocks);
    if (body === undefined) return;
    let n = 0;
    for await (const c of chunksOf(body)) {
      if (c.length === 0) continue;
      n += c.length;
      if (n > size) break;
      await put(c);
    }
    if (n !== size) {
      const err = new InvalidArgumentError(`tar entry ${JSON.stringify(header.path)}: body has ${n > size ? 'more than' : 'only'} ${n} bytes, header says ${size}`, {
        path: header.path,
        size,
        bodySize: n,
      });
      // The stream already holds a partial entry: it cannot be valid any more.
      fail(err);
      throw err;
    }
    const pad = paddingFor(size);
    if (pad > 0) await put(PAD.subarray(0, pad));
  };

  const enqueue = <T>(fn: () => Promise<T>): Promise<T> => {
    const p = tail.then(() => {
      if (failed !== undefined) throw failed;
      return fn();
    });
    // Any failure ends the archive: the reader sees the error instead of waiting forever.
    tail = p.then(
      () => {},
      (e) => fail(e),
    );
    return p;
  };

  return {
    readable,
    add(header, body) {
      if (finished) return Promise.reject(new InvalidArgumentError('tar writer: add() after finish()'));
      return enqueue(() => writeEntry(header, body));
    },
    finish() {
      if (finished) return Promise.reject(new InvalidArgumentError('tar writer: finish() called twice'));
      finished = true;
      return enqueue(async () => {
        await put(END_OF_ARCHIVE);
        await flushGathered();
        if (failed !== undefined) throw failed;
        closed = true;
        controller.close();
      });
    },
    async abort(reason) {
      finished = true;
      fail(reason);
    },
  };
}

/** A whole tar in memory from entries with their content (for small archives and tests). */
export function encodeTar(entries: Iterable<{ header: TarHeader; data?: Uint8Array }>): Uint8Array {
  const parts: Uint8Array[] = [];
  let total = 0;
  for (const { header, data } of entries) {
    const size = header.type === 'file' ? header.size : 0;
    const got = data?.length ?? 0;
    if (got !== size) {
      throw new InvalidArgumentError(`tar entry ${JSON.stringify(header.path)}: content has ${got} bytes, header says ${size}`, { path: header.path });
    }
    const h = encodeHeader(header);
    parts.push(h);
    total += h.length;
    if (data && size > 0) {
      parts.push(data);
      total += size + paddingFor(size);
      const pad = paddingFor(size);
      if (pad) parts.push(PAD.subarray(0, pad));
    }
  }
  parts.push(END_OF_ARCHIVE);
  total += END_OF_ARCHIVE.length;
  const out = new Uint8Array(total);
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

/** Where a TarBlockWriter's blocks come from and go. */
export interface TarBlockSink {
  /** A block to fill (all blocks have the same length; old content is overwritten). */
  block(): Uint8Array;
  /** Takes a full block; the writer waits for the promise before filling the next one (backpressure). */
  full(block: Uint8Array): Promise<void> | void;
}

/**
 * A tar written straight into fixed-size blocks (a compressor's input
 * blocks): headers and bodies are copied once into the block, with no
 * stream stage, chunk or promise per entry — per-entry stream costs were
 * most of the main thread's work writing a layer of small files. Same bytes
 * as createTarWriter for the same entries. Calls must not overlap: await
 * (when one is returned) each promise before the next call.
 */
export interface TarBlockWriter {
  /**
   * Adds one entry with its whole body (regular files: exactly header.size
   * bytes, INVALID_ARGUMENT otherwise). Returns a promise only when a block
   * filled up and was handed on; `undefined` means it is already written.
   * With `transient`, the body is memory the caller reuses as soon as add
   * returns (a read buffer): a body that does not fit in the current block
   * is copied before add returns, since the rest of it is written only after
   * the full block was handed on, when another read may have refilled it.
   */
  add(header: TarHeader, body?: Uint8Array, transient?: boolean): Promise<void> | undefined;
  /** Adds a regular file whose body is streamed (or any TarBody). */
  addBody(header: TarHeader, body: TarBody): Promise<void>;
  /** Writes the end-of-archive blocks; returns the last, partly filled block and its length (not handed to the sink). */
  end(): Promise<{ block: Uint8Array; length: number }>;
  /** Tar bytes written so far. */
  readonly size: number;
}

export function createTarBlockWriter(sink: TarBlockSink): TarBlockWriter {
  let block = sink.block();
  let fill = 0;
  let total = 0;
  const write = async (bytes: Uint8Array) => {
    for (let p = 0; p < bytes.byteLength; ) {
      const take = Math.min(block.byteLength - fill, bytes.byteLength - p);
      block.set(p === 0 && take === bytes.byteLength ? bytes : bytes.subarray(p, p + take), fill);
      fill += take;
      p += take;
      total += take;
      if (fill === block.byteLength) {
        const full = block;
        await sink.full(full);
        block = sink.block();
        fill = 0;
      }
    }
  };
  const check = (header: TarHeader, body: unknown) => {
    const size = header.type === 'file' ? header.size : 0;
    if (size > 0 && body === undefined) {
      throw new InvalidArgumentError(`tar entry ${JSON.stringify(header.path)} has size ${size} but no body`, { path: header.path });
    }
    if (size === 0 && body instanceof Uint8Array && body.length > 0) {
      throw new InvalidArgumentError(`tar entry ${JSON.stringify(header.path)} of type ${header.type} takes no content`, { path: header.path });
    }
    return size;
  };
  const sizeMismatch = (header: TarHeader, n: number) =>
    new InvalidArgumentError(`tar entry ${JSON.stringify(header.path)}: body has ${n > header.size ? 'more than' : 'only'} ${n} bytes, header says ${header.size}`, {
      path: header.path,
      size: header.size,
      bodySize: n,
    });
  return {
    get size() {
      return total;
    },
    add(header, body, transient) {
      const size = check(header, body);
      if (size > 0 && body!.byteLength !== size) throw sizeMismatch(header, body!.byteLength);
      const head = encodeHeader(header);
      const pad = paddingFor(size);
      const n = head.byteLength + size + pad;
      if (fill + n < block.byteLength) {
        // The common case: the whole entry fits in the current block.
        block.set(head, fill);
        if (size > 0) {
          block.set(body!, fill + head.byteLength);
          block.fill(0, fill + head.byteLength + size, fill + n);
        }
        fill += n;
        total += n;
        return undefined;
      }
      const owned = transient && size > 0 ? copyBytes(body!) : body;
      return (async () => {
        await write(head);
        if (size > 0) {
          await write(owned!);
          if (pad > 0) await write(PAD.subarray(0, pad));
        }
      })();
    },
    async addBody(header, body) {
      const size = check(header, body);
      await write(encodeHeader(header));
      let n = 0;
      for await (const c of chunksOf(body)) {
        if (c.length === 0) continue;
        n += c.length;
        if (n > size) break;
        await write(c);
      }
      if (n !== size) throw sizeMismatch(header, n);
      const pad = paddingFor(size);
      if (pad > 0) await write(PAD.subarray(0, pad));
    },
    async end() {
      await write(END_OF_ARCHIVE);
      return { block, length: fill };
    },
  };
}
