/**
 * The transport table: for each transport name, how to open a copy source
 * and a copy destination. Browser-safe transports (the store, docker://)
 * register in src/transport/index.ts; the file-based ones (oci:,
 * oci-archive:, docker-archive:) need a file system and register from
 * src/transport/node.ts, which only 'layerfs/node' loads.
 */
import { UnsupportedError } from '../errors/UnsupportedError.js';
import type { ImageDestination, ImageSource } from '../image/transfer.js';
import type { Store } from '../store/store.js';
import type { TransportName, TransportRef } from './reference.js';

export interface EndpointContext {
  /** The local store (for bare names; also records such as registry blob sources). */
  store?: Store;
  /** Options of the copy (platform, credentials, progress...), passed through. */
  options: Record<string, unknown>;
}

export interface TransportHandler {
  source?(ref: TransportRef, ctx: EndpointContext): Promise<ImageSource>;
  destination?(ref: TransportRef, ctx: EndpointContext): Promise<ImageDestination>;
}

const handlers = new Map<TransportName, TransportHandler>();

export function registerTransport(name: TransportName, handler: TransportHandler): void {
  handlers.set(name, handler);
}

function handler(ref: TransportRef, role: 'source' | 'destination'): TransportHandler {
  const h = handlers.get(ref.transport);
  if (!h?.[role]) {
    const hint = ['oci', 'oci-archive', 'docker-archive'].includes(ref.transport) ? ' (file transports need layerfs/node)' : '';
    throw new UnsupportedError(`transport ${ref.transport} cannot be a copy ${role} here${hint}`, { transport: ref.transport });
  }
  return h;
}

export function openSource(ref: TransportRef, ctx: EndpointContext): Promise<ImageSource> {
  return handler(ref, 'source').source!(ref, ctx);
}

export function openDestination(ref: TransportRef, ctx: EndpointContext): Promise<ImageDestination> {
  return handler(ref, 'destination').destination!(ref, ctx);
}
