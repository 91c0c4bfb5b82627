/**
 * `docker-archive:FILE[:REF]` — the `docker save` format (moby
 * image/tarexport): `manifest.json` ([{Config, RepoTags, Layers}]),
 * `repositories` ({name: {tag: id}}), the config as `<hex>.json` and each
 * layer as a plain tar. REF picks an image by one of its RepoTags, or by
 * position with `@N` (as containers/image accepts).
 *
 * Reading: the archive is extracted to a temporary directory; layer files
 * are hashed to name them (an uncompressed layer's digest is its diffId),
 * and an OCI manifest is made for them around the config bytes as stored,
 * so the image id is kept. Writing: layers arrive decompressed (copy does
 * that, as docker-archive holds plain tars) and are named `<diffId hex>.tar`.
 */
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import { createHasher } from '../digest/hasher.js';
import { InvalidArgumentError } from '../errors/InvalidArgumentError.js';
import { ManifestInvalidError } from '../errors/ManifestInvalidError.js';
import { NotFoundError } from '../errors/NotFoundError.js';
import { checkDigest, digestBytes } from '../image/hashing.js';
import type { Image } from '../image/image.js';
import { MediaType } from '../image/media-types.js';
import type { ImageDestination, ImageSource } from '../image/transfer.js';
import type { Descriptor, Manifest } from '../image/types.js';
import { parseConfig, parseJson } from '../image/validate.js';
import { detectCompression } from '../layer/compression.js';
import { normalizeLocalName } from '../store/names.js';
import { extractArchive, fileStream, makeTempDir, resolveInArchive, writeArchive } from './node-archive.js';
import { writeStreamToFile } from './node-layout-fs.js';

interface ArchiveEntry {
  Config: string;
  RepoTags?: string[] | null;
  Layers: string[];
}

const enc = new TextEncoder();

function bad(what: string, p: string): never {
  throw new ManifestInvalidError(`manifest.json: ${p} ${what}`, { path: p, doc: 'manifest.json' });
}

function validateArchiveManifest(v: unknown): ArchiveEntry[] {
  if (!Array.isArray(v)) bad('must be an array', '$');
  v.forEach((e, i) => {
    if (typeof e !== 'object' || e === null) bad('must be an object', `$[${i}]`);
    const o = e as Record<string, unknown>;
    if (typeof o.Config !== 'string') bad('must be a string', `$[${i}].Config`);
    if (!Array.isArray(o.Layers) || o.Layers.some((l) => typeof l !== 'string')) bad('must be an array of strings', `$[${i}].Layers`);
    if (o.RepoTags != null && (!Array.isArray(o.RepoTags) || o.RepoTags.some((t) => typeof t !== 'string'))) bad('must be an array of strings', `$[${i}].RepoTags`);
  });
  return v as ArchiveEntry[];
}

async function hashFile(p: string): Promise<{ digest: string; size: number; head: Uint8Array }> {
  const h = await createHasher('sha256');
  let size = 0;
  let head = new Uint8Array(0);
  const r = fileStream(p).getReader();
  for (;;) {
    const { done, value } = await r.read();
    if (done) break;
    if (size === 0) head = value.slice(0, 4);
    size += value.byteLength;
    h.update(value);
  }
  return { digest: h.digest(), size, head };
}

function pick(entries: ArchiveEntry[], ref: string | undefined, file: string): ArchiveEntry {
  if (ref === undefined) {
    if (entries.length === 1) return entries[0]!;
    throw new InvalidArgumentError(`${file} holds ${entries.length} images; name one with :NAME:TAG or :@N`, { path: file });
  }
  if (ref.startsWith('@')) {
    const n = Number(ref.slice(1));
    if (!Number.isInteger(n) || n < 0 || n >= entries.length) throw new NotFoundError(`${file} has no image ${ref}`, { path: file, ref });
    return entries[n]!;
  }
  const want = normalizeLocalName(ref);
  const hit = entries.find((e) => (e.RepoTags ?? []).some((t) => { try { return normalizeLocalName(t) === want; } catch { return false; } }));
  if (!hit) throw new NotFoundError(`no image ${want} in ${file}`, { path: file, ref: want });
  return hit;
}

export async function dockerArchiveSource(file: string, ref?: string): Promise<ImageSource> {
  const dir = await makeTempDir('docker-archive');
  try {
    const links = await extractArchive(file, dir);
    const at = (rel: string) => resolveInArchive(dir, links, rel);
    const read = async (rel: string) => {
      const p = at(rel);
      try {
        return new Uint8Array(await fs.readFile(p));
      } catch {
        throw new ManifestInvalidError(`${file}: ${rel} is missing from the archive`, { path: rel, doc: 'manifest.json' });
      }
    };
    const entry = pick(validateArchiveManifest(parseJson(await read('manifest.json'), 'manifest.json')), ref, file);
    const configBytes = await read(entry.Config);
    const config = parseConfig(configBytes);
    if (config.rootfs.diff_ids.length !== entry.Layers.length) {
      throw new ManifestInvalidError(`${file}: the config lists ${config.rootfs.diff_ids.length} diff_ids, manifest.json ${entry.Layers.length} layers`, { path: '$.Layers' });
    }
    const blobs = new Map<string, string>();
    const configDigest = await digestBytes(configBytes);
    blobs.set(configDigest, at(entry.Config));
    const layers: Descriptor[] = [];
    for (const l of entry.Layers) {
      const p = at(l);
      const h = await hashFile(p).catch(() => {
        throw new ManifestInvalidError(`${file}: layer ${l} is missing from the archive`, { path: l });
      });
      blobs.set(h.digest, p);
      const c = detectCompression(h.head);
      layers.push({ mediaType: c === 'none' ? MediaType.ociLayer : c === 'gzip' ? MediaType.ociLayerGzip : MediaType.ociLayerZstd, digest: h.digest, size: h.size });
    }
    const manifest: Manifest = {
      schemaVersion: 2,
      mediaType: MediaType.ociManifest,
      config: { mediaType: MediaType.ociConfig, digest: configDigest, size: configBytes.byteLength },
      layers,
    };
    const manifestBytes = enc.encode(JSON.stringify(manifest));
    return {
      description: `docker-archive:${file}${ref ? `:${ref}` : ''}`,
      async getManifest(desc) {
        if (desc) throw new NotFoundError(`docker-archive has no manifest ${desc.digest}`, { digest: desc.digest });
        return { bytes: manifestBytes, mediaType: MediaType.ociManifest };
      },
      async getBlob(desc) {
        const p = blobs.get(desc.digest);
        if (!p) throw new NotFoundError(`docker-archive has no blob ${desc.digest}`, { digest: desc.digest });
        return fileStream(p);
      },
      async names() {
        return (entry.RepoTags ?? []).slice();
      },
      async close() {
        await fs.rm(dir, { recursive: true, force: true });
      },
    };
  } catch (e) {
    await fs.rm(dir, { recursive: true, force: true });
    throw e;
  }
}

export async function dockerArchiveDestination(file: string, ref?: string): Promise<ImageDestination> {
  if (ref?.startsWith('@')) throw new InvalidArgumentError('docker-archive destination takes NAME[:TAG], not @N', { ref });
  const repoTag = ref ? normalizeLocalName(ref) : undefined;
  const dir = await makeTempDir('docker-archive-out');
  const have = new Set<string>();
  let image: Image | undefined;
  const cleanup = () => fs.rm(dir, { recursive: true, force: true });
  return {
    description: `docker-archive:${file}${ref ? `:${ref}` : ''}`,
    wantsUncompressedLayers: true,
    async hasBlob(desc) {
      return have.has(desc.digest);
    },
    async putBlob(desc, data) {
      const { hex } = checkDigest(desc.digest);
      if (have.has(desc.digest)) {
        await data.cancel().catch(() => {});
        return;
      }
      // A unique name, then rename: the same blob may arrive twice at once.
      const tmp = path.join(dir, `${hex}.${Math.random().toString(36).slice(2)}.part`);
      await writeStreamToFile(tmp, data);
      await fs.rename(tmp, path.join(dir, `${hex}.blob`));
      have.add(desc.digest);
    },
    async putManifest(img) {
      image = img;
    },
    async commit() {
      if (!image) throw new InvalidArgumentError('copy committed without a manifest');
      const idHex = checkDigest(image.id).hex;
      await fs.rename(path.join(dir, `${idHex}.blob`), path.join(dir, `${idHex}.json`));
      const layerFiles: string[] = [];
      for (const l of image.manifest.layers) {
        const hex = checkDigest(l.digest).hex;
        const name = `${hex}.tar`;
        await fs.rename(path.join(dir, `${hex}.blob`), path.join(dir, name)).catch(async (e) => {
          // the same layer twice in one image: already renamed
          if (!(await fs.stat(path.join(dir, name)).catch(() => undefined))) throw e;
        });
        layerFiles.push(name);
      }
      const entry: ArchiveEntry = { Config: `${idHex}.json`, RepoTags: repoTag ? [repoTag] : [], Layers: layerFiles };
      await fs.writeFile(path.join(dir, 'manifest.json'), JSON.stringify([entry]));
      if (repoTag) {
        const i = repoTag.lastIndexOf(':');
        const top = image.layers.length ? checkDigest(image.layers[image.layers.length - 1]!.chainId).hex : idHex;
        await fs.writeFile(path.join(dir, 'repositories'), JSON.stringify({ [repoTag.slice(0, i)]: { [repoTag.slice(i + 1)]: top } }));
      }
      try {
        await writeArchive(dir, file);
      } finally {
        await cleanup();
      }
    },
    async abort() {
      await cleanup();
    },
  };
}

