/**
 * What a layer does, entry by entry: the rows of `layerfs layer ls` and of
 * the web page's layer view. Browser-safe.
 */
import { parseTar } from '../tar/index.js';
import type { EntryType } from '../tar/types.js';
import type { TreeReader } from '../tree/types.js';
import { openLayerTar, type LayerInput } from './layer-io.js';
import { cleanPath } from './path.js';
import { parseWhiteout } from './whiteout.js';

export type LayerEntryKind = 'add' | 'modify' | 'whiteout' | 'opaque';

export interface LayerListRow {
  kind: LayerEntryKind;
  /** Clean path; for a whiteout the path it deletes, for an opaque marker its directory. */
  path: string;
  /** The name as stored in the tar. */
  name: string;
  type?: EntryType;
  mode?: number;
  uid?: number;
  gid?: number;
  size?: number;
  mtime?: number;
  linkname?: string;
}

/**
 * Lists a layer. Without `lower`, every entry that is not a whiteout is an
 * `add` (one layer alone cannot tell a change from an addition); with it,
 * entries whose path exists in `lower` are `modify`.
 */
export async function listLayer(layer: LayerInput, opts: { lower?: TreeReader } = {}): Promise<LayerListRow[]> {
  const { tar } = await openLayerTar(layer);
  const rows: LayerListRow[] = [];
  for await (const e of parseTar(tar)) {
    const h = e.header;
    const path = cleanPath(h.path);
    const wo = path === '' ? undefined : parseWhiteout(path);
    if (wo?.kind === 'whiteout') {
      rows.push({ kind: 'whiteout', path: wo.target, name: h.path });
      continue;
    }
    if (wo?.kind === 'opaque') {
      rows.push({ kind: 'opaque', path: wo.dir, name: h.path });
      continue;
    }
    const exists = opts.lower ? (await opts.lower.lstat(path)) !== undefined : false;
    rows.push({
      kind: exists ? 'modify' : 'add',
      path,
      name: h.path,
      type: h.type,
      mode: h.mode,
      uid: h.uid,
      gid: h.gid,
      size: h.size,
      mtime: h.mtime,
      ...(h.linkname ? { linkname: h.linkname } : {}),
    });
  }
  return rows;
}
