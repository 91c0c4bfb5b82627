/**
 * Writing a tar as a Web Stream. Entries go out in the order they are added;
 * the output always ends with the two zero blocks (pax: "two consecutive
 * 512-byte blocks of binary zeros"), so GNU tar reads it without warnings.
 */
import { InvalidArgumentError } from '../errors/InvalidArgumentError.js';
import { encodeHeader, END_OF_ARCHIVE, paddingFor } from './encode.js';
import type { TarHeader } from './types.js';

export type TarBody = Uint8Array | ReadableStream<Uint8Array> | AsyncIterable<Uint8Array> | Iterable<Uint8Array>;

export interface TarWriter {
  /** The tar bytes. */
  readonly readable: ReadableStream<Uint8Array>;
  /**
   * Adds one entry. For regular files `body` must hold exactly header.size
   * bytes (INVALID_ARGUMENT otherwise); other types take no body. Calls may
   * overlap: entries are written in call order.
   */
  add(header: TarHeader, body?: TarBody): Promise<void>;
  /** Writes the end-of-archive blocks and closes `readable`. */
  finish(): Promise<void>;
  /** Fails `readable` with `reason`. */
  abort(reason?: unknown): Promise<void>;
}

const PAD = new Uint8Array(512);
/** Output chunk size for gathered small pieces. */
const GATHER = 128 * 1024;
/** Pieces at least this large are written as they are, not copied. */
const DIRECT = 32 * 1024;

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
  const ts = new TransformStream<Uint8Array, Uint8Array>(undefined, undefined, {
    highWaterMark: opts.highWaterMark ?? 1 << 20,
    size: (c) => c.byteLength,
  });
  const w = ts.writable.getWriter();
  let tail: Promise<void> = Promise.resolve();
  let finished = false;
  let failed: unknown;

  // Small pieces (headers, padding, small files) are gathered into one chunk
  // of up to GATHER bytes: per-chunk stream overhead dominates small entries.
  let buf = new Uint8Array(GATHER);
  let fill = 0;
  const write = async (chunk: Uint8Array) => {
    await w.ready;
    // Not awaited: write() settles only once the reader consumes; `ready` is the backpressure signal.
    w.write(chunk).catch((e) => {
      failed ??= e;
    });
  };
  const flushGathered = async () => {
    if (fill === 0) return;
    const chunk = buf.subarray(0, fill);
    buf = new Uint8Array(GATHER);
    fill = 0;
    await write(chunk);
  };
  const put = async (chunk: Uint8Array) => {
    if (chunk.length >= DIRECT) {
      await flushGathered();
      await write(chunk);
      return;
    }
    if (fill + chunk.length > GATHER) await flushGathered();
    buf.set(chunk, fill);
    fill += chunk.length;
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
      await w.abort(err).catch(() => {});
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
    tail = p.then(
      () => {},
      (e) => {
        failed ??= e;
      },
    );
    return p;
  };

  return {
    readable: ts.readable,
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
        await w.close();
      });
    },
    async abort(reason) {
      finished = true;
      failed ??= reason;
      await w.abort(reason).catch(() => {});
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
