/**
 * `fsck(store, { repair? })`: check that everything a store holds can be
 * trusted, like `git fsck` for a content-addressed store.
 *
 * Checked, in order:
 *  1. every blob: its bytes hash to its name (a flipped byte, a truncation);
 *  2. every record can be read (valid JSON), and the blobs it keeps alive exist;
 *  3. every reference (tag): its manifest (or index and the manifests it
 *     lists) and config parse and verify, its id matches the config digest,
 *     and every layer is present with the size its descriptor states
 *     (OCI image-spec, descriptor.md: `size` MUST match);
 *  4. every container: its record names an image that is readable, its
 *     writable layer (an area) exists and can be walked; no writable layer
 *     is left without a container.
 *
 * With `repair`, what cannot be trusted is removed: damaged blobs, records
 * that cannot be read, tags whose image is broken, containers whose image is
 * gone (record, metadata and writable layer) and orphaned writable layers.
 * A repair never rewrites content: a store only ever holds verified bytes.
 */
import { LayerfsError } from '../errors/LayerfsError.js';
import { checkDigest, readAll, verifyStream } from '../image/hashing.js';
import { parseManifestOrIndex } from '../image/validate.js';
import { GC_LOCKS, LEASES, type Store } from './store.js';
import { LAYER_INDEX, REFS } from './types.js';

/**
 * Container kinds (src/container/types.ts defines them; the store sits below
 * containers, so it names them here only to check their consistency).
 */
const CONTAINERS = 'containers';
const CONTAINER_LAYERS = 'container-layers';
const CONTAINER_META = 'container-meta';
/** Largest manifest or config read into memory (as Store does). */
const MAX_JSON = 4 * 1024 * 1024;

export interface FsckProblem {
  /** The stable code of the LayerfsError that describes it (DIGEST_MISMATCH, CORRUPT_STORE...). */
  code: string;
  /** What is damaged. */
  kind: 'blob' | 'record' | 'reference' | 'container' | 'area';
  /** Its name: a digest, `kind/key`, `name:tag`, a container id. */
  subject: string;
  message: string;
  /** True when --repair removed it. */
  repaired?: boolean;
}

export interface FsckReport {
  blobs: number;
  records: number;
  references: number;
  containers: number;
  problems: FsckProblem[];
  ok: boolean;
}

export interface FsckOptions {
  repair?: boolean;
}

function codeOf(e: unknown): string {
  return e instanceof LayerfsError ? e.code : 'CORRUPT_STORE';
}

function messageOf(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

export async function fsck(store: Store, opts: FsckOptions = {}): Promise<FsckReport> {
  const b = store.backend;
  const problems: FsckProblem[] = [];
  const report: FsckReport = { blobs: 0, records: 0, references: 0, containers: 0, problems, ok: true };
  const add = (p: FsckProblem) => problems.push(p);

  // 1. blobs
  const good = new Map<string, number>();
  for (const blob of await b.listBlobs()) {
    report.blobs++;
    try {
      checkDigest(blob.digest);
      const raw = await b.getBlob(blob.digest);
      const reader = raw.pipeThrough(verifyStream(blob.digest)).getReader();
      while (!(await reader.read()).done);
      good.set(blob.digest, blob.size);
    } catch (e) {
      const p: FsckProblem = { code: codeOf(e), kind: 'blob', subject: blob.digest, message: messageOf(e) };
      if (opts.repair) {
        await b.deleteBlob(blob.digest);
        await b.deleteRecord(LAYER_INDEX, blob.digest).catch(() => false);
        p.repaired = true;
      }
      add(p);
    }
  }

  // 2. records readable, and what they keep alive present
  const readable = new Map<string, Map<string, { value: unknown; blobs?: string[] }>>();
  for (const kind of await b.listKinds()) {
    const m = new Map<string, { value: unknown; blobs?: string[] }>();
    readable.set(kind, m);
    for (const key of await b.listRecords(kind)) {
      report.records++;
      try {
        const r = await b.getRecord(kind, key);
        if (!r) continue; // removed meanwhile
        m.set(key, r);
        if (kind === LAYER_INDEX) continue; // a cache: keeps nothing alive
        // A lease names blobs its writer is about to fetch: missing ones are expected (gc drops a dead writer's lease).
        if (kind === LEASES || kind === GC_LOCKS) continue;
        const missing = (r.blobs ?? []).filter((d) => !good.has(d));
        // Tags are checked (and repaired) with their image below.
        if (missing.length && kind !== REFS && kind !== CONTAINERS) {
          add({ code: 'BLOB_UNKNOWN', kind: 'record', subject: `${kind}/${key}`, message: `record ${kind}/${key} keeps blobs that are missing or damaged: ${missing.join(', ')}` });
        }
      } catch (e) {
        const p: FsckProblem = { code: codeOf(e), kind: 'record', subject: `${kind}/${key}`, message: messageOf(e) };
        if (opts.repair) p.repaired = await b.deleteRecord(kind, key);
        add(p);
      }
    }
  }

  // 3. references: manifest (or index), config, layers
  const checkedImages = new Map<string, string | undefined>(); // manifest digest -> problem message
  const checkManifest = async (digest: string, depth = 0): Promise<void> => {
    if (!good.has(digest)) throw new LayerfsError('BLOB_UNKNOWN', `manifest ${digest} is missing or damaged`, { digest });
    const top = parseManifestOrIndex(await readAll(await store.getBlob(digest), MAX_JSON));
    if (top.kind === 'index') {
      if (depth > 4) throw new LayerfsError('MANIFEST_INVALID', `index ${digest} nests too deep`, { digest });
      for (const m of top.index.manifests) await checkManifest(m.digest, depth + 1);
      return;
    }
    const img = await store.imageByDigest(digest);
    for (const d of [top.manifest.config, ...top.manifest.layers]) {
      const size = good.get(d.digest);
      if (size === undefined) throw new LayerfsError('BLOB_UNKNOWN', `blob ${d.digest} of image ${img.id} is missing or damaged`, { digest: d.digest });
      if (size !== d.size) throw new LayerfsError('DIGEST_MISMATCH', `blob ${d.digest} has ${size} bytes, its descriptor says ${d.size}`, { digest: d.digest });
    }
  };
  const imageProblem = async (digest: string): Promise<{ code: string; message: string } | undefined> => {
    if (!checkedImages.has(digest)) {
      try {
        await checkManifest(digest);
        checkedImages.set(digest, undefined);
      } catch (e) {
        checkedImages.set(digest, JSON.stringify({ code: codeOf(e), message: messageOf(e) }));
      }
    }
    const s = checkedImages.get(digest);
    return s ? (JSON.parse(s) as { code: string; message: string }) : undefined;
  };
  for (const [key, r] of readable.get(REFS) ?? []) {
    report.references++;
    const v = r.value as { digest?: unknown; id?: unknown } | null;
    let problem: { code: string; message: string } | undefined;
    if (!v || typeof v.digest !== 'string' || !(r.blobs ?? []).includes(v.digest)) {
      problem = { code: 'CORRUPT_STORE', message: `reference ${key} does not name a manifest` };
    } else {
      problem = await imageProblem(v.digest);
      if (!problem && typeof v.id === 'string') {
        const top = parseManifestOrIndex(await store.getBlobBytes(v.digest));
        if (top.kind === 'manifest' && top.manifest.config.digest !== v.id) {
          problem = { code: 'CORRUPT_STORE', message: `reference ${key} records id ${v.id}, its manifest's config is ${top.manifest.config.digest}` };
        }
      }
    }
    if (problem) {
      const p: FsckProblem = { ...problem, kind: 'reference', subject: key, message: `${key}: ${problem.message}` };
      if (opts.repair) p.repaired = await b.deleteRecord(REFS, key);
      add(p);
    }
  }

  // 4. containers and their writable layers
  const layerAreas = new Set(await b.listAreas(CONTAINER_LAYERS));
  const containers = readable.get(CONTAINERS) ?? new Map();
  for (const [id, r] of containers) {
    report.containers++;
    const v = r.value as { id?: unknown; imageDigest?: unknown } | null;
    let problem: { code: string; message: string } | undefined;
    if (!v || v.id !== id || typeof v.imageDigest !== 'string') problem = { code: 'CORRUPT_STORE', message: `container record ${id} is malformed` };
    else problem = await imageProblem(v.imageDigest);
    if (!problem && !layerAreas.has(id)) problem = { code: 'CORRUPT_STORE', message: `container ${id} has no writable layer` };
    if (!problem) {
      try {
        const tree = await b.openArea(CONTAINER_LAYERS, id);
        for await (const _ of tree.walk()) void _;
      } catch (e) {
        problem = { code: codeOf(e), message: `writable layer of container ${id}: ${messageOf(e)}` };
      }
    }
    if (problem) {
      const p: FsckProblem = { ...problem, kind: 'container', subject: id };
      if (opts.repair) {
        await b.deleteRecord(CONTAINERS, id);
        await b.deleteRecord(CONTAINER_META, id);
        await b.deleteArea(CONTAINER_LAYERS, id);
        p.repaired = true;
      }
      add(p);
    }
  }
  for (const id of layerAreas) {
    if (containers.has(id)) continue;
    const p: FsckProblem = { code: 'CORRUPT_STORE', kind: 'area', subject: `${CONTAINER_LAYERS}/${id}`, message: `writable layer ${id} belongs to no container` };
    if (opts.repair) p.repaired = await b.deleteArea(CONTAINER_LAYERS, id);
    add(p);
  }

  report.ok = problems.length === 0;
  return report;
}
