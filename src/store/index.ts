/** The store (browser-safe part): the Store class, the memory and OPFS backends, names. */
export { Store, REFS, LAYER_INDEX, LAYER_TARS, setCopyImplementation, type CopyOptions, type CopyResult, type CopyImplementation, type RefValue, type ResolvedRef } from './store.js';
export { MemoryBackend } from './memory.js';
export { parseLocalName, formatLocalName, normalizeLocalName, type LocalName } from './names.js';
export type {
  StoreBackend,
  PendingBlob,
  BlobWriter,
  StoredRecord,
  BlobInfo,
  RecordStore,
  AreaStore,
  ImageSummary,
  DuImage,
  DuReport,
  GcReport,
} from './types.js';
export { openMemoryStore } from './open-memory.js';
export { fsck, type FsckOptions, type FsckReport, type FsckProblem } from './fsck.js';
export { OpfsBackend } from './opfs.js';
export { OpfsTree } from './opfs-tree.js';
export { openBrowserStore } from './open-browser.js';
