/**
 * Incremental hashing: `createHasher(algorithm)` resolves once the backend
 * is loaded; from then on update() and digest() are synchronous, so a hasher
 * can sit inside a stream's transform step.
 */
import { InvalidArgumentError } from '../errors/InvalidArgumentError.js';
import { sha256Kernel, type CoreSha256 } from '../core/sha256.js';
import { isDigestAlgorithm, type Digest, type DigestAlgorithm } from './digest.js';
import { pickNode, type HashOptions, type NodeCrypto } from './backend.js';
import { toHex } from './hex.js';

export interface Hasher {
  readonly algorithm: DigestAlgorithm;
  /** Adds bytes; chunks may be split anywhere. */
  update(bytes: Uint8Array): Hasher;
  /** `algorithm:hex` of everything added. Ends the hasher: later calls throw InvalidArgumentError. */
  digest(): Digest;
}

function checkBytes(bytes: unknown): asserts bytes is Uint8Array {
  if (!(bytes instanceof Uint8Array)) throw new InvalidArgumentError('hasher.update() takes a Uint8Array');
}

function finished(): never {
  throw new InvalidArgumentError('this hasher has already produced its digest; create a new one');
}

class WasmSha256Hasher implements Hasher {
  readonly algorithm = 'sha256' as const;
  private done = false;
  constructor(private readonly h: CoreSha256) {}
  update(bytes: Uint8Array): Hasher {
    if (this.done) finished();
    checkBytes(bytes);
    this.h.update(bytes);
    return this;
  }
  digest(): Digest {
    if (this.done) finished();
    this.done = true;
    return `sha256:${toHex(this.h.digest())}`;
  }
}

class NodeHasher implements Hasher {
  private done = false;
  private readonly h: ReturnType<NodeCrypto['createHash']>;
  constructor(crypto: NodeCrypto, readonly algorithm: DigestAlgorithm) {
    this.h = crypto.createHash(algorithm);
  }
  update(bytes: Uint8Array): Hasher {
    if (this.done) finished();
    checkBytes(bytes);
    this.h.update(bytes);
    return this;
  }
  digest(): Digest {
    if (this.done) finished();
    this.done = true;
    return `${this.algorithm}:${this.h.digest('hex')}`;
  }
}

/** hash-wasm's SHA-512: layerfs's core has no SHA-512 of its own. */
class HashWasmSha512Hasher implements Hasher {
  readonly algorithm = 'sha512' as const;
  private done = false;
  constructor(private readonly h: { update(b: Uint8Array): unknown; digest(enc: 'hex'): string }) {}
  update(bytes: Uint8Array): Hasher {
    if (this.done) finished();
    checkBytes(bytes);
    this.h.update(bytes);
    return this;
  }
  digest(): Digest {
    if (this.done) finished();
    this.done = true;
    return `sha512:${this.h.digest('hex')}`;
  }
}

/**
 * A new incremental hasher. In Node, 'auto' uses node:crypto (it wins for
 * streams of any size on CPUs with SHA extensions, see README); elsewhere,
 * the Wasm core for sha256 and hash-wasm for sha512.
 */
export async function createHasher(algorithm: DigestAlgorithm = 'sha256', opts?: HashOptions): Promise<Hasher> {
  if (!isDigestAlgorithm(algorithm)) {
    throw new InvalidArgumentError(`unsupported hash algorithm ${JSON.stringify(algorithm)}: use 'sha256' or 'sha512'`, { algorithm });
  }
  const crypto = await pickNode(opts, true);
  if (crypto) return new NodeHasher(crypto, algorithm);
  if (algorithm === 'sha256') return new WasmSha256Hasher((await sha256Kernel({ simd: opts?.simd })).create());
  const { createSHA512 } = await import('hash-wasm');
  const h = await createSHA512();
  h.init();
  return new HashWasmSha512Hasher(h);
}
