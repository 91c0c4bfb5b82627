/**
 * The layer engine's public surface (browser-safe): apply and diff, path and
 * whiteout helpers. compression.ts and read.ts export through their own lines.
 */
export { applyLayer, type ApplyOptions, type ApplyStats } from './apply.js';
export { cleanPath, parentPath, baseName, joinPath, isWithin, comparePaths } from './path.js';
export { whiteoutName, opaqueName, parseWhiteout, isWhiteoutBase, OPAQUE_MARKER, WHITEOUT_PREFIX, type WhiteoutInfo } from './whiteout.js';
export { diffTrees, type DiffOptions, type DiffResult, type DiffSummary } from './diff.js';
export { listLayer, type LayerListRow, type LayerEntryKind } from './list.js';
