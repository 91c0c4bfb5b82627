/**
 * Media types layerfs reads and writes: the OCI image-spec (media-types.md)
 * and the Docker image manifest v2 schema 2 that registries still serve.
 */
export const MediaType = Object.freeze({
  ociManifest: 'application/vnd.oci.image.manifest.v1+json',
  ociIndex: 'application/vnd.oci.image.index.v1+json',
  ociConfig: 'application/vnd.oci.image.config.v1+json',
  ociLayer: 'application/vnd.oci.image.layer.v1.tar',
  ociLayerGzip: 'application/vnd.oci.image.layer.v1.tar+gzip',
  ociLayerZstd: 'application/vnd.oci.image.layer.v1.tar+zstd',
  ociLayerNondist: 'application/vnd.oci.image.layer.nondistributable.v1.tar',
  ociLayerNondistGzip: 'application/vnd.oci.image.layer.nondistributable.v1.tar+gzip',
  ociLayerNondistZstd: 'application/vnd.oci.image.layer.nondistributable.v1.tar+zstd',
  ociLayout: 'application/vnd.oci.layout.header.v1+json',
  dockerManifest: 'application/vnd.docker.distribution.manifest.v2+json',
  dockerManifestList: 'application/vnd.docker.distribution.manifest.list.v2+json',
  dockerConfig: 'application/vnd.docker.container.image.v1+json',
  dockerLayerGzip: 'application/vnd.docker.image.rootfs.diff.tar.gzip',
  dockerLayerForeignGzip: 'application/vnd.docker.image.rootfs.foreign.diff.tar.gzip',
  /** Docker's uncompressed layer type (docker save writes plain tars). */
  dockerLayer: 'application/vnd.docker.image.rootfs.diff.tar',
});

const MANIFESTS = new Set<string>([MediaType.ociManifest, MediaType.dockerManifest]);
const INDEXES = new Set<string>([MediaType.ociIndex, MediaType.dockerManifestList]);

export function isManifestType(t: string | undefined): boolean {
  return t !== undefined && MANIFESTS.has(t);
}

export function isIndexType(t: string | undefined): boolean {
  return t !== undefined && INDEXES.has(t);
}

/** True for a media type that names a layer tar (any compression, OCI or Docker). */
export function isLayerType(t: string): boolean {
  return t.startsWith('application/vnd.oci.image.layer.') || t.startsWith('application/vnd.docker.image.rootfs.');
}

/** Compression a layer media type declares ('none' when it names a plain tar). */
export function layerCompression(t: string): 'gzip' | 'zstd' | 'none' {
  if (t.endsWith('+gzip') || t.endsWith('.tar.gzip')) return 'gzip';
  if (t.endsWith('+zstd')) return 'zstd';
  return 'none';
}

/**
 * The uncompressed-layer type in the same family as `t` (OCI or Docker),
 * used when a layer is decompressed on the way into docker-archive.
 */
export function uncompressedLayerType(t: string): string {
  if (t.startsWith('application/vnd.docker.')) return MediaType.dockerLayer;
  if (t.includes('nondistributable')) return MediaType.ociLayerNondist;
  return MediaType.ociLayer;
}
