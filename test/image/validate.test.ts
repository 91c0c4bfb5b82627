import { describe, expect, it } from 'vitest';
import { ManifestInvalidError } from '../../src/errors/index.js';
import { MediaType, parseConfig, parseIndex, parseManifest, parseManifestOrIndex, validateDescriptor } from '../../src/image/index.js';

const enc = new TextEncoder();
const D = (c: string) => `sha256:${c.repeat(64)}`;
const desc = (c = 'a', extra: object = {}) => ({ mediaType: MediaType.ociLayerGzip, digest: D(c), size: 10, ...extra });
const manifest = (over: object = {}) => ({
  schemaVersion: 2,
  mediaType: MediaType.ociManifest,
  config: { mediaType: MediaType.ociConfig, digest: D('c'), size: 100 },
  layers: [desc('a'), desc('b'), desc('d')],
  ...over,
});

function pathOf(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(ManifestInvalidError);
    expect((e as ManifestInvalidError).code).toBe('MANIFEST_INVALID');
    const p = (e as ManifestInvalidError).data.path as string;
    expect((e as Error).message).toContain(p);
    return p;
  }
  throw new Error('did not throw');
}

const bytes = (v: unknown) => enc.encode(JSON.stringify(v));

describe('manifest validation names the JSON path at fault', () => {
  it('accepts a valid OCI manifest and a Docker schema2 one', () => {
    expect(parseManifest(bytes(manifest())).layers).toHaveLength(3);
    const docker = manifest({ mediaType: MediaType.dockerManifest, config: { mediaType: MediaType.dockerConfig, digest: D('c'), size: 5 } });
    expect(parseManifest(bytes(docker)).mediaType).toBe(MediaType.dockerManifest);
  });

  it.each([
    ['$.layers[2].digest', manifest({ layers: [desc('a'), desc('b'), { ...desc('d'), digest: 'sha256:XYZ' }] })],
    ['$.layers[1].size', manifest({ layers: [desc('a'), { ...desc('b'), size: -1 }] })],
    ['$.layers[0].mediaType', manifest({ layers: [{ ...desc('a'), mediaType: 'not a type' }] })],
    ['$.config.digest', manifest({ config: { mediaType: MediaType.ociConfig, size: 1 } })],
    ['$.config', manifest({ config: 'x' })],
    ['$.layers', manifest({ layers: undefined })],
    ['$.schemaVersion', manifest({ schemaVersion: 1 })],
    ['$.mediaType', manifest({ mediaType: MediaType.ociIndex })],
    ['$.annotations["k"]', manifest({ annotations: { k: 1 } })],
    ['$.layers[0].urls[0]', manifest({ layers: [desc('a', { urls: [3] })] })],
    ['$.layers[0].digest', manifest({ layers: [desc('a', { digest: `sha256:${'A'.repeat(64)}` })] })],
  ])('%s', (p, doc) => {
    expect(pathOf(() => parseManifest(bytes(doc)))).toBe(p);
  });

  it('bad JSON and bad UTF-8 fail at $', () => {
    expect(pathOf(() => parseManifest(enc.encode('{')))).toBe('$');
    expect(pathOf(() => parseManifest(new Uint8Array([0x7b, 0xff, 0x7d])))).toBe('$');
    expect(pathOf(() => parseManifest(bytes([1, 2])))).toBe('$');
  });

  it('indexes: entries and platforms', () => {
    const idx = { schemaVersion: 2, mediaType: MediaType.ociIndex, manifests: [{ ...desc('a'), mediaType: MediaType.ociManifest, platform: { os: 'linux', architecture: 'amd64' } }] };
    expect(parseIndex(bytes(idx)).manifests).toHaveLength(1);
    const bad = { ...idx, manifests: [{ ...idx.manifests[0], platform: { os: 'linux' } }] };
    expect(pathOf(() => parseIndex(bytes(bad)))).toBe('$.manifests[0].platform.architecture');
    expect(pathOf(() => parseIndex(bytes({ schemaVersion: 2 })))).toBe('$.manifests');
  });

  it('configs: rootfs and history', () => {
    const cfg = { architecture: 'amd64', os: 'linux', rootfs: { type: 'layers', diff_ids: [D('a')] }, history: [{ created_by: 'x' }] };
    expect(parseConfig(bytes(cfg)).rootfs.diff_ids).toEqual([D('a')]);
    expect(pathOf(() => parseConfig(bytes({ ...cfg, rootfs: { type: 'layers', diff_ids: ['nope'] } })))).toBe('$.rootfs.diff_ids[0]');
    expect(pathOf(() => parseConfig(bytes({ ...cfg, rootfs: { type: 'zfs', diff_ids: [] } })))).toBe('$.rootfs.type');
    expect(pathOf(() => parseConfig(bytes({ ...cfg, os: undefined })))).toBe('$.os');
    expect(pathOf(() => parseConfig(bytes({ ...cfg, history: [{}, { empty_layer: 'yes' }] })))).toBe('$.history[1].empty_layer');
    expect(pathOf(() => parseConfig(bytes({ ...cfg, config: { Env: 'A=1' } })))).toBe('$.config.Env');
  });

  it('tells manifests from indexes by mediaType, then hint, then shape', () => {
    expect(parseManifestOrIndex(bytes(manifest())).kind).toBe('manifest');
    const noType = { schemaVersion: 2, manifests: [] };
    expect(parseManifestOrIndex(bytes(noType)).kind).toBe('index');
    expect(parseManifestOrIndex(bytes(noType), MediaType.dockerManifestList).mediaType).toBe(MediaType.dockerManifestList);
    expect(pathOf(() => parseManifestOrIndex(bytes({ schemaVersion: 1, fsLayers: [] })))).toBe('$.schemaVersion');
  });

  it('a descriptor alone', () => {
    expect(validateDescriptor(desc()).size).toBe(10);
    expect(pathOf(() => validateDescriptor({ ...desc(), size: 1.5 }, '$.x'))).toBe('$.x.size');
  });
});
