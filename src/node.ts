/**
 * layerfs/node — everything in 'layerfs' plus the Node-only parts: the disk
 * store, Node directory trees, node:crypto hashing, CLI helpers.
 */
export * from './index.js';
