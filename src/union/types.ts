/**
 * Inputs and outputs of the union view. A layer is what readLayer gives
 * (its entries, in tar order) plus a way to read one file's bytes.
 */
import type { PackedNames } from '../layer/packed-names.js';
import type { EntryType, TarHeader } from '../tar/types.js';
import type { LayerTable } from './table.js';

/** One tar entry of a layer; `offset` locates a regular file's content in the uncompressed tar. */
export type UnionLayerEntry = TarHeader & { offset?: number; contentDigest?: string };

export type LayerContent = Uint8Array | ReadableStream<Uint8Array>;

/** Reads one regular file's bytes out of layer `layerIndex`'s blob. */
export type LayerReader = (layerIndex: number, entry: UnionLayerEntry) => Promise<LayerContent> | LayerContent;

export interface UnionLayer {
  /** Entries in tar order (the order matters for duplicates, rule 16). */
  readonly entries: readonly UnionLayerEntry[];
  /**
   * The entries' names packed (readLayer's `names`): the index reads these
   * bytes instead of encoding each entry's path. Must describe `entries`,
   * and must not change while views built from them live (their keys may
   * point into these bytes).
   */
  readonly names?: PackedNames;
  /**
   * The layer's prepared table (prepareLayerTable, or decodeLayerTable of
   * what the store persisted): nothing of this layer is prepared at build,
   * only merged. Must have been prepared from `entries`.
   */
  readonly table?: LayerTable;
  /**
   * Content reader for this layer (else the view's `read` option is used).
   * Method syntax on purpose: a reader typed for a narrower entry type (the
   * layer reader's LayerEntry) is accepted.
   */
  read?(layerIndex: number, entry: UnionLayerEntry): Promise<LayerContent> | LayerContent;
}

/** A path of the merged tree. */
export interface UnionNode {
  /** Clean path ('' for the root). */
  readonly path: string;
  readonly type: EntryType;
  /** Index of the layer this entry comes from (0 = bottom). */
  readonly layer: number;
  /**
   * The layer's entry, or for an implied parent directory (one that no
   * layer has an entry for, rule 14) a synthesized directory header with
   * mode 0755, owner 0:0, mtime 0.
   */
  readonly entry: UnionLayerEntry;
  /** True for implied directories (no entry of their own). */
  readonly implied: boolean;
}
