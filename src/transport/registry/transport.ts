/**
 * `docker://HOST/REPO[:TAG|@DIGEST]` as the two ends of a copy
 * (src/image/transfer.ts), so `copy` moves images between a registry and
 * every other transport, streaming and without recompressing.
 *
 * The destination's hasBlob() HEADs the blob and, when it is missing but
 * another repository of the registry is known to hold it, mounts it and
 * answers true (as crane's "exists or mount" step does): copy then skips it.
 */
import { InvalidArgumentError } from '../../errors/InvalidArgumentError.js';
import type { Image } from '../../image/image.js';
import type { BlobWriteOptions, ImageDestination, ImageSource, ManifestBytes } from '../../image/transfer.js';
import type { Descriptor } from '../../image/types.js';
import type { DockerReference } from '../docker-ref.js';
import { defaultBlobSources, type BlobSources } from './blob-sources.js';
import type { RegistryClient } from './client.js';
import type { RegistryTransferOptions } from './options.js';
import { clientFor, toRef } from './pull.js';

export interface DockerTransportOptions extends RegistryTransferOptions {}

/**
 * A registry holds every blob of a manifest it serves (distribution-spec:
 * a manifest push fails while its blobs are missing), so a source
 * repository's blobs can be mounted into another repository of the same
 * registry before they are read: a docker:// -> docker:// copy within one
 * registry moves no layer bytes.
 */
async function recordManifestBlobs(bytes: Uint8Array, sources: BlobSources, loc: { registry: string; repository: string }): Promise<void> {
  let doc: { config?: { digest?: unknown }; layers?: Array<{ digest?: unknown }> };
  try {
    doc = JSON.parse(new TextDecoder().decode(bytes)) as typeof doc;
  } catch {
    return; // copy reports the malformed manifest
  }
  const digests = [doc.config?.digest, ...(Array.isArray(doc.layers) ? doc.layers.map((l) => l?.digest) : [])];
  for (const d of digests) if (typeof d === 'string') await sources.add(d, loc);
}

function sourcesOf(opts: DockerTransportOptions): BlobSources {
  return opts.blobSources ?? defaultBlobSources;
}

/** A registry image as a copy source. Manifests and blobs come unverified here: copy verifies them. */
export function dockerSource(reference: string | DockerReference, opts: DockerTransportOptions = {}): ImageSource & { client: RegistryClient; ref: DockerReference } {
  const ref = toRef(reference);
  const client = clientFor(ref, opts);
  const sources = sourcesOf(opts);
  return {
    description: `docker://${ref}`,
    client,
    ref,
    async getManifest(desc?: Descriptor): Promise<ManifestBytes> {
      const m = await client.getManifest(ref.repository, desc?.digest ?? ref.reference, { signal: opts.signal });
      await recordManifestBlobs(m.bytes, sources, { registry: ref.registry, repository: ref.repository });
      // The client verified the bytes when asked by digest; the digest is handed on for copy to check too.
      const out = { bytes: m.bytes, mediaType: m.mediaType || desc?.mediaType, digest: desc?.digest ?? ref.digest, size: desc?.size };
      return out;
    },
    async getBlob(desc: Descriptor): Promise<ReadableStream<Uint8Array>> {
      await sources.add(desc.digest, { registry: ref.registry, repository: ref.repository });
      // copy verifies and reports progress as the bytes pass; the client adds retries and Range resume.
      return client.fetchBlob(ref.repository, desc, { signal: opts.signal, verify: false });
    },
  };
}

/**
 * A registry repository as a copy destination. Blobs go up as copy hands
 * them over; the manifest is put at commit(), after every blob, under the
 * tag (or its digest when the reference has none).
 */
export function dockerDestination(reference: string | DockerReference, opts: DockerTransportOptions = {}): ImageDestination & { client: RegistryClient; ref: DockerReference; pushedDigest?: string } {
  const ref = toRef(reference);
  const client = clientFor(ref, opts);
  const sources = sourcesOf(opts);
  const here = { registry: ref.registry, repository: ref.repository };
  let image: Image | undefined;
  const dest = {
    description: `docker://${ref}`,
    client,
    ref,
    pushedDigest: undefined as string | undefined,
    // The registry checks each upload against its ?digest= before the blob exists there (distribution-spec).
    verifiesBlobs: true,
    async hasBlob(desc: Descriptor): Promise<boolean> {
      if ((await client.hasBlob(ref.repository, desc.digest, { push: true, signal: opts.signal })) !== undefined) {
        await sources.add(desc.digest, here);
        return true;
      }
      for (const from of await sources.candidates(desc.digest, ref.registry, ref.repository)) {
        const r = await client.startUpload(ref.repository, { mount: { digest: desc.digest, from }, signal: opts.signal }).catch(() => undefined);
        if (r?.mounted) {
          opts.onProgress?.({ digest: desc.digest, done: desc.size, total: desc.size, mediaType: desc.mediaType, mounted: true });
          await sources.add(desc.digest, here);
          return true;
        }
        if (r) await client.cancelUpload(ref.repository, r.location);
      }
      return false;
    },
    async putBlob(desc: Descriptor, data: ReadableStream<Uint8Array>, wopts?: BlobWriteOptions): Promise<void> {
      const r = await client.startUpload(ref.repository, { signal: opts.signal });
      if (r.mounted) throw new InvalidArgumentError('registry reported a mount for a plain upload');
      try {
        // With reopen, a streamed PATCH that fails resumes at the offset the registry holds (uploadBlob).
        await client.uploadBlob(ref.repository, r.location, desc, data, { signal: opts.signal, reopen: wopts?.reopen });
      } catch (e) {
        await client.cancelUpload(ref.repository, r.location);
        throw e;
      }
      await sources.add(desc.digest, here);
    },
    async putManifest(img: Image): Promise<void> {
      if (ref.digest && ref.digest !== img.digest) {
        throw new InvalidArgumentError(`cannot push image ${img.digest} to ${ref}: the reference names another digest`, { reference: `${ref}` });
      }
      image = img;
    },
    async commit(): Promise<void> {
      if (!image) throw new InvalidArgumentError(`copy to docker://${ref} committed without a manifest`);
      dest.pushedDigest = await client.putManifest(ref.repository, ref.tag ?? image.digest, image.manifestBytes(), image.mediaType, { signal: opts.signal });
    },
    async abort(): Promise<void> {
      // Blobs already uploaded stay (the registry's GC reclaims unreferenced ones); no manifest was put.
      image = undefined;
    },
  };
  return dest;
}
