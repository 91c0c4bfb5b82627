/**
 * Validation of manifests, indexes, configs and descriptors against the OCI
 * image-spec (descriptor.md, manifest.md, image-index.md, config.md), also
 * accepting Docker schema2 manifests and manifest lists. Every failure is a
 * ManifestInvalidError whose message and `data.path` name the JSON path at
 * fault, e.g. `$.layers[2].digest`.
 */
import { ManifestInvalidError } from '../errors/ManifestInvalidError.js';
import { isDigest } from './hashing.js';
import { MediaType, isIndexType, isManifestType } from './media-types.js';
import type { Descriptor, ImageConfig, ImageIndex, Manifest, Platform } from './types.js';

type Json = unknown;

function fail(path: string, what: string, doc?: string): never {
  throw new ManifestInvalidError(`${doc ? doc + ': ' : ''}${path} ${what}`, { path, doc });
}

function isObject(v: Json): v is Record<string, Json> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function obj(v: Json, path: string, doc: string): Record<string, Json> {
  if (!isObject(v)) fail(path, 'must be an object', doc);
  return v;
}

function str(v: Json, path: string, doc: string, optional = false): void {
  if (v === undefined && optional) return;
  if (typeof v !== 'string') fail(path, v === undefined ? 'is required' : 'must be a string', doc);
}

function strArray(v: Json, path: string, doc: string): void {
  if (v === undefined) return;
  if (!Array.isArray(v)) fail(path, 'must be an array of strings', doc);
  v.forEach((s, i) => str(s, `${path}[${i}]`, doc));
}

function strMap(v: Json, path: string, doc: string): void {
  if (v === undefined) return;
  const o = obj(v, path, doc);
  for (const [k, s] of Object.entries(o)) {
    if (typeof s !== 'string') fail(`${path}[${JSON.stringify(k)}]`, 'must be a string', doc);
  }
}

/** The media-type grammar of RFC 6838 as descriptor.md requires ("type/subtype"). */
const MEDIA_TYPE_RE = /^[A-Za-z0-9][A-Za-z0-9!#$&^_.+-]{0,126}\/[A-Za-z0-9][A-Za-z0-9!#$&^_.+-]{0,126}$/;

function digest(v: Json, path: string, doc: string): void {
  if (v === undefined) fail(path, 'is required', doc);
  if (!isDigest(v)) fail(path, `is not a valid digest (sha256:<64 hex> or sha512:<128 hex>): ${JSON.stringify(v)}`, doc);
}

export function validatePlatform(v: Json, path: string, doc = 'platform'): Platform {
  const o = obj(v, path, doc);
  str(o.architecture, `${path}.architecture`, doc);
  str(o.os, `${path}.os`, doc);
  str(o['os.version'], `${path}["os.version"]`, doc, true);
  strArray(o['os.features'], `${path}["os.features"]`, doc);
  str(o.variant, `${path}.variant`, doc, true);
  strArray(o.features, `${path}.features`, doc);
  return o as unknown as Platform;
}

/** descriptor.md: mediaType, digest, size required; urls, annotations, data, platform optional. */
export function validateDescriptor(v: Json, path = '$', doc = 'descriptor'): Descriptor {
  const o = obj(v, path, doc);
  str(o.mediaType, `${path}.mediaType`, doc);
  if (!MEDIA_TYPE_RE.test(o.mediaType as string)) fail(`${path}.mediaType`, `is not a media type: ${JSON.stringify(o.mediaType)}`, doc);
  digest(o.digest, `${path}.digest`, doc);
  if (o.size === undefined) fail(`${path}.size`, 'is required', doc);
  if (typeof o.size !== 'number' || !Number.isSafeInteger(o.size) || o.size < 0) fail(`${path}.size`, 'must be a non-negative integer', doc);
  strArray(o.urls, `${path}.urls`, doc);
  strMap(o.annotations, `${path}.annotations`, doc);
  str(o.data, `${path}.data`, doc, true);
  str(o.artifactType, `${path}.artifactType`, doc, true);
  if (o.platform !== undefined) validatePlatform(o.platform, `${path}.platform`, doc);
  return o as unknown as Descriptor;
}

function schemaVersion(o: Record<string, Json>, doc: string): void {
  if (o.schemaVersion === undefined) fail('$.schemaVersion', 'is required', doc);
  if (o.schemaVersion !== 2) fail('$.schemaVersion', `must be 2, not ${JSON.stringify(o.schemaVersion)}`, doc);
}

/** Parse JSON bytes (strict UTF-8) or fail at `$`. */
export function parseJson(bytes: Uint8Array, doc: string): Json {
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    fail('$', 'is not valid UTF-8', doc);
  }
  let v: Json;
  try {
    v = JSON.parse(text);
  } catch (e) {
    fail('$', `is not valid JSON (${(e as Error).message})`, doc);
  }
  if (jsonDepth(v) > MAX_JSON_DEPTH) fail('$', `nests deeper than ${MAX_JSON_DEPTH} levels`, doc);
  return v;
}

/**
 * Deepest nesting accepted in a manifest, index or config. JSON.parse copes
 * with any depth, but JSON.stringify (and any recursive walk) overflows the
 * stack with a raw RangeError a few thousand levels down; real documents
 * nest under ten. (Go's encoding/json stops at 10000.)
 */
export const MAX_JSON_DEPTH = 512;

function jsonDepth(root: Json): number {
  let max = 0;
  const stack: Array<[Json, number]> = [[root, 1]];
  while (stack.length > 0) {
    const [v, d] = stack.pop()!;
    if (v === null || typeof v !== 'object') continue;
    if (d > max) max = d;
    if (max > MAX_JSON_DEPTH) return max;
    for (const x of Array.isArray(v) ? v : Object.values(v as Record<string, Json>)) stack.push([x, d + 1]);
  }
  return max;
}

/** manifest.md (and Docker schema2). */
export function validateManifest(v: Json, doc = 'manifest'): Manifest {
  const o = obj(v, '$', doc);
  schemaVersion(o, doc);
  str(o.mediaType, '$.mediaType', doc, true);
  if (o.mediaType !== undefined && !isManifestType(o.mediaType as string)) {
    fail('$.mediaType', `is ${JSON.stringify(o.mediaType)}, not an image manifest type`, doc);
  }
  if (o.manifests !== undefined) fail('$.manifests', 'belongs to an index, not a manifest', doc);
  validateDescriptor(o.config, '$.config', doc);
  if (o.layers === undefined) fail('$.layers', 'is required', doc);
  if (!Array.isArray(o.layers)) fail('$.layers', 'must be an array', doc);
  o.layers.forEach((l, i) => validateDescriptor(l, `$.layers[${i}]`, doc));
  if (o.subject !== undefined) validateDescriptor(o.subject, '$.subject', doc);
  str(o.artifactType, '$.artifactType', doc, true);
  strMap(o.annotations, '$.annotations', doc);
  return o as unknown as Manifest;
}

/** image-index.md (and Docker manifest list). */
export function validateIndex(v: Json, doc = 'index'): ImageIndex {
  const o = obj(v, '$', doc);
  schemaVersion(o, doc);
  str(o.mediaType, '$.mediaType', doc, true);
  if (o.mediaType !== undefined && !isIndexType(o.mediaType as string)) {
    fail('$.mediaType', `is ${JSON.stringify(o.mediaType)}, not an image index type`, doc);
  }
  if (o.manifests === undefined) fail('$.manifests', 'is required', doc);
  if (!Array.isArray(o.manifests)) fail('$.manifests', 'must be an array', doc);
  o.manifests.forEach((m, i) => validateDescriptor(m, `$.manifests[${i}]`, doc));
  if (o.subject !== undefined) validateDescriptor(o.subject, '$.subject', doc);
  strMap(o.annotations, '$.annotations', doc);
  return o as unknown as ImageIndex;
}

/** config.md: architecture, os and rootfs (type "layers", diff_ids) are required. */
export function validateConfig(v: Json, doc = 'config'): ImageConfig {
  const o = obj(v, '$', doc);
  str(o.architecture, '$.architecture', doc);
  str(o.os, '$.os', doc);
  str(o.created, '$.created', doc, true);
  str(o.author, '$.author', doc, true);
  str(o.variant, '$.variant', doc, true);
  const rootfs = obj(o.rootfs, '$.rootfs', doc);
  if (rootfs.type !== 'layers') fail('$.rootfs.type', `must be "layers", not ${JSON.stringify(rootfs.type)}`, doc);
  if (!Array.isArray(rootfs.diff_ids)) fail('$.rootfs.diff_ids', rootfs.diff_ids === undefined ? 'is required' : 'must be an array', doc);
  rootfs.diff_ids.forEach((d, i) => digest(d, `$.rootfs.diff_ids[${i}]`, doc));
  if (o.config !== undefined && o.config !== null) {
    const c = obj(o.config, '$.config', doc);
    str(c.User, '$.config.User', doc, true);
    str(c.WorkingDir, '$.config.WorkingDir', doc, true);
    strArray(c.Env, '$.config.Env', doc);
    if (c.Entrypoint !== null) strArray(c.Entrypoint, '$.config.Entrypoint', doc);
    if (c.Cmd !== null) strArray(c.Cmd, '$.config.Cmd', doc);
    strMap(c.Labels, '$.config.Labels', doc);
  }
  if (o.history !== undefined) {
    if (!Array.isArray(o.history)) fail('$.history', 'must be an array', doc);
    o.history.forEach((h, i) => {
      const e = obj(h, `$.history[${i}]`, doc);
      for (const k of ['created', 'created_by', 'author', 'comment']) str(e[k], `$.history[${i}].${k}`, doc, true);
      if (e.empty_layer !== undefined && typeof e.empty_layer !== 'boolean') fail(`$.history[${i}].empty_layer`, 'must be a boolean', doc);
    });
  }
  return o as unknown as ImageConfig;
}

export type ParsedTop =
  | { kind: 'manifest'; mediaType: string; manifest: Manifest }
  | { kind: 'index'; mediaType: string; index: ImageIndex };

/**
 * Parse the bytes of a manifest or an index. The kind comes from the
 * document's own mediaType, else the transport's (`hint`), else its shape
 * (a `manifests` array means an index), as containerd and skopeo do.
 */
export function parseManifestOrIndex(bytes: Uint8Array, hint?: string): ParsedTop {
  const v = parseJson(bytes, 'manifest');
  const o = obj(v, '$', 'manifest');
  const declared = typeof o.mediaType === 'string' ? o.mediaType : undefined;
  const t = declared ?? (hint && (isIndexType(hint) || isManifestType(hint)) ? hint : undefined);
  const asIndex = t !== undefined ? isIndexType(t) : Array.isArray(o.manifests);
  if (asIndex) return { kind: 'index', mediaType: t ?? MediaType.ociIndex, index: validateIndex(v) };
  if (o.schemaVersion === 1) fail('$.schemaVersion', 'is 1: Docker schema1 manifests are not supported', 'manifest');
  return { kind: 'manifest', mediaType: t ?? MediaType.ociManifest, manifest: validateManifest(v) };
}

export function parseManifest(bytes: Uint8Array): Manifest {
  return validateManifest(parseJson(bytes, 'manifest'));
}

export function parseIndex(bytes: Uint8Array): ImageIndex {
  return validateIndex(parseJson(bytes, 'index'));
}

export function parseConfig(bytes: Uint8Array): ImageConfig {
  return validateConfig(parseJson(bytes, 'config'));
}
