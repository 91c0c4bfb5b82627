/**
 * The two ends of an image copy. Every transport (the store, oci:,
 * oci-archive:, docker-archive:, docker://) implements one or both;
 * src/transport/copy.ts moves an image from a source to a destination,
 * verifying every blob on the way and never recompressing unless asked.
 */
import type { Image } from './image.js';
import type { Descriptor } from './types.js';

export interface ManifestBytes {
  bytes: Uint8Array;
  /** Media type the transport reports (HTTP Content-Type, index.json descriptor...). */
  mediaType?: string;
  /** Digest the transport names it by (index.json descriptor, a digest reference); copy verifies it. */
  digest?: string;
  /** Size the transport's descriptor gives; copy verifies it. */
  size?: number;
}

export interface ImageSource {
  /** For messages: `oci:/tmp/x:latest`. */
  readonly description: string;
  /**
   * The manifest or index the reference names (no argument), or a manifest
   * named by an index entry. Bytes are unverified; copy checks them against
   * `desc.digest`.
   */
  getManifest(desc?: Descriptor): Promise<ManifestBytes>;
  /** A blob's bytes (unverified; copy verifies them). */
  getBlob(desc: Descriptor): Promise<ReadableStream<Uint8Array>>;
  /** Names the source suggests for the image (docker-archive RepoTags, a layout's ref.name) — used by `load`. */
  names?(): Promise<string[]>;
  close?(): Promise<void>;
}

export interface BlobWriteOptions {
  /** The layer's diffId, when the copy knows it (docker-archive names layers by it). */
  diffId?: string;
  /** The same bytes again from the start (a registry destination resumes a broken streamed upload with it). */
  reopen?: () => Promise<ReadableStream<Uint8Array>>;
}

export interface ImageDestination {
  readonly description: string;
  /**
   * True when the destination can only hold uncompressed layers
   * (docker-archive): copy then decompresses them and writes a manifest whose
   * layer digests are the diffIds. The config (and so the image id) is kept.
   */
  readonly wantsUncompressedLayers?: boolean;
  /** True when putBlob verifies digests itself (copy then does not hash twice). */
  readonly verifiesBlobs?: boolean;
  /** True when the destination already has the blob (it is then not sent). */
  hasBlob(desc: Descriptor): Promise<boolean>;
  /**
   * Store a blob. `data` errors at its end when its digest is wrong: keep
   * nothing then. For a layer decompressed on the way (wantsUncompressedLayers)
   * `desc.size` is 0: its size is known only when the stream ends.
   */
  putBlob(desc: Descriptor, data: ReadableStream<Uint8Array>, opts?: BlobWriteOptions): Promise<void>;
  /** Store the manifest (after all its blobs) for `image`. */
  putManifest(image: Image): Promise<void>;
  /** Make everything visible (tags, index.json, the archive file). */
  commit(): Promise<void>;
  /** Undo: nothing written by this copy stays visible. */
  abort(): Promise<void>;
}
