/**
 * layerfs — the browser-safe public API. Nothing imported from here may
 * load a Node built-in statically; Node extras live in src/node.ts.
 *
 * Each area adds its exports in its own block below.
 */

// errors
export * from './errors/index.js';

// core
export { loadCore, simdSupported } from './core/load.js';

// tar
export * from './tar/index.js';

// layer compression and readLayer (one-pass layer index)
export * from './layer/compression.js';
export * from './layer/read.js';

// digest
export * from './digest/index.js';

// image model and store (memory backend; openStore is in layerfs/node)
export * from './image/index.js';
export * from './store/index.js';

// trees and the layer engine (diff, apply, whiteouts, paths)
export * from './tree/index.js';
export * from './layer/engine.js';

// registry client (docker://): pull, push, references, auth
export * from './transport/registry/index.js';

// transports: reference parsing, copy (installs store.copy), OCI layout logic
export * from './transport/index.js';

// union view over a layer stack (Wasm path index)
export * from './union/index.js';

// containers (writable layer, copy-up, volumes, diff, commit); adds container/volume methods to Store
export * from './container/index.js';

// build from a Dockerfile with a layer cache (installs store.build)
export * from './build/index.js';

// docker save / OCI archives from a Blob or File (browsers; no file system)
export { archiveSource, loadArchive, ArchiveIndex, type ArchiveOptions } from './transport/blob-archive.js';
