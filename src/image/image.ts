/**
 * `Image`: an immutable OCI image (manifest + config). Its id is the config
 * digest (CONFORMANCE 4); `digest` is the manifest's. The manifest and config
 * bytes are kept exactly as they were written (rule 4: re-serialising JSON
 * changes the digest); only an image layerfs itself creates through a
 * `with*` method gets newly serialised bytes. Every Image and everything it
 * hands out is deep-frozen; a change returns a new Image.
 */
import { ManifestInvalidError } from '../errors/ManifestInvalidError.js';
import { chainIds } from './chain-id.js';
import { deepFreeze, jsonClone } from './freeze.js';
import { digestBytes, verifyBytes } from './hashing.js';
import { MediaType } from './media-types.js';
import type { Descriptor, HistoryEntry, ImageConfig, Manifest, Platform } from './types.js';
import { parseConfig, parseManifest } from './validate.js';
import { copyBytes } from '../tar/bytes.js';

export interface ImageLayer {
  /** Position in the stack, 0 = bottom. */
  readonly index: number;
  /** Digest of the stored (maybe compressed) blob. */
  readonly digest: string;
  /** Digest of the uncompressed tar (config rootfs.diff_ids). */
  readonly diffId: string;
  /** ChainID of layers 0..index (CONFORMANCE 3). */
  readonly chainId: string;
  readonly size: number;
  readonly mediaType: string;
  readonly annotations?: Readonly<Record<string, string>>;
  readonly urls?: readonly string[];
}

/** A config history entry with the layer it made (undefined for empty_layer entries). */
export interface HistoryItem extends HistoryEntry {
  readonly layer?: ImageLayer;
}

export interface NewLayer {
  digest: string;
  diffId: string;
  size: number;
  mediaType?: string;
  annotations?: Record<string, string>;
  history?: HistoryEntry;
}

const enc = new TextEncoder();

export class Image {
  /** Image id: the config digest. */
  readonly id: string;
  /** Digest of the manifest bytes. */
  readonly digest: string;
  /** Media type of the manifest (OCI or Docker schema2). */
  readonly mediaType: string;
  readonly manifest: Readonly<Manifest>;
  readonly config: Readonly<ImageConfig>;
  readonly configDescriptor: Readonly<Descriptor>;
  readonly layers: readonly ImageLayer[];
  readonly history: readonly HistoryEntry[];
  readonly platform: Readonly<Platform>;
  /** Bytes of the manifest, config and layer blobs together. */
  readonly size: number;
  readonly #manifestBytes: Uint8Array;
  readonly #configBytes: Uint8Array;

  private constructor(f: {
    digest: string;
    mediaType: string;
    manifest: Manifest;
    config: ImageConfig;
    layers: ImageLayer[];
    manifestBytes: Uint8Array;
    configBytes: Uint8Array;
  }) {
    this.id = f.manifest.config.digest;
    this.digest = f.digest;
    this.mediaType = f.mediaType;
    this.manifest = deepFreeze(f.manifest);
    this.config = deepFreeze(f.config);
    this.configDescriptor = this.manifest.config;
    this.layers = deepFreeze(f.layers);
    this.history = deepFreeze(f.config.history ?? []);
    const p: Platform = { os: f.config.os, architecture: f.config.architecture };
    if (f.config.variant) p.variant = f.config.variant;
    if (f.config['os.version']) p['os.version'] = f.config['os.version'];
    this.platform = deepFreeze(p);
    this.size = f.manifestBytes.byteLength + f.manifest.config.size + f.layers.reduce((n, l) => n + l.size, 0);
    this.#manifestBytes = copyBytes(f.manifestBytes);
    this.#configBytes = copyBytes(f.configBytes);
    Object.freeze(this);
  }

  /** A copy of the manifest bytes, exactly as stored. */
  manifestBytes(): Uint8Array {
    return copyBytes(this.#manifestBytes);
  }

  /** A copy of the config bytes, exactly as stored. */
  configBytes(): Uint8Array {
    return copyBytes(this.#configBytes);
  }

  /** Descriptor of the manifest itself (what an index or a tag points at). */
  descriptor(annotations?: Record<string, string>): Descriptor {
    const d: Descriptor = { mediaType: this.mediaType, digest: this.digest, size: this.#manifestBytes.byteLength };
    if (annotations) d.annotations = annotations;
    return d;
  }

  /** Every blob the image uses, config first, then layers bottom-up. */
  blobs(): Descriptor[] {
    return [this.manifest.config, ...this.manifest.layers].map((d) => ({ ...d }));
  }

  /** History entries with the layer each non-empty entry made (config.md "history"). */
  historyItems(): HistoryItem[] {
    const out: HistoryItem[] = [];
    let li = 0;
    for (const h of this.history) {
      if (h.empty_layer) out.push({ ...h });
      else out.push({ ...h, layer: this.layers[li++] });
    }
    // Images without history (or with fewer entries than layers) still list every layer.
    for (; li < this.layers.length; li++) out.push({ layer: this.layers[li] });
    return out;
  }

  /**
   * Build an Image from stored bytes. The config bytes are verified against
   * the manifest's config descriptor; the manifest digest is computed unless
   * given (then it is checked).
   */
  static async fromBytes(manifestBytes: Uint8Array, configBytes: Uint8Array, opts: { digest?: string; mediaType?: string } = {}): Promise<Image> {
    const manifest = parseManifest(manifestBytes);
    const digest = await digestBytes(manifestBytes, opts.digest?.startsWith('sha512:') ? 'sha512' : 'sha256');
    if (opts.digest && opts.digest !== digest) await verifyBytes(manifestBytes, opts.digest);
    await verifyBytes(configBytes, manifest.config.digest, manifest.config.size);
    const config = parseConfig(configBytes);
    const diffIds = config.rootfs.diff_ids;
    if (diffIds.length !== manifest.layers.length) {
      throw new ManifestInvalidError(
        `config: $.rootfs.diff_ids has ${diffIds.length} entries but the manifest has ${manifest.layers.length} layers`,
        { path: '$.rootfs.diff_ids', doc: 'config' },
      );
    }
    const chains = await chainIds(diffIds);
    const layers: ImageLayer[] = manifest.layers.map((d, i) => {
      const l: { -readonly [K in keyof ImageLayer]: ImageLayer[K] } = {
        index: i,
        digest: d.digest,
        diffId: diffIds[i]!,
        chainId: chains[i]!,
        size: d.size,
        mediaType: d.mediaType,
      };
      if (d.annotations) l.annotations = { ...d.annotations };
      if (d.urls) l.urls = [...d.urls];
      return l;
    });
    const mediaType = manifest.mediaType ?? opts.mediaType ?? MediaType.ociManifest;
    return new Image({ digest, mediaType, manifest, config, layers, manifestBytes, configBytes });
  }

  /**
   * A new image (new config, new manifest) made from this one. `change`
   * receives a mutable copy of the config and of the manifest's layer list.
   */
  async derive(change: (c: { config: ImageConfig; layers: Descriptor[]; annotations: Record<string, string> | undefined }) => void | { annotations?: Record<string, string> }): Promise<Image> {
    const config = jsonClone(this.config) as ImageConfig;
    const layers = jsonClone(this.manifest.layers) as Descriptor[];
    const state = { config, layers, annotations: this.manifest.annotations ? { ...this.manifest.annotations } : undefined };
    change(state);
    const configBytes = enc.encode(JSON.stringify(state.config));
    const docker = this.mediaType === MediaType.dockerManifest;
    const manifest: Manifest = {
      schemaVersion: 2,
      mediaType: docker ? MediaType.dockerManifest : MediaType.ociManifest,
      config: {
        mediaType: this.configDescriptor.mediaType,
        digest: await digestBytes(configBytes),
        size: configBytes.byteLength,
      },
      layers: state.layers,
    };
    if (state.annotations && !docker) manifest.annotations = state.annotations;
    const manifestBytes = enc.encode(JSON.stringify(manifest));
    return Image.fromBytes(manifestBytes, configBytes);
  }

  /** A new image with the config changed by `fn` (it gets a mutable copy). */
  withConfig(fn: (config: ImageConfig) => void): Promise<Image> {
    return this.derive(({ config }) => fn(config));
  }

  /** A new image with `layers` added on top (each with its diffId and an optional history entry). */
  withLayers(add: NewLayer[]): Promise<Image> {
    return this.derive(({ config, layers }) => {
      for (const l of add) {
        const d: Descriptor = { mediaType: l.mediaType ?? MediaType.ociLayerGzip, digest: l.digest, size: l.size };
        if (l.annotations) d.annotations = l.annotations;
        layers.push(d);
        config.rootfs.diff_ids.push(l.diffId);
        if (l.history || config.history) {
          const h: HistoryEntry = { ...(l.history ?? {}) };
          delete h.empty_layer;
          config.history = [...(config.history ?? []), h];
        }
      }
    });
  }

  /** A new image whose manifest carries `annotations` (OCI manifests only). */
  withAnnotations(annotations: Record<string, string>): Promise<Image> {
    return this.derive((s) => ({ annotations: (s.annotations = { ...(s.annotations ?? {}), ...annotations }) }));
  }

  /**
   * The same image (same config bytes, so the same id and diffIds) with its
   * layers stored as other blobs — e.g. decompressed for docker-archive.
   * A new manifest is written; `mediaType` chooses its family.
   */
  async withStoredLayers(layers: Descriptor[], mediaType: string = this.mediaType): Promise<Image> {
    if (layers.length !== this.layers.length) {
      throw new ManifestInvalidError(`withStoredLayers: ${layers.length} layers given for an image with ${this.layers.length}`, { path: '$.layers' });
    }
    const manifest: Manifest = { schemaVersion: 2, mediaType, config: { ...this.configDescriptor }, layers: layers.map((l) => ({ ...l })) };
    // The config bytes stay; only the descriptor's media type follows the manifest family.
    if (mediaType === MediaType.dockerManifest) manifest.config.mediaType = MediaType.dockerConfig;
    else if (manifest.config.mediaType === MediaType.dockerConfig) manifest.config.mediaType = MediaType.ociConfig;
    if (this.manifest.annotations && mediaType !== MediaType.dockerManifest) manifest.annotations = { ...this.manifest.annotations };
    return Image.fromBytes(enc.encode(JSON.stringify(manifest)), this.#configBytes);
  }

  /** A brand-new image with no layers (like `umoci new`). */
  static async empty(platform: Platform = { os: 'linux', architecture: 'amd64' }, created = new Date(0).toISOString()): Promise<Image> {
    const config: ImageConfig = {
      created,
      architecture: platform.architecture,
      os: platform.os,
      ...(platform.variant ? { variant: platform.variant } : {}),
      config: {},
      rootfs: { type: 'layers', diff_ids: [] },
      history: [],
    };
    const configBytes = enc.encode(JSON.stringify(config));
    const manifest: Manifest = {
      schemaVersion: 2,
      mediaType: MediaType.ociManifest,
      config: { mediaType: MediaType.ociConfig, digest: await digestBytes(configBytes), size: configBytes.byteLength },
      layers: [],
    };
    return Image.fromBytes(enc.encode(JSON.stringify(manifest)), configBytes);
  }
}
