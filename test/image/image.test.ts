import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { Image, MediaType, chainIds } from '../../src/image/index.js';

const sha = (s: string | Uint8Array) => `sha256:${createHash('sha256').update(s).digest('hex')}`;
const enc = new TextEncoder();

describe('chain ids (CONFORMANCE 3)', () => {
  it('match a hand computation with node:crypto', async () => {
    const diffs = ['one', 'two', 'three'].map((s) => sha(s));
    const c0 = diffs[0]!;
    const c1 = sha(`${c0} ${diffs[1]}`);
    const c2 = sha(`${c1} ${diffs[2]}`);
    expect(await chainIds(diffs)).toEqual([c0, c1, c2]);
    expect(await chainIds([])).toEqual([]);
    await expect(chainIds(['sha256:short'])).rejects.toMatchObject({ code: 'INVALID_DIGEST' });
  });
});

async function twoLayerImage(): Promise<Image> {
  let img = await Image.empty({ os: 'linux', architecture: 'arm64', variant: 'v8' }, '2024-05-01T00:00:00Z');
  img = await img.withLayers([
    { digest: sha('L0'), diffId: sha('D0'), size: 2, history: { created_by: 'step 0' } },
    { digest: sha('L1'), diffId: sha('D1'), size: 2, mediaType: MediaType.ociLayerZstd, history: { created_by: 'step 1' } },
  ]);
  return img;
}

describe('Image', () => {
  it('id is the config digest, digest the manifest digest; layers carry diffIds and chain ids', async () => {
    const img = await twoLayerImage();
    expect(img.id).toBe(sha(img.configBytes()));
    expect(img.digest).toBe(sha(img.manifestBytes()));
    expect(img.layers.map((l) => [l.digest, l.diffId, l.mediaType])).toEqual([
      [sha('L0'), sha('D0'), MediaType.ociLayerGzip],
      [sha('L1'), sha('D1'), MediaType.ociLayerZstd],
    ]);
    expect(img.layers[1]!.chainId).toBe(sha(`${sha('D0')} ${sha('D1')}`));
    expect(img.platform).toEqual({ os: 'linux', architecture: 'arm64', variant: 'v8' });
    expect(img.historyItems().map((h) => [h.created_by, h.layer?.index])).toEqual([
      ['step 0', 0],
      ['step 1', 1],
    ]);
  });

  it('is deep-frozen and hands out copies of its bytes', async () => {
    const img = await twoLayerImage();
    expect(Object.isFrozen(img)).toBe(true);
    expect(Object.isFrozen(img.config)).toBe(true);
    expect(Object.isFrozen(img.config.rootfs.diff_ids)).toBe(true);
    expect(Object.isFrozen(img.layers[0])).toBe(true);
    expect(Object.isFrozen(img.manifest.layers[0])).toBe(true);
    expect(() => {
      (img.config.rootfs.diff_ids as string[]).push('x');
    }).toThrow(TypeError);
    const b = img.manifestBytes();
    b[0] = 0;
    expect(img.manifestBytes()[0]).toBe(0x7b);
  });

  it('a change returns a new image and leaves the old one as it was', async () => {
    const img = await twoLayerImage();
    const next = await img.withConfig((c) => {
      c.config = { ...c.config, Env: ['A=1'] };
    });
    expect(next.id).not.toBe(img.id);
    expect(next.config.config?.Env).toEqual(['A=1']);
    expect(img.config.config?.Env).toBeUndefined();
    expect(next.layers.map((l) => l.digest)).toEqual(img.layers.map((l) => l.digest));
  });

  it('keeps manifest bytes exactly as written (CONFORMANCE 4)', async () => {
    const img = await twoLayerImage();
    // the same manifest, pretty-printed with a trailing newline, is a different digest and is kept so
    const pretty = enc.encode(JSON.stringify(img.manifest, null, 3) + '\n');
    const again = await Image.fromBytes(pretty, img.configBytes());
    expect(again.digest).toBe(sha(pretty));
    expect(again.manifestBytes()).toEqual(pretty);
    expect(again.id).toBe(img.id);
  });

  it('refuses a config that does not match its descriptor, or diff_ids that do not match the layers', async () => {
    const img = await twoLayerImage();
    const cfg = img.configBytes();
    cfg[cfg.length - 2] ^= 1;
    await expect(Image.fromBytes(img.manifestBytes(), cfg)).rejects.toMatchObject({ code: 'DIGEST_MISMATCH' });
    const fewer = JSON.parse(new TextDecoder().decode(img.configBytes()));
    fewer.rootfs.diff_ids.pop();
    const fewerBytes = enc.encode(JSON.stringify(fewer));
    const m = JSON.parse(new TextDecoder().decode(img.manifestBytes()));
    m.config.digest = sha(fewerBytes);
    m.config.size = fewerBytes.byteLength;
    await expect(Image.fromBytes(enc.encode(JSON.stringify(m)), fewerBytes)).rejects.toMatchObject({ code: 'MANIFEST_INVALID', data: { path: '$.rootfs.diff_ids' } });
  });

  it('withStoredLayers keeps the config (and id) and changes only the layer blobs', async () => {
    const img = await twoLayerImage();
    const plain = await img.withStoredLayers(img.layers.map((l) => ({ mediaType: MediaType.ociLayer, digest: l.diffId, size: 9 })));
    expect(plain.id).toBe(img.id);
    expect(plain.configBytes()).toEqual(img.configBytes());
    expect(plain.layers.map((l) => l.digest)).toEqual([sha('D0'), sha('D1')]);
  });
});
