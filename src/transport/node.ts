/**
 * The file-based transports (Node): `oci:DIR[:TAG]`, `oci-archive:FILE[:TAG]`
 * and `docker-archive:FILE[:REF]`, and node:http for registry blob
 * downloads. Imported by src/node.ts, which is what registers them.
 */
import * as fs from 'node:fs/promises';
import { registerTransport } from './endpoints.js';
import { dockerArchiveDestination, dockerArchiveSource } from './docker-archive.js';
import { extractArchive, makeTempDir, writeArchive } from './node-archive.js';
import { nodeLayoutFs } from './node-layout-fs.js';
import { layoutDestination, layoutSource } from './oci-layout.js';
import type { TransportRef } from './reference.js';
import { setBlobFetch } from './registry/client.js';
import { nodeBlobFetch } from './registry/node-http.js';

// Registry blob downloads over node:http: far less main-thread work per chunk than fetch (see node-http.ts).
setBlobFetch(nodeBlobFetch);

type FileRef = Extract<TransportRef, { path: string }>;

registerTransport('oci', {
  async source(ref) {
    const r = ref as FileRef & { tag?: string };
    return layoutSource(nodeLayoutFs(r.path), r.tag, `oci:${r.path}${r.tag ? `:${r.tag}` : ''}`);
  },
  async destination(ref) {
    const r = ref as FileRef & { tag?: string };
    return layoutDestination(nodeLayoutFs(r.path), r.tag, `oci:${r.path}${r.tag ? `:${r.tag}` : ''}`);
  },
});

registerTransport('oci-archive', {
  async source(ref) {
    const r = ref as FileRef & { tag?: string };
    const dir = await makeTempDir('oci-archive');
    try {
      await extractArchive(r.path, dir);
    } catch (e) {
      await fs.rm(dir, { recursive: true, force: true });
      throw e;
    }
    const src = layoutSource(nodeLayoutFs(dir), r.tag, `oci-archive:${r.path}${r.tag ? `:${r.tag}` : ''}`);
    return { ...src, close: () => fs.rm(dir, { recursive: true, force: true }) };
  },
  async destination(ref) {
    const r = ref as FileRef & { tag?: string };
    const dir = await makeTempDir('oci-archive-out');
    const dst = layoutDestination(nodeLayoutFs(dir), r.tag, `oci-archive:${r.path}${r.tag ? `:${r.tag}` : ''}`);
    return {
      ...dst,
      async commit() {
        try {
          await dst.commit();
          await writeArchive(dir, r.path);
        } finally {
          await fs.rm(dir, { recursive: true, force: true });
        }
      },
      async abort() {
        await dst.abort();
        await fs.rm(dir, { recursive: true, force: true });
      },
    };
  },
});

registerTransport('docker-archive', {
  source: (ref) => dockerArchiveSource((ref as FileRef).path, (ref as { ref?: string }).ref),
  destination: (ref) => dockerArchiveDestination((ref as FileRef).path, (ref as { ref?: string }).ref),
});

export { nodeLayoutFs } from './node-layout-fs.js';
export { dockerArchiveSource, dockerArchiveDestination } from './docker-archive.js';
export { extractArchive, writeArchive } from './node-archive.js';
