/**
 * Docker-style image references (`docker://HOST/REPO[:TAG|@DIGEST]`),
 * normalised as the Docker CLI does (distribution/reference "normalize.go"):
 * a name without a registry host is on Docker Hub (`alpine` is
 * `docker.io/library/alpine:latest`, served by `registry-1.docker.io`), and a
 * first path component is a host when it holds '.' or ':' or is `localhost`.
 * `LAYERFS_DEFAULT_REGISTRY` (or the `defaultRegistry` option) replaces
 * Docker Hub as the default.
 */
import { InvalidArgumentError } from '../errors/InvalidArgumentError.js';

export const DOCKER_HUB = 'docker.io';
/** Docker Hub's API host: `docker.io` itself only redirects. */
export const DOCKER_HUB_API = 'registry-1.docker.io';

export interface DockerReference {
  /** Registry as written by users, e.g. `docker.io`, `127.0.0.1:5000`. */
  readonly registry: string;
  /** Host[:port] the HTTP API is served from. */
  readonly apiHost: string;
  /** Repository path inside the registry, e.g. `library/alpine`. */
  readonly repository: string;
  /** Tag, when given or defaulted; undefined when only a digest was given. */
  readonly tag?: string;
  readonly digest?: string;
  /** The tag or digest the registry API is asked for (digest wins); '' for a bare repository. */
  readonly reference: string;
  /** Canonical form without the `docker://` prefix. */
  toString(): string;
}

export interface ParseDockerReferenceOptions {
  /** Registry for names without a host. Default: $LAYERFS_DEFAULT_REGISTRY, else docker.io. */
  defaultRegistry?: string;
  /** Tag for names with neither tag nor digest. Default 'latest'; null keeps it absent (a bare repository, e.g. for ls-tags). */
  defaultTag?: string | null;
}

// distribution/reference grammar (reference.go): path components are
// lower-case alphanumerics joined by '.', '_', '__' or runs of '-'.
const COMPONENT = /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*$/;
const HOST = /^(?:[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?(?:\.[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?)*|\[[0-9a-fA-F:.]+\])(?::[0-9]+)?$/;
const TAG = /^[\w][\w.-]{0,127}$/;
const DIGEST = /^(sha256:[a-f0-9]{64}|sha512:[a-f0-9]{128})$/;
const NAME_MAX = 255;

function envDefaultRegistry(): string | undefined {
  // Reached without importing node:process so the module stays browser-safe.
  const env = (globalThis as { process?: { env?: Record<string, string | undefined> } }).process?.env;
  const v = env?.LAYERFS_DEFAULT_REGISTRY;
  return v && v.trim() ? v.trim() : undefined;
}

function bad(input: string, why: string): InvalidArgumentError {
  return new InvalidArgumentError(`invalid image reference '${input}': ${why}`, { reference: input });
}

/** The API host for a registry name (Docker Hub's aliases map to registry-1.docker.io). */
export function registryApiHost(registry: string): string {
  return registry === DOCKER_HUB || registry === 'index.docker.io' ? DOCKER_HUB_API : registry;
}

/**
 * Plain http is used for localhost and 127.0.0.0/8 (and ::1), as Docker
 * allows by default ("insecure-registries" defaults to 127.0.0.0/8);
 * `insecure` extends that to any host. Everything else is https.
 */
export function registryScheme(apiHost: string, insecure = false): 'http' | 'https' {
  if (insecure) return 'http';
  const host = apiHost.startsWith('[') ? apiHost.slice(1, apiHost.indexOf(']')) : apiHost.replace(/:\d+$/, '');
  if (host === 'localhost' || host === '::1') return 'http';
  if (/^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host)) return 'http';
  return 'https';
}

class Ref implements DockerReference {
  constructor(
    readonly registry: string,
    readonly apiHost: string,
    readonly repository: string,
    readonly tag: string | undefined,
    readonly digest: string | undefined,
  ) {
    Object.freeze(this);
  }
  get reference(): string {
    return this.digest ?? this.tag ?? '';
  }
  toString(): string {
    return `${this.registry}/${this.repository}${this.tag ? `:${this.tag}` : ''}${this.digest ? `@${this.digest}` : ''}`;
  }
}

/** Parses `[docker://]NAME[:TAG][@DIGEST]` into a normalised reference. */
export function parseDockerReference(input: string, opts: ParseDockerReferenceOptions = {}): DockerReference {
  let s = input;
  if (s.startsWith('docker://')) s = s.slice('docker://'.length);
  if (!s) throw bad(input, 'empty');

  let digest: string | undefined;
  const at = s.indexOf('@');
  if (at >= 0) {
    digest = s.slice(at + 1);
    s = s.slice(0, at);
    if (!DIGEST.test(digest)) throw bad(input, `'${digest}' is not a sha256/sha512 digest`);
  }
  let tag: string | undefined;
  const lastSlash = s.lastIndexOf('/');
  const colon = s.lastIndexOf(':');
  if (colon > lastSlash) {
    tag = s.slice(colon + 1);
    s = s.slice(0, colon);
    if (!TAG.test(tag)) throw bad(input, `'${tag}' is not a valid tag`);
  }

  const parts = s.split('/');
  let registry: string;
  const first = parts[0]!;
  if (parts.length > 1 && (first.includes('.') || first.includes(':') || first === 'localhost')) {
    registry = first;
    parts.shift();
    if (!HOST.test(registry)) throw bad(input, `'${registry}' is not a valid registry host`);
  } else {
    registry = opts.defaultRegistry ?? envDefaultRegistry() ?? DOCKER_HUB;
  }
  if (registry === 'index.docker.io') registry = DOCKER_HUB;
  // Docker Hub's official images live under library/.
  if (registry === DOCKER_HUB && parts.length === 1) parts.unshift('library');

  for (const p of parts) {
    if (!COMPONENT.test(p)) throw bad(input, `repository component '${p}' must be lower-case letters, digits and separators`);
  }
  const repository = parts.join('/');
  if (registry.length + 1 + repository.length > NAME_MAX) throw bad(input, `name longer than ${NAME_MAX} characters`);

  if (tag === undefined && digest === undefined) {
    const dt = opts.defaultTag === undefined ? 'latest' : opts.defaultTag;
    if (dt !== null) tag = dt;
  }
  return new Ref(registry, registryApiHost(registry), repository, tag, digest);
}

/** Same reference with another tag/digest (e.g. resolving a tag to the digest pulled). */
export function withReference(ref: DockerReference, reference: { tag?: string; digest?: string }): DockerReference {
  return new Ref(ref.registry, ref.apiHost, ref.repository, reference.tag, reference.digest);
}
