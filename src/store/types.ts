/**
 * The store: where layerfs keeps images, and room for what later parts keep
 * (containers, volumes, the build cache).
 *
 * Two levels:
 *
 * - `StoreBackend` (this file) is the storage primitive, one implementation
 *   per medium: memory (src/store/memory.ts), a directory on disk
 *   (src/store/disk.ts, Node only) and the browser's Origin Private File
 *   System (src/store/opfs.ts). It knows three things:
 *     1. blobs, named by digest. `putBlob` writes to a unique temporary name
 *        and returns a PendingBlob; `commit()` renames it into place (a
 *        rename over an existing identical blob is fine, so concurrent
 *        writers are safe), `discard()` deletes the temp. The backend does not
 *        hash: the Store hands it a stream that errors at its end when the
 *        digest or size is wrong, and the backend must then leave nothing
 *        behind. `getBlob` returns raw bytes; the Store verifies them.
 *     2. records: small JSON documents in namespaces (`kind`), each with an
 *        optional list of blob digests it keeps alive, and optionally a
 *        binary attachment (a layer index's union table). Image references
 *        live here (kind 'refs'), so do layer index caches ('layer-index'),
 *        containers, volumes and build-cache entries. GC treats every
 *        blob a record lists (and everything a listed manifest reaches) as
 *        live.
 *     3. areas: per-object writable file trees (a container's writable
 *        layer, a volume): a MemoryTree in memory, a directory on disk, an
 *        OPFS directory in the browser — all behind src/tree's `Tree`.
 *
 * - `Store` (src/store/store.ts) is what users call: verified blob reads and
 *   writes, images and tags, copy, inspect, view, du, gc, rmi, and
 *   `records(kind)` / `areas(kind)` for the other parts of layerfs.
 *
 * Keys of records and ids of areas are free strings; backends encode them
 * for their medium.
 */
import type { Tree } from '../tree/types.js';

/** Record kind of image references (tags): key `name:tag`, value the manifest digest. */
export const REFS = 'refs';
/** Record kind of cached layer entry indexes, keyed by layer digest (they keep nothing alive). */
export const LAYER_INDEX = 'layer-index';
/**
 * Area kind of large layers' uncompressed tars, kept in chunks by the
 * container layer cache (src/container/layer-cache.ts) and keyed by layer
 * digest: a cache, never the only copy; gc removes those of removed layers.
 */
export const LAYER_TARS = 'layer-tars';

export interface BlobInfo {
  digest: string;
  size: number;
}

export interface PendingBlob {
  readonly digest: string;
  /** Bytes written (known once the source stream ended). */
  readonly size: number;
  /** Make the blob visible under its digest (atomic rename). */
  commit(): Promise<void>;
  /** Forget it (delete the temporary copy). */
  discard(): Promise<void>;
}

/**
 * A blob handed over chunk by chunk (Store.blobWriter,
 * StoreBackend.openBlobWriter): putBlob's push-style twin, for a producer
 * that pushes (a network download) without a stream stage per chunk.
 * After write() or close() failed, call abort().
 */
export interface BlobWriter {
  /**
   * Appends a chunk (kept by reference until written: do not reuse it). A
   * returned promise asks the caller to wait for it before the next chunk
   * (backpressure); a throw or rejection means the blob cannot be written.
   */
  write(chunk: Uint8Array): void | Promise<void>;
  /** Every chunk written: the blob under its temporary name, to commit() or discard(). */
  close(): Promise<PendingBlob>;
  /** Forget what was written (the temporary goes). Idempotent; fine after close() failed. */
  abort(): Promise<void>;
}

/**
 * A digest computed somewhere other than the caller's thread (the disk
 * backend: a worker thread). update() may ask the caller to wait (a
 * returned promise); digest() gives `algorithm:hex` of everything added.
 */
export interface BlobHasher {
  update(chunk: Uint8Array): void | Promise<void>;
  digest(): Promise<string>;
  /** Forget it (the write was abandoned). */
  dispose(): void;
}

/** A record as the backend keeps it. */
export interface StoredRecord<T = unknown> {
  value: T;
  /** Blobs this record keeps alive for GC (manifests pull in their config and layers). */
  blobs?: string[];
}

export interface StoreBackend {
  /** 'memory' | 'disk' | 'opfs' — for messages and `du`. */
  readonly kind: string;
  /** A human-readable location (a directory, 'memory', 'opfs:/layerfs'). */
  readonly location: string;

  hasBlob(digest: string): Promise<boolean>;
  /** Size of a stored blob, undefined when absent. */
  blobSize(digest: string): Promise<number | undefined>;
  /** Raw bytes of a stored blob (unverified); BlobUnknownError when absent. */
  getBlob(digest: string): Promise<ReadableStream<Uint8Array>>;
  /**
   * Write `data` to a temporary name. If the stream errors, the temp is
   * removed and the error rethrown; nothing becomes visible before commit().
   */
  putBlob(digest: string, data: ReadableStream<Uint8Array>): Promise<PendingBlob>;
  /**
   * Optional: putBlob without a stream (see BlobWriter; the disk backend
   * has it, the Store falls back to putBlob). Unverified, like putBlob's
   * input: the Store checks digest and size before close() returns.
   */
  openBlobWriter?(digest: string): Promise<BlobWriter>;
  /** Optional: a hasher off the main thread for Store.blobWriter's checks (undefined: the Store hashes itself). */
  blobHasher?(algorithm: 'sha256' | 'sha512'): BlobHasher | undefined;
  deleteBlob(digest: string): Promise<void>;
  listBlobs(): Promise<BlobInfo[]>;

  getRecord<T = unknown>(kind: string, key: string): Promise<StoredRecord<T> | undefined>;
  /** Atomic replace. */
  putRecord<T = unknown>(kind: string, key: string, record: StoredRecord<T>): Promise<void>;
  /** Removes the record and its attachment (putRecordBytes). */
  deleteRecord(kind: string, key: string): Promise<boolean>;
  /**
   * Optional (the memory, disk and OPFS backends have it): a record's
   * binary attachment, for bytes a record would otherwise carry as base64
   * in its JSON, such as a layer's union table (megabytes, read by every
   * fresh view of the layer: as JSON, scanning and decoding them cost 20
   * times reading them). Replaced atomically, like a record; undefined when
   * absent. Unverified, like records: readers check what they read.
   */
  getRecordBytes?(kind: string, key: string): Promise<Uint8Array | undefined>;
  putRecordBytes?(kind: string, key: string, bytes: Uint8Array): Promise<void>;
  listRecords(kind: string): Promise<string[]>;
  /** Every record kind that has at least one record. */
  listKinds(): Promise<string[]>;

  /** The writable tree of area `id` in namespace `kind`, created empty on first use. */
  openArea(kind: string, id: string): Promise<Tree>;
  deleteArea(kind: string, id: string): Promise<boolean>;
  listAreas(kind: string): Promise<string[]>;

  /** Remove temporary files older than `olderThanMs` (crashed writers). Returns how many and their bytes. */
  sweepTemp(olderThanMs: number): Promise<{ count: number; bytes: number }>;

  /**
   * This process as other processes sharing the store can name it (disk:
   * host and pid), stamped on leases and gc locks. Absent when the backend
   * is not shared between processes.
   */
  readonly owner?: string;
  /**
   * False only when the process `owner` names has certainly ended (a
   * kill -9): its leases, locks and temp files can go at once instead of
   * after the staleness timeout. True when alive or unknown.
   */
  ownerAlive?(owner: string): boolean;
}

/** Namespaced JSON records with blob references (containers, volumes, build cache...). */
export interface RecordStore<T = unknown> {
  get(key: string): Promise<T | undefined>;
  /** `blobs`: digests this record keeps alive against gc. */
  put(key: string, value: T, opts?: { blobs?: string[] }): Promise<void>;
  delete(key: string): Promise<boolean>;
  list(): Promise<string[]>;
}

/** Per-object writable trees of one namespace. */
export interface AreaStore {
  open(id: string): Promise<Tree>;
  delete(id: string): Promise<boolean>;
  list(): Promise<string[]>;
}

/** What `store.images()` lists: one row per image, with all its names. */
export interface ImageSummary {
  /** Config digest. */
  id: string;
  /** Manifest digest. */
  digest: string;
  /** `name:tag` references naming it, sorted. */
  names: string[];
  /** Manifest + config + layers, bytes. */
  size: number;
  created?: string;
  platform: string;
  layers: number;
  /** Set when the image cannot be read (missing or damaged manifest or config): `CODE: message`. */
  error?: string;
}

export interface DuImage {
  id: string;
  names: string[];
  size: number;
  /** Bytes of blobs this image shares with at least one other image. */
  shared: number;
  /** Bytes only this image uses. */
  unique: number;
}

export interface DuReport {
  images: DuImage[];
  /** Bytes of every blob in the store. */
  blobs: number;
  blobCount: number;
  /** Bytes of blobs that no image or record reaches (gc would remove them). */
  reclaimable: number;
  /** Layers kept uncompressed for containers' reads (LAYER_TARS areas): how many, and their bytes. */
  layerTars: { count: number; bytes: number };
}

export interface GcReport {
  removedBlobs: string[];
  /** Bytes freed: blobs, temporary files and removed layer tars. */
  removedBytes: number;
  removedRecords: number;
  removedTemp: number;
  /** Layers kept uncompressed (LAYER_TARS areas) removed with their layer. */
  removedLayerTars: number;
}
