/** The OCI image model: types, validation, platforms, chain ids, Image. */
export { MediaType, isManifestType, isIndexType, isLayerType, layerCompression, uncompressedLayerType } from './media-types.js';
export type { Descriptor, Manifest, ImageIndex, ImageConfig, ContainerConfig, HistoryEntry, Platform } from './types.js';
export {
  validateDescriptor,
  validateManifest,
  validateIndex,
  validateConfig,
  validatePlatform,
  parseManifest,
  parseIndex,
  parseConfig,
  parseManifestOrIndex,
  type ParsedTop,
} from './validate.js';
export { hostPlatform, parsePlatform, formatPlatform, platformMatches, selectManifest } from './platform.js';
export { chainIds, chainId } from './chain-id.js';
export { Image, type ImageLayer, type HistoryItem, type NewLayer } from './image.js';
export { deepFreeze } from './freeze.js';
export type { ImageSource, ImageDestination, ManifestBytes, BlobWriteOptions } from './transfer.js';
