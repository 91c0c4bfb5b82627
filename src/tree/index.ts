/** File trees (browser-safe part): the interface, the in-memory tree, the in-root resolver. */
export type { Tree, TreeReader, TreeWriter, TreeEntry, TreeEntryType, TreeMeta, CreateMeta, FileBody } from './types.js';
export { IMPLIED_DIR_MODE } from './types.js';
export { MemoryTree, type MemoryEntrySpec } from './memory.js';
export { TreeResolver } from './resolve.js';
