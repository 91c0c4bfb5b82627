/**
 * Where blobs were seen on registries: pulled from or pushed to
 * `registry/repository`. Push consults it to mount a blob from another
 * repository of the same registry instead of uploading it (CONFORMANCE 24),
 * as skopeo's blob info cache and crane's mount hints do. Kept in memory
 * for the process and, when a store is given, in the store's records (kind
 * 'registry-blob-sources', keyed by digest) so a later push still knows.
 */
import type { RecordStore } from '../../store/types.js';

/** Record kind in the store. */
export const BLOB_SOURCES = 'registry-blob-sources';
/** Locations kept per blob (most recent first). */
const KEEP = 8;

export interface BlobLocation {
  registry: string;
  repository: string;
}

export class BlobSources {
  private readonly mem = new Map<string, string[]>();
  constructor(private readonly records?: RecordStore<string[]>) {}

  private static key(l: BlobLocation): string {
    return `${l.registry}/${l.repository}`;
  }

  private async list(digest: string): Promise<string[]> {
    // With a store, its records are the truth (other instances, other processes write them too).
    if (!this.records) return this.mem.get(digest) ?? [];
    const r = await this.records.get(digest).catch(() => undefined);
    return Array.isArray(r) ? r.filter((x): x is string => typeof x === 'string') : [];
  }

  /** Remember that `loc` holds `digest`. */
  async add(digest: string, loc: BlobLocation): Promise<void> {
    const k = BlobSources.key(loc);
    const list = await this.list(digest);
    if (list[0] === k) return;
    const next = [k, ...list.filter((x) => x !== k)].slice(0, KEEP);
    if (this.records) await this.records.put(digest, next).catch(() => {});
    else this.mem.set(digest, next);
  }

  /** Other repositories on `registry` known to hold `digest`, most recent first. */
  async candidates(digest: string, registry: string, exceptRepository: string): Promise<string[]> {
    const prefix = `${registry}/`;
    return (await this.list(digest))
      .filter((k) => k.startsWith(prefix))
      .map((k) => k.slice(prefix.length))
      .filter((repo) => repo !== exceptRepository);
  }
}

/** One process-wide cache for callers that pass no store. */
export const defaultBlobSources = new BlobSources();
