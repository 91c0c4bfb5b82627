/**
 * Pull: registry -> store. Manifest negotiation (OCI manifest and index,
 * Docker schema2 manifest and manifest list); an index resolves to the
 * asked platform; the config and layers stream into the store, which
 * verifies each against its digest and size before it becomes visible
 * (CONFORMANCE 24); blobs the store already holds are not downloaded.
 * Nothing is committed until every blob has arrived and the image parses.
 */
import { InvalidArgumentError } from '../../errors/InvalidArgumentError.js';
import { readAll } from '../../image/hashing.js';
import { Image } from '../../image/image.js';
import { parsePlatform, selectManifest, hostPlatform } from '../../image/platform.js';
import type { Descriptor } from '../../image/types.js';
import { parseManifestOrIndex } from '../../image/validate.js';
import type { Store } from '../../store/store.js';
import type { PendingBlob } from '../../store/types.js';
import { parseDockerReference, withReference, DOCKER_HUB, type DockerReference } from '../docker-ref.js';
import { BLOB_SOURCES, BlobSources, defaultBlobSources } from './blob-sources.js';
import { RegistryClient } from './client.js';
import { limiter, runAll } from './limit.js';
import { DEFAULT_CONCURRENCY, type PullOptions, type RegistryTransferOptions } from './options.js';

/** Config blobs larger than this are refused (a config is a few KiB in practice). */
const MAX_CONFIG = 64 * 1024 * 1024;

export interface PullResult {
  image: Image;
  /** Manifest digest (of the platform manifest when the reference named an index). */
  digest: string;
  /** Digest of what the reference named (the index, or the manifest itself). */
  topDigest: string;
  /** `registry/repository@digest` of the pulled manifest. */
  reference: string;
  names: string[];
  /** Blobs downloaded / already in the store. */
  downloaded: number;
  skipped: number;
  bytes: number;
}

/** Docker's familiar short name: `docker.io/library/alpine:3` -> `alpine:3`. */
export function familiarName(ref: DockerReference): string {
  let name = `${ref.registry}/${ref.repository}`;
  if (ref.registry === DOCKER_HUB) name = ref.repository.startsWith('library/') ? ref.repository.slice('library/'.length) : ref.repository;
  return ref.tag ? `${name}:${ref.tag}` : `${name}@${ref.digest}`;
}

export function toRef(ref: string | DockerReference): DockerReference {
  return typeof ref === 'string' ? parseDockerReference(ref) : ref;
}

export function clientFor(ref: DockerReference, opts: RegistryTransferOptions): RegistryClient {
  if (opts.client) {
    if (opts.client.registry !== ref.registry) throw new InvalidArgumentError(`client is for ${opts.client.registry}, reference is on ${ref.registry}`);
    return opts.client;
  }
  return new RegistryClient(ref.registry, opts);
}

export function blobSourcesFor(store: Store | undefined, opts: RegistryTransferOptions): BlobSources {
  return opts.blobSources ?? (store ? new BlobSources(store.records<string[]>(BLOB_SOURCES)) : defaultBlobSources);
}

/**
 * Resolves a reference to one image manifest: fetches what it names and,
 * for an index (or manifest list), the entry for `platform`.
 */
export async function resolveManifest(
  client: RegistryClient,
  ref: DockerReference,
  platform: PullOptions['platform'],
  signal?: AbortSignal,
): Promise<{ bytes: Uint8Array; mediaType: string; digest: string; topDigest: string }> {
  const top = await client.getManifest(ref.repository, ref.reference, { signal });
  const parsed = parseManifestOrIndex(top.bytes, top.mediaType);
  if (parsed.kind === 'manifest') return { ...top, mediaType: parsed.mediaType, topDigest: top.digest };
  const want = platform === undefined ? hostPlatform() : typeof platform === 'string' ? parsePlatform(platform) : platform;
  const desc = selectManifest(parsed.index, want);
  const m = await client.getManifest(ref.repository, desc.digest, { signal });
  const inner = parseManifestOrIndex(m.bytes, m.mediaType ?? desc.mediaType);
  if (inner.kind !== 'manifest') throw new InvalidArgumentError(`${ref}: the index entry for the platform is itself an index`, { digest: desc.digest });
  return { bytes: m.bytes, mediaType: inner.mediaType, digest: m.digest, topDigest: top.digest };
}

export async function pullImage(store: Store, reference: string | DockerReference, opts: PullOptions = {}): Promise<PullResult> {
  const ref = toRef(reference);
  const client = clientFor(ref, opts);
  const sources = blobSourcesFor(store, opts);
  const controller = new AbortController();
  const signal = opts.signal ? AbortSignal.any([opts.signal, controller.signal]) : controller.signal;
  // A reference by digest alone names no tag: the image is stored untagged (as `docker pull NAME@DIGEST` shows <none>).
  const names = opts.names ?? (ref.tag ? [familiarName(ref)] : []);

  const m = await resolveManifest(client, ref, opts.platform, signal);
  const manifest = parseManifestOrIndex(m.bytes, m.mediaType);
  if (manifest.kind !== 'manifest') throw new InvalidArgumentError(`${ref} did not resolve to an image manifest`);
  const { config, layers } = manifest.manifest;
  const here = { registry: ref.registry, repository: ref.repository };
  // The repository holds every blob of a manifest it serves: remember them all for later mounts.
  for (const d of new Set([config.digest, ...layers.map((l) => l.digest)])) await sources.add(d, here);

  // Every blob of the image stays live for gc (in any process) until the tag is written.
  const lease = await store.lease();
  await lease.add([m.digest, config.digest, ...layers.map((l) => l.digest)]);
  try {
    return await pullLeased();
  } finally {
    await lease.release();
  }

  async function pullLeased(): Promise<PullResult> {
  // The config first (small): read whole, verified by the client.
  let configBytes: Uint8Array;
  if (await store.hasBlob(config.digest)) configBytes = await store.getBlobBytes(config.digest, config.size);
  else configBytes = await readAll(client.fetchBlob(ref.repository, config, { signal }), MAX_CONFIG);

  const pending: PendingBlob[] = [];
  let downloaded = 0;
  let skipped = 0;
  let bytes = 0;
  const unique = [...new Map(layers.map((l) => [l.digest, l])).values()];
  try {
    await runAll(unique, limiter(opts.concurrency ?? DEFAULT_CONCURRENCY), controller, async (l: Descriptor) => {
      if (await store.hasBlob(l.digest)) {
        skipped++;
        opts.onProgress?.({ digest: l.digest, done: l.size, total: l.size, mediaType: l.mediaType, skipped: true });
        return;
      }
      // The store's writer verifies digest and size before the blob can be committed.
      const writer = await store.blobWriter({ digest: l.digest, size: l.size });
      if (!writer) {
        skipped++; // another pull into this store got it meanwhile
        opts.onProgress?.({ digest: l.digest, done: l.size, total: l.size, mediaType: l.mediaType, skipped: true });
        return;
      }
      opts.onProgress?.({ digest: l.digest, done: 0, total: l.size, mediaType: l.mediaType });
      const onProgress = opts.onProgress;
      try {
        // Chunks go from the connection to the writer with no stream stage between (the pull is
        // bound by the main thread); the client resumes interrupted transfers with Range.
        await client.downloadBlob(ref.repository, l, writer, {
          signal,
          onProgress: onProgress && ((p) => onProgress({ ...p, mediaType: l.mediaType })),
        });
        pending.push(await writer.close());
      } catch (e) {
        await writer.abort().catch(() => {});
        throw e;
      }
      downloaded++;
      bytes += l.size;
    });
    const image = await Image.fromBytes(m.bytes, configBytes, { digest: m.digest, mediaType: m.mediaType });
    for (const p of pending.splice(0)) await p.commit();
    await store.putImage(image, names);
    return {
      image,
      digest: image.digest,
      topDigest: m.topDigest,
      reference: `${withReference(ref, { digest: image.digest })}`,
      names,
      downloaded,
      skipped,
      bytes,
    };
  } catch (e) {
    await Promise.all(pending.splice(0).map((p) => p.discard().catch(() => {})));
    throw e;
  }
}
}
