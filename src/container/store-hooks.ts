/**
 * Containers and volumes as methods of the Store. The store sits below
 * containers in the code's layers, so it cannot import them: this module
 * adds the methods to Store.prototype when the container module is loaded
 * (importing 'layerfs' does), the same way the transports install `copy`.
 *
 * What is kept where (the store's records and areas, see src/store/types.ts):
 *   records 'containers'/<id>        ContainerInfo, keeping the image alive for gc
 *   areas   'container-layers'/<id>  the writable layer (an OCI-layer-shaped tree)
 *   records 'container-meta'/<id>    attributes that tree cannot hold
 *   records 'volumes'/<name>         VolumeInfo
 *   areas   'volumes'/<name>         the volume's files
 */
import { AlreadyExistsError } from '../errors/AlreadyExistsError.js';
import { InUseError } from '../errors/InUseError.js';
import { InvalidArgumentError } from '../errors/InvalidArgumentError.js';
import { NotFoundError } from '../errors/NotFoundError.js';
import { cleanPath, isWithin } from '../layer/path.js';
import { Store } from '../store/store.js';
import type { Tree } from '../tree/types.js';
import { Container } from './container.js';
import { imageView } from './image-view.js';
import { checkName, generateName, randomId } from './names.js';
import {
  CONTAINER_LAYERS,
  CONTAINER_META,
  CONTAINERS,
  VOLUMES,
  type ContainerInfo,
  type CreateContainerOptions,
  type RemoveVolumeOptions,
  type VolumeInfo,
} from './types.js';
import { UpperLayer } from './upper.js';

declare module '../store/store.js' {
  interface Store {
    /**
     * A new container of the image `imageRef` names, with an empty writable
     * layer, a random 64-hex id and a unique name (generated when not given).
     * `volumes` maps mount points to volume names (missing volumes are created).
     */
    createContainer(imageRef: string, opts?: CreateContainerOptions): Promise<Container>;
    /** Every container, oldest first. */
    containers(): Promise<ContainerInfo[]>;
    /** The container with this id, name, or unique id prefix. */
    container(idOrName: string): Promise<Container>;
    /** Removes a container and its writable layer; the image and volumes stay. */
    removeContainer(idOrName: string): Promise<ContainerInfo>;
    createVolume(name: string): Promise<VolumeInfo>;
    volumes(): Promise<VolumeInfo[]>;
    /** Refused with InUseError while a container mounts it, unless `force`. */
    removeVolume(name: string, opts?: RemoveVolumeOptions): Promise<void>;
  }
}

/** Open containers per store, so two handles of one container never disagree. */
const open = new WeakMap<Store, Map<string, Promise<Container>>>();

function cache(store: Store): Map<string, Promise<Container>> {
  let m = open.get(store);
  if (!m) open.set(store, (m = new Map()));
  return m;
}

/**
 * Container records already read, per store. A record is written once (by
 * createContainer) and only ever deleted, so listing the ids, which sees
 * every process's changes, and reading just the ids not seen before gives
 * the same answer as reading them all. Creating one container checked
 * its name against every record it read again: O(n) reads per container
 * (50 ms each at 200 containers on disk).
 */
const infoCache = new WeakMap<Store, Map<string, ContainerInfo>>();

async function allInfos(store: Store): Promise<ContainerInfo[]> {
  const recs = store.records<ContainerInfo>(CONTAINERS);
  let known = infoCache.get(store);
  if (!known) infoCache.set(store, (known = new Map()));
  const ids = await recs.list();
  const present = new Set(ids);
  for (const id of known.keys()) if (!present.has(id)) known.delete(id);
  for (const id of ids) {
    if (known.has(id)) continue;
    const info = await recs.get(id);
    if (info) known.set(id, info);
  }
  // Copies: callers (and users of containers()) may change what they get.
  const out = [...known.values()].map((i) => ({ ...i, volumes: { ...i.volumes } }));
  return out.sort((a, b) => (a.created < b.created ? -1 : a.created > b.created ? 1 : a.id < b.id ? -1 : 1));
}

/** Docker's lookup order: full id, then exact name, then a unique id prefix. */
async function findInfo(store: Store, idOrName: string): Promise<ContainerInfo> {
  if (typeof idOrName !== 'string' || idOrName === '') throw new InvalidArgumentError('a container id or name is required');
  const infos = await allInfos(store);
  const exact = infos.find((c) => c.id === idOrName) ?? infos.find((c) => c.name === idOrName);
  if (exact) return exact;
  if (/^[0-9a-f]+$/.test(idOrName)) {
    const hits = infos.filter((c) => c.id.startsWith(idOrName));
    if (hits.length === 1) return hits[0]!;
    if (hits.length > 1) throw new InvalidArgumentError(`container id prefix ${idOrName} is ambiguous: it matches ${hits.length} containers`, { container: idOrName });
  }
  throw new NotFoundError(`no container ${idOrName}`, { container: idOrName });
}

async function openVolume(store: Store, name: string): Promise<Tree> {
  // A volume force-removed under a container comes back empty, as `docker start` recreates it.
  if (!(await store.records<VolumeInfo>(VOLUMES).get(name))) await store.createVolume(name);
  return store.areas(VOLUMES).open(name);
}

async function openContainer(store: Store, info: ContainerInfo): Promise<Container> {
  const image = await store.imageByDigest(info.imageDigest);
  const lower = await imageView(store, image);
  const tree = await store.areas(CONTAINER_LAYERS).open(info.id);
  const upper = await UpperLayer.open(tree, store.records(CONTAINER_META), info.id);
  const volumes = new Map<string, Tree>();
  for (const [mount, name] of Object.entries(info.volumes)) volumes.set(mount, await openVolume(store, name));
  return new Container({ store, info, image, lower, upper, volumes });
}

function cleanMounts(volumes: Record<string, string> | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [mount, name] of Object.entries(volumes ?? {})) {
    const p = cleanPath(mount);
    if (p === '') throw new InvalidArgumentError('a volume cannot be mounted at the root', { path: mount });
    if (p.split('/').some((s) => s.startsWith('.wh.'))) throw new InvalidArgumentError(`invalid mount point ${mount}`, { path: mount });
    checkName(name, 'volume');
    for (const other of Object.keys(out)) {
      if (isWithin(p, other) || isWithin(other, p)) throw new InvalidArgumentError(`mount points ${JSON.stringify(`/${other}`)} and ${JSON.stringify(mount)} overlap`, { path: mount });
    }
    out[p] = name;
  }
  return out;
}

Store.prototype.createContainer = async function (this: Store, imageRef: string, opts: CreateContainerOptions = {}): Promise<Container> {
  const image = await this.image(imageRef);
  const volumes = cleanMounts(opts.volumes);
  const infos = await allInfos(this);
  const taken = new Set(infos.map((c) => c.name));
  let name: string;
  if (opts.name !== undefined) {
    name = checkName(opts.name, 'container');
    if (taken.has(name)) throw new AlreadyExistsError(`the container name ${name} is already in use`, { name });
  } else name = generateName(taken);
  for (const v of new Set(Object.values(volumes))) {
    if (!(await this.records<VolumeInfo>(VOLUMES).get(v))) await this.createVolume(v);
  }
  let id = randomId();
  while (infos.some((c) => c.id === id)) id = randomId();
  const info: ContainerInfo = { id, name, created: new Date().toISOString(), imageRef, image: image.id, imageDigest: image.digest, volumes };
  await this.areas(CONTAINER_LAYERS).open(id);
  await this.records<ContainerInfo>(CONTAINERS).put(id, info, { blobs: [image.digest] });
  const c = openContainer(this, info).then(async (x) => {
    await x.populateVolumes();
    return x;
  });
  const m = cache(this);
  m.set(id, c);
  c.catch(() => m.delete(id));
  return c;
};

Store.prototype.containers = function (this: Store): Promise<ContainerInfo[]> {
  return allInfos(this);
};

Store.prototype.container = async function (this: Store, idOrName: string): Promise<Container> {
  const info = await findInfo(this, idOrName);
  const m = cache(this);
  let c = m.get(info.id);
  if (!c) {
    c = openContainer(this, info);
    m.set(info.id, c);
    c.catch(() => m.delete(info.id));
  }
  return c;
};

Store.prototype.removeContainer = async function (this: Store, idOrName: string): Promise<ContainerInfo> {
  const info = await findInfo(this, idOrName);
  const m = cache(this);
  const c = m.get(info.id);
  m.delete(info.id);
  if (c) await (await c.catch(() => undefined))?.retire();
  await this.records(CONTAINERS).delete(info.id);
  await this.records(CONTAINER_META).delete(info.id);
  await this.areas(CONTAINER_LAYERS).delete(info.id);
  return info;
};

Store.prototype.createVolume = async function (this: Store, name: string): Promise<VolumeInfo> {
  checkName(name, 'volume');
  const recs = this.records<VolumeInfo>(VOLUMES);
  if (await recs.get(name)) throw new AlreadyExistsError(`volume ${name} already exists`, { volume: name });
  const info: VolumeInfo = { name, created: new Date().toISOString() };
  await this.areas(VOLUMES).open(name);
  await recs.put(name, info);
  return info;
};

Store.prototype.volumes = async function (this: Store): Promise<VolumeInfo[]> {
  const recs = this.records<VolumeInfo>(VOLUMES);
  const out: VolumeInfo[] = [];
  for (const k of await recs.list()) {
    const v = await recs.get(k);
    if (v) out.push(v);
  }
  return out;
};

Store.prototype.removeVolume = async function (this: Store, name: string, opts: RemoveVolumeOptions = {}): Promise<void> {
  const recs = this.records<VolumeInfo>(VOLUMES);
  if (!(await recs.get(name))) throw new NotFoundError(`no volume ${name}`, { volume: name });
  const users = (await allInfos(this)).filter((c) => Object.values(c.volumes).includes(name));
  if (users.length && !opts.force) {
    throw new InUseError(`volume ${name} is in use by container${users.length > 1 ? 's' : ''} ${users.map((c) => c.name).join(', ')}`, { volume: name });
  }
  await recs.delete(name);
  await this.areas(VOLUMES).delete(name);
};
