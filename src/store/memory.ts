/**
 * The memory backend: blobs in a Map, records as JSON text (so callers
 * never share objects with the store), areas as MemoryTrees. For tests,
 * embedding, and browsers without OPFS.
 */
import { BlobUnknownError } from '../errors/BlobUnknownError.js';
import { readAll, bytesStream } from '../image/hashing.js';
import { copyBytes } from '../tar/bytes.js';
import { MemoryTree } from '../tree/memory.js';
import type { Tree } from '../tree/types.js';
import type { BlobInfo, PendingBlob, StoreBackend, StoredRecord } from './types.js';

export class MemoryBackend implements StoreBackend {
  readonly kind = 'memory';
  readonly location = 'memory';
  readonly #blobs = new Map<string, Uint8Array>();
  readonly #records = new Map<string, Map<string, string>>();
  readonly #attachments = new Map<string, Map<string, Uint8Array>>();
  readonly #areas = new Map<string, Map<string, MemoryTree>>();

  async hasBlob(digest: string): Promise<boolean> {
    return this.#blobs.has(digest);
  }

  async blobSize(digest: string): Promise<number | undefined> {
    return this.#blobs.get(digest)?.byteLength;
  }

  async getBlob(digest: string): Promise<ReadableStream<Uint8Array>> {
    const b = this.#blobs.get(digest);
    if (!b) throw new BlobUnknownError(`blob ${digest} is not in the store`, { digest });
    return bytesStream(b);
  }

  async putBlob(digest: string, data: ReadableStream<Uint8Array>): Promise<PendingBlob> {
    // readAll rethrows the stream's error (e.g. DigestMismatchError): nothing is kept.
    const bytes = await readAll(data);
    const blobs = this.#blobs;
    let done = false;
    return {
      digest,
      size: bytes.byteLength,
      async commit() {
        if (done) return;
        done = true;
        blobs.set(digest, bytes);
      },
      async discard() {
        done = true;
      },
    };
  }

  async deleteBlob(digest: string): Promise<void> {
    this.#blobs.delete(digest);
  }

  async listBlobs(): Promise<BlobInfo[]> {
    return [...this.#blobs].map(([digest, b]) => ({ digest, size: b.byteLength }));
  }

  /** Test hook: replace a stored blob's bytes (to simulate corruption). */
  corruptBlobForTest(digest: string, bytes: Uint8Array): void {
    this.#blobs.set(digest, bytes);
  }

  async getRecord<T>(kind: string, key: string): Promise<StoredRecord<T> | undefined> {
    const s = this.#records.get(kind)?.get(key);
    return s === undefined ? undefined : (JSON.parse(s) as StoredRecord<T>);
  }

  async putRecord<T>(kind: string, key: string, record: StoredRecord<T>): Promise<void> {
    let m = this.#records.get(kind);
    if (!m) this.#records.set(kind, (m = new Map()));
    m.set(key, JSON.stringify(record));
  }

  async deleteRecord(kind: string, key: string): Promise<boolean> {
    this.#attachments.get(kind)?.delete(key);
    return this.#records.get(kind)?.delete(key) ?? false;
  }

  async getRecordBytes(kind: string, key: string): Promise<Uint8Array | undefined> {
    const b = this.#attachments.get(kind)?.get(key);
    return b && copyBytes(b);
  }

  async putRecordBytes(kind: string, key: string, bytes: Uint8Array): Promise<void> {
    let m = this.#attachments.get(kind);
    if (!m) this.#attachments.set(kind, (m = new Map()));
    m.set(key, copyBytes(bytes));
  }

  async listRecords(kind: string): Promise<string[]> {
    return [...(this.#records.get(kind)?.keys() ?? [])].sort();
  }

  async listKinds(): Promise<string[]> {
    return [...this.#records].filter(([, m]) => m.size > 0).map(([k]) => k).sort();
  }

  async openArea(kind: string, id: string): Promise<Tree> {
    let m = this.#areas.get(kind);
    if (!m) this.#areas.set(kind, (m = new Map()));
    let t = m.get(id);
    if (!t) m.set(id, (t = new MemoryTree()));
    return t;
  }

  async deleteArea(kind: string, id: string): Promise<boolean> {
    return this.#areas.get(kind)?.delete(id) ?? false;
  }

  async listAreas(kind: string): Promise<string[]> {
    return [...(this.#areas.get(kind)?.keys() ?? [])].sort();
  }

  async sweepTemp(): Promise<{ count: number; bytes: number }> {
    // Pending blobs live only in their writer's closure: nothing to sweep.
    return { count: 0, bytes: 0 };
  }
}
