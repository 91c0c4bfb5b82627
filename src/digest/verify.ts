/**
 * Verification of content against a descriptor's digest and size. The size
 * is checked first and, for a stream, as the bytes arrive: CONFORMANCE rule 1
 * (and image-spec descriptor.md: "size ... SHOULD be used to verify" before
 * trusting content), so an oversized blob is refused without reading it all.
 */
import { DigestMismatchError } from '../errors/DigestMismatchError.js';
import { InvalidArgumentError } from '../errors/InvalidArgumentError.js';
import { createHasher } from './hasher.js';
import { parseDigest, type DigestAlgorithm } from './digest.js';
import type { HashOptions } from './backend.js';
import { drain } from './sha256.js';

export interface VerifyOptions extends HashOptions {
  /** Expected size in bytes (a descriptor's `size`). */
  size?: number;
}

function checkSizeOption(size: number | undefined): void {
  if (size !== undefined && !(Number.isSafeInteger(size) && size >= 0)) {
    throw new InvalidArgumentError(`expected size must be a non-negative integer, got ${String(size)}`, { size });
  }
}

export function sizeMismatch(expected: string, expectedSize: number, actualSize: number | string): DigestMismatchError {
  return new DigestMismatchError(`size mismatch for ${expected}: expected ${expectedSize} bytes, got ${actualSize}`, {
    expected,
    expectedSize,
    actualSize,
  });
}

export function digestMismatch(expected: string, actual: string): DigestMismatchError {
  return new DigestMismatchError(`digest mismatch: expected ${expected}, got ${actual}`, { expected, actual });
}

/**
 * Resolves when `data` hashes to `expected` (and has `opts.size` bytes when
 * given); otherwise rejects with DigestMismatchError naming both digests
 * (or both sizes). A malformed `expected` gives InvalidDigestError.
 */
export async function verify(data: Uint8Array | ReadableStream<Uint8Array>, expected: string, opts?: VerifyOptions): Promise<void> {
  const { algorithm } = parseDigest(expected);
  const size = opts?.size;
  checkSizeOption(size);
  const h = await createHasher(algorithm as DigestAlgorithm, opts);
  if (data instanceof Uint8Array) {
    if (size !== undefined && data.length !== size) throw sizeMismatch(expected, size, data.length);
    h.update(data);
  } else if (data instanceof ReadableStream) {
    let seen = 0;
    const total = await drain(data, (chunk) => {
      seen += chunk.length;
      if (size !== undefined && seen > size) throw sizeMismatch(expected, size, `more (${seen} so far)`);
      h.update(chunk);
    });
    if (size !== undefined && total !== size) throw sizeMismatch(expected, size, total);
  } else {
    throw new InvalidArgumentError('verify() takes a Uint8Array or a ReadableStream');
  }
  const actual = h.digest();
  if (actual !== expected) throw digestMismatch(expected, actual);
}
