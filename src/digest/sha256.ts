/** One-shot SHA-256 of bytes or a stream, and of many inputs at once. */
import { InvalidArgumentError } from '../errors/InvalidArgumentError.js';
import { sha256Kernel, sha256KernelIfLoaded } from '../core/sha256.js';
import { MANY_NODE_MIN_SIZE, pickNode, pickNodeSync, type HashOptions } from './backend.js';
import { createHasher } from './hasher.js';
import type { Digest } from './digest.js';
import { toHex } from './hex.js';

/** Feeds every chunk of `stream` to `update`; returns the byte count. */
export async function drain(stream: ReadableStream<Uint8Array>, update: (chunk: Uint8Array) => void): Promise<number> {
  const reader = stream.getReader();
  let size = 0;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) return size;
      if (!(value instanceof Uint8Array)) throw new InvalidArgumentError('stream chunks must be Uint8Array');
      size += value.length;
      update(value);
    }
  } catch (e) {
    await reader.cancel(e).catch(() => {});
    throw e;
  } finally {
    reader.releaseLock();
  }
}

/** `sha256:<hex>` of a byte array or of everything a stream yields. */
export function sha256(data: Uint8Array | ReadableStream<Uint8Array>, opts?: HashOptions): Promise<Digest> {
  // Small messages are dominated by call overhead: once the backend is
  // loaded, hash bytes without waiting on any promise.
  if (data instanceof Uint8Array) {
    try {
      const crypto = pickNodeSync(opts, true);
      if (crypto) return Promise.resolve<Digest>(`sha256:${crypto.createHash('sha256').update(data).digest('hex')}`);
      const kernel = crypto === null ? sha256KernelIfLoaded({ simd: opts?.simd }) : undefined;
      if (kernel) return Promise.resolve<Digest>(`sha256:${toHex(kernel.digest(data))}`);
    } catch (e) {
      return Promise.reject(e);
    }
  }
  return sha256Async(data, opts);
}

async function sha256Async(data: Uint8Array | ReadableStream<Uint8Array>, opts?: HashOptions): Promise<Digest> {
  if (data instanceof Uint8Array) {
    const crypto = await pickNode(opts, true);
    if (crypto) return `sha256:${crypto.createHash('sha256').update(data).digest('hex')}`;
    return `sha256:${toHex((await sha256Kernel({ simd: opts?.simd })).digest(data))}`;
  }
  if (!(data instanceof ReadableStream)) throw new InvalidArgumentError('sha256() takes a Uint8Array or a ReadableStream');
  const h = await createHasher('sha256', opts);
  await drain(data, (chunk) => h.update(chunk));
  return h.digest() as Digest;
}

/**
 * `sha256:<hex>` of each input, in order. The Wasm core hashes small inputs
 * four at a time (SIMD lanes); with 'auto' in Node, inputs of
 * MANY_NODE_MIN_SIZE bytes or more go to node:crypto instead.
 */
export async function sha256Many(inputs: readonly Uint8Array[], opts?: HashOptions): Promise<Digest[]> {
  if (!Array.isArray(inputs)) throw new InvalidArgumentError('sha256Many() takes an array of Uint8Array');
  for (let i = 0; i < inputs.length; i++) {
    if (!(inputs[i] instanceof Uint8Array)) throw new InvalidArgumentError(`sha256Many(): input ${i} is not a Uint8Array`, { index: i });
  }
  const backend = opts?.backend ?? 'auto';
  const crypto = await pickNode(opts, inputs.some((x) => x.length >= MANY_NODE_MIN_SIZE));
  const out = new Array<Digest>(inputs.length);
  const small: number[] = [];
  for (let i = 0; i < inputs.length; i++) {
    const x = inputs[i]!;
    if (crypto && (backend === 'node' || x.length >= MANY_NODE_MIN_SIZE)) {
      out[i] = `sha256:${crypto.createHash('sha256').update(x).digest('hex')}`;
    } else {
      small.push(i);
    }
  }
  if (small.length > 0) {
    const kernel = await sha256Kernel({ simd: opts?.simd });
    const hex = kernel.manyHex(small.length === inputs.length ? inputs : small.map((i) => inputs[i]!));
    for (let j = 0; j < small.length; j++) out[small[j]!] = `sha256:${hex[j]!}`;
  }
  return out;
}
