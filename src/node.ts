/**
 * layerfs/node — everything in 'layerfs' plus the Node-only parts: the disk
 * store, Node directory trees, node:crypto hashing, CLI helpers.
 */
export * from './index.js';

// store on disk
export { openStore, defaultStoreDir } from './store/open-disk.js';
export { DiskBackend } from './store/disk.js';

// file transports: oci:, oci-archive:, docker-archive: (registers them for copy)
export * from './transport/node.js';
export { NodeDirTree, type NodeDirTreeOptions } from './tree/node-dir.js';

// registry credentials from --creds, LAYERFS_AUTH, ~/.docker/config.json
export { dockerConfigCredentials, nodeCredentials, type DockerConfigOptions } from './transport/registry/docker-config.js';

// build contexts on disk (a directory path as build context)
export { nodeContext } from './build/node.js';
