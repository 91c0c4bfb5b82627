/**
 * Reading a tar from a Web Stream: thin adapters over the synchronous push
 * parser in ./parser.ts.
 *
 * Why not a library. modern-tar 0.8.6 (evaluated first, and benchmarked in
 * bench/tar.js) cannot follow CONFORMANCE rules 5, 6 and 22:
 *  - unknown typeflags become regular files (`FLAGTYPE[flag] || "file"`), so
 *    INVALID_TAR on an unknown typeflag is impossible;
 *  - its non-strict mode silently skips blocks with a bad checksum and
 *    accepts input truncated inside an entry; its strict mode rejects bad
 *    checksums but also rejects a tar that ends without the two zero blocks,
 *    which umoci 0.4.7 writes: no mode gives "strict checksums, tolerant end";
 *  - PAX global headers ('g') are applied to the following entries instead of
 *    being ignored;
 *  - devmajor/devminor are neither read nor written (device numbers lost);
 *  - SCHILY.xattr values are decoded as UTF-8 text (binary values such as
 *    security.capability are corrupted);
 *  - mtimes are Dates (millisecond precision) and the writer floors them to
 *    whole seconds without a PAX mtime, so sub-second mtimes are lost;
 *  - errors are plain Error objects, not typed;
 *  - the API is async per entry (a body stream per entry) with no content
 *    offsets, so one pass cannot index offsets for the union view, and
 *    per-entry promises cost time on layers with many small files.
 * Base-256, '\0' as a regular file and GNU L/K it handles. Our parser keeps
 * every rule and is also faster (see bench/tar.js and the report).
 */
import type { TarHeader } from './types.js';
import { TarParser } from './parser.js';

export type ByteSource = ReadableStream<Uint8Array> | AsyncIterable<Uint8Array>;

export interface TarEntry {
  readonly header: TarHeader;
  /** Position in the (uncompressed) tar of the entry's first content byte. */
  readonly offset: number;
  /**
   * The entry's content, in chunks (views, not copies). Read it before
   * advancing to the next entry; whatever is left unread is skipped.
   */
  readonly body: AsyncIterable<Uint8Array>;
  /** The whole content in one buffer. */
  bytes(): Promise<Uint8Array>;
}

/** An entry with its whole content in memory. */
export interface TarFile {
  header: TarHeader;
  offset: number;
  data: Uint8Array;
}

const END = Symbol('entry end');
type Event = { header: TarHeader; offset: number } | Uint8Array | typeof END;

/** Iterates chunks of a ReadableStream (Chromium lacks async iteration of streams) or any async iterable. */
export async function* iterateBytes(src: ByteSource): AsyncGenerator<Uint8Array> {
  if (typeof (src as ReadableStream<Uint8Array>).getReader !== 'function') {
    yield* src as AsyncIterable<Uint8Array>;
    return;
  }
  const reader = (src as ReadableStream<Uint8Array>).getReader();
  let done = false;
  try {
    for (;;) {
      const r = await reader.read();
      if (r.done) {
        done = true;
        return;
      }
      yield r.value;
    }
  } finally {
    if (!done) await reader.cancel().catch(() => {});
    reader.releaseLock();
  }
}

export function concatBytes(parts: Uint8Array[], total?: number): Uint8Array {
  if (parts.length === 1) return parts[0]!;
  const n = total ?? parts.reduce((a, p) => a + p.length, 0);
  const out = new Uint8Array(n);
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

/**
 * Entries of a tar stream, one at a time, with bounded memory. Throws
 * InvalidTarError (INVALID_TAR) for malformed input.
 */
export async function* parseTar(src: ByteSource): AsyncGenerator<TarEntry, void, undefined> {
  let queue: Event[] = [];
  let qi = 0;
  const parser = new TarParser({
    onHeader: (header, offset) => queue.push({ header, offset }),
    onData: (c) => queue.push(c),
    onEntryEnd: () => queue.push(END),
  });
  const input = iterateBytes(src);
  let inputDone = false;

  const next = async (): Promise<Event | undefined> => {
    while (qi >= queue.length) {
      queue = [];
      qi = 0;
      if (inputDone) return undefined;
      const r = await input.next();
      if (r.done) {
        inputDone = true;
        parser.end();
      } else {
        parser.push(r.value);
      }
    }
    return queue[qi++];
  };

  try {
    for (;;) {
      const ev = await next();
      if (ev === undefined) return;
      if (ev === END || ev instanceof Uint8Array) continue; // cannot happen: bodies are drained below
      let done = false;
      const body: AsyncIterable<Uint8Array> = {
        async *[Symbol.asyncIterator]() {
          while (!done) {
            const e = await next();
            if (e === END || e === undefined) {
              done = true;
              return;
            }
            yield e as Uint8Array;
          }
        },
      };
      const entry: TarEntry = {
        header: ev.header,
        offset: ev.offset,
        body,
        async bytes() {
          const parts: Uint8Array[] = [];
          for await (const c of body) parts.push(c);
          return parts.length === 0 ? new Uint8Array(0) : concatBytes(parts);
        },
      };
      yield entry;
      while (!done) {
        const e = await next();
        if (e === END || e === undefined) done = true;
      }
    }
  } finally {
    await input.return(undefined);
  }
}

/** Every entry with its content in memory (for small tars: configs, tests, small layers). */
export async function readTar(src: ByteSource): Promise<TarFile[]> {
  const out: TarFile[] = [];
  for await (const e of parseTar(src)) out.push({ header: e.header, offset: e.offset, data: await e.bytes() });
  return out;
}

/** Synchronous variant of readTar for a tar already in memory; data are views into `tar`. */
export function parseTarSync(tar: Uint8Array): TarFile[] {
  const out: TarFile[] = [];
  let parts: Uint8Array[] = [];
  const parser = new TarParser({
    onHeader: (header, offset) => {
      out.push({ header, offset, data: new Uint8Array(0) });
      parts = [];
    },
    onData: (c) => parts.push(c),
    onEntryEnd: () => {
      if (parts.length > 0) out[out.length - 1]!.data = concatBytes(parts);
    },
  });
  parser.push(tar);
  parser.end();
  return out;
}
