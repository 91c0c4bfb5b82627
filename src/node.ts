/**
 * layerfs/node — everything in 'layerfs' plus the Node-only parts: the disk
 * store, Node directory trees, node:crypto hashing, CLI helpers.
 */
export * from './index.js';

// store on disk
export { openStore, defaultStoreDir } from './store/open-disk.js';
export { DiskBackend } from './store/disk.js';
