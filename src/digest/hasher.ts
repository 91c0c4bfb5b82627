/**
 * Incremental hashing: `createHasher(algorithm)` resolves once the backend
 * is loaded; from then on update() and digest() are synchronous, so a hasher
 * can sit inside a stream's transform step.
 */
import { InvalidArgumentError } from '../errors/InvalidArgumentError.js';
import { sha256Kernel, type CoreSha256 } from '../core/sha256.js';
import { isDigestAlgorithm, type Digest, type DigestAlgorithm } from './digest.js';
import { pickNode, type HashOptions } from './backend.js';
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

/**
 * The one Hasher shape over every backend (Wasm core, node:crypto,
 * hash-wasm): each supplies how to add bytes and how to finish as hex; the
 * checks and the once-only digest live here.
 */
class BackendHasher implements Hasher {
  private done = false;
  constructor(
    readonly algorithm: DigestAlgorithm,
    private readonly add: (bytes: Uint8Array) => unknown,
    private readonly finishHex: () => string,
  ) {}
  update(bytes: Uint8Array): Hasher {
    if (this.done) finished();
    checkBytes(bytes);
    this.add(bytes);
    return this;
  }
  digest(): Digest {
    if (this.done) finished();
    this.done = true;
    return `${this.algorithm}:${this.finishHex()}`;
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
  if (crypto) {
    const h = crypto.createHash(algorithm);
    return new BackendHasher(algorithm, (b) => h.update(b), () => h.digest('hex'));
  }
  if (algorithm === 'sha256') {
    const h: CoreSha256 = (await sha256Kernel({ simd: opts?.simd })).create();
    return new BackendHasher(algorithm, (b) => h.update(b), () => toHex(h.digest()));
  }
  // hash-wasm's SHA-512: layerfs's core has no SHA-512 of its own.
  const { createSHA512 } = await import('hash-wasm');
  const h = await createSHA512();
  h.init();
  return new BackendHasher(algorithm, (b) => h.update(b), () => h.digest('hex'));
}
