/**
 * What the plain-`<script type="module">` page and the Vite-built app run:
 * hash a buffer, diff two in-memory trees (one file modified, one added,
 * one deleted) and apply the layer onto a copy of the lower tree. Plain
 * JavaScript taking the library as an argument, so the Node side of the
 * tests runs the very same code against src/ for the expected values.
 * @param {typeof import('../../../src/index.js')} lib
 */
export async function demo(lib) {
  const { sha256, MemoryTree, diffTrees, applyLayer, loadCore } = lib;
  const mtime = 1_700_000_000;
  const data = new Uint8Array(100_000).map((_, i) => (i * 7 + (i >> 8)) & 0xff);
  const lowerSpecs = [
    { path: 'etc', type: 'directory', mode: 0o755, mtime },
    { path: 'etc/app.conf', content: 'level=1\n', mode: 0o644, mtime },
    { path: 'etc/old.conf', content: 'gone soon\n', mode: 0o644, mtime },
    { path: 'data.bin', content: data, mode: 0o644, mtime },
  ];
  const upperSpecs = [
    { path: 'etc', type: 'directory', mode: 0o755, mtime },
    { path: 'etc/app.conf', content: 'level=2\n', mode: 0o644, mtime },
    { path: 'etc/new.conf', content: 'new\n', mode: 0o644, mtime },
    { path: 'data.bin', content: data, mode: 0o644, mtime },
  ];
  const lower = await MemoryTree.from(lowerSpecs);
  const upper = await MemoryTree.from(upperSpecs);
  const layer = await diffTrees(lower, upper, { compression: 'none', sourceDateEpoch: mtime });
  const applied = await MemoryTree.from(lowerSpecs);
  await applyLayer(layer.bytes, applied);
  const paths = [];
  for await (const e of applied.walk()) paths.push(`${e.type} ${e.path}`);
  const conf = await new Response(applied.readFile('etc/app.conf')).text();
  const core = await loadCore();
  return {
    hash: await sha256(data),
    layerDigest: layer.digest,
    diffId: layer.diffId,
    summary: layer.summary,
    paths,
    conf,
    simd: core.simd,
  };
}
