// The union view over a layer stack (browser-safe).
export { UnionView, MAX_SYMLINKS, type UnionViewOptions } from './view.js';
export type { UnionLayer, UnionLayerEntry, UnionNode, LayerReader, LayerContent } from './types.js';
export { prepareLayerTable, encodeLayerTable, decodeLayerTable, type LayerTable } from './table.js';
export { packNames, PackedKind, type PackedNames } from '../layer/packed-names.js';
