/** Options shared by pull, push and the docker:// copy ends. */
import type { Platform } from '../../image/types.js';
import type { BlobSources } from './blob-sources.js';
import type { RegistryClient, RegistryClientOptions } from './client.js';

/** Per-blob progress (bytes done and total); `skipped` when the other side had it, `mounted` when mounted. */
export interface RegistryProgress {
  digest: string;
  done: number;
  total: number;
  mediaType?: string;
  skipped?: boolean;
  mounted?: boolean;
}

export interface RegistryTransferOptions extends RegistryClientOptions {
  /** Blobs moved at once. Default 4. */
  concurrency?: number;
  onProgress?: (e: RegistryProgress) => void;
  /** Where blobs were seen (for cross-repository mounts). Default: the store's records, else process-wide. */
  blobSources?: BlobSources;
  /** Use this client instead of making one (its auth cache is then shared). */
  client?: RegistryClient;
}

export interface PullOptions extends RegistryTransferOptions {
  /** `os/arch[/variant]` (or a Platform) to pick from an index; default the host's. */
  platform?: string | Platform;
  /** Local names to tag the image with. Default: the reference's familiar name (`alpine:latest`). */
  names?: string[];
}

export type PushOptions = RegistryTransferOptions;

export const DEFAULT_CONCURRENCY = 4;
