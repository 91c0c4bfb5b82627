/**
 * `Store`: images, tags and blobs over one StoreBackend (see types.ts).
 *
 * - Blobs are verified on every read (the stream errors at its end, before
 *   the consumer can trust it) and on every write (temp name, verify,
 *   rename), and deduplicated by digest.
 * - A tag is a record of kind 'refs' keyed `name:tag` that keeps its
 *   manifest alive; several tags may name one image.
 * - `rmi` drops a tag and then every blob of that image nothing else
 *   reaches; `gc` sweeps everything no record reaches, plus stale temps.
 */
import { BlobUnknownError } from '../errors/BlobUnknownError.js';
import { CorruptStoreError } from '../errors/CorruptStoreError.js';
import { InUseError } from '../errors/InUseError.js';
import { InvalidArgumentError } from '../errors/InvalidArgumentError.js';
import { LayerfsError } from '../errors/LayerfsError.js';
import { NotFoundError } from '../errors/NotFoundError.js';
import { UnsupportedError } from '../errors/UnsupportedError.js';
import { bytesStream, digestBytes, readAll, verifyStream } from '../image/hashing.js';
import { Image, type HistoryItem } from '../image/image.js';
import { formatPlatform } from '../image/platform.js';
import type { ImageDestination, ImageSource } from '../image/transfer.js';
import { parseManifestOrIndex } from '../image/validate.js';
import type { ApplyStats } from '../layer/apply.js';
import type { Tree } from '../tree/types.js';
import type { UnionView } from '../union/view.js';
import { verifyingBlobWriter } from './blob-writer.js';
import { formatLocalName, parseLocalName } from './names.js';
import { imageView, unpackImage } from './view.js';
import { LAYER_INDEX, LAYER_TARS, REFS, type AreaStore, type BlobWriter, type DuReport, type GcReport, type ImageSummary, type PendingBlob, type RecordStore, type StoreBackend } from './types.js';

export { REFS, LAYER_INDEX, LAYER_TARS };

/** Largest manifest or config layerfs reads into memory (containerd uses 4 MiB for manifests too). */
const MAX_JSON = 4 * 1024 * 1024;
/** Temp files older than this are a crashed writer's and gc removes them. */
const STALE_TEMP_MS = 60 * 60 * 1000;
/**
 * Record kind of leases: blobs a writer (copy, pull) in ANY process is
 * writing or relying on before its tag exists. gc treats them as live, as
 * containerd's leases do. A lease not refreshed for STALE_TEMP_MS belongs to
 * a crashed writer and gc drops it.
 */
export const LEASES = 'leases';
/**
 * Record kind of running collections (gc, rmi): a writer that has just
 * written its lease waits while one runs, so a collection either sees the
 * lease or finishes before the writer looks at the blobs. A lock not
 * refreshed for GC_LOCK_STALE_MS is a crashed collector's and is ignored.
 */
export const GC_LOCKS = 'gc-locks';
const GC_LOCK_STALE_MS = 60 * 1000;
const GC_LOCK_REFRESH_MS = 10 * 1000;

interface LeaseValue {
  /** Date.now() of the last refresh. */
  updated: number;
  /** The process holding it (StoreBackend.owner), when the backend names processes. */
  owner?: string;
}

/** Blobs protected from gc (in this and other processes) until release(). */
export interface BlobLease {
  /** Protect `digests`; returns once no collection that could miss them is running. */
  add(digests: string[]): Promise<void>;
  release(): Promise<void>;
}

function randomKey(): string {
  const b = crypto.getRandomValues(new Uint8Array(12));
  return Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

export interface RefValue {
  /** Manifest digest. */
  digest: string;
  /** Image id (config digest), so resolving an id needs no manifest read. */
  id?: string;
  mediaType: string;
  /** When the tag was set (ISO 8601). */
  tagged: string;
}

export interface CopyOptions {
  /** `os/arch[/variant]` to pick from an index; default: the host's. */
  platform?: string;
  /** Progress callback per blob. */
  onProgress?: (e: { digest: string; done: number; total: number; skipped?: boolean }) => void;
  signal?: AbortSignal;
  /** Recompress layers ('gzip' | 'zstd') — by default blobs are copied as they are. */
  compress?: 'gzip' | 'zstd';
  /** Transport-specific options (e.g. registry credentials), passed through. */
  [key: string]: unknown;
}

export interface CopyResult {
  /** Manifest digest at the destination. */
  digest: string;
  /** Image id (config digest). */
  id: string;
  /** Blobs sent (not already at the destination). */
  copiedBlobs: number;
  skippedBlobs: number;
}

/** src/transport/copy.ts installs the transports (the store sits below them). */
export type CopyImplementation = (store: Store, src: string, dst: string, opts: CopyOptions) => Promise<CopyResult>;
let copyImpl: CopyImplementation | undefined;
export function setCopyImplementation(fn: CopyImplementation): void {
  copyImpl = fn;
}

export interface ResolvedRef {
  digest: string;
  /** The tag the reference named (`name:tag`), when it named one. */
  name?: string;
  /**
   * The image id, when the reference named the image by its id (or a
   * prefix of it) rather than by a name or a manifest digest: one id may
   * stand for several manifests (see Store.resolve).
   */
  id?: string;
}

/** A manifest an id lookup may pick: its image id and when a name last pointed at it. */
interface Candidate {
  id?: string;
  /** Latest `tagged` of its names (ISO 8601); undefined when it has none. */
  tagged?: string;
}

export class Store {
  readonly backend: StoreBackend;
  /**
   * Blobs an in-flight copy has written but not yet tagged: gc in this
   * process treats them as live; other processes see them through the
   * lease records (LEASES).
   */
  readonly #pinned = new Map<string, number>();

  constructor(backend: StoreBackend) {
    this.backend = backend;
  }

  get location(): string {
    return this.backend.location;
  }

  // ---- blobs ----

  hasBlob(digest: string): Promise<boolean> {
    return this.backend.hasBlob(digest);
  }

  /** A verified stream of a blob: it errors with DigestMismatchError at its end if the bytes are wrong. */
  async getBlob(digest: string, size?: number): Promise<ReadableStream<Uint8Array>> {
    const raw = await this.backend.getBlob(digest);
    return raw.pipeThrough(verifyStream(digest, size));
  }

  /** A blob's verified bytes. */
  async getBlobBytes(digest: string, size?: number): Promise<Uint8Array> {
    return readAll(await this.getBlob(digest, size));
  }

  /**
   * Write a blob (verified against `digest`, atomic). Bytes without a digest
   * are hashed first. Returns the digest. A blob already present is not rewritten.
   */
  async putBlob(data: Uint8Array | ReadableStream<Uint8Array>, opts: { digest?: string; size?: number } = {}): Promise<string> {
    const { digest, pending } = await this.stageBlob(data, opts);
    if (pending) await pending.commit();
    return digest;
  }

  /**
   * Like putBlob, but the caller commits the returned PendingBlob (copy
   * commits all blobs at the end); `pending` is undefined when the blob is
   * already present.
   */
  async stageBlob(data: Uint8Array | ReadableStream<Uint8Array>, opts: { digest?: string; size?: number } = {}): Promise<{ digest: string; pending?: PendingBlob }> {
    const digest = opts.digest ?? (data instanceof Uint8Array ? await digestBytes(data) : undefined);
    if (!digest) throw new InvalidArgumentError('putBlob of a stream needs its digest');
    if (await this.backend.hasBlob(digest)) {
      if (!(data instanceof Uint8Array)) await data.cancel().catch(() => {});
      return { digest };
    }
    const stream = data instanceof Uint8Array ? bytesStream(data) : data;
    return { digest, pending: await this.backend.putBlob(digest, stream.pipeThrough(verifyStream(digest, opts.size))) };
  }

  /**
   * stageBlob for a producer that pushes chunks (a registry download):
   * the writer verifies digest and size as they come (an excess fails at
   * once; a shortfall or a wrong digest at close(), which then leaves
   * nothing behind), and close() gives the PendingBlob to commit. Undefined
   * when the blob is already present. No stream stage per chunk: backends
   * with openBlobWriter (disk) take the chunks directly.
   */
  async blobWriter(opts: { digest: string; size?: number }): Promise<BlobWriter | undefined> {
    if (await this.backend.hasBlob(opts.digest)) return undefined;
    return verifyingBlobWriter(this.backend, opts.digest, opts.size);
  }

  // ---- records and areas (for containers, volumes, build cache) ----

  records<T = unknown>(kind: string): RecordStore<T> {
    if (kind === REFS) throw new InvalidArgumentError(`record kind '${REFS}' is reserved for tags; use tag()/untag()`);
    const b = this.backend;
    return {
      get: async (key) => (await b.getRecord<T>(kind, key))?.value,
      put: (key, value, opts) => b.putRecord<T>(kind, key, opts?.blobs?.length ? { value, blobs: [...opts.blobs] } : { value }),
      delete: (key) => b.deleteRecord(kind, key),
      list: () => b.listRecords(kind),
    };
  }

  areas(kind: string): AreaStore {
    const b = this.backend;
    return {
      open: (id) => b.openArea(kind, id),
      delete: (id) => b.deleteArea(kind, id),
      list: () => b.listAreas(kind),
    };
  }

  // ---- references ----

  async #refs(): Promise<Map<string, RefValue>> {
    const out = new Map<string, RefValue>();
    for (const key of await this.backend.listRecords(REFS)) {
      const r = await this.backend.getRecord<RefValue>(REFS, key);
      if (r) out.set(key, r.value);
    }
    return out;
  }

  /**
   * Resolve a local reference: `name[:tag]`, `name@digest`, a manifest
   * digest, an image id (config digest) or a unique prefix of its hex (at
   * least 4 characters), as `docker inspect` accepts.
   *
   * An id names an image, and one image (one config) can sit under several
   * manifests, e.g. pulled once with OCI and once with Docker media types.
   * As in Docker, where the image id is the config digest, that is not
   * ambiguous; the manifest returned is, in order:
   * - the one the reference spells, when it is (a prefix of) a manifest digest;
   * - else one with a tag, the one tagged most recently (ties: the smaller
   *   manifest digest). Untagged manifests that a record still keeps (a
   *   container's image, the build cache) count only when no tagged manifest
   *   has that id; several of them are ambiguous, since the store keeps no
   *   time for them.
   * A prefix that matches two different images (ids, or a manifest of
   * another image) is InvalidArgumentError; naming the manifest digest (or a
   * tag) picks one manifest exactly. The result carries `id` in that case.
   */
  async resolve(ref: string): Promise<ResolvedRef> {
    const hexLike = /^[0-9a-f]{4,128}$/.test(ref);
    // A tag wins over an id prefix that looks the same (`docker inspect` does the same).
    const asTag = hexLike ? await this.#ref(`${ref}:latest`) : undefined;
    if (asTag) return { digest: asTag.digest, name: `${ref}:latest` };
    if (/^(sha256|sha512):/.test(ref) || hexLike) {
      // Digests, ids and their prefixes are matched against every tag (and held manifest).
      const refs = await this.#refs();
      const hex = ref.replace(/^(sha256|sha512):/, '');
      const full = ref.includes(':');
      const matches = (d: string) => (full ? d === ref : d.split(':')[1]!.startsWith(hex));
      const tagged = await this.#taggedManifests(refs);
      const hit = this.#pick(ref, matches, tagged) ?? this.#pick(ref, matches, await this.#heldManifests(tagged));
      if (hit) return hit;
      // An untagged manifest or index that only its digest names (not, say, a config blob).
      if (full && (await this.#isManifestOrIndex(ref))) return { digest: ref };
      if (!/^[a-z0-9]/.test(ref) || full) throw new NotFoundError(`no image ${ref} in the store`, { ref });
    }
    const n = parseLocalName(ref);
    if (n.digest) {
      const hit = [...(await this.#refs()).entries()].find(([k, v]) => v.digest === n.digest && k.startsWith(`${n.name}:`));
      if (hit || (await this.backend.hasBlob(n.digest))) return { digest: n.digest };
      throw new NotFoundError(`no image ${ref} in the store`, { ref });
    }
    // `name[:tag]`, the common case: one record, however many tags the store holds.
    const key = formatLocalName(n);
    const v = await this.#ref(key);
    if (!v) throw new NotFoundError(`no image ${key} in the store`, { ref: key });
    return { digest: v.digest, name: key };
  }

  async #ref(key: string): Promise<RefValue | undefined> {
    return (await this.backend.getRecord<RefValue>(REFS, key))?.value;
  }

  /** The manifests tags point at, with their image ids and latest tag times. */
  async #taggedManifests(refs: Map<string, RefValue>): Promise<Map<string, Candidate>> {
    const out = new Map<string, Candidate>();
    for (const v of refs.values()) {
      const c = out.get(v.digest) ?? {};
      c.id ??= v.id;
      if (c.tagged === undefined || v.tagged > c.tagged) c.tagged = v.tagged;
      out.set(v.digest, c);
    }
    for (const [d, c] of out) c.id ??= await this.#configDigestOf(d);
    return out;
  }

  /** Image manifests that other records (containers, build cache) keep, minus the tagged ones. */
  async #heldManifests(tagged: Map<string, Candidate>): Promise<Map<string, Candidate>> {
    const out = new Map<string, Candidate>();
    for (const kind of await this.backend.listKinds()) {
      if (kind === REFS || kind === LAYER_INDEX || kind === LEASES || kind === GC_LOCKS) continue;
      for (const key of await this.backend.listRecords(kind)) {
        const r = await this.backend.getRecord(kind, key).catch(() => undefined);
        for (const d of r?.blobs ?? []) {
          if (tagged.has(d) || out.has(d)) continue;
          const id = await this.#configDigestOf(d);
          if (id) out.set(d, { id });
        }
      }
    }
    return out;
  }

  /** The manifest `ref` names among `candidates` by the rule in resolve(); undefined if none matches. */
  #pick(ref: string, matches: (digest: string) => boolean, candidates: Map<string, Candidate>): ResolvedRef | undefined {
    const byDigest: string[] = [];
    const byId: string[] = [];
    for (const [d, c] of candidates) {
      if (matches(d)) byDigest.push(d);
      else if (c.id && matches(c.id)) byId.push(d);
    }
    // What the hits name: an image id each (a manifest of unknown config stands for itself).
    const images = new Set([...byDigest, ...byId].map((d) => candidates.get(d)!.id ?? d));
    if (images.size === 0) return undefined;
    if (images.size > 1) throw new InvalidArgumentError(`${ref} is ambiguous: it matches ${images.size} images`, { ref, images: [...images].sort() });
    if (byDigest.length === 1) return { digest: byDigest[0]! };
    const ranked = [...byDigest, ...byId].sort((a, b) => {
      const ta = candidates.get(a)!.tagged ?? '';
      const tb = candidates.get(b)!.tagged ?? '';
      return ta !== tb ? (ta < tb ? 1 : -1) : a < b ? -1 : 1;
    });
    if (ranked.length > 1 && candidates.get(ranked[0]!)!.tagged === undefined) {
      throw new InvalidArgumentError(`${ref} names an image with ${ranked.length} untagged manifests; name one by its manifest digest`, { ref, manifests: ranked.sort() });
    }
    const id = [...images][0]!;
    return byDigest.length ? { digest: ranked[0]! } : { digest: ranked[0]!, id };
  }

  async #isManifestOrIndex(digest: string): Promise<boolean> {
    const size = await this.backend.blobSize(digest);
    if (size === undefined || size > MAX_JSON) return false;
    try {
      parseManifestOrIndex(await this.getBlobBytes(digest));
      return true;
    } catch {
      return false;
    }
  }

  async #configDigestOf(manifestDigest: string): Promise<string | undefined> {
    try {
      const top = parseManifestOrIndex(await this.getBlobBytes(manifestDigest));
      return top.kind === 'manifest' ? top.manifest.config.digest : undefined;
    } catch {
      return undefined;
    }
  }

  /**
   * The Image a reference names (manifest and config read and verified).
   * `ref` is anything resolve() takes. An image id (config digest, or a
   * unique prefix) may stand for several manifests of one config (say the
   * image pulled as OCI and as Docker schema 2): then the manifest with a
   * tag is returned, the most recently tagged if several have one; pass the
   * manifest digest (or a tag) to get a particular one. Untagged manifests
   * a container or the build cache keeps are found by id only when no tagged
   * manifest has it.
   */
  async image(ref: string): Promise<Image> {
    const { digest } = await this.resolve(ref);
    return this.imageByDigest(digest);
  }

  async imageByDigest(digest: string): Promise<Image> {
    let manifestBytes: Uint8Array;
    try {
      manifestBytes = await readAll(await this.getBlob(digest), MAX_JSON);
    } catch (e) {
      if (e instanceof BlobUnknownError) throw new CorruptStoreError(`manifest ${digest} is referenced but missing from the store`, { digest }, { cause: e });
      throw e;
    }
    const top = parseManifestOrIndex(manifestBytes);
    if (top.kind !== 'manifest') throw new CorruptStoreError(`${digest} is an index, not an image manifest`, { digest });
    const c = top.manifest.config;
    const configBytes = await readAll(await this.getBlob(c.digest, c.size), MAX_JSON);
    return Image.fromBytes(manifestBytes, configBytes, { digest, mediaType: top.mediaType });
  }

  /** Names (`name:tag`) that point at the manifest `digest`. */
  async namesOf(digest: string): Promise<string[]> {
    return [...(await this.#refs())].filter(([, v]) => v.digest === digest).map(([k]) => k).sort();
  }

  /**
   * Store an image whose layer blobs are already here: writes its config
   * and manifest blobs and sets `names` (if any). Until the names are set
   * nothing references these blobs, so a lease keeps a gc in another
   * process from taking the layers, config or manifest in between.
   */
  async putImage(image: Image, names: string[] = []): Promise<void> {
    const lease = await this.lease();
    try {
      await lease.add([...image.layers.map((l) => l.digest), image.id, image.digest]);
      for (const l of image.layers) {
        if (!(await this.backend.hasBlob(l.digest))) throw new BlobUnknownError(`layer ${l.digest} of image ${image.id} is not in the store`, { digest: l.digest });
      }
      await this.putBlob(image.configBytes(), { digest: image.id, size: image.configDescriptor.size });
      await this.putBlob(image.manifestBytes(), { digest: image.digest });
      for (const n of names) await this.#setRef(n, image.digest, image.mediaType, image.id);
    } finally {
      await lease.release();
    }
  }

  async #setRef(name: string, digest: string, mediaType: string, id: string): Promise<string> {
    const n = parseLocalName(name);
    if (n.digest && !n.tag) throw new InvalidArgumentError(`cannot tag with a digest reference: ${name}`, { ref: name });
    const key = formatLocalName(n);
    const value: RefValue = { digest, id, mediaType, tagged: new Date().toISOString() };
    await this.backend.putRecord<RefValue>(REFS, key, { value, blobs: [digest] });
    return key;
  }

  /** Give the image `src` names another name `dst` (`name[:tag]`). Returns the normalised name. */
  async tag(src: string, dst: string): Promise<string> {
    const { digest } = await this.resolve(src);
    const img = await this.imageByDigest(digest);
    return this.#setRef(dst, digest, img.mediaType, img.id);
  }

  /** Remove one name; the image's blobs stay until rmi or gc. */
  async untag(ref: string): Promise<void> {
    const key = formatLocalName(parseLocalName(ref));
    if (!(await this.backend.deleteRecord(REFS, key))) throw new NotFoundError(`no image ${key} in the store`, { ref: key });
  }

  /**
   * `rmi`: remove a name and, once no name or record reaches the image, its
   * blobs that nothing else uses. Given an id or digest that several names
   * share, it refuses (InUseError) unless `force` (as `docker rmi` does).
   * An image id covers every tagged manifest of that config (Docker keys
   * images by id), so all their names count.
   */
  async rmi(ref: string, opts: { force?: boolean } = {}): Promise<{ untagged: string[]; deleted: string[] }> {
    const r = await this.resolve(ref);
    const digests = r.id !== undefined && !r.name ? await this.#taggedManifestsOf(r.id) : [r.digest];
    if (!digests.includes(r.digest)) digests.push(r.digest);
    const names = (await Promise.all(digests.map((d) => this.namesOf(d)))).flat().sort();
    let untag: string[];
    if (r.name) untag = [r.name];
    else if (names.length > 1 && !opts.force) {
      throw new InUseError(`image ${ref} has several names (${names.join(', ')}); remove them one by one or force`, { ref });
    } else untag = names;
    for (const n of untag) await this.backend.deleteRecord(REFS, n);
    const blobs: string[] = [];
    for (const d of digests) {
      const img = await this.imageByDigest(d).catch(() => undefined);
      if (img) blobs.push(d, img.id, ...img.layers.map((l) => l.digest));
    }
    const deleted: string[] = [];
    if (!blobs.length) return { untagged: untag, deleted };
    await this.#collecting(async () => {
      const live = await this.liveBlobs();
      for (const d of new Set(blobs)) {
        if (!live.has(d) && (await this.backend.hasBlob(d))) {
          await this.backend.deleteBlob(d);
          await this.backend.deleteRecord(LAYER_INDEX, d);
          deleted.push(d);
        }
      }
    });
    return { untagged: untag, deleted };
  }

  /** Manifest digests that tags point at whose image id is `id`. */
  async #taggedManifestsOf(id: string): Promise<string[]> {
    return [...(await this.#taggedManifests(await this.#refs()))].filter(([, c]) => c.id === id).map(([d]) => d).sort();
  }

  // ---- listing ----

  async images(): Promise<ImageSummary[]> {
    const byDigest = new Map<string, string[]>();
    for (const [k, v] of await this.#refs()) byDigest.set(v.digest, [...(byDigest.get(v.digest) ?? []), k]);
    const out: ImageSummary[] = [];
    for (const [digest, names] of byDigest) {
      let img: Image;
      try {
        img = await this.imageByDigest(digest);
      } catch (e) {
        // One damaged image must not hide the others; its names can still be removed with rmi.
        if (!(e instanceof LayerfsError)) throw e;
        out.push({ id: '', digest, names: names.sort(), size: 0, platform: 'unknown', layers: 0, error: `${e.code}: ${e.message}` });
        continue;
      }
      const row: ImageSummary = {
        id: img.id,
        digest,
        names: names.sort(),
        size: img.size,
        platform: formatPlatform(img.platform),
        layers: img.layers.length,
      };
      if (img.config.created) row.created = img.config.created;
      out.push(row);
    }
    return out.sort((a, b) => (a.names[0]! < b.names[0]! ? -1 : 1));
  }

  /** A JSON description of an image (like `skopeo inspect` with docker's field names). */
  async inspect(ref: string): Promise<Record<string, unknown>> {
    const img = await this.image(ref);
    return {
      Id: img.id,
      Digest: img.digest,
      RepoTags: await this.namesOf(img.digest),
      MediaType: img.mediaType,
      Created: img.config.created,
      Author: img.config.author,
      Architecture: img.platform.architecture,
      Os: img.platform.os,
      Variant: img.platform.variant,
      Size: img.size,
      Config: img.config.config ?? {},
      RootFS: { Type: 'layers', Layers: img.layers.map((l) => l.diffId) },
      Layers: img.layers.map((l) => ({ Digest: l.digest, DiffID: l.diffId, ChainID: l.chainId, Size: l.size, MediaType: l.mediaType })),
      History: img.history,
      Annotations: img.manifest.annotations ?? {},
    };
  }

  async history(ref: string): Promise<HistoryItem[]> {
    return (await this.image(ref)).historyItems();
  }

  // ---- reachability, du, gc ----

  #pin(digests: string[], by: number): void {
    for (const d of digests) {
      const n = (this.#pinned.get(d) ?? 0) + by;
      if (n > 0) this.#pinned.set(d, n);
      else this.#pinned.delete(d);
    }
  }

  /** Every blob some record reaches (manifests expanded to configs, layers and child manifests), plus those in-flight copies hold. */
  async liveBlobs(): Promise<Set<string>> {
    const live = new Set<string>();
    const queue: string[] = [...this.#pinned.keys()];
    const now = Date.now();
    for (const kind of await this.backend.listKinds()) {
      if (kind === LAYER_INDEX || kind === GC_LOCKS) continue;
      for (const key of await this.backend.listRecords(kind)) {
        const r = await this.backend.getRecord(kind, key).catch(() => undefined);
        if (kind === LEASES && this.#stale(r?.value as LeaseValue | undefined, STALE_TEMP_MS, now)) continue;
        for (const d of r?.blobs ?? []) queue.push(d);
      }
    }
    while (queue.length) {
      const d = queue.pop()!;
      if (live.has(d)) continue;
      live.add(d);
      for (const child of await this.#children(d)) queue.push(child);
    }
    return live;
  }

  /** Blobs a manifest or index names; nothing for other blobs. */
  async #children(digest: string): Promise<string[]> {
    const size = await this.backend.blobSize(digest);
    if (size === undefined || size > MAX_JSON) return [];
    const bytes = await this.getBlobBytes(digest).catch(() => undefined);
    if (!bytes || bytes[0] !== 0x7b /* '{' */) return [];
    try {
      const top = parseManifestOrIndex(bytes);
      return top.kind === 'manifest' ? [top.manifest.config.digest, ...top.manifest.layers.map((l) => l.digest)] : top.index.manifests.map((m) => m.digest);
    } catch {
      return [];
    }
  }

  async du(): Promise<DuReport> {
    const blobs = await this.backend.listBlobs();
    const sizes = new Map(blobs.map((b) => [b.digest, b.size]));
    const users = new Map<string, number>();
    const rows: Array<{ id: string; names: string[]; blobs: string[] }> = [];
    const byDigest = new Map<string, string[]>();
    for (const [k, v] of await this.#refs()) byDigest.set(v.digest, [...(byDigest.get(v.digest) ?? []), k]);
    for (const [digest, names] of byDigest) {
      const img = await this.imageByDigest(digest).catch((e) => {
        if (e instanceof LayerfsError) return undefined; // damaged: only its manifest (if any) is counted
        throw e;
      });
      const bl = img ? [...new Set([digest, img.id, ...img.layers.map((l) => l.digest)])] : [digest];
      for (const d of bl) users.set(d, (users.get(d) ?? 0) + 1);
      rows.push({ id: img?.id ?? '', names: names.sort(), blobs: bl });
    }
    const live = await this.liveBlobs();
    const images = rows.map((r) => {
      let shared = 0;
      let unique = 0;
      for (const d of r.blobs) {
        const s = sizes.get(d) ?? 0;
        if ((users.get(d) ?? 0) > 1) shared += s;
        else unique += s;
      }
      return { id: r.id, names: r.names, size: shared + unique, shared, unique };
    });
    let total = 0;
    let reclaimable = 0;
    for (const b of blobs) {
      total += b.size;
      if (!live.has(b.digest)) reclaimable += b.size;
    }
    // A cache that gc removes with its layer, but disk space all the same.
    const layerTars = { count: 0, bytes: 0 };
    for (const id of await this.backend.listAreas(LAYER_TARS)) {
      layerTars.count++;
      layerTars.bytes += await this.#areaBytes(LAYER_TARS, id);
    }
    return { images, blobs: total, blobCount: blobs.length, reclaimable, layerTars };
  }

  /** Bytes of the regular files in an area. */
  async #areaBytes(kind: string, id: string): Promise<number> {
    let n = 0;
    for await (const e of (await this.backend.openArea(kind, id)).walk()) if (e.type === 'file') n += e.size;
    return n;
  }

  /** Remove every blob no record reaches, layer indexes and kept tars (LAYER_TARS) of removed layers, and stale temp files. */
  async gc(opts: { tempOlderThanMs?: number } = {}): Promise<GcReport> {
    const report: GcReport = { removedBlobs: [], removedBytes: 0, removedRecords: 0, removedTemp: 0, removedLayerTars: 0 };
    await this.#collecting(async (refresh, own) => {
      const now = Date.now();
      for (const key of await this.backend.listRecords(LEASES)) {
        const r = await this.backend.getRecord<LeaseValue>(LEASES, key).catch(() => undefined);
        if (this.#stale(r?.value, STALE_TEMP_MS, now) && (await this.backend.deleteRecord(LEASES, key))) report.removedRecords++;
      }
      // A killed collector's lock: nobody will remove it but us.
      for (const key of await this.backend.listRecords(GC_LOCKS)) {
        if (key === own) continue;
        const r = await this.backend.getRecord<LeaseValue>(GC_LOCKS, key).catch(() => undefined);
        if (this.#stale(r?.value, GC_LOCK_STALE_MS, now) && (await this.backend.deleteRecord(GC_LOCKS, key))) report.removedRecords++;
      }
      const live = await this.liveBlobs();
      for (const b of await this.backend.listBlobs()) {
        if (live.has(b.digest)) continue;
        await refresh();
        await this.backend.deleteBlob(b.digest);
        report.removedBlobs.push(b.digest);
        report.removedBytes += b.size;
      }
      for (const key of await this.backend.listRecords(LAYER_INDEX)) {
        if (!live.has(key) && (await this.backend.deleteRecord(LAYER_INDEX, key))) report.removedRecords++;
      }
      for (const id of await this.backend.listAreas(LAYER_TARS)) {
        if (live.has(id)) continue;
        const bytes = await this.#areaBytes(LAYER_TARS, id);
        if (await this.backend.deleteArea(LAYER_TARS, id)) {
          report.removedLayerTars++;
          report.removedBytes += bytes;
        }
      }
    });
    const t = await this.backend.sweepTemp(opts.tempOlderThanMs ?? STALE_TEMP_MS);
    report.removedTemp = t.count;
    report.removedBytes += t.bytes;
    return report;
  }

  /**
   * Run a collection (gc, rmi's blob removal) under a lock record that
   * writers wait on (see GC_LOCKS); `refresh` keeps a long one from looking crashed.
   */
  async #collecting(fn: (refresh: () => Promise<void>, key: string) => Promise<void>): Promise<void> {
    const key = randomKey();
    let stamped = Date.now();
    await this.backend.putRecord<LeaseValue>(GC_LOCKS, key, { value: this.#stamp(stamped) });
    const refresh = async () => {
      if (Date.now() - stamped < GC_LOCK_REFRESH_MS) return;
      stamped = Date.now();
      await this.backend.putRecord<LeaseValue>(GC_LOCKS, key, { value: this.#stamp(stamped) });
    };
    try {
      await fn(refresh, key);
    } finally {
      await this.backend.deleteRecord(GC_LOCKS, key);
    }
  }

  #stamp(updated: number): LeaseValue {
    const owner = this.backend.owner;
    return owner === undefined ? { updated } : { updated, owner };
  }

  /**
   * A lease or lock is stale when not refreshed for `maxAgeMs`, or at once
   * when the process that wrote it is known to be gone (killed: it never
   * released it).
   */
  #stale(v: LeaseValue | undefined, maxAgeMs: number, now: number): boolean {
    if (!v || typeof v.updated !== 'number' || now - v.updated > maxAgeMs) return true;
    return typeof v.owner === 'string' && this.backend.ownerAlive?.(v.owner) === false;
  }

  /** Wait while a collection that is not stale runs (another process's gc, or this one's). */
  async #waitForCollections(): Promise<void> {
    for (;;) {
      const now = Date.now();
      let running = false;
      for (const key of await this.backend.listRecords(GC_LOCKS)) {
        const r = await this.backend.getRecord<LeaseValue>(GC_LOCKS, key).catch(() => undefined);
        if (r && !this.#stale(r.value, GC_LOCK_STALE_MS, now)) running = true;
      }
      if (!running) return;
      await sleep(50);
    }
  }

  /**
   * A lease: blobs a writer is about to write or rely on, kept live for gc
   * and rmi in every process sharing the store until release(). copy and
   * pull take one; builders and commits writing blobs before their tag can too.
   */
  async lease(): Promise<BlobLease> {
    const key = randomKey();
    const held: string[] = [];
    let released = false;
    return {
      add: async (digests) => {
        if (released) throw new InvalidArgumentError('lease already released');
        const fresh = digests.filter((d) => !held.includes(d));
        held.push(...fresh);
        this.#pin(fresh, 1);
        // Lease first, then look for a running collection: it either started after the lease was visible, or we wait for it.
        await this.backend.putRecord<LeaseValue>(LEASES, key, { value: this.#stamp(Date.now()), blobs: [...held] });
        await this.#waitForCollections();
      },
      release: async () => {
        if (released) return;
        released = true;
        this.#pin(held, -1);
        await this.backend.deleteRecord(LEASES, key);
      },
    };
  }

  // ---- reading files ----

  /** The merged read-only file tree of an image (UnionView; layer indexes cached in the store). */
  async view(ref: string): Promise<UnionView> {
    return imageView(this, await this.image(ref));
  }

  /** Write an image's root filesystem into `tree` (its layers applied in order). */
  async unpack(ref: string, tree: Tree): Promise<ApplyStats[]> {
    return unpackImage(this, await this.image(ref), tree);
  }

  // ---- copy and transfer ends ----

  /** Copy an image between any two transports (`oci:DIR[:TAG]`, `docker-archive:F`, `NAME[:TAG]`...). */
  async copy(src: string, dst: string, opts: CopyOptions = {}): Promise<CopyResult> {
    if (!copyImpl) throw new UnsupportedError('no transports are loaded: import layerfs (or layerfs/node) rather than the store module alone');
    return copyImpl(this, src, dst, opts);
  }

  /** This store as a copy source for `ref`. */
  async source(ref: string): Promise<ImageSource> {
    const { digest } = await this.resolve(ref);
    const backend = this.backend;
    return {
      description: `${ref} (store ${this.location})`,
      getManifest: async (desc) => {
        const d = desc?.digest ?? digest;
        const bytes = await readAll(await backend.getBlob(d), MAX_JSON);
        return { bytes, mediaType: desc?.mediaType };
      },
      getBlob: (desc) => backend.getBlob(desc.digest),
    };
  }

  /** This store as a copy destination; `names` are set at commit. */
  destination(names: string[]): ImageDestination {
    const pending: PendingBlob[] = [];
    let leased: Promise<BlobLease> | undefined;
    let image: Image | undefined;
    for (const n of names) parseLocalName(n);
    const hold = async (d: string) => (await (leased ??= this.lease())).add([d]);
    const unpin = async () => {
      if (leased) await (await leased).release();
    };
    return {
      description: names.length ? `${names.join(', ')} (store ${this.location})` : `store ${this.location}`,
      verifiesBlobs: true,
      hasBlob: async (desc) => {
        // A blob this copy will rely on must survive a concurrent gc, in this process or another.
        await hold(desc.digest);
        return this.backend.hasBlob(desc.digest);
      },
      putBlob: async (desc, data) => {
        await hold(desc.digest);
        const { pending: p } = await this.stageBlob(data, { digest: desc.digest, size: desc.size });
        if (p) pending.push(p);
      },
      putManifest: async (img) => {
        image = img;
      },
      commit: async () => {
        if (!image) throw new InvalidArgumentError('copy committed without a manifest');
        try {
          for (const p of pending.splice(0)) await p.commit();
          await this.putImage(image, names);
        } finally {
          await unpin();
        }
      },
      abort: async () => {
        try {
          for (const p of pending.splice(0)) await p.discard();
        } finally {
          await unpin();
        }
      },
    };
  }
}
