/**
 * `oci:DIR[:TAG]` — the OCI image layout (image-spec image-layout.md): an
 * `oci-layout` file ({"imageLayoutVersion": "1.0.0"}), `index.json` (an
 * image index whose entries name images by the
 * `org.opencontainers.image.ref.name` annotation) and `blobs/<alg>/<hex>`.
 *
 * Reading with no TAG takes the only image in index.json (as skopeo does).
 * Writing stages every blob under a temporary name and makes them visible,
 * then index.json, only at commit; an entry with the same ref.name is
 * replaced (containers/image oci_dest does the same).
 */
import { BlobUnknownError } from '../errors/BlobUnknownError.js';
import { InvalidArgumentError } from '../errors/InvalidArgumentError.js';
import { ManifestInvalidError } from '../errors/ManifestInvalidError.js';
import { NotFoundError } from '../errors/NotFoundError.js';
import { checkDigest, readAll } from '../image/hashing.js';
import type { Image } from '../image/image.js';
import { MediaType } from '../image/media-types.js';
import type { ImageDestination, ImageSource } from '../image/transfer.js';
import type { Descriptor, ImageIndex } from '../image/types.js';
import { parseJson, validateIndex } from '../image/validate.js';
import type { LayoutFs, StagedFile } from './layout-fs.js';

export const REF_NAME = 'org.opencontainers.image.ref.name';
const LAYOUT_FILE = 'oci-layout';
const LAYOUT_VERSION = '1.0.0';
const enc = new TextEncoder();

export function blobPath(digest: string): string {
  const { algorithm, hex } = checkDigest(digest);
  return `blobs/${algorithm}/${hex}`;
}

async function readSmall(fs: LayoutFs, rel: string): Promise<Uint8Array | undefined> {
  const s = await fs.read(rel);
  return s ? readAll(s, 16 * 1024 * 1024) : undefined;
}

/** Read and validate index.json; undefined when the directory holds no layout. */
export async function readLayoutIndex(fs: LayoutFs): Promise<ImageIndex | undefined> {
  const layout = await readSmall(fs, LAYOUT_FILE);
  if (!layout) return undefined;
  const v = parseJson(layout, LAYOUT_FILE) as { imageLayoutVersion?: unknown };
  if (typeof v !== 'object' || v === null || typeof v.imageLayoutVersion !== 'string') {
    throw new ManifestInvalidError(`${LAYOUT_FILE}: $.imageLayoutVersion is required`, { path: '$.imageLayoutVersion', doc: LAYOUT_FILE });
  }
  const bytes = await readSmall(fs, 'index.json');
  if (!bytes) throw new ManifestInvalidError(`${fs.description}: index.json is missing`, { path: '$', doc: 'index.json' });
  return validateIndex(parseJson(bytes, 'index.json'), 'index.json');
}

/** The index.json entry `tag` names (or the only entry when tag is absent). */
export function findInIndex(index: ImageIndex, tag: string | undefined, where: string): Descriptor {
  if (tag === undefined) {
    if (index.manifests.length === 1) return index.manifests[0]!;
    throw new InvalidArgumentError(
      index.manifests.length === 0 ? `${where} holds no image` : `${where} holds ${index.manifests.length} images; name one with :TAG (${index.manifests.map((m) => m.annotations?.[REF_NAME] ?? m.digest).join(', ')})`,
      { path: where },
    );
  }
  const hit = index.manifests.filter((m) => m.annotations?.[REF_NAME] === tag);
  if (hit.length === 0) throw new NotFoundError(`no image tagged ${JSON.stringify(tag)} in ${where}`, { ref: tag, path: where });
  return hit[hit.length - 1]!;
}

export function layoutSource(fs: LayoutFs, tag: string | undefined, description = fs.description): ImageSource {
  let top: Descriptor | undefined;
  const getBlob = async (desc: Descriptor) => {
    const s = await fs.read(blobPath(desc.digest));
    if (!s) throw new BlobUnknownError(`blob ${desc.digest} is missing from ${description}`, { digest: desc.digest });
    return s;
  };
  return {
    description,
    async getManifest(desc?: Descriptor) {
      if (!desc) {
        const index = await readLayoutIndex(fs);
        if (!index) throw new NotFoundError(`${description} is not an OCI image layout (no ${LAYOUT_FILE} file)`, { path: description });
        top = findInIndex(index, tag, description);
        const bytes = await readAll(await getBlob(top), 4 * 1024 * 1024);
        return { bytes, mediaType: top.mediaType, digest: top.digest, size: top.size };
      }
      return { bytes: await readAll(await getBlob(desc), 4 * 1024 * 1024), mediaType: desc.mediaType };
    },
    getBlob,
    async names() {
      const n = top?.annotations?.[REF_NAME] ?? tag;
      return n ? [n] : [];
    },
  };
}

export function layoutDestination(fs: LayoutFs, tag: string | undefined, description = fs.description): ImageDestination {
  const staged: Array<{ rel: string; file: StagedFile }> = [];
  const planned = new Set<string>();
  let image: Image | undefined;
  const stage = async (rel: string, data: ReadableStream<Uint8Array> | Uint8Array) => {
    if (planned.has(rel)) {
      if (!(data instanceof Uint8Array)) await data.cancel().catch(() => {});
      return;
    }
    const file = await fs.stage(data);
    staged.push({ rel, file });
    planned.add(rel);
  };
  return {
    description,
    async hasBlob(desc) {
      return planned.has(blobPath(desc.digest)) || (await fs.size(blobPath(desc.digest))) !== undefined;
    },
    async putBlob(desc, data) {
      await stage(blobPath(desc.digest), data);
    },
    async putManifest(img) {
      image = img;
      const rel = blobPath(img.digest);
      if ((await fs.size(rel)) === undefined) await stage(rel, img.manifestBytes());
    },
    async commit() {
      if (!image) throw new InvalidArgumentError('copy committed without a manifest');
      const existing = await readLayoutIndex(fs);
      for (const s of staged.splice(0)) await s.file.commit(s.rel);
      if (!existing) {
        const f = await fs.stage(enc.encode(JSON.stringify({ imageLayoutVersion: LAYOUT_VERSION })));
        await f.commit(LAYOUT_FILE);
      }
      const desc = image.descriptor(tag ? { [REF_NAME]: tag } : undefined);
      const keep = (existing?.manifests ?? []).filter((m) =>
        tag ? m.annotations?.[REF_NAME] !== tag : !(m.digest === desc.digest && !m.annotations?.[REF_NAME]),
      );
      const index: ImageIndex = { schemaVersion: 2, mediaType: MediaType.ociIndex, manifests: [...keep, desc] };
      if (existing?.annotations) index.annotations = existing.annotations;
      const f = await fs.stage(enc.encode(JSON.stringify(index)));
      await f.commit('index.json');
    },
    async abort() {
      for (const s of staged.splice(0)) await s.file.discard().catch(() => {});
    },
  };
}
