/**
 * The entry index (src/layer/read.ts LayerEntry: header + content offset)
 * of a layer this build just wrote, computed from its plan instead of by
 * reading the layer back: the writer's layout is headers (encodeHeader) then
 * content padded to 512 bytes, entries in comparePaths order, one file per
 * hardlink group with hardlink entries for the others, mtimes clamped — as
 * diffTrees writes an upper tree over an empty lower. The result is only
 * trusted when its size equals the tar the engine actually wrote
 * (`uncompressedSize`); otherwise it is dropped and views read the layer.
 *
 * Stored as the store's layer-index record (kind 'layer-index', keyed by
 * the layer digest), so the next build's view of the image reads no layer.
 */
import { LayerfsError } from '../errors/LayerfsError.js';
import { headerOf } from '../layer/diff.js';
import type { Digest } from '../digest/index.js';
import type { LayerEntry } from '../layer/read.js';
import { END_OF_ARCHIVE, encodeHeader, paddingFor } from '../tar/encode.js';
import type { TarHeader } from '../tar/types.js';
import type { Store } from '../store/store.js';
import { LAYER_INDEX } from '../store/store.js';
import type { PlanTree } from './copy-layer.js';

/** Format of src/store/view.ts's layer-index records (version 1). */
const INDEX_VERSION = 1;

const ASCII = /^[\x00-\x7f]*$/;
const OCTAL_7 = 0o7777777;
const OCTAL_11 = 0o77777777777;

/**
 * Bytes of an entry's header blocks. Most entries fit a plain 512-byte ustar
 * header (encode.ts adds PAX records only for what does not fit: names over
 * 100 bytes or not ASCII, ids, sizes or mtimes out of octal range, xattrs);
 * only the others are encoded to measure them (encoding every header a second
 * time cost as much as the tar writer's own encoding).
 */
function headerBytes(h: TarHeader): number {
  const path = h.type === 'directory' && !h.path.endsWith('/') ? `${h.path}/` : h.path;
  const plain =
    path.length <= 100 &&
    h.linkname.length <= 100 &&
    h.uname.length <= 32 &&
    h.gname.length <= 32 &&
    ASCII.test(path) &&
    ASCII.test(h.linkname) &&
    ASCII.test(h.uname) &&
    ASCII.test(h.gname) &&
    Number.isInteger(h.uid) && h.uid >= 0 && h.uid <= OCTAL_7 &&
    Number.isInteger(h.gid) && h.gid >= 0 && h.gid <= OCTAL_7 &&
    Number.isInteger(h.mtime) && h.mtime >= 0 && h.mtime <= OCTAL_11 &&
    h.size <= OCTAL_11 &&
    Object.keys(h.xattrs).length === 0;
  return plain ? 512 : encodeHeader(h).byteLength;
}

/** Entries with offsets and the tar size they imply. */
export function plannedIndex(plan: PlanTree, sourceDateEpoch?: number): { entries: LayerEntry[]; tarSize: number } {
  const leaders = new Map<string, string>();
  const entries: LayerEntry[] = [];
  let pos = 0;
  for (const e of plan.sorted()) {
    let h = headerOf(e, sourceDateEpoch);
    if (e.linkKey !== undefined) {
      const lead = leaders.get(e.linkKey);
      if (lead !== undefined) h = { ...h, type: 'hardlink', size: 0, linkname: lead };
      else leaders.set(e.linkKey, e.path);
    }
    const blocks = headerBytes(h);
    // The content digest the writer took of what it read (src/layer/read.ts
    // records one per file too): single-file reads check the bytes by it.
    const digest = h.type === 'file' ? plan.entries.get(e.path)?.digest?.() : undefined;
    entries.push({ ...h, offset: pos + blocks, ...(digest !== undefined ? { contentDigest: digest as Digest } : {}) });
    pos += blocks + h.size + paddingFor(h.size);
  }
  return { entries, tarSize: pos + END_OF_ARCHIVE.byteLength };
}

function b64(b: Uint8Array): string {
  let s = '';
  for (let i = 0; i < b.length; i++) s += String.fromCharCode(b[i]!);
  return btoa(s);
}

/** Record the index of a layer just written, when it matches the tar's size. Returns whether it did. */
export async function rememberIndex(store: Store, layer: { digest: string; diffId: string; uncompressedSize: number }, plan: PlanTree, sourceDateEpoch?: number): Promise<boolean> {
  let idx: ReturnType<typeof plannedIndex>;
  try {
    idx = plannedIndex(plan, sourceDateEpoch);
  } catch (e) {
    if (e instanceof LayerfsError) return false;
    throw e;
  }
  if (idx.tarSize !== layer.uncompressedSize) return false;
  const stored = idx.entries.map(({ xattrs, ...rest }) => {
    const keys = Object.keys(xattrs);
    return keys.length ? { ...rest, xattrs: Object.fromEntries(keys.map((k) => [k, b64(xattrs[k]!)])) } : rest;
  });
  await store.backend.putRecord(LAYER_INDEX, layer.digest, { value: { v: INDEX_VERSION, diffId: layer.diffId, entries: stored } });
  return true;
}
