/** Containers and volumes (browser-safe); importing this adds their methods to Store. */
import './store-hooks.js';
export { Container, type ContainerParts } from './container.js';
export { ViewTree, entryOfNode } from './view-tree.js';
export {
  CONTAINERS,
  CONTAINER_LAYERS,
  CONTAINER_META,
  VOLUMES,
  type ContainerInfo,
  type CreateContainerOptions,
  type VolumeInfo,
  type Change,
  type ContainerStat,
  type CommitOptions,
  type RemoveVolumeOptions,
  type RmOptions,
  type MkdirOptions,
  type WriteFileOptions,
  type WriteData,
} from './types.js';
