/**
 * `docker save` and OCI archives read from a Blob or File (browsers, or
 * Node 20's Blob): one pass over the tar indexes where each member starts,
 * then every member is a `blob.slice()` of the archive, so nothing is
 * extracted or copied and members can be read in any order (the Node
 * transports extract to a temporary directory for the same reason).
 *
 * The format is told by its members, as skopeo does for the two
 * transports: `oci-layout` + `index.json` is an OCI image layout
 * (image-layout.md), `manifest.json` is moby's image/tarexport format.
 */
import { InvalidArgumentError } from '../errors/InvalidArgumentError.js';
import { ManifestInvalidError } from '../errors/ManifestInvalidError.js';
import { NotFoundError } from '../errors/NotFoundError.js';
import { createHasher } from '../digest/hasher.js';
import { digestBytes } from '../image/hashing.js';
import { MediaType } from '../image/media-types.js';
import type { ImageSource } from '../image/transfer.js';
import type { Descriptor, Manifest } from '../image/types.js';
import { parseConfig, parseJson } from '../image/validate.js';
import { detectCompression } from '../layer/compression.js';
import { cleanPath } from '../layer/path.js';
import { normalizeLocalName } from '../store/names.js';
import type { Store } from '../store/store.js';
import { parseTar } from '../tar/reader.js';
import { copyImage } from './copy.js';
import type { LayoutFs } from './layout-fs.js';
import { layoutSource } from './oci-layout.js';

interface Member {
  offset: number;
  size: number;
}

/** Members of a tar archive as slices of it; links (docker save links repeated layers) resolved inside the archive. */
export class ArchiveIndex {
  readonly #blob: Blob;
  readonly #files = new Map<string, Member>();
  readonly #links = new Map<string, { target: string; hard: boolean }>();
  readonly #dirs = new Set<string>();

  private constructor(blob: Blob) {
    this.#blob = blob;
  }

  static async of(blob: Blob): Promise<ArchiveIndex> {
    const idx = new ArchiveIndex(blob);
    for await (const e of parseTar(blob.stream() as ReadableStream<Uint8Array>)) {
      const rel = cleanPath(e.header.path);
      if (rel === '') continue;
      const t = e.header.type;
      if (t === 'file') idx.#files.set(rel, { offset: e.offset, size: e.header.size });
      else if (t === 'directory') idx.#dirs.add(rel);
      else if (t === 'symlink' || t === 'hardlink') idx.#links.set(rel, { target: e.header.linkname, hard: t === 'hardlink' });
    }
    return idx;
  }

  #resolve(name: string): string {
    let rel = cleanPath(name);
    for (let hops = 0; hops < 40; hops++) {
      const l = this.#links.get(rel);
      if (!l) return rel;
      // A hardlink names its target from the archive root; a relative symlink from its own directory.
      const base = l.hard || l.target.startsWith('/') ? '' : rel.split('/').slice(0, -1).join('/');
      rel = cleanPath(base ? `${base}/${l.target}` : l.target);
    }
    throw new InvalidArgumentError(`too many links resolving ${name} in the archive`, { path: name });
  }

  /** The member's bytes as a Blob, or undefined when the archive has no such file. */
  file(name: string): Blob | undefined {
    const m = this.#files.get(this.#resolve(name));
    return m ? this.#blob.slice(m.offset, m.offset + m.size) : undefined;
  }

  has(name: string): boolean {
    return this.file(name) !== undefined;
  }

  /** Names directly inside `dir` (files, links and directories). */
  list(dir: string): string[] {
    const d = cleanPath(dir);
    const out = new Set<string>();
    for (const k of [...this.#files.keys(), ...this.#links.keys(), ...this.#dirs]) {
      if (d === '' ? true : k.startsWith(d + '/')) {
        const rest = d === '' ? k : k.slice(d.length + 1);
        if (rest) out.add(rest.split('/')[0]!);
      }
    }
    return [...out].sort();
  }
}

function readOnlyLayout(idx: ArchiveIndex, description: string): LayoutFs {
  return {
    description,
    async read(rel) {
      return idx.file(rel)?.stream() as ReadableStream<Uint8Array> | undefined;
    },
    async size(rel) {
      return idx.file(rel)?.size;
    },
    async stage() {
      throw new InvalidArgumentError(`${description} is read-only`);
    },
    async list(rel) {
      return idx.list(rel);
    },
  };
}

interface DockerEntry {
  Config: string;
  RepoTags?: string[] | null;
  Layers: string[];
}

function dockerEntries(v: unknown): DockerEntry[] {
  const bad = (what: string, p: string): never => {
    throw new ManifestInvalidError(`manifest.json: ${p} ${what}`, { path: p, doc: 'manifest.json' });
  };
  if (!Array.isArray(v)) bad('must be an array', '$');
  (v as unknown[]).forEach((e, i) => {
    const o = e as Record<string, unknown>;
    if (typeof o !== 'object' || o === null) bad('must be an object', `$[${i}]`);
    if (typeof o.Config !== 'string') bad('must be a string', `$[${i}].Config`);
    if (!Array.isArray(o.Layers) || o.Layers.some((l) => typeof l !== 'string')) bad('must be an array of strings', `$[${i}].Layers`);
  });
  return v as DockerEntry[];
}

function pickEntry(entries: DockerEntry[], ref: string | undefined, where: string): DockerEntry {
  if (ref === undefined) {
    if (entries.length === 1) return entries[0]!;
    throw new InvalidArgumentError(`${where} holds ${entries.length} images; name one (NAME:TAG or @N)`, { path: where });
  }
  if (ref.startsWith('@')) {
    const n = Number(ref.slice(1));
    if (!Number.isInteger(n) || n < 0 || n >= entries.length) throw new NotFoundError(`${where} has no image ${ref}`, { path: where, ref });
    return entries[n]!;
  }
  const want = normalizeLocalName(ref);
  const hit = entries.find((e) => (e.RepoTags ?? []).some((t) => {
    try {
      return normalizeLocalName(t) === want;
    } catch {
      return false;
    }
  }));
  if (!hit) throw new NotFoundError(`no image ${want} in ${where}`, { path: where, ref: want });
  return hit;
}

async function bytesOf(b: Blob): Promise<Uint8Array> {
  return new Uint8Array(await b.arrayBuffer());
}

/** docker save: an OCI manifest is made around the config bytes as stored (the image id is kept); layers are named by their hash. */
async function dockerSource(idx: ArchiveIndex, ref: string | undefined, description: string): Promise<ImageSource> {
  const member = (name: string, what: string): Blob => {
    const b = idx.file(name);
    if (!b) throw new ManifestInvalidError(`${description}: ${what} ${name} is missing from the archive`, { path: name, doc: 'manifest.json' });
    return b;
  };
  const entry = pickEntry(dockerEntries(parseJson(await bytesOf(member('manifest.json', 'file')), 'manifest.json')), ref, description);
  const configBytes = await bytesOf(member(entry.Config, 'config'));
  const config = parseConfig(configBytes);
  if (config.rootfs.diff_ids.length !== entry.Layers.length) {
    throw new ManifestInvalidError(`${description}: the config lists ${config.rootfs.diff_ids.length} diff_ids, manifest.json ${entry.Layers.length} layers`, { path: '$.Layers' });
  }
  const blobs = new Map<string, Blob>();
  const configDigest = await digestBytes(configBytes);
  blobs.set(configDigest, new Blob([configBytes as BlobPart]));
  const layers: Descriptor[] = [];
  for (const name of entry.Layers) {
    const b = member(name, 'layer');
    const h = await createHasher('sha256');
    const r = (b.stream() as ReadableStream<Uint8Array>).getReader();
    let head: Uint8Array | undefined;
    for (;;) {
      const { done, value } = await r.read();
      if (done) break;
      head ??= value.slice(0, 4);
      h.update(value);
    }
    const digest = h.digest();
    blobs.set(digest, b);
    const c = detectCompression(head ?? new Uint8Array(0));
    layers.push({ mediaType: c === 'none' ? MediaType.ociLayer : c === 'gzip' ? MediaType.ociLayerGzip : MediaType.ociLayerZstd, digest, size: b.size });
  }
  const manifest: Manifest = {
    schemaVersion: 2,
    mediaType: MediaType.ociManifest,
    config: { mediaType: MediaType.ociConfig, digest: configDigest, size: configBytes.byteLength },
    layers,
  };
  const manifestBytes = new TextEncoder().encode(JSON.stringify(manifest));
  return {
    description,
    async getManifest(desc) {
      if (desc) throw new NotFoundError(`${description} has no manifest ${desc.digest}`, { digest: desc.digest });
      return { bytes: manifestBytes, mediaType: MediaType.ociManifest };
    },
    async getBlob(desc) {
      const b = blobs.get(desc.digest);
      if (!b) throw new NotFoundError(`${description} has no blob ${desc.digest}`, { digest: desc.digest });
      return b.stream() as ReadableStream<Uint8Array>;
    },
    async names() {
      return (entry.RepoTags ?? []).slice();
    },
  };
}

export interface ArchiveOptions {
  /** Which image: a RepoTag or `@N` (docker save), a ref.name (OCI). Default: the only one. */
  ref?: string;
  /** For messages (default the File's name). */
  description?: string;
}

/** An ImageSource over a `docker save` or OCI archive held in a Blob/File. */
export async function archiveSource(blob: Blob, opts: ArchiveOptions = {}): Promise<ImageSource> {
  if (!blob || typeof (blob as Blob).stream !== 'function') throw new InvalidArgumentError('archiveSource needs a Blob or File');
  const description = opts.description ?? ((blob as File).name ? `archive:${(blob as File).name}` : 'archive');
  const idx = await ArchiveIndex.of(blob);
  if (idx.has('index.json') && idx.has('oci-layout')) return layoutSource(readOnlyLayout(idx, description), opts.ref, description);
  if (idx.has('manifest.json')) return dockerSource(idx, opts.ref, description);
  throw new ManifestInvalidError(`${description} is neither an OCI archive (index.json, oci-layout) nor a docker save archive (manifest.json)`, { path: description });
}

/**
 * Loads the image of an archive Blob/File into `store` (like `docker load`),
 * every blob verified by digest; names are the archive's own (RepoTags or
 * ref.name) plus `opts.tags`.
 */
export async function loadArchive(store: Store, blob: Blob, opts: ArchiveOptions & { tags?: string[] } = {}) {
  const src = await archiveSource(blob, opts);
  const names = [...((await src.names?.()) ?? []), ...(opts.tags ?? [])];
  const valid = names.filter((n) => {
    try {
      normalizeLocalName(n);
      return true;
    } catch {
      return false;
    }
  });
  return copyImage(src, store.destination(valid));
}
