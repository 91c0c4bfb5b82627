/**
 * COPY/ADD sources in the build context (Dockerfile reference, "COPY"):
 * each source is a path or a pattern relative to the context root (a
 * leading '/' is the context root too, `..` may not leave it); a pattern
 * must match at least one path; a source that is a directory stands for its
 * contents. Named sources that are symlinks are followed inside the context,
 * as BuildKit does; symlinks below a copied directory are copied as links.
 *
 * The inputs digest of a step hashes, for every entry copied, its path
 * below the source, type, mode, link target and content sha256 (never its
 * mtime), with the multi-buffer sha256Many for small files.
 */
import { sha256, sha256Many } from '../digest/index.js';
import { BuildError } from '../errors/BuildError.js';
import { NotFoundError } from '../errors/NotFoundError.js';
import { UnsafePathError } from '../errors/UnsafePathError.js';
import { baseName, cleanPath, isWithin, joinPath, parentPath } from '../layer/path.js';
import type { BuildContext, ContextEntry } from './context.js';
import { compileGlob, hasGlob } from './glob.js';

/** A context that has been listed and filtered by .dockerignore. */
export interface ContextIndex {
  ctx: BuildContext;
  entries: ContextEntry[];
  byPath: Map<string, number>;
}

export function indexContext(ctx: BuildContext, entries: ContextEntry[]): ContextIndex {
  const byPath = new Map<string, number>();
  entries.forEach((e, i) => byPath.set(e.path, i));
  return { ctx, entries, byPath };
}

export interface SourceRoot {
  /** Path in the context ('' = the whole context). */
  path: string;
  /** The entry copied (for '' a synthetic directory). */
  entry: ContextEntry;
  /** Entries below a directory source, in order (paths relative to the context). */
  children: ContextEntry[];
}

const ROOT_ENTRY: ContextEntry = { path: '', type: 'directory', mode: 0o755, size: 0, mtime: 0, linkname: '' };

function below(ix: ContextIndex, dir: string): ContextEntry[] {
  if (dir === '') return ix.entries;
  const i = ix.byPath.get(dir);
  if (i === undefined) return [];
  const out: ContextEntry[] = [];
  for (let j = i + 1; j < ix.entries.length && isWithin(ix.entries[j]!.path, dir); j++) out.push(ix.entries[j]!);
  return out;
}

function inContext(src: string, line: number): string {
  try {
    return cleanPath(src);
  } catch (e) {
    if (e instanceof UnsafePathError) throw new BuildError(`Dockerfile line ${line}: ${JSON.stringify(src)} is outside the build context`, { line, path: src });
    throw e;
  }
}

/** Follow symlinks of a named source inside the context (40 hops at most, as Linux). */
function follow(ix: ContextIndex, path: string, line: number): ContextEntry | undefined {
  let p = path;
  for (let hops = 0; hops <= 40; hops++) {
    const i = ix.byPath.get(p);
    if (i === undefined) return undefined;
    const e = ix.entries[i]!;
    if (e.type !== 'symlink') return e;
    const t = e.linkname;
    const joined = t.startsWith('/') ? t : joinPath(parentPath(p), t);
    // Links that climb out of the context stay at its root, as in a chroot.
    const segs: string[] = [];
    for (const s of joined.split('/')) {
      if (s === '' || s === '.') continue;
      if (s === '..') segs.pop();
      else segs.push(s);
    }
    p = segs.join('/');
    if (p === '') return ROOT_ENTRY;
  }
  throw new BuildError(`Dockerfile line ${line}: too many levels of symbolic links at ${JSON.stringify(path)}`, { line, path });
}

/** Resolve the sources of one COPY/ADD. */
export function selectSources(ix: ContextIndex, sources: string[], line: number, keyword: string): SourceRoot[] {
  const out: SourceRoot[] = [];
  for (const src of sources) {
    const clean = inContext(src, line);
    if (hasGlob(clean)) {
      const re = compileGlob(clean);
      const hits = ix.entries.filter((e) => re.test(e.path));
      if (hits.length === 0) throw new NotFoundError(`Dockerfile line ${line}: ${keyword} ${src}: no files match in the build context`, { line, path: src });
      for (const h of hits) {
        // A match below another match is already copied with it.
        if (out.some((r) => r.entry.type === 'directory' && r.path !== h.path && isWithin(h.path, r.path))) continue;
        out.push({ path: h.path, entry: h, children: h.type === 'directory' ? below(ix, h.path) : [] });
      }
      continue;
    }
    if (clean === '') {
      out.push({ path: '', entry: ROOT_ENTRY, children: ix.entries });
      continue;
    }
    const e = follow(ix, clean, line);
    if (!e) throw new NotFoundError(`Dockerfile line ${line}: ${keyword} ${src}: not found in the build context (or excluded by .dockerignore)`, { line, path: src });
    const real = e.path;
    out.push({ path: clean, entry: { ...e, path: clean }, children: e.type === 'directory' ? below(ix, real).map((c) => ({ ...c, path: real === clean ? c.path : joinPath(clean, c.path.slice(real.length + (real === '' ? 0 : 1))), realPath: c.path }) as ContextEntry) : [] });
  }
  return out;
}

/** Where the bytes of a (possibly re-rooted) entry live in the context. */
export function realPathOf(e: ContextEntry): string {
  return (e as ContextEntry & { realPath?: string }).realPath ?? e.path;
}

/** Name of a source's entries relative to the source (the top entry itself is its base name). */
export function relativeTo(root: SourceRoot, e: ContextEntry): string {
  return root.path === '' ? e.path : e.path.slice(root.path.length + 1);
}

export interface HashProgress {
  (done: number, total: number): void;
}

/** Small files are read and hashed in batches of about this many bytes. */
const BATCH_BYTES = 16 << 20;
const SMALL = 1 << 20;
const READ_CONCURRENCY = 16;

async function mapLimit<T>(items: T[], limit: number, fn: (x: T, i: number) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(limit, items.length) }, async () => {
      while (next < items.length) {
        const i = next++;
        await fn(items[i]!, i);
      }
    }),
  );
}

/**
 * Content digests of the regular files among `entries` (keyed by their real
 * context path), small files batched through sha256Many.
 */
export async function hashFiles(
  ctx: BuildContext,
  entries: ContextEntry[],
  onProgress?: HashProgress,
  signal?: AbortSignal,
  /** Keeps the bytes of small files read here, up to `keep.limit` bytes in all, for the layer writer. */
  keep?: { bytes: Map<string, Uint8Array>; limit: number },
): Promise<Map<string, string>> {
  const files = new Map<string, ContextEntry>();
  for (const e of entries) if (e.type === 'file') files.set(realPathOf(e), e);
  const list = [...files.values()];
  const total = list.reduce((n, e) => n + e.size, 0);
  let done = 0;
  let kept = 0;
  const out = new Map<string, string>();
  if (ctx.digestMany && ctx.readTransient) {
    // A context that reads synchronously into one reused buffer: hashing
    // keeps no bytes (the layer writer reads again, through readTransient,
    // which costs less than holding hundreds of MiB: page faults and GC).
    for (const { batch, bytes } of byteBatches(list)) {
      signal?.throwIfAborted();
      const digests = await ctx.digestMany(batch.map(realPathOf), batch.map((e) => e.size));
      batch.forEach((e, i) => out.set(realPathOf(e), digests[i]!));
      done += bytes;
      onProgress?.(done, total);
    }
    return out;
  }
  const small = list.filter((e) => e.size <= SMALL);
  const big = list.filter((e) => e.size > SMALL);
  for (const { batch, bytes } of byteBatches(small)) {
    signal?.throwIfAborted();
    let bufs: Uint8Array[];
    if (ctx.readMany) bufs = await ctx.readMany(batch.map(realPathOf), batch.map((e) => e.size));
    else {
      bufs = new Array<Uint8Array>(batch.length);
      await mapLimit(batch, READ_CONCURRENCY, async (e, i) => {
        bufs[i] = await ctx.readBytes(realPathOf(e));
      });
    }
    const digests = await sha256Many(bufs);
    batch.forEach((e, i) => out.set(realPathOf(e), digests[i]!));
    if (keep && kept + bytes <= keep.limit) {
      batch.forEach((e, i) => keep.bytes.set(realPathOf(e), bufs[i]!));
      kept += bytes;
    }
    done += bytes;
    onProgress?.(done, total);
  }
  for (const e of big) {
    signal?.throwIfAborted();
    out.set(realPathOf(e), await sha256(ctx.readStream(realPathOf(e))));
    done += e.size;
    onProgress?.(done, total);
  }
  return out;
}

/** Consecutive runs of `list` of about BATCH_BYTES each (at least one entry per run). */
function* byteBatches(list: readonly ContextEntry[]): Generator<{ batch: ContextEntry[]; bytes: number }> {
  let k = 0;
  while (k < list.length) {
    const batch: ContextEntry[] = [];
    let bytes = 0;
    while (k < list.length && (batch.length === 0 || bytes < BATCH_BYTES)) {
      bytes += list[k]!.size;
      batch.push(list[k++]!);
    }
    yield { batch, bytes };
  }
}

/** The inputs digest of a step's sources: names, types, modes, link targets, contents. */
export async function inputsDigest(roots: SourceRoot[], contents: Map<string, string>): Promise<string> {
  const lines: string[] = [];
  for (const r of roots) {
    lines.push(`source ${JSON.stringify(r.path)} ${r.entry.type} ${baseName(r.path)}`);
    const all = r.entry.type === 'directory' ? r.children : [r.entry];
    for (const e of all) {
      const rel = r.entry.type === 'directory' ? relativeTo(r, e) : '';
      const c = e.type === 'file' ? contents.get(realPathOf(e)) : '';
      lines.push(`${JSON.stringify(rel)} ${e.type} ${(e.mode & 0o7777).toString(8)} ${e.size} ${JSON.stringify(e.linkname)} ${c}`);
    }
  }
  return sha256(new TextEncoder().encode(lines.join('\n')));
}
