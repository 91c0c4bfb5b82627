/**
 * Hashing bytes as they pass through a Web Streams pipeline, so a layer is
 * read once: the same pass stores, inflates and hashes it (DESIGN.md).
 */
import { InvalidArgumentError } from '../errors/InvalidArgumentError.js';
import { createHasher, type Hasher } from './hasher.js';
import { parseDigest, type Digest, type DigestAlgorithm } from './digest.js';
import type { HashOptions } from './backend.js';
import { drain } from './sha256.js';
import { digestMismatch, sizeMismatch, type VerifyOptions } from './verify.js';

function deferred<T>(): { promise: Promise<T>; resolve: (v: T) => void; reject: (e: unknown) => void } {
  let resolve!: (v: T) => void;
  let reject!: (e: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  // Callers may never look at the promise; a rejection must not become unhandled.
  promise.catch(() => {});
  return { promise, resolve, reject };
}

function chunkOf(chunk: unknown): Uint8Array {
  if (!(chunk instanceof Uint8Array)) throw new InvalidArgumentError('stream chunks must be Uint8Array');
  return chunk;
}

/**
 * A pass-through TransformStream that hashes what flows through it.
 * `digest` and `size` resolve when the writable side closes, and reject if
 * a chunk cannot be hashed. (If the pipe is aborted from outside they stay
 * pending: await the pipe itself for that.)
 */
export class DigestTransform extends TransformStream<Uint8Array, Uint8Array> {
  readonly algorithm: DigestAlgorithm;
  readonly digest: Promise<Digest>;
  readonly size: Promise<number>;

  constructor(algorithm: DigestAlgorithm = 'sha256', opts?: HashOptions) {
    const d = deferred<Digest>();
    const s = deferred<number>();
    let hasher: Hasher;
    let n = 0;
    super({
      async start() {
        try {
          hasher = await createHasher(algorithm, opts);
        } catch (e) {
          d.reject(e);
          s.reject(e);
          throw e;
        }
      },
      transform(chunk, controller) {
        try {
          const bytes = chunkOf(chunk);
          hasher.update(bytes);
          n += bytes.length;
          controller.enqueue(bytes);
        } catch (e) {
          // The stream errors with e; the promises must not wait forever.
          d.reject(e);
          s.reject(e);
          throw e;
        }
      },
      flush() {
        d.resolve(hasher.digest());
        s.resolve(n);
      },
    });
    this.algorithm = algorithm;
    this.digest = d.promise;
    this.size = s.promise;
  }
}

/** `new DigestTransform(algorithm, opts)`. */
export function digestTransform(algorithm: DigestAlgorithm = 'sha256', opts?: HashOptions): DigestTransform {
  return new DigestTransform(algorithm, opts);
}

/** Digest and byte count of everything `stream` yields. */
export async function digestStream(
  algorithm: DigestAlgorithm,
  stream: ReadableStream<Uint8Array>,
  opts?: HashOptions,
): Promise<{ digest: Digest; size: number }> {
  const h = await createHasher(algorithm, opts);
  const size = await drain(stream, (chunk) => h.update(chunk));
  return { digest: h.digest(), size };
}

/**
 * A pass-through TransformStream that errors with DigestMismatchError when
 * the bytes are not `expected` (checked at the end) or exceed / fall short of
 * `opts.size` (an excess is caught as soon as it arrives). Put it in front of
 * a store's final rename so unverified content never becomes visible.
 */
export function verifyTransform(expected: string, opts?: VerifyOptions): TransformStream<Uint8Array, Uint8Array> {
  const { algorithm } = parseDigest(expected);
  const size = opts?.size;
  if (size !== undefined && !(Number.isSafeInteger(size) && size >= 0)) {
    throw new InvalidArgumentError(`expected size must be a non-negative integer, got ${String(size)}`, { size });
  }
  let hasher: Hasher;
  let n = 0;
  return new TransformStream<Uint8Array, Uint8Array>({
    async start() {
      hasher = await createHasher(algorithm, opts);
    },
    transform(chunk, controller) {
      const bytes = chunkOf(chunk);
      n += bytes.length;
      if (size !== undefined && n > size) throw sizeMismatch(expected, size, `more (${n} so far)`);
      hasher.update(bytes);
      controller.enqueue(bytes);
    },
    flush() {
      if (size !== undefined && n !== size) throw sizeMismatch(expected, size, n);
      const actual = hasher.digest();
      if (actual !== expected) throw digestMismatch(expected, actual);
    },
  });
}
