/**
 * Store.blobWriter's parts: a BlobWriter that verifies digest and size as
 * chunks are pushed (the same checks as verifyStream: an excess fails at
 * once, a shortfall or wrong digest at close(), and then nothing stays
 * behind), over the backend's own writer or, for a backend without one,
 * over putBlob fed from a stream.
 */
import { createHasher } from '../digest/hasher.js';
import { parseDigest } from '../digest/digest.js';
import { digestMismatch, sizeMismatch } from '../digest/verify.js';
import { InvalidArgumentError } from '../errors/InvalidArgumentError.js';
import type { BlobHasher, BlobWriter, PendingBlob, StoreBackend } from './types.js';

/** Bytes queued for a backend's putBlob before write() asks the producer to wait. */
const STREAM_HIGH_WATER = 1024 * 1024;

/** putBlob fed by pushes: for backends without openBlobWriter (memory, OPFS). */
function streamWriter(backend: StoreBackend, digest: string): BlobWriter {
  let ctl!: ReadableStreamDefaultController<Uint8Array>;
  let wake: (() => void) | undefined;
  const stream = new ReadableStream<Uint8Array>(
    {
      start: (c) => {
        ctl = c;
      },
      pull: () => {
        wake?.();
        wake = undefined;
      },
    },
    new ByteLengthQueuingStrategy({ highWaterMark: STREAM_HIGH_WATER }),
  );
  const result = backend.putBlob(digest, stream);
  // A backend that gave up early must not leave a producer waiting for room forever.
  const failed = result.then(
    () => new Promise<never>(() => {}),
    (e: unknown) => Promise.reject(e),
  );
  failed.catch(() => {});
  let state: 'open' | 'closed' | 'gone' = 'open';
  return {
    write(chunk) {
      if (state !== 'open') throw new InvalidArgumentError(`blob ${digest}: write after close`);
      try {
        ctl.enqueue(chunk);
      } catch {
        return failed; // the backend stopped reading: its error
      }
      if ((ctl.desiredSize ?? 0) > 0) return;
      return Promise.race([new Promise<void>((r) => (wake = r)), failed]);
    },
    async close() {
      if (state !== 'open') throw new InvalidArgumentError(`blob ${digest}: writer already closed`);
      state = 'closed';
      ctl.close();
      return result;
    },
    async abort() {
      if (state === 'gone') return;
      const wasOpen = state === 'open';
      state = 'gone';
      // An errored stream makes the backend remove its temporary (StoreBackend.putBlob's contract).
      if (wasOpen) ctl.error(new InvalidArgumentError(`blob ${digest}: write abandoned`));
      const p: PendingBlob | undefined = await result.catch(() => undefined);
      await p?.discard();
    },
  };
}

/** The platform's incremental hasher (node:crypto in Node, else the Wasm core) as a BlobHasher. */
async function localHasher(algorithm: 'sha256' | 'sha512'): Promise<BlobHasher> {
  const h = await createHasher(algorithm);
  return {
    update(chunk) {
      h.update(chunk);
    },
    digest: async () => h.digest(),
    dispose() {},
  };
}

/** A BlobWriter that checks `digest` and `size` on the way into the backend. */
export async function verifyingBlobWriter(backend: StoreBackend, digest: string, size?: number): Promise<BlobWriter> {
  const { algorithm } = parseDigest(digest);
  if (size !== undefined && !(Number.isSafeInteger(size) && size >= 0)) {
    throw new InvalidArgumentError(`expected size must be a non-negative integer, got ${String(size)}`, { size });
  }
  const hasher = backend.blobHasher?.(algorithm) ?? (await localHasher(algorithm));
  let inner: BlobWriter;
  try {
    inner = backend.openBlobWriter ? await backend.openBlobWriter(digest) : streamWriter(backend, digest);
  } catch (e) {
    hasher.dispose();
    throw e;
  }
  let n = 0;
  let closed = false;
  return {
    write(chunk) {
      if (closed) throw new InvalidArgumentError(`blob ${digest}: write after close`);
      if (!(chunk instanceof Uint8Array)) throw new InvalidArgumentError('blob chunks must be Uint8Array');
      n += chunk.byteLength;
      if (size !== undefined && n > size) throw sizeMismatch(digest, size, `more (${n} so far)`);
      const hashing = hasher.update(chunk);
      const writing = inner.write(chunk);
      if (!hashing) return writing;
      return writing ? Promise.all([hashing, writing]).then(() => {}) : hashing;
    },
    async close() {
      if (closed) throw new InvalidArgumentError(`blob ${digest}: writer already closed`);
      closed = true;
      try {
        if (size !== undefined && n !== size) throw sizeMismatch(digest, size, n);
        const actual = await hasher.digest();
        if (actual !== digest) throw digestMismatch(digest, actual);
      } catch (e) {
        hasher.dispose();
        await inner.abort();
        throw e;
      }
      return inner.close();
    },
    abort: async () => {
      hasher.dispose();
      await inner.abort();
    },
  };
}
