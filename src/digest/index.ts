/**
 * Digests: parsing and validation, SHA-256 (Wasm core or node:crypto) and
 * SHA-512 (hash-wasm or node:crypto), many inputs at once, streams, and
 * verification against a descriptor's digest and size.
 */
export { parseDigest, isDigest, isDigestAlgorithm, DIGEST_HEX_LENGTH } from './digest.js';
export type { Digest, DigestAlgorithm, ParsedDigest } from './digest.js';
export type { HashBackend, HashOptions } from './backend.js';
export { createHasher } from './hasher.js';
export type { Hasher } from './hasher.js';
export { sha256, sha256Many } from './sha256.js';
export { verify } from './verify.js';
export type { VerifyOptions } from './verify.js';
export { DigestTransform, digestTransform, digestStream, verifyTransform } from './stream.js';
