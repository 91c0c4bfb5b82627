/**
 * Push: store -> registry (distribution-spec "Push", CONFORMANCE 24). For
 * each blob, HEAD first; when it is missing and another repository of the
 * same registry is known to hold it, mount it (`POST
 * /v2/NAME/blobs/uploads/?mount=DIGEST&from=OTHER`); otherwise upload it
 * (one PUT for small blobs, PATCH chunks for large ones). The manifest goes
 * last, so the registry never names an image whose blobs are missing.
 */
import { InvalidArgumentError } from '../../errors/InvalidArgumentError.js';
import { LayerfsError } from '../../errors/LayerfsError.js';
import type { Image } from '../../image/image.js';
import type { Descriptor } from '../../image/types.js';
import type { Store } from '../../store/store.js';
import type { DockerReference } from '../docker-ref.js';
import type { BlobSources } from './blob-sources.js';
import type { RegistryClient } from './client.js';
import { limiter, runAll } from './limit.js';
import { DEFAULT_CONCURRENCY, type PushOptions, type RegistryProgress } from './options.js';
import { blobSourcesFor, clientFor, toRef } from './pull.js';

export interface PushResult {
  /** Manifest digest at the registry. */
  digest: string;
  /** `registry/repository@digest`. */
  reference: string;
  uploaded: number;
  mounted: number;
  /** Blobs the repository already had. */
  skipped: number;
  bytes: number;
}

/** Whole-blob attempts when an upload fails in a retryable way (each request is retried on its own too). */
const BLOB_ATTEMPTS = 3;

export type BlobOutcome = 'exists' | 'mounted' | 'uploaded';

/**
 * Makes sure `repository` holds blob `desc`: HEAD, else mount from a known
 * repository, else upload the bytes `open()` gives (called again for each
 * attempt, so a failed upload starts over from a fresh stream).
 */
export async function ensureBlob(
  client: RegistryClient,
  repository: string,
  desc: Descriptor,
  open: () => Promise<ReadableStream<Uint8Array>>,
  ctx: { sources: BlobSources; signal?: AbortSignal; onProgress?: (e: RegistryProgress) => void },
): Promise<BlobOutcome> {
  const here = { registry: client.registry, repository };
  if ((await client.hasBlob(repository, desc.digest, { push: true, signal: ctx.signal })) !== undefined) {
    ctx.onProgress?.({ digest: desc.digest, done: desc.size, total: desc.size, mediaType: desc.mediaType, skipped: true });
    await ctx.sources.add(desc.digest, here);
    return 'exists';
  }
  let location: string | undefined;
  for (const from of await ctx.sources.candidates(desc.digest, client.registry, repository)) {
    const r = await client.startUpload(repository, { mount: { digest: desc.digest, from }, signal: ctx.signal }).catch((e) => {
      // A source we may not read (DENIED/UNAUTHORIZED) just means: upload instead.
      if (e instanceof LayerfsError && (e.code === 'DENIED' || e.code === 'UNAUTHORIZED' || e.code === 'NOT_FOUND')) return undefined;
      throw e;
    });
    if (!r) continue;
    if (r.mounted) {
      ctx.onProgress?.({ digest: desc.digest, done: desc.size, total: desc.size, mediaType: desc.mediaType, mounted: true });
      await ctx.sources.add(desc.digest, here);
      return 'mounted';
    }
    // The registry opened an upload session instead (distribution-spec: 202 on a failed mount).
    location = r.location;
    break;
  }
  for (let attempt = 1; ; attempt++) {
    if (!location) {
      const r = await client.startUpload(repository, { signal: ctx.signal });
      if (r.mounted) throw new InvalidArgumentError('registry reported a mount for a plain upload');
      location = r.location;
    }
    try {
      ctx.onProgress?.({ digest: desc.digest, done: 0, total: desc.size, mediaType: desc.mediaType });
      await client.uploadBlob(repository, location, desc, await open(), {
        signal: ctx.signal,
        // A PATCH that broke off resumes from the registry's offset: the source is read again up to it.
        reopen: open,
        onProgress: (p) => ctx.onProgress?.({ ...p, mediaType: desc.mediaType }),
      });
      await ctx.sources.add(desc.digest, here);
      return 'uploaded';
    } catch (e) {
      const retryable = e instanceof LayerfsError && e.code === 'REGISTRY_ERROR';
      const loc = location;
      location = undefined;
      await client.cancelUpload(repository, loc);
      if (!retryable || attempt >= BLOB_ATTEMPTS || ctx.signal?.aborted) throw e;
    }
  }
}

/** Pushes the image `image` (whose blobs are in `store`) to `reference`. */
export async function pushImageObject(store: Store, image: Image, reference: string | DockerReference, opts: PushOptions = {}): Promise<PushResult> {
  const ref = toRef(reference);
  if (ref.digest && ref.digest !== image.digest) {
    throw new InvalidArgumentError(`cannot push image ${image.digest} to ${ref}: the reference names another digest`, { reference: `${ref}` });
  }
  const client = clientFor(ref, opts);
  const sources = blobSourcesFor(store, opts);
  const controller = new AbortController();
  const signal = opts.signal ? AbortSignal.any([opts.signal, controller.signal]) : controller.signal;
  const blobs: Descriptor[] = [image.configDescriptor, ...image.manifest.layers];
  const unique = [...new Map(blobs.map((b) => [b.digest, b])).values()];
  const result: PushResult = { digest: image.digest, reference: '', uploaded: 0, mounted: 0, skipped: 0, bytes: 0 };
  await runAll(unique, limiter(opts.concurrency ?? DEFAULT_CONCURRENCY), controller, async (desc) => {
    // Raw store bytes: the registry hashes every upload against its ?digest= and refuses a
    // mismatch (DIGEST_INVALID -> DIGEST_MISMATCH) before the blob exists there, and the
    // client checks the size, so hashing here as well would only cost CPU.
    const outcome = await ensureBlob(client, ref.repository, desc, () => store.backend.getBlob(desc.digest), {
      sources,
      signal,
      onProgress: opts.onProgress,
    });
    if (outcome === 'exists') result.skipped++;
    else if (outcome === 'mounted') result.mounted++;
    else {
      result.uploaded++;
      result.bytes += desc.size;
    }
  });
  // Manifest last: under the tag, or under its digest when the reference has none.
  const digest = await client.putManifest(ref.repository, ref.tag ?? image.digest, image.manifestBytes(), image.mediaType, { signal });
  result.digest = digest;
  result.reference = `${ref.registry}/${ref.repository}@${digest}`;
  return result;
}

/** Pushes the store image `source` (`NAME[:TAG]` or a digest) to the registry reference `reference`. */
export async function pushImage(store: Store, source: string, reference: string | DockerReference, opts: PushOptions = {}): Promise<PushResult> {
  return pushImageObject(store, await store.image(source), reference, opts);
}
