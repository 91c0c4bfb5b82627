/**
 * The few hashing helpers the image model and the store need: digest of
 * bytes, and a TransformStream that verifies bytes against a digest as they
 * pass. Every blob read or written goes through `verifyStream`.
 *
 * Hashing itself is src/digest's job; this file only adapts it to the
 * "verify while streaming, fail at the end before the consumer trusts the
 * bytes" pattern (DESIGN.md "Blob": every read is verified).
 */
import { createHasher } from '../digest/hasher.js';
import { isDigest as isDigestString, parseDigest } from '../digest/digest.js';
import { verify } from '../digest/verify.js';
import { verifyTransform } from '../digest/stream.js';
import { concatBytes } from '../tar/reader.js';

/** CONFORMANCE 1: `sha256:` + 64 lowercase hex or `sha512:` + 128. */
export function isDigest(s: unknown): s is string {
  return isDigestString(s);
}

/** Parse a digest or throw InvalidDigestError. */
export function checkDigest(s: string): { algorithm: 'sha256' | 'sha512'; hex: string } {
  const p = parseDigest(s);
  return { algorithm: p.algorithm, hex: p.hex };
}

export async function digestBytes(bytes: Uint8Array, algorithm: 'sha256' | 'sha512' = 'sha256'): Promise<string> {
  return (await createHasher(algorithm)).update(bytes).digest();
}

export async function sha256String(s: string): Promise<string> {
  return digestBytes(new TextEncoder().encode(s));
}

/**
 * A pass-through stream that errors (instead of closing) when the bytes
 * are not `expected` or not `size` long (an overrun errors at once: CONFORMANCE 1).
 */
export function verifyStream(expected: string, size?: number): TransformStream<Uint8Array, Uint8Array> {
  return verifyTransform(expected, size === undefined ? undefined : { size });
}

/** Verify whole bytes (size first, then hash). */
export async function verifyBytes(bytes: Uint8Array, expected: string, size?: number): Promise<void> {
  await verify(bytes, expected, size === undefined ? undefined : { size });
}

/** Collect a stream into one Uint8Array. */
export async function readAll(stream: ReadableStream<Uint8Array>, limit = Infinity): Promise<Uint8Array> {
  const parts: Uint8Array[] = [];
  let n = 0;
  const reader = stream.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    n += value.byteLength;
    if (n > limit) {
      await reader.cancel();
      throw new RangeError(`stream longer than ${limit} bytes`);
    }
    parts.push(value);
  }
  return concatBytes(parts, n);
}

export function bytesStream(bytes: Uint8Array): ReadableStream<Uint8Array> {
  return new ReadableStream<Uint8Array>({
    start(c) {
      if (bytes.byteLength) c.enqueue(bytes);
      c.close();
    },
  });
}
