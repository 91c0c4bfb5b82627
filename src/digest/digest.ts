/**
 * Digest strings as OCI names content: `algorithm ":" encoded`
 * (image-spec descriptor.md, "Digests"). layerfs accepts the two registered
 * algorithms only, with lowercase hex of their exact length, and rejects
 * anything else with InvalidDigestError (CONFORMANCE rule 1).
 */
import { InvalidDigestError } from '../errors/InvalidDigestError.js';

export type DigestAlgorithm = 'sha256' | 'sha512';

/** A digest string such as `sha256:e3b0c442...`. */
export type Digest = `${DigestAlgorithm}:${string}`;

export interface ParsedDigest {
  readonly algorithm: DigestAlgorithm;
  /** Lowercase hex of the hash. */
  readonly hex: string;
}

/** Hex length of each algorithm's hash (descriptor.md: sha256 64, sha512 128). */
export const DIGEST_HEX_LENGTH: Readonly<Record<DigestAlgorithm, number>> = Object.freeze({ sha256: 64, sha512: 128 });

const PATTERN = /^(sha256|sha512):([0-9a-f]+)$/;

function describe(s: unknown): string {
  if (typeof s !== 'string') return `a ${s === null ? 'null' : typeof s}`;
  return JSON.stringify(s.length > 150 ? `${s.slice(0, 150)}...` : s);
}

/** Splits a digest into algorithm and hex, or throws InvalidDigestError. */
export function parseDigest(s: unknown): ParsedDigest {
  const m = typeof s === 'string' ? PATTERN.exec(s) : null;
  if (!m || m[2]!.length !== DIGEST_HEX_LENGTH[m[1] as DigestAlgorithm]) {
    throw new InvalidDigestError(
      `invalid digest ${describe(s)}: expected sha256: and 64 lowercase hex digits, or sha512: and 128`,
      { digest: typeof s === 'string' ? s : undefined },
    );
  }
  return { algorithm: m[1] as DigestAlgorithm, hex: m[2]! };
}

/** True when `s` is a digest parseDigest accepts. */
export function isDigest(s: unknown): s is Digest {
  if (typeof s !== 'string') return false;
  const m = PATTERN.exec(s);
  return m !== null && m[2]!.length === DIGEST_HEX_LENGTH[m[1] as DigestAlgorithm];
}

/** True when `a` is a hash algorithm layerfs can compute. */
export function isDigestAlgorithm(a: unknown): a is DigestAlgorithm {
  return a === 'sha256' || a === 'sha512';
}
