/**
 * Transports (browser-safe part): reference parsing, copy, the OCI layout
 * logic over a LayoutFs, and the registrations of the transports that need
 * no file system — the local store and docker:// (src/transport/registry).
 * Importing this module installs `store.copy`.
 */
import { UnsupportedError } from '../errors/UnsupportedError.js';
import { setCopyImplementation } from '../store/store.js';
import { copyReferences } from './copy.js';
import { registerTransport } from './endpoints.js';
import { blobSourcesFor } from './registry/pull.js';
import { dockerDestination, dockerSource } from './registry/transport.js';

export { parseImageReference, formatImageReference, type TransportRef, type TransportName } from './reference.js';
export { registerTransport, openSource, openDestination, type TransportHandler, type EndpointContext } from './endpoints.js';
export { copyImage, copyReferences, resolveImage, type CopyImageOptions } from './copy.js';
export { layoutSource, layoutDestination, readLayoutIndex, findInIndex, REF_NAME } from './oci-layout.js';
export type { LayoutFs, StagedFile } from './layout-fs.js';

function needStore(ctx: { store?: unknown }): asserts ctx is { store: import('../store/store.js').Store } {
  if (!ctx.store) throw new UnsupportedError('a local image name needs a store (pass one to copy)');
}

registerTransport('local', {
  async source(ref, ctx) {
    needStore(ctx);
    return ctx.store.source((ref as { name: string }).name);
  },
  async destination(ref, ctx) {
    needStore(ctx);
    return ctx.store.destination([(ref as { name: string }).name]);
  },
});

registerTransport('docker', {
  async source(ref, ctx) {
    const opts = { ...ctx.options, blobSources: blobSourcesFor(ctx.store, ctx.options) };
    return dockerSource((ref as { ref: string }).ref, opts);
  },
  async destination(ref, ctx) {
    const opts = { ...ctx.options, blobSources: blobSourcesFor(ctx.store, ctx.options) };
    return dockerDestination((ref as { ref: string }).ref, opts);
  },
});

setCopyImplementation((store, src, dst, opts) => copyReferences(store, src, dst, opts));
