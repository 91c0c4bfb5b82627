/**
 * Shapes of containers and volumes as the store keeps them and as the API
 * hands them out (docker's `ps` / `volume ls` columns, in camelCase).
 */
import type { TreeEntry } from '../tree/types.js';

/** Record kind of container records (key: the 64-hex id). */
export const CONTAINERS = 'containers';
/** Area kind of containers' writable layers (id: the container id). */
export const CONTAINER_LAYERS = 'container-layers';
/**
 * Record kind of the metadata a writable layer's tree cannot hold itself
 * (a disk tree drops xattrs and owner names, and owners when not root).
 */
export const CONTAINER_META = 'container-meta';
/** Record and area kind of volumes (key and id: the volume name). */
export const VOLUMES = 'volumes';

export interface CreateContainerOptions {
  /** Unique name; a Docker-like `adjective_name` is generated when absent. */
  name?: string;
  /** Mount point in the container -> volume name (created when missing, as `docker run -v` does). */
  volumes?: Record<string, string>;
}

/** What a container record holds (and `store.containers()` lists). */
export interface ContainerInfo {
  /** 64 lowercase hex digits. */
  id: string;
  name: string;
  /** ISO 8601. */
  created: string;
  /** The reference the container was created from, as given. */
  imageRef: string;
  /** Image id (config digest). */
  image: string;
  /** Manifest digest of the image. */
  imageDigest: string;
  /** Clean mount point ('data', 'var/lib/x') -> volume name. */
  volumes: Record<string, string>;
}

export interface VolumeInfo {
  name: string;
  /** ISO 8601. */
  created: string;
}

/** One line of `docker diff`: Added, Changed, Deleted. */
export interface Change {
  kind: 'A' | 'C' | 'D';
  /** Absolute path in the container ('/etc/passwd'). */
  path: string;
}

/** What stat/lstat return: a tree entry (tar header shape) plus where it lives. */
export interface ContainerStat extends TreeEntry {
  /** Absolute path in the container. */
  path: string;
  /** 'image' (a lower layer), 'container' (the writable layer) or 'volume'. */
  origin: 'image' | 'container' | 'volume';
}

export interface CommitOptions {
  /** `name[:tag]` to give the new image. Without one the image is untagged, and `gc` removes it (like `docker image prune`). */
  tag?: string;
  /** Goes to the history entry's `created_by` (default: `layerfs container commit NAME`). */
  message?: string;
  /** Goes to the config's and the history entry's `author`. */
  author?: string;
  /** Layer compression (default gzip). */
  compression?: 'gzip' | 'zstd' | 'none';
  /** Creation time of the image (default: now) — fix it for reproducible commits. */
  created?: Date | string;
  /** Clamp mtimes in the layer (SOURCE_DATE_EPOCH, seconds). */
  sourceDateEpoch?: number;
}

export interface RemoveVolumeOptions {
  /** Remove even while containers mount it (they lose it). */
  force?: boolean;
}

export interface RmOptions {
  recursive?: boolean;
  /** No error when the path is missing. */
  force?: boolean;
}

export interface MkdirOptions {
  recursive?: boolean;
  mode?: number;
}

export interface WriteFileOptions {
  /** Mode of a new file (default 0o644); an existing file keeps its mode. */
  mode?: number;
}

/** File content accepted by writeFile. */
export type WriteData = string | Uint8Array | ReadableStream<Uint8Array>;
