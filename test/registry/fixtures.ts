/**
 * Test images for the registry suites: real gzip'd tar layers made by GNU
 * tar from files on disk, an OCI config and manifest, put into a store.
 * Also writes them as an OCI image layout (for skopeo to push), without
 * any layerfs code, so the two sides of the interop tests stay independent.
 */
import { execFileSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { Image } from '../../src/image/image.js';
import type { Store } from '../../src/store/store.js';

export const sha = (b: Uint8Array) => `sha256:${createHash('sha256').update(b).digest('hex')}`;

export interface BuiltLayer {
  blob: Buffer;
  digest: string;
  diffId: string;
}

/** A gzip'd tar layer holding `files` (path -> content), made by GNU tar. */
export function makeLayer(files: Record<string, string | Uint8Array>): BuiltLayer {
  const dir = mkdtempSync(join(tmpdir(), 'layerfs-layer-'));
  try {
    for (const [p, c] of Object.entries(files)) {
      mkdirSync(dirname(join(dir, p)), { recursive: true });
      writeFileSync(join(dir, p), c);
    }
    const tar = execFileSync('tar', ['--sort=name', '--mtime=@0', '--owner=0', '--group=0', '--numeric-owner', '-C', dir, '-cf', '-', '.'], {
      maxBuffer: 1 << 30,
    });
    const blob = gzipSync(tar);
    return { blob, digest: sha(blob), diffId: sha(tar) };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** A layer of `n` random files of `size` bytes each. */
export function randomLayer(tag: string, n = 3, size = 2000): BuiltLayer {
  const files: Record<string, Uint8Array> = {};
  for (let i = 0; i < n; i++) files[`${tag}/file-${i}.bin`] = randomBytes(size);
  return makeLayer(files);
}

export interface BuiltImage {
  layers: BuiltLayer[];
  config: Buffer;
  manifest: Buffer;
  digest: string;
  mediaType: string;
}

export function buildImage(layers: BuiltLayer[], opts: { docker?: boolean; architecture?: string } = {}): BuiltImage {
  const config = Buffer.from(
    JSON.stringify({
      architecture: opts.architecture ?? 'amd64',
      os: 'linux',
      config: { Env: ['PATH=/usr/bin'] },
      rootfs: { type: 'layers', diff_ids: layers.map((l) => l.diffId) },
      history: layers.map((_, i) => ({ created_by: `layer ${i}` })),
    }),
  );
  const mediaType = opts.docker ? 'application/vnd.docker.distribution.manifest.v2+json' : 'application/vnd.oci.image.manifest.v1+json';
  const manifest = Buffer.from(
    JSON.stringify({
      schemaVersion: 2,
      mediaType,
      config: {
        mediaType: opts.docker ? 'application/vnd.docker.container.image.v1+json' : 'application/vnd.oci.image.config.v1+json',
        digest: sha(config),
        size: config.byteLength,
      },
      layers: layers.map((l) => ({
        mediaType: opts.docker ? 'application/vnd.docker.image.rootfs.diff.tar.gzip' : 'application/vnd.oci.image.layer.v1.tar+gzip',
        digest: l.digest,
        size: l.blob.byteLength,
      })),
    }),
  );
  return { layers, config, manifest, digest: sha(manifest), mediaType };
}

/** Puts a built image into `store` under `name`. */
export async function storeImage(store: Store, img: BuiltImage, name: string): Promise<Image> {
  for (const l of img.layers) await store.putBlob(l.blob, { digest: l.digest });
  await store.putBlob(img.config, { digest: sha(img.config) });
  const image = await Image.fromBytes(img.manifest, img.config, { mediaType: img.mediaType });
  await store.putImage(image, [name]);
  return image;
}

/** Writes a built image as an OCI image layout (image-layout.md) in a new temp dir. */
export function writeLayout(img: BuiltImage, tag = 'latest'): string {
  const dir = mkdtempSync(join(tmpdir(), 'layerfs-layout-'));
  const blobs = join(dir, 'blobs', 'sha256');
  mkdirSync(blobs, { recursive: true });
  const put = (b: Buffer) => writeFileSync(join(blobs, sha(b).slice(7)), b);
  for (const l of img.layers) put(l.blob);
  put(img.config);
  put(img.manifest);
  writeFileSync(join(dir, 'oci-layout'), JSON.stringify({ imageLayoutVersion: '1.0.0' }));
  writeFileSync(
    join(dir, 'index.json'),
    JSON.stringify({
      schemaVersion: 2,
      manifests: [
        {
          mediaType: img.mediaType,
          digest: img.digest,
          size: img.manifest.byteLength,
          annotations: { 'org.opencontainers.image.ref.name': tag },
        },
      ],
    }),
  );
  return dir;
}
