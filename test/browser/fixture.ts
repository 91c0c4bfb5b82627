/**
 * A small three-layer image made with the public API only (no Node
 * built-ins), shared by the Chromium suites and the explorer's end-to-end
 * test: layer 2 whites out a file and a directory of the layers below, and
 * layer 1 overwrites a file of layer 0, so the stack has wasted space.
 */
import { Image, MemoryTree, diffTrees, type MemoryEntrySpec, type Store } from '../../src/index.js';

const big = new Uint8Array(20_000).map((_, i) => (i * 31) & 0xff);

export const LAYER_SPECS: { createdBy: string; specs: MemoryEntrySpec[] }[] = [
  {
    createdBy: 'COPY rootfs / # base',
    specs: [
      { path: 'etc', type: 'directory', mode: 0o755 },
      { path: 'etc/passwd', content: 'root:x:0:0::/root:/bin/sh\n', mode: 0o644 },
      { path: 'etc/os-release', content: 'ID=demo\n', mode: 0o644 },
      { path: 'bin', type: 'directory', mode: 0o755 },
      { path: 'bin/app', content: 'v1 '.repeat(1000), mode: 0o755 },
      { path: 'data', type: 'directory', mode: 0o755 },
      { path: 'data/big.bin', content: big, mode: 0o644 },
    ],
  },
  {
    createdBy: 'COPY app /bin/app # update',
    specs: [
      { path: 'bin/app', content: 'v2 '.repeat(1500), mode: 0o755 },
      { path: 'data/cache', type: 'directory', mode: 0o755 },
      { path: 'data/cache/tmp.txt', content: 'scratch\n', mode: 0o644 },
    ],
  },
  {
    createdBy: 'RUN rm -rf /data/big.bin /data/cache && echo hi > /etc/motd',
    specs: [{ path: 'etc/motd', content: 'hi\n', mode: 0o644 }],
  },
];

/** Paths the top layer deletes. */
export const DELETED = ['data/big.bin', 'data/cache'];

async function treeOf(upTo: number): Promise<MemoryTree> {
  const specs: MemoryEntrySpec[] = [];
  for (let i = 0; i <= upTo; i++) specs.push(...LAYER_SPECS[i]!.specs);
  const t = await MemoryTree.from(specs.map((s) => ({ mtime: 1_700_000_000, ...s })));
  if (upTo >= 2) for (const p of DELETED) await t.remove(p);
  return t;
}

/** Builds the image into `store` under `tag` and returns it. */
export async function makeDemoImage(store: Store, tag = 'demo:1'): Promise<Image> {
  let image = await Image.empty();
  let lower = new MemoryTree();
  for (let i = 0; i < LAYER_SPECS.length; i++) {
    const upper = await treeOf(i);
    const d = await diffTrees(lower, upper, { compression: 'gzip', sourceDateEpoch: 1_700_000_000 });
    await store.putBlob(d.bytes!, { digest: d.digest, size: d.size });
    image = await image.withLayers([
      { digest: d.digest, diffId: d.diffId, size: d.size, mediaType: d.mediaType, history: { created_by: LAYER_SPECS[i]!.createdBy, created: new Date(0).toISOString() } },
    ]);
    lower = upper;
  }
  await store.putImage(image, [tag]);
  return image;
}
